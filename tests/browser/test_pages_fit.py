"""Pages fit on a phone (390 px) and a laptop (1280 px): long unbroken text wraps, wide tables scroll in
their own labelled region; and the small things people notice: badges, buttons, table lines, the
character counter. `visit` and `check_a11y` check every page at both widths (no sideways scrolling,
axe) and with the Nu HTML checker."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from partner_portal.consultations.models import Consultation
from partner_portal.extensions import db
from partner_portal.responses.models import ResponseState
from tests import factories
from tests.browser.helpers import BROKEN_ROW_LINES_JS, CROWDED_BUTTONS_JS, WIDTHS, check_a11y, log_in, visit
from tests.moderation.test_nota_pdf import LONG_URL
from tests.responses import factories as rf

pytestmark = pytest.mark.browser

ASSEN = "/consultaties/binnenstad-assen"


@pytest.fixture
def long_texts(live_server):
    """An accepted, answered, public response whose every text is a pasted 400-character link."""
    consultation = db.session.scalar(sa.select(Consultation).where(Consultation.slug == "binnenstad-assen"))
    group = factories.sector_group("lange-teksten", "Lange teksten")
    response = rf.response(consultation, group, ResponseState.accepted, answered=True, statement=f"Kaart: {LONG_URL}")
    for row in response.positions:
        row.explanation = f"Zie {LONG_URL}"
    for answer in response.answers:
        answer.explanation = f"Antwoord: {LONG_URL}"
    response.collaboration_conditions = LONG_URL
    db.session.commit()
    return response


def test_long_unbroken_text_wraps_and_wide_tables_scroll_in_their_region(page, long_texts):
    log_in(page, "moderator@example.org")
    check_a11y(page)  # the queue: six columns, too wide for a phone
    for path in (f"/reacties/{long_texts.id}", f"/beheer/reacties/{long_texts.id}", f"{ASSEN}/nota"):
        visit(page, path)  # fits at 390 and 1280 px
        expect(page.get_by_text(LONG_URL).first).to_be_visible()
    visit(page, ASSEN)  # the heat map has a column more
    # On a phone a table that does not fit scrolls inside its own named region, which takes keyboard focus.
    # The funding table (three columns) fits a phone without scrolling.
    visit(page, "/")
    page.set_viewport_size({"width": 390, "height": 800})
    funding = page.get_by_role("region", name="Financiering in cijfers")
    assert funding.evaluate("el => el.scrollWidth <= el.clientWidth"), "the funding table scrolls on a phone"
    scrolled = []
    for path in (f"{ASSEN}/nota", "/beheer/reacties", "/beheer/audittrail"):
        visit(page, path)  # leaves the page at 1280 px
        page.set_viewport_size({"width": 390, "height": 800})
        regions = page.get_by_role("region").all()
        scrolling = [r for r in regions if r.evaluate("el => el.scrollWidth > el.clientWidth")]
        if not scrolling:
            continue  # every table fits the phone's width
        region = scrolling[0]
        assert region.get_attribute("aria-label") or region.get_attribute("aria-labelledby")
        region.focus()
        page.keyboard.press("ArrowRight")
        expect(region).to_be_focused()
        # (The browser may scroll smoothly: wait for the region to move.)
        page.wait_for_function("el => el.scrollLeft > 0", arg=region.element_handle(), timeout=3000)
        scrolled.append(path)
    assert scrolled, "no table was wider than a phone: the region's scrolling went untested"
    page.get_by_role("button", name="Uitloggen").click()

    # A stage move explained with the same link: the public timeline and process log wrap it too.
    log_in(page, "procesmanager@example.org")
    visit(page, f"{ASSEN}/beheer")
    page.get_by_label("Toelichting (optioneel)").fill(f"Zie {LONG_URL}")
    page.get_by_role("button", name="Naar de volgende fase").click()
    check_a11y(page)
    for path in (f"{ASSEN}/procesverloop", f"{ASSEN}/tijdlijn"):
        visit(page, path)
        expect(page.get_by_text(LONG_URL).first).to_be_visible()


def _at_each_width(page, js: str) -> list[str]:
    found = []
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 800})
        found += [f"{width} px: {item}" for item in page.evaluate(js)]
    return found


def test_buttons_keep_apart_table_lines_are_whole_and_badges_are_not_fields(page, long_texts):
    log_in(page, "moderator@example.org")
    visit(page, "/beheer/reacties")
    assert not _at_each_width(page, BROKEN_ROW_LINES_JS)
    badge = page.locator(".utrecht-status-badge").first
    field = page.get_by_label("Status", exact=True)
    badge_style = badge.evaluate("el => getComputedStyle(el)")
    field_style = field.evaluate("el => getComputedStyle(el)")
    # A status badge is a filled, rounded label, not a bordered box like the select beside it.
    assert badge_style["borderTopWidth"] == "0px" and field_style["borderTopWidth"] != "0px"
    assert badge_style["borderTopLeftRadius"] != "0px"
    assert badge_style["backgroundColor"] not in ("rgba(0, 0, 0, 0)", field_style["backgroundColor"])
    for path in (f"/beheer/reacties/{long_texts.id}", f"{ASSEN}/nota", ASSEN):
        visit(page, path)
        assert not _at_each_width(page, CROWDED_BUTTONS_JS), path
        assert not _at_each_width(page, BROKEN_ROW_LINES_JS), path
    page.get_by_role("button", name="Uitloggen").click()
    log_in(page, "procesmanager@example.org")
    visit(page, f"{ASSEN}/beheer")
    assert not _at_each_width(page, CROWDED_BUTTONS_JS)
    assert not _at_each_width(page, BROKEN_ROW_LINES_JS)


def test_long_texts_count_their_characters_politely(page):
    log_in(page, "admin@example.org")
    visit(page, "/beheer/sectorgroepen")
    page.get_by_role("link", name="Horeca").click()
    description = page.get_by_label("Omschrijving")
    hint = page.locator("#description-count")
    # The field is described by its limit; the script makes it a live count.
    expect(description).to_have_attribute("aria-describedby", "description-count")
    expect(hint).to_have_text(
        "Nog " + f"{2000 - len(description.input_value()):,}".replace(",", ".") + " van 2.000 tekens over."
    )
    description.fill("x" * 1990)
    expect(hint).to_have_text("Nog 10 van 2.000 tekens over.")
    # Screen readers hear it once the typing pauses, politely.
    status = page.locator("[aria-live=polite]").filter(has_text="Nog 10 van 2.000 tekens over.")
    expect(status).to_have_count(1)
    check_a11y(page)
    description.fill("x" * 2000)
    expect(hint).to_have_text("Nog 0 van 2.000 tekens over.")


def test_the_favicon_and_the_pdf_file_inputs(page):
    log_in(page, "procesmanager@example.org")
    visit(page, f"{ASSEN}/beheer/visie")
    icon = page.locator('link[rel="icon"]')
    expect(icon).to_have_attribute("type", "image/svg+xml")
    answer = page.request.get(icon.get_attribute("href"))
    assert answer.status == 200 and answer.headers["content-type"].startswith("image/svg+xml")
    # File inputs offer PDFs only in the file picker (the server still checks the content).
    for file_input in page.locator('input[type="file"]').all():
        assert ".pdf" in file_input.get_attribute("accept").split(",")
    assert page.locator('input[type="file"]').count() >= 1
