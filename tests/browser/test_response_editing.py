"""Nothing typed is lost, nothing final happens by accident: the response editor in Chromium.

Two people edit one draft at once (changes to different fields merge, changes to the same field
are shown side by side), an attachment is added to unsaved text, the coordinator submits while a
member is typing, and withdrawing asks for confirmation and can be undone. Every page is checked
with axe, at 1280 and at 390 px wide, without sideways scrolling.
"""

import json

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from partner_portal.auth.models import OrgRole, User
from partner_portal.consultations.demo import DATA_FILE
from partner_portal.consultations.models import Consultation
from partner_portal.extensions import db
from partner_portal.partners.models import Organisation, SectorGroup
from partner_portal.responses import operations
from partner_portal.responses.models import FormalResponse, ResponseState
from tests import factories
from tests.browser.helpers import check_a11y, log_in, visit
from tests.consultations import factories as cf

pytestmark = pytest.mark.browser

THEMES = [theme["title"] for theme in json.loads(DATA_FILE.read_text(encoding="utf-8"))["themes"]]
WIDTHS = (1280, 390)
PDF = cf.pdf_bytes(text="Brief van de toerismesector")


def _people():
    """Two members of the toerisme & leisure group, and the group's draft response."""
    users = []
    for kvk, email in (("60000042", "lid.fiets@example.org"), ("60000041", "lid.promotie@example.org")):
        org = db.session.scalar(sa.select(Organisation).where(Organisation.kvk_number == kvk))
        users.append(factories.user(org, OrgRole.member, email=email, name=email.split("@")[0]))
    consultation = db.session.scalar(sa.select(Consultation).where(Consultation.slug == "binnenstad-assen"))
    group = db.session.scalar(sa.select(SectorGroup).where(SectorGroup.slug == "toerisme-leisure"))
    response = operations.create_response(users[0], consultation, group)
    db.session.commit()
    return users, response.id


def _submit_as_coordinator(response_id: int) -> None:
    """The toerisme coordinator completes and submits the group's draft (as if in another browser)."""
    response = db.session.get(FormalResponse, response_id)
    coordinator = db.session.scalar(sa.select(User).where(User.email == "toerisme@example.org"))
    for theme in response.consultation.themes:
        response.position_for(theme.id).position = "supports"
    response.collaboration_stance = "joins"
    db.session.commit()
    operations.submit_response(coordinator, response, version=response.version, publication="public")
    db.session.commit()


def _fits(page) -> None:
    check_a11y(page)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), f"{page.url} scrolls sideways"


def _second_person(browser, live_server, width):
    context = browser.new_context(base_url=live_server.url, locale="nl-NL", viewport={"width": width, "height": 900})
    context.set_default_timeout(10_000)
    return context, context.new_page()


