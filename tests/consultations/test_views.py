"""The public consultation pages, the process manager's pages and the audit log, through the test client."""

import io
import re
from datetime import date, timedelta

import pytest
import sqlalchemy as sa
from babel.dates import format_date

from partner_portal import demo
from partner_portal.auth.models import StaffRole
from partner_portal.consultations.models import Consultation, Stage, VisionVersion
from partner_portal.core import audit
from partner_portal.core.audit import AuditEvent
from partner_portal.extensions import db
from tests import factories
from tests.conftest import post_form
from tests.consultations import factories as cf
from tests.csvread import dutch_excel_rows

ASSEN = "/consultaties/binnenstad-assen"


@pytest.fixture
def seeded(app):
    demo.seed()
    db.session.commit()
    return db.session.scalar(sa.select(Consultation).where(Consultation.slug == "binnenstad-assen"))


def test_seed_is_idempotent_and_has_the_assen_facts(seeded):
    demo.seed()
    db.session.commit()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Consultation)) == 1
    c = seeded
    assert c.title == "Samen naar een krachtige binnenstad" and "top 25" in c.goal
    assert len(c.pillars) == 3 and len(c.themes) == 6 and len(c.stages) == 6
    assert c.current_stage.key == "reactie-van-partners" and c.current_stage.opens_responses
    assert [s.opened_actions for s in c.stages if s.key == "uitvoering"] == [["initiatives", "signing"]]
    assert sorted(f.amount_euros for f in c.funding_sources) == [2_000_000, 3_000_000, 3_000_000, 3_000_000]
    assert c.programmes[0].tagline == "Vernieuwing, versterking en verkleuring"
    assert "Koopmanskwartier" in c.programmes[0].projects[0].title
    assert audit.verify_chain() is None


def test_home_shows_the_featured_consultation(client, seeded):
    page = client.get("/").get_data(as_text=True)
    assert page.count("<h1") == 1 and "Samen naar een krachtige binnenstad" in page
    assert "landelijke top 25" in page
    for title in ("Comfortabele familiestad", "De bereikbare binnenstad", "De goed bekende binnenstad"):
        assert title in page
    stage = seeded.current_stage
    assert "Reactie van partners" in page and format_date(stage.starts_on, "long", locale="nl") in page
    assert stage.starts_on <= date.today() <= stage.ends_on  # the demo's current stage runs today (issue 11.7)
    # The funding chart: SVG bars with width attributes, the numbers as text and in a table.
    assert '<svg class="funding-chart"' in page and re.search(r'<rect x="0" y="24" width="\d', page)
    assert "€ 3.000.000" in page and "€ 2.000.000" in page and "€ 11.000.000" in page and "gevraagd" in page
    assert '<th scope="col" class="number">Bedrag</th>' in page
    # No inline style or script (the CSP allows neither); scripts come from the app's own files.
    assert " style=" not in page and not re.search(r"<script(?![^>]*\bsrc=)", page)


def test_home_without_consultations_still_works(client):
    assert client.get("/").status_code == 200


def test_timeline_marks_the_current_stage(client, seeded):
    page = client.get(f"{ASSEN}/tijdlijn").get_data(as_text=True)
    assert page.count('aria-current="step"') == 1
    current = page[page.index('aria-current="step"') :]
    assert current.index("Reactie van partners") < current.index("</li>")
    assert '<ol class="timeline">' in page and page.count("Afgerond") == 2 and page.count("Komt nog") == 3
    assert "Volgende fase" in page  # the seeded moves


def test_procesverloop_shows_public_events_only(client, seeded, app):
    pm = db.session.scalar(sa.select(factories.User).where(factories.User.email == "procesmanager@example.org"))
    audit.record(pm, "consultation.secret", seeded, consultation_id=seeded.id, reason="intern")
    db.session.commit()
    page = client.get(f"{ASSEN}/procesverloop").get_data(as_text=True)
    assert "intern" not in page and "Convenant: " in page  # the demo's commitments are signed
    # The vision's publication is older than a page of signatures: read from just after it.
    published = db.session.scalar(sa.select(audit.AuditEvent.id).where(audit.AuditEvent.action == "vision.publish"))
    page = client.get(f"{ASSEN}/procesverloop?voor={published + 1}").get_data(as_text=True)
    assert "Nieuwe versie van de visie" in page and "Reactie van partners" in page


