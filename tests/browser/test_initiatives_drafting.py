"""Drafting an initiative in the browser (demo data): a member drafts with money split over the
funding sources, invites a co-initiator whose director accepts, and the signatory submits.

Every page is checked by axe-core and the Nu HTML checker, at 390 px and 1280 px (see helpers).
"""

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import check_a11y, log_in, person, visit

pytestmark = pytest.mark.browser

ASSEN = "/consultaties/binnenstad-assen"


def test_a_member_drafts_invites_a_co_initiator_and_the_signatory_submits(page, browser, live_server):
    log_in(page, "lid.horeca@example.org")
    visit(page, f"{ASSEN}/initiatieven")
    page.get_by_role("link", name="Nieuw initiatief").click()
    check_a11y(page)
    page.get_by_label("Titel").fill("Terrassen op de Brink")
    page.get_by_label("Korte samenvatting").fill("Samen één terrasinrichting voor de Brink.")
    page.get_by_label("Beschrijving").fill("Eén **ontwerp** voor alle terrassen.\n\n- banken\n- groen")
    page.get_by_label("Verwacht effect").fill("Bezoekers blijven langer.")
    page.get_by_role("group", name="Thema's").get_by_role("checkbox").first.check()
    page.get_by_label("Brink").check()
    page.get_by_label("Geplande start").fill("2027-04-01")
    page.get_by_label("Gepland einde").fill("2027-10-01")
    page.get_by_label("Totale kosten").fill("€ 150.000")
    page.get_by_label("Gemeente Assen").fill("50.000")
    page.get_by_label("Provinciaal Binnenstadsfonds").fill("40.000,50")
    # A part that does not add up is saved as a draft, and said when submitting.
    page.get_by_label("Eigen bijdrage van de initiatiefnemers").fill("50.000")
    page.get_by_role("button", name="Opslaan").click()
    expect(page.get_by_role("status").filter(has_text="Het initiatief is begonnen")).to_be_visible()
    check_a11y(page)
    money = page.get_by_role("table").filter(has_text="Gemeente Assen")
    expect(money).to_contain_text("€ 40.000,50")
    expect(money).to_contain_text("€ 150.000")
    draft_url = page.url

    page.get_by_role("link", name="Mede-initiatiefnemers").click()
    check_a11y(page)
    page.get_by_label("Organisatie", exact=True).select_option(label="Stichting Drents Erfgoedhuis")
    page.get_by_role("button", name="Uitnodigen").click()
    expect(page.get_by_role("status")).to_contain_text("Stichting Drents Erfgoedhuis is uitgenodigd")
    check_a11y(page)

    director = person(browser, live_server, "cultuur@example.org")
    visit(director, draft_url)
    director.get_by_role("link", name="Uitnodiging beantwoorden").click()
    check_a11y(director)
    director.get_by_role("button", name="Ja, wij doen mee").click()
    expect(director.get_by_role("status")).to_contain_text("Uw organisatie is mede-initiatiefnemer")
    check_a11y(director)

    signatory = person(browser, live_server, "tekenbevoegd.horeca@example.org")
    visit(signatory, draft_url)
    # The page says why it cannot be submitted yet.
    expect(signatory.get_by_text("Indienen bij de gemeente kan nog niet:")).to_contain_text(
        "tellen niet op tot de totale kosten"
    )
    signatory.get_by_role("link", name="Initiatief bewerken").click()
    signatory.get_by_label("Eigen bijdrage van de initiatiefnemers").fill("59.999,50")
    signatory.get_by_role("button", name="Opslaan").click()
    signatory.get_by_role("link", name="Indienen bij de gemeente").click()
    check_a11y(signatory)
    signatory.get_by_role("button", name="Ja, indienen bij de gemeente").click()
    expect(signatory.get_by_role("status")).to_contain_text("Het initiatief is ingediend (versie 1)")
    expect(signatory.get_by_text("Stichting Drents Erfgoedhuis", exact=False).first).to_be_visible()
    check_a11y(signatory)
    signatory.get_by_role("link", name="versie 1").click()
    check_a11y(signatory)
    director.context.close()
    signatory.context.close()


def test_two_initiators_edit_the_same_draft_and_only_the_real_conflict_is_shown(page, browser, live_server):
    log_in(page, "retail@example.org")
    visit(page, f"{ASSEN}/initiatieven")
    page.get_by_role("link", name="Aanpak leegstand Oudestraat").click()
    page.get_by_role("link", name="Initiatief bewerken").click()
    edit_url = page.url
    colleague = person(browser, live_server, "retail@example.org")
    visit(colleague, edit_url)
    page.get_by_label("Korte samenvatting").fill("Starters in lege panden, met begeleiding.")
    page.get_by_role("button", name="Opslaan").click()
    expect(page.get_by_role("status").filter(has_text="opgeslagen")).to_be_visible()
    colleague.get_by_label("Korte samenvatting").fill("Tijdelijke verhuur aan starters.")
    long_text = "Een lange beschrijving. " * 300
    colleague.get_by_label("Beschrijving").fill(long_text)
    colleague.get_by_role("button", name="Opslaan").click()
    expect(colleague.get_by_role("alert")).to_contain_text("in een ander venster")
    check_a11y(colleague)
    # What was typed is still in the form: nothing lost.
    expect(colleague.get_by_label("Beschrijving")).to_have_value(long_text.strip())
    expect(colleague.get_by_label("Korte samenvatting")).to_have_value("Tijdelijke verhuur aan starters.")
    colleague.get_by_role("button", name="Opslaan").click()
    expect(colleague.get_by_role("status").filter(has_text="opgeslagen")).to_be_visible()
    colleague.context.close()