@pytest.mark.parametrize("width", WIDTHS)
def test_two_people_edit_one_draft_at_once(page, browser, live_server, width):
    (a_user, b_user), response_id = _people()
    page.set_viewport_size({"width": width, "height": 900})
    edit = f"/reacties/{response_id}/bewerken"
    log_in(page, a_user.email, factories.PASSWORD)
    visit(page, edit)
    context, other = _second_person(browser, live_server, width)
    try:
        log_in(other, b_user.email, factories.PASSWORD)
        visit(other, edit)
        # A changes theme 1; B, who opened the form before A saved, changes theme 2: both kept.
        page.get_by_label(f"Toelichting: {THEMES[0]}", exact=True).fill("Uitleg van A over het centrum.")
        page.get_by_role("button", name="Opslaan", exact=True).click()
        _fits(page)
        other.get_by_label(f"Toelichting: {THEMES[1]}", exact=True).fill("Uitleg van B over het groen.")
        other.get_by_role("button", name="Opslaan", exact=True).click()
        _fits(other)
        expect(other.get_by_role("status")).to_contain_text("die wijzigingen zijn bewaard")
        db.session.expire_all()
        saved = db.session.get(FormalResponse, response_id)
        texts = [p.explanation for p in sorted(saved.positions, key=lambda p: p.theme.position)]
        assert texts[0] == "Uitleg van A over het centrum." and texts[1] == "Uitleg van B over het groen."
        # Both now change the statement differently: only that field is shown, both texts.
        visit(page, edit)
        visit(other, edit)
        page.get_by_label("Algemeen standpunt over de visie").fill("Het standpunt van A.")
        page.get_by_role("button", name="Opslaan", exact=True).click()
        other.get_by_label("Algemeen standpunt over de visie").fill("Het standpunt van B.")
        other.get_by_role("button", name="Opslaan", exact=True).click()
        _fits(other)
        panel = other.get_by_role("alert")
        expect(panel).to_contain_text("Iemand anders heeft deze reactie intussen gewijzigd")
        expect(panel).to_contain_text("Het standpunt van A.")
        expect(panel).to_contain_text("Het standpunt van B.")
        expect(other.locator(".conflict-field")).to_have_count(1)
        expect(other.get_by_label("Algemeen standpunt over de visie")).to_have_value("Het standpunt van B.")
        # B decides, saves again, and nothing of A's other work is lost.
        other.get_by_label("Algemeen standpunt over de visie").fill("Het standpunt van A en B.")
        other.get_by_role("button", name="Opslaan", exact=True).click()
        _fits(other)
        db.session.expire_all()
        saved = db.session.get(FormalResponse, response_id)
        assert saved.statement == "Het standpunt van A en B."
        assert saved.position_for(saved.positions[0].theme_id).explanation == "Uitleg van A over het centrum."
    finally:
        context.close()


@pytest.mark.parametrize("width", WIDTHS)
def test_an_attachment_is_added_without_losing_the_text_typed_before(page, live_server, tmp_path, width):
    (member, _other), response_id = _people()
    page.set_viewport_size({"width": width, "height": 900})
    log_in(page, member.email, factories.PASSWORD)
    visit(page, f"/reacties/{response_id}/bewerken")
    statement = page.get_by_label("Algemeen standpunt over de visie")
    # A refused file: the page comes back with the typed text still in the form.
    statement.fill("Getypt, nog niet opgeslagen. " + "x" * 400)
    not_pdf = tmp_path / "foto.pdf"
    not_pdf.write_bytes(b"GIF89a not a pdf")
    page.get_by_label("PDF-bijlage").set_input_files(str(not_pdf))
    page.get_by_role("button", name="Bijlage toevoegen").click()
    _fits(page)
    expect(page.get_by_role("alert")).to_contain_text("geen PDF")
    expect(statement).to_have_value("Getypt, nog niet opgeslagen. " + "x" * 400)
    # An accepted file: saved together with the text.
    letter = tmp_path / "brief.pdf"
    letter.write_bytes(PDF)
    page.get_by_label("PDF-bijlage").set_input_files(str(letter))
    page.get_by_role("button", name="Bijlage toevoegen").click()
    _fits(page)
    expect(page.get_by_role("link", name="brief.pdf")).to_be_visible()
    expect(statement).to_have_value("Getypt, nog niet opgeslagen. " + "x" * 400)
    db.session.expire_all()
    saved = db.session.get(FormalResponse, response_id)
    assert saved.statement.startswith("Getypt, nog niet opgeslagen.") and len(saved.attachments) == 1


@pytest.mark.parametrize("width", WIDTHS)
def test_a_members_text_is_shown_back_when_the_coordinator_submitted_meanwhile(page, live_server, width):
    (member, _other), response_id = _people()
    page.set_viewport_size({"width": width, "height": 900})
    log_in(page, member.email, factories.PASSWORD)
    visit(page, f"/reacties/{response_id}/bewerken")
    page.get_by_label("Algemeen standpunt over de visie").fill("Een zorgvuldige laatste aanvulling.")
    _submit_as_coordinator(response_id)
    page.get_by_role("button", name="Opslaan", exact=True).click()
    _fits(page)
    expect(page.get_by_role("alert")).to_contain_text("Uw wijzigingen zijn niet opgeslagen")
    expect(page.get_by_label("Algemeen standpunt over de visie")).to_have_value("Een zorgvuldige laatste aanvulling.")
    page.get_by_role("link", name="Bekijk de ingediende versie").click()
    _fits(page)