def test_vision_pages(client, seeded):
    page = client.get(f"{ASSEN}/visie").get_data(as_text=True)
    assert "Versie 1" in page and "<strong>landelijke top 25</strong>" in page
    pillar = client.get(f"{ASSEN}/visie/pijlers/familiestad").get_data(as_text=True)
    assert (
        '<h1 class="utrecht-heading-1">Comfortabele familiestad</h1>' in pillar
        and "De prettige en comfortabele binnenstad" in pillar
    )
    theme = client.get(f"{ASSEN}/visie/themas/bereikbaar").get_data(as_text=True)
    assert '<h1 class="utrecht-heading-1">De bereikbare binnenstad</h1>' in theme
    assert client.get(f"{ASSEN}/visie/themas/bestaat-niet").status_code == 404
    assert client.get(f"{ASSEN}/visie/versies/9").status_code == 404


def test_process_manager_moves_the_stage_and_the_timeline_follows(client, login_as, seeded):
    login_as("procesmanager@example.org", password=demo.DEMO_PASSWORD)
    manage = f"{ASSEN}/beheer"
    response = post_form(client, f"{manage}/fase/volgende", {"version": seeded.version, "reason": ""}, form_url=manage)
    assert response.status_code == 302
    page = client.get(f"{ASSEN}/tijdlijn").get_data(as_text=True)
    current = page[page.index('aria-current="step"') :]
    assert current.index("Verwerking en besluitvorming") < current.index("</li>")


def test_stage_back_without_reason_is_refused_on_the_page(client, login_as, seeded):
    login_as("procesmanager@example.org", password=demo.DEMO_PASSWORD)
    manage = f"{ASSEN}/beheer"
    response = post_form(client, f"{manage}/fase/vorige", {"version": seeded.version, "reason": " "}, form_url=manage)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "utrecht-alert--error error-summary" in page and "Geef een reden op" in page
    assert db.session.get(Consultation, seeded.id).current_stage.key == "reactie-van-partners"


def test_stale_form_gives_changed_meanwhile(client, login_as, seeded):
    login_as("procesmanager@example.org", password=demo.DEMO_PASSWORD)
    manage = f"{ASSEN}/beheer"
    seen = seeded.version  # both "people" loaded the page at this version
    post_form(client, f"{manage}/fase/volgende", {"version": seen}, form_url=manage)
    response = post_form(client, f"{manage}/fase/volgende", {"version": seen}, form_url=manage)
    assert response.status_code == 409 and "intussen door iemand anders gewijzigd" in response.get_data(as_text=True)
    assert db.session.get(Consultation, seeded.id).current_stage.key == "verwerking-en-besluitvorming"


def test_status_buttons_are_exactly_the_allowed_transitions(client, login_as, seeded):
    login_as("procesmanager@example.org", password=demo.DEMO_PASSWORD)
    page = client.get(f"{ASSEN}/beheer").get_data(as_text=True)
    assert "/beheer/status/close" in page and "/beheer/status/publish" not in page and "/status/reopen" not in page
    assert '<label class="utrecht-form-label" for="reason-close">' in page
    refused = post_form(client, f"{ASSEN}/beheer/status/close", {"version": seeded.version}, form_url=f"{ASSEN}/beheer")
    assert refused.status_code == 400 and "Geef een reden op" in refused.get_data(as_text=True)
    done = post_form(
        client,
        f"{ASSEN}/beheer/status/close",
        {"version": seeded.version, "reason": "Ronde afgerond"},
        form_url=f"{ASSEN}/beheer",
    )
    assert done.status_code == 302
    page = client.get(f"{ASSEN}/beheer").get_data(as_text=True)
    assert "/beheer/status/reopen" in page and "/beheer/status/close" not in page
    assert "Consultatie: Afsluiten" in client.get(f"{ASSEN}/procesverloop").get_data(as_text=True)


