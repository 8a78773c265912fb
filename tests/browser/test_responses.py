"""The whole formal-response journey in Chromium, every page checked by axe-core.

Two members of the toerisme & leisure group draft together, the coordinator submits, the
moderator asks for changes, the coordinator resubmits, the moderator accepts and answers, the
Nota is published, and the public sees the response, the heat map and the Nota.
"""

import json

import pytest
from playwright.sync_api import expect

from partner_portal.auth.models import OrgRole
from partner_portal.consultations.demo import DATA_FILE
from partner_portal.extensions import db
from partner_portal.partners.models import Organisation
from tests import factories
from tests.browser.helpers import check_a11y, log_in, visit

pytestmark = pytest.mark.browser

ASSEN = "/consultaties/binnenstad-assen"
GROUP = "Toerisme & leisure"
THEME_TITLES = [theme["title"] for theme in json.loads(DATA_FILE.read_text(encoding="utf-8"))["themes"]]


def _member(kvk: str, email: str):
    org = db.session.query(Organisation).filter_by(kvk_number=kvk).one()
    factories.user(org, OrgRole.member, email=email)
    db.session.commit()


def log_out(page) -> None:
    page.get_by_role("button", name="Uitloggen").click()


def save_and_check(page, button: str = "Opslaan") -> None:
    page.get_by_role("button", name=button, exact=True).click()
    check_a11y(page)


def test_the_whole_journey_of_a_formal_response(page, live_server):
    _member("60000042", "lid.fiets@example.org")
    _member("60000041", "lid.promotie@example.org")

    # A member starts the group's response and fills in half of it.
    log_in(page, "lid.fiets@example.org", factories.PASSWORD)
    visit(page, f"{ASSEN}/reacties")
    page.get_by_role("button", name=f"Reactie beginnen ({GROUP})").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(GROUP)
    check_a11y(page)
    page.get_by_label("Algemeen standpunt over de visie").fill("Toerisme steunt de visie op hoofdlijnen.")
    for title in THEME_TITLES[:3]:
        page.get_by_label(f"Standpunt: {title}", exact=True).select_option(label="steunt")
    page.get_by_label(f"Toelichting: {THEME_TITLES[2]}", exact=True).fill("Fietsroutes naar de Kop van de Vaart.")
    save_and_check(page)
    expect(page.get_by_role("status")).to_contain_text("De reactie is opgeslagen.")
    response_url = page.url
    log_out(page)

    # Another member of another organisation in the group completes it.
    log_in(page, "lid.promotie@example.org", factories.PASSWORD)
    visit(page, response_url)
    page.get_by_role("link", name="Reactie bewerken").click()
    check_a11y(page)
    expect(page.get_by_label("Algemeen standpunt over de visie")).to_have_value(
        "Toerisme steunt de visie op hoofdlijnen."
    )
    for title in THEME_TITLES[3:]:
        page.get_by_label(f"Standpunt: {title}", exact=True).select_option(label="steunt onder voorwaarden")
    page.get_by_label("Standpunt over de beoogde structurele samenwerking").select_option(label="doet mee")
    save_and_check(page)
    log_out(page)

    # The coordinator submits it on behalf of the group, in public.
    log_in(page, "toerisme@example.org")
    visit(page, response_url)
    page.get_by_label("Publicatie").select_option(label="openbaar, volledig gepubliceerd")
    save_and_check(page, "Indienen")
    expect(page.get_by_role("status")).to_contain_text("revisie 1")
    log_out(page)

    # The moderator takes it in review and asks for changes (a reason is required).
    log_in(page, "moderator@example.org")
    check_a11y(page)  # the queue is the moderator's start page
    page.get_by_role("link", name=GROUP).click()
    check_a11y(page)
    save_and_check(page, "In behandeling nemen")
    page.get_by_role("button", name="Wijzigingen vragen").click()
    expect(page.get_by_role("alert")).to_contain_text("Geef een reden op")
    check_a11y(page)
    page.locator("#reason-request_changes").fill("Licht de voorwaarden bij de gastvrije binnenstad toe.")
    save_and_check(page, "Wijzigingen vragen")
    log_out(page)

    # The coordinator reads the request, edits and resubmits: a second revision.
    log_in(page, "toerisme@example.org")
    visit(page, response_url)
    expect(page.get_by_text("Licht de voorwaarden bij de gastvrije binnenstad toe.")).to_be_visible()
    page.get_by_role("link", name="Reactie bewerken").click()
    page.get_by_label(f"Toelichting: {THEME_TITLES[4]}", exact=True).fill("Alleen met ruimere openingstijden.")
    save_and_check(page)
    page.get_by_label("Publicatie").select_option(label="openbaar, volledig gepubliceerd")
    save_and_check(page, "Indienen")
    page.get_by_role("link", name="Revisie 2").click()
    expect(page.get_by_text("Alleen met ruimere openingstijden.")).to_be_visible()
    check_a11y(page)
    log_out(page)

    # The moderator accepts and answers every theme; retail's waiting response is declared out of order.
    log_in(page, "moderator@example.org")
    page.get_by_role("link", name=GROUP).click()
    save_and_check(page, "In behandeling nemen")
    visit(page, page.url)
    page.get_by_role("link", name="Bekijk wat er veranderde sinds de vorige revisie").click()
    expect(page.get_by_text("Toegevoegd:").first).to_be_visible()
    check_a11y(page)
    page.go_back()
    save_and_check(page, "Accepteren")
    for title in THEME_TITLES:
        page.get_by_label(f"Reactie gemeente: {title}", exact=True).select_option(label="overgenomen")
        page.get_by_label(f"Toelichting gemeente: {title}", exact=True).fill(f"De gemeente neemt {title} over.")
    save_and_check(page, "Antwoord opslaan")
    expect(page.get_by_role("status")).to_contain_text("elk thema is beantwoord")
    visit(page, "/beheer/reacties")
    page.get_by_role("link", name="Retail (detailhandel)").click()
    save_and_check(page, "In behandeling nemen")
    page.locator("#reason-reject").fill("Buiten de termijn ingediend.")
    save_and_check(page, "Niet-ontvankelijk verklaren")

    # The Nota: a concept for the gemeente, then published after a confirmation page that says
    # what publishing does and what is still open (the responses stage is still current).
    visit(page, f"{ASSEN}/nota")
    expect(page.get_by_text("CONCEPT", exact=True)).to_be_visible()
    page.get_by_role("link", name="Nota publiceren").click()
    check_a11y(page)
    expect(page.get_by_role("heading", name="Wat nog open staat")).to_be_visible()
    save_and_check(page, "Nota definitief publiceren")
    expect(page.get_by_role("alert")).to_contain_text("staat nog open voor reacties")
    page.get_by_label("Ik weet dat de reactiefase nog loopt", exact=False).check()
    save_and_check(page, "Nota definitief publiceren")
    expect(page.get_by_role("status")).to_contain_text("gepubliceerd")
    log_out(page)

    # The public sees the response with the answers, the heat map and the Nota.
    visit(page, response_url)
    expect(page.get_by_text("De gemeente neemt De bereikbare binnenstad over.")).to_be_visible()
    visit(page, ASSEN)
    heatmap = page.locator("table.heatmap")
    expect(heatmap.get_by_role("columnheader", name=GROUP)).to_be_visible()
    expect(heatmap.get_by_role("row", name=THEME_TITLES[4])).to_contain_text("steunt onder voorwaarden")
    visit(page, f"{ASSEN}/nota")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Nota van beantwoording")
    expect(page.get_by_text("Fietsroutes naar de Kop van de Vaart.").first).to_be_visible()
    visit(page, f"{ASSEN}/reacties")


