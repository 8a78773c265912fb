"""What every page shares: the favicon, the 413 page, PDF-only file pickers, counted long texts,
and one date format per language."""

from datetime import UTC, date, datetime

import pytest

from partner_portal.core import dates
from tests.htmlcheck import elements


def test_every_page_names_the_favicon_that_the_app_serves(client):
    links = [attrs for tag, attrs in elements(client.get("/login").get_data(as_text=True)) if tag == "link"]
    icon = next(attrs for attrs in links if attrs.get("rel") == "icon")
    assert icon["type"] == "image/svg+xml"
    with client.get(icon["href"]) as response:
        assert response.status_code == 200 and response.mimetype == "image/svg+xml"
        assert b"<svg" in response.data


@pytest.mark.app_config(MAX_CONTENT_LENGTH=5 * 1024 * 1024)
def test_the_413_page_names_the_limit_and_leads_back_to_the_form(client):
    response = client.post(
        "/login", data={"password": "x" * (6 * 1024 * 1024)}, headers={"Referer": "http://localhost/login"}
    )
    assert response.status_code == 413
    html = response.get_data(as_text=True)
    assert "groter dan 5 MB" in html and "Er is niets opgeslagen" in html
    links = {attrs.get("href") for tag, attrs in elements(html) if tag == "a"}
    assert "http://localhost/login" in links and "/" in links
    # A link back only to this site: a foreign referrer gets the start page alone.
    other = client.post("/login", data={"password": "x" * (6 * 1024 * 1024)}, headers={"Referer": "https://evil.test/"})
    assert "https://evil.test/" not in other.get_data(as_text=True)


def test_file_inputs_offer_pdfs_and_long_texts_are_counted(app):
    from partner_portal.consultations.forms import VisionForm
    from partner_portal.partners.forms import SectorGroupForm

    with app.test_request_context():
        macros = app.jinja_env.get_template("_macros/forms.html").module
        vision = VisionForm()
        pdf = str(macros.field(vision.pdf))
        text = str(macros.field(SectorGroupForm().description))
    file_input = next(attrs for tag, attrs in elements(pdf) if tag == "input")
    assert file_input["type"] == "file" and ".pdf" in file_input["accept"].split(",")
    textarea = next(attrs for tag, attrs in elements(text) if tag == "textarea")
    assert textarea["maxlength"] == "2000" and "description-count" in textarea["aria-describedby"]
    assert textarea["data-charcount"] == "Nog {left} van {max} tekens over."
    assert 'id="description-count">Hoogstens 2.000 tekens.</p>' in text


def test_the_counter_script_is_served_and_loaded_by_every_page(client):
    html = client.get("/login").get_data(as_text=True)
    scripts = [attrs["src"] for tag, attrs in elements(html) if tag == "script"]
    assert scripts == ["/static/js/charcount.js"]
    with client.get(scripts[0]) as response:
        assert response.status_code == 200 and response.mimetype == "text/javascript"


@pytest.mark.parametrize(
    ("locale", "day", "moment"),
    [("nl", "2 december 2026", "2 december 2026, 14:05"), ("en", "December 2, 2026", "December 2, 2026, 14:05")],
)
def test_one_date_format_per_language(app, locale, day, moment):
    when = datetime(2026, 12, 2, 13, 5, 59, 123456, tzinfo=UTC)  # 14:05 in Assen
    with app.test_request_context():
        from flask import session

        session["locale"] = locale
        assert dates.date_text(date(2026, 12, 2)) == day
        assert dates.date_text(when) == day
        assert dates.datetime_text(when) == moment
    assert dates.machine_datetime(when) == "2026-12-02T13:05:59Z"  # no microseconds: valid HTML
    assert dates.machine_datetime(date(2026, 12, 2)) == "2026-12-02"


def test_templates_write_dates_only_through_the_shared_formats():
    from pathlib import Path

    root = Path(__file__).resolve().parents[2] / "templates"
    offenders = [
        f"{path.relative_to(root)}: {line.strip()[:80]}"
        for path in root.rglob("*.html")
        for line in path.read_text(encoding="utf-8").splitlines()
        if "dateformat(" in line or "datetimeformat(" in line or ".isoformat()" in line or ".strftime(" in line
    ]
    assert not offenders, offenders