def test_overlapping_stage_dates_show_an_error_and_save_nothing(client, login_as, seeded):
    login_as("procesmanager@example.org", password=demo.DEMO_PASSWORD)
    stage = next(s for s in seeded.stages if s.key == "reactie-van-partners")
    url = f"{ASSEN}/beheer/fasen/{stage.id}"
    start, end = stage.starts_on, stage.ends_on
    response = post_form(
        client,
        url,
        {
            "starts_on": start.isoformat(),
            "ends_on": (end + timedelta(days=30)).isoformat(),
            "opens_responses": "y",
            "version": stage.version,
        },
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "utrecht-alert--error error-summary" in page
    assert "overlappen met de fase" in page and "Verwerking en besluitvorming" in page
    assert db.session.get(Stage, stage.id).ends_on == end
    invalid = post_form(client, url, {"starts_on": "geen datum", "ends_on": "", "version": stage.version})
    assert invalid.status_code == 200 and "Vul een geldige begindatum in." in invalid.get_data(as_text=True)
    shorter = end - timedelta(days=10)
    ok = post_form(
        client,
        url,
        {
            "starts_on": start.isoformat(),
            "ends_on": shorter.isoformat(),
            "opens_responses": "y",
            "version": stage.version,
        },
    )
    assert ok.status_code == 302 and db.session.get(Stage, stage.id).ends_on == shorter


def test_editing_the_vision_publishes_a_version_with_a_diff_and_a_pdf(client, login_as, seeded):
    login_as("procesmanager@example.org", password=demo.DEMO_PASSWORD)
    url = f"{ASSEN}/beheer/visie"
    form_page = client.get(url).get_data(as_text=True)
    assert "Pijler: Comfortabele familiestad" in form_page and 'enctype="multipart/form-data"' in form_page
    data = {"based_on": "1", "introduction": "Nieuwe inleiding.", "change_note": "Inleiding herschreven"}
    for pillar in seeded.pillars:
        data[f"pillar_{pillar.id}"] = f"Tekst voor {pillar.title}."
    data["pdf"] = (io.BytesIO(cf.pdf_bytes()), "visie-assen.pdf")
    response = post_form(client, url, data, content_type="multipart/form-data")
    assert response.status_code == 302
    versions = client.get(f"{ASSEN}/visie/versies").get_data(as_text=True)
    assert "Versie 2" in versions and "Inleiding herschreven" in versions
    diff = client.get(f"{ASSEN}/visie/versies/2/verschil").get_data(as_text=True)
    assert '<ins><span class="diff-marker">+ Toegevoegd:</span> Nieuwe inleiding.</ins>' in diff
    assert "− Verwijderd:</span>" in diff and "<del>" in diff
    old = client.get(f"{ASSEN}/visie/versies/1").get_data(as_text=True)
    assert "Dit is een eerdere versie." in old and "landelijke top 25" in old
    download = client.get(f"{ASSEN}/visie/versies/2/visie.pdf")
    assert download.status_code == 200 and download.data.startswith(b"%PDF-")
    assert download.headers["Content-Disposition"].startswith('attachment; filename="visie-assen.pdf"')
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    assert client.get(f"{ASSEN}/visie/versies/1/visie.pdf").status_code == 404


def test_a_non_pdf_upload_is_refused_on_the_page(client, login_as, seeded):
    login_as("procesmanager@example.org", password=demo.DEMO_PASSWORD)
    url = f"{ASSEN}/beheer/visie"
    data = {"based_on": "1", "introduction": "x", "change_note": "x", "pdf": (io.BytesIO(b"MZ..."), "visie.pdf")}
    response = post_form(client, url, data, content_type="multipart/form-data")
    assert response.status_code == 200 and "Dit bestand is geen PDF" in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(VisionVersion)) == 1


def test_draft_consultations_are_hidden_from_the_public(client, app):
    cf.consultation(slug="concept", status="draft", current=None, title="Geheime ronde")
    db.session.commit()
    assert client.get("/consultaties/concept").status_code == 404
    assert "Geheime ronde" not in client.get("/consultaties").get_data(as_text=True)


def _many_events(n: int):
    actor = factories.user(role=StaffRole.administrator, name="Anne Beheerder")
    # Kinds and actions the features register: the filters offer those as choices.
    for i in range(n):
        action = "organisation.archive" if i % 2 else "organisation.restore"
        audit.record(actor, action, object_type="organisation", object_id=i, reason=f"r{i}")
    audit.record(actor, "organisation.archive", object_type="organisation", object_id=999, reason='=HYPERLINK("x")')
    db.session.commit()