def test_mkb_staff_and_the_process_manager_pages(page):
    log_in(page, "mkb@example.org")
    check_a11y(page)
    expect(page.get_by_role("heading", level=1)).to_have_text("MKB-dashboard: wie van onze leden doet mee")
    page.get_by_label("Naam of KvK-nummer").fill("Binnenstad Vastgoed")
    page.get_by_role("button", name="Filteren").click()
    check_a11y(page)
    member = page.get_by_role("row", name="Binnenstad Vastgoed Assen BV")
    expect(member).to_contain_text("Reactie: Vastgoed")  # endorsed in the demo
    log_out(page)
    log_in(page, "procesmanager@example.org")
    visit(page, "/beheer/reacties?state=submitted")
    page.get_by_role("link", name="Retail (detailhandel)").click()
    check_a11y(page)
    expect(page.get_by_role("button", name="Accepteren")).to_have_count(0)
    visit(page, f"{ASSEN}/nota")


def test_a_stale_save_shows_both_versions_in_the_browser(page, browser, live_server):
    log_in(page, "cultuur@example.org")
    visit(page, f"{ASSEN}/reacties")
    page.get_by_role("link", name="reactie bekijken (Cultuur)").click()
    page.get_by_role("link", name="Reactie bewerken").click()
    # Meanwhile someone else saves (a second browser, its own cookies).
    other = browser.new_context(base_url=live_server.url, locale="nl-NL")
    other_page = other.new_page()
    log_in(other_page, "cultuur@example.org")
    other_page.goto(page.url)
    other_page.get_by_label("Algemeen standpunt over de visie").fill("Tekst van de ander.")
    other_page.get_by_role("button", name="Opslaan", exact=True).click()
    other.close()
    page.get_by_label("Algemeen standpunt over de visie").fill("Mijn eigen tekst.")
    save_and_check(page)
    # The same account saved in the other browser: the panel says so.
    expect(page.get_by_role("alert")).to_contain_text("U hebt deze reactie in een ander venster gewijzigd")
    expect(page.get_by_label("Algemeen standpunt over de visie")).to_have_value("Mijn eigen tekst.")
    expect(page.get_by_text("Tekst van de ander.")).to_be_visible()
