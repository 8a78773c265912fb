"""Journeys through the real app in Chromium, each page checked by axe-core (WCAG 2.1 AA).

Elements are found by role and accessible name, the way a screen-reader user finds them.
"""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import DEMO_PASSWORD, check_a11y, log_in, visit

pytestmark = pytest.mark.browser

# Demo account -> the page it lands on after logging in.
START_PAGES = {
    "admin@example.org": "/beheer/organisaties",
    "moderator@example.org": "/beheer/reacties",
    "procesmanager@example.org": "/beheer/consultaties",
    "mkb@example.org": "/mkb/dashboard",
    "horeca@example.org": "/mijn",
    "cultuur@example.org": "/mijn",
    "retail@example.org": "/mijn",
    "vastgoed@example.org": "/mijn",
    "toerisme@example.org": "/mijn",
    "lid.horeca@example.org": "/mijn",
    "tekenbevoegd.horeca@example.org": "/mijn",
}
# The roles whose menus are walked page by page (together they reach every page of the menu).
WALK_MENU = {"admin@example.org", "horeca@example.org", "lid.horeca@example.org", "moderator@example.org"}


def menu_links(page) -> list[str]:
    nav = page.get_by_role("navigation", name="Hoofdmenu")
    return [link.get_attribute("href") for link in nav.get_by_role("link").all()]


@pytest.mark.parametrize("email", list(START_PAGES))
def test_each_role_logs_in_and_lands_on_its_start_page(page, live_server, email):
    log_in(page, email)
    expect(page).to_have_url(live_server.url + START_PAGES[email])
    expect(page.get_by_role("status").filter(has_text="U bent ingelogd")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_count(1)
    check_a11y(page)
    if email in WALK_MENU:
        for href in menu_links(page):
            visit(page, href)
            expect(page.get_by_role("heading", level=1)).to_have_count(1)


def test_administrator_pages_are_accessible(page):
    log_in(page, "admin@example.org")
    visit(page, "/beheer/organisaties")
    page.get_by_role("link", name="Grand Café De Brink").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Grand Café De Brink")
    check_a11y(page)
    visit(page, "/beheer/organisaties")
    page.get_by_role("link", name="Organisatie toevoegen").click()
    check_a11y(page)
    # An empty form shows the error summary; that state must be accessible too.
    page.get_by_role("button", name="Opslaan").click()
    expect(page.get_by_role("alert")).to_contain_text("Er is iets niet goed ingevuld")
    check_a11y(page)
    visit(page, "/beheer/sectorgroepen")
    page.get_by_role("link", name="Horeca").click()
    check_a11y(page)
    visit(page, "/beheer/gebruikers")
    page.get_by_role("link", name="Lars Lid").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Lars Lid")
    check_a11y(page)
    visit(page, "/profiel")


def test_wrong_password_shows_a_message_and_stays_on_the_login_page(page, live_server):
    log_in(page, "lid.horeca@example.org", "niet-het-wachtwoord")
    expect(page).to_have_url(re.compile(r"/login$"))
    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("Het e-mailadres of het wachtwoord klopt niet.")
    check_a11y(page)
    # Nothing was let through: the start page still asks for a login.
    page.goto("/mijn")
    expect(page).to_have_url(re.compile(r"/login\?next=%2Fmijn$"))


@pytest.mark.parametrize("inviter", ["horeca@example.org", "admin@example.org"])
def test_invitation_flow(page, browser, live_server, inviter):
    log_in(page, inviter)
    if inviter == "admin@example.org":
        page.get_by_role("navigation", name="Hoofdmenu").get_by_role("link", name="Gebruikers").click()
        page.get_by_role("link", name="Medewerker uitnodigen").click()
        role = "Moderator gemeente"
        start = "/beheer/reacties"  # the moderation queue
    else:
        page.get_by_role("navigation", name="Hoofdmenu").get_by_role("link", name="Mijn organisatie").click()
        role = "Lid"
        start = "/mijn"
    expect(page.get_by_label("Naam")).to_be_visible()
    check_a11y(page)
    page.get_by_label("Naam").fill("Iris Nieuw")
    page.get_by_label("E-mailadres").fill("iris.nieuw@example.org")
    page.get_by_label("Functie").fill("Medewerker")
    page.get_by_label("Rol").select_option(label=role)
    page.get_by_role("button", name="Uitnodigen").click()
    status = page.get_by_role("status").filter(has_text="Uitnodigingslink")
    expect(status).to_be_visible()
    check_a11y(page)
    link = re.search(r"http://\S+/uitnodiging/\S+", status.inner_text()).group(0)
    assert link.startswith(live_server.url)

    # The invitee opens the link in their own browser.
    invitee = browser.new_context(base_url=live_server.url, locale="nl-NL")
    try:
        other = invitee.new_page()
        visit(other, link)
        expect(other.get_by_role("heading", level=1)).to_have_text("Welkom bij het Partnerportaal Binnenstad")
        other.get_by_label("Nieuw wachtwoord", exact=True).fill("een zin van vier woorden")
        other.get_by_label("Herhaal het nieuwe wachtwoord").fill("een zin van vier woorden")
        other.get_by_role("button", name="Wachtwoord opslaan").click()
        expect(other).to_have_url(re.compile(r"/login$"))
        expect(other.get_by_role("status")).to_contain_text("Uw wachtwoord is opgeslagen")
        check_a11y(other)
        log_in(other, "iris.nieuw@example.org", "een zin van vier woorden")
        expect(other).to_have_url(live_server.url + start)
        visit(other, "/mijn")
        expect(other.get_by_role("main")).to_contain_text("Iris Nieuw")
        # The link works once.
        visit(other, link)
        expect(other.get_by_role("heading", level=1)).to_be_visible()
        assert other.get_by_label("Nieuw wachtwoord", exact=True).count() == 0
    finally:
        invitee.close()


def test_language_switch(page):
    visit(page, "/login")
    expect(page.locator("html")).to_have_attribute("lang", "nl")
    page.get_by_role("button", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page).to_have_url(re.compile(r"/login$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Log in")
    check_a11y(page)
    # The choice sticks for the rest of the visit, including after logging in.
    page.get_by_label("E-mail address").fill("lid.horeca@example.org")
    page.get_by_label("Password", exact=True).fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    check_a11y(page)
    page.get_by_role("button", name="Nederlands").click()
    expect(page.locator("html")).to_have_attribute("lang", "nl")
    check_a11y(page)


def test_logout(page, live_server):
    log_in(page, "tekenbevoegd.horeca@example.org")
    expect(page).to_have_url(live_server.url + "/mijn")
    page.get_by_role("button", name="Uitloggen").click()
    expect(page.get_by_role("status")).to_contain_text("U bent uitgelogd.")
    expect(page.get_by_role("navigation", name="Hoofdmenu").get_by_role("link", name="Inloggen")).to_be_visible()
    check_a11y(page)
    page.goto("/mijn")
    expect(page).to_have_url(re.compile(r"/login\?next=%2Fmijn$"))