def test_audit_log_filters_and_pages_by_keyset(client, login_as, app):
    _many_events(130)
    moderator = factories.user(role=StaffRole.moderator)
    db.session.commit()
    login_as(moderator)
    page = client.get("/beheer/audittrail").get_data(as_text=True)
    assert page.count('<th scope="row">') == 50 and ">131</th>" in page and "Oudere" in page and "Nieuwere" not in page
    older = re.search(r'href="(/beheer/audittrail\?voor=\d+)"', page).group(1)
    page2 = client.get(older).get_data(as_text=True)
    assert ">81</th>" in page2 and ">131</th>" not in page2 and "Nieuwere" in page2
    filtered = client.get("/beheer/audittrail?action=organisation.archive&object_type=organisation").text
    table = filtered.split("<table")[1].split("</table>")[0]
    assert filtered.count('<th scope="row">') == 50 and "Organisatie heropend" not in table
    assert "Organisatie gearchiveerd" in table and "organisation.archive" not in table  # words, not codes
    one = client.get("/beheer/audittrail?object_type=organisation&object_id=999").get_data(as_text=True)
    assert one.count('<th scope="row">') == 1
    nobody = client.get("/beheer/audittrail?actor=niemand").get_data(as_text=True)
    assert "Geen gebeurtenissen gevonden." in nobody
    bad = client.get("/beheer/audittrail?object_id=abc")
    assert bad.status_code == 200 and "utrecht-alert--error error-summary" in bad.get_data(as_text=True)
    assert client.get("/beheer/audittrail?date_from=2000-01-01&date_to=2000-01-02").status_code == 200


def test_audit_csv_export_is_filtered_and_formula_safe(client, login_as, app):
    _many_events(10)
    pm = factories.user(role=StaffRole.process_manager)
    db.session.commit()
    login_as(pm)
    response = client.get("/beheer/audittrail.csv?action=organisation.archive")
    assert response.headers["Content-Disposition"] == 'attachment; filename="audittrail.csv"'
    rows = dutch_excel_rows(response.data)
    assert rows[0][:3] == ["id", "created_at", "actor_id"]
    assert {row[5] for row in rows[1:]} == {"organisation.archive"} and len(rows) == 1 + 5 + 1
    formula = next(row for row in rows[1:] if row[7] == "999")
    assert formula[10] == '\'=HYPERLINK("x")'
    everything = dutch_excel_rows(client.get("/beheer/audittrail.csv").data)
    assert len(everything) == 1 + db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent))


def test_process_manager_list_is_paginated(client, login_as):
    for n in range(25):
        cf.consultation(title=f"Ronde {n:02d}")
    pm = factories.user(role=StaffRole.process_manager)
    factories.commit()
    login_as(pm)
    first = client.get("/beheer/consultaties").get_data(as_text=True)
    assert first.count('/beheer">Ronde') == 20 and "Pagina 1 van 2" in first
    second = client.get("/beheer/consultaties?page=2").get_data(as_text=True)
    assert second.count('/beheer">Ronde') == 5


def test_the_stage_buttons_name_the_stage_and_closing_stands_apart(client, login_as, seeded):
    """Issue 11.11: the button said only "Naar de volgende fase", with closing among the everyday actions."""
    login_as("procesmanager@example.org", password=demo.DEMO_PASSWORD)
    page = client.get(f"{ASSEN}/beheer").text
    assert "Naar de volgende fase: Verwerking en besluitvorming" in page
    final = page[page.index('id="final-title"') :]
    assert "/beheer/status/close" in final and page.count("/beheer/status/close") == 1


def test_the_demo_keeps_assen_s_real_dates_as_history(seeded):
    stage = seeded.current_stage
    assert "In de ronde van Assen: 1 mei 2017 – 30 juni 2017." in stage.description


def test_an_ended_current_stage_is_shown_as_such_and_warned_about(client, login_as, seeded):
    """Issue 11.7: the timeline called a stage that ended years ago "nu"."""
    stage = seeded.current_stage
    stage.starts_on, stage.ends_on = date.today() - timedelta(days=40), date.today() - timedelta(days=1)
    db.session.commit()
    timeline = client.get(f"{ASSEN}/tijdlijn").text
    assert "einddatum voorbij" in timeline and ">verlopen</text>" in timeline
    login_as("procesmanager@example.org", password=demo.DEMO_PASSWORD)
    manage = client.get(f"{ASSEN}/beheer").text
    assert "De huidige fase is voorbij haar einddatum" in manage