@pytest.mark.parametrize("width", WIDTHS)
def test_withdrawing_is_confirmed_and_can_be_undone(page, live_server, width):
    (_member, _other), response_id = _people()
    _submit_as_coordinator(response_id)
    page.set_viewport_size({"width": width, "height": 900})
    log_in(page, "toerisme@example.org")
    visit(page, f"/reacties/{response_id}")
    page.get_by_role("link", name="Intrekken").click()
    _fits(page)
    expect(page.get_by_role("heading", name="Wat dit betekent")).to_be_visible()
    page.get_by_role("link", name="Nee, terug naar de reactie").click()
    _fits(page)
    db.session.expire_all()
    assert db.session.get(FormalResponse, response_id).state == ResponseState.submitted
    page.get_by_role("link", name="Intrekken").click()
    page.get_by_role("button", name="Ja, intrekken").click()
    _fits(page)
    expect(page.get_by_role("status")).to_contain_text("ingetrokken")
    page.get_by_role("button", name="Weer openen als concept").click()
    _fits(page)
    db.session.expire_all()
    assert db.session.get(FormalResponse, response_id).state == ResponseState.draft


@pytest.mark.parametrize("width", WIDTHS)
def test_two_moderators_answer_one_response_at_once(page, browser, live_server, width):
    """Issue 12.3: the answer saved from an older review page silently replaced the other moderator's."""
    from partner_portal.auth.models import StaffRole

    mia = factories.user(role=StaffRole.moderator, email="mia.moderator@example.org", name="Mia de Moderator")
    group = db.session.scalar(sa.select(SectorGroup).where(SectorGroup.slug == "vastgoed"))
    response = db.session.scalar(sa.select(FormalResponse).where(FormalResponse.sector_group_id == group.id))
    db.session.commit()
    review = f"/beheer/reacties/{response.id}"
    page.set_viewport_size({"width": width, "height": 900})
    log_in(page, "moderator@example.org")
    visit(page, review)
    context, other = _second_person(browser, live_server, width)
    try:
        log_in(other, mia.email, factories.PASSWORD)
        visit(other, review)
        label = f"Toelichting gemeente: {THEMES[0]}"
        other.get_by_label(label, exact=True).fill("Mia's antwoord op het eerste thema.")
        other.get_by_role("button", name="Antwoord opslaan").click()
        expect(other.get_by_role("status")).to_contain_text("Het antwoord is opgeslagen")
        # The first moderator, on the page opened before, writes something else on the same theme.
        page.get_by_label(label, exact=True).fill("Marks antwoord op het eerste thema.")
        page.get_by_label(f"Toelichting gemeente: {THEMES[1]}", exact=True).fill("Marks antwoord op het tweede.")
        page.get_by_role("button", name="Antwoord opslaan").click()
        panel = page.get_by_role("alert")
        expect(panel).to_contain_text("Iemand anders heeft het antwoord intussen gewijzigd")
        expect(panel).to_contain_text("Mia's antwoord op het eerste thema.")
        expect(page.locator(".conflict-field")).to_have_count(1)
        expect(page.get_by_label(label, exact=True)).to_have_value("Marks antwoord op het eerste thema.")
        _fits(page)
        db.session.expire_all()
        assert db.session.get(FormalResponse, response.id).answer_for(
            response.consultation.themes[0].id
        ).explanation == ("Mia's antwoord op het eerste thema.")
        # He decides, saves again: his two answers are stored.
        page.get_by_label(label, exact=True).fill("Het antwoord van Mia en Mark.")
        page.get_by_role("button", name="Antwoord opslaan").click()
        expect(page.get_by_role("status")).to_contain_text("Het antwoord is opgeslagen")
        _fits(page)
        db.session.expire_all()
        stored = db.session.get(FormalResponse, response.id)
        themes = stored.consultation.themes
        assert stored.answer_for(themes[0].id).explanation == "Het antwoord van Mia en Mark."
        assert stored.answer_for(themes[1].id).explanation == "Marks antwoord op het tweede."
    finally:
        context.close()
