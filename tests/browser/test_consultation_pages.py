"""The consultation in the browser: public pages, the process manager's stage moves, the audit log.

Every page is checked by axe-core; elements are found by role and accessible name.
"""

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import check_a11y, log_in, visit

pytestmark = pytest.mark.browser

ASSEN = "/consultaties/binnenstad-assen"


def test_public_pages_of_the_consultation(page):
    visit(page, "/")
    expect(page.get_by_role("heading", level=1)).to_have_count(1)
    expect(page.get_by_text("landelijke top 25").first).to_be_visible()
    # The funding chart has its numbers in text as well.
    expect(page.get_by_role("table").filter(has_text="Binnenstadsfonds")).to_be_visible()
    for path in (
        "/consultaties",
        ASSEN,
        f"{ASSEN}/tijdlijn",
        f"{ASSEN}/procesverloop",
        f"{ASSEN}/visie",
        f"{ASSEN}/visie/versies",
        f"{ASSEN}/visie/pijlers/familiestad",
        f"{ASSEN}/visie/themas/compact-en-compleet",
    ):
        visit(page, path)
        expect(page.get_by_role("heading", level=1)).to_have_count(1)
    visit(page, f"{ASSEN}/tijdlijn")
    current = page.locator('[aria-current="step"]')
    expect(current).to_have_count(1)
    expect(current).to_contain_text("Reactie van partners")


def test_process_manager_moves_the_stage_and_the_public_sees_it(page):
    log_in(page, "procesmanager@example.org")
    check_a11y(page)
    visit(page, f"{ASSEN}/beheer")
    # Going back needs a reason: without one the page says so.
    page.get_by_role("button", name="Terug naar de vorige fase").click()
    expect(page.get_by_role("alert")).to_be_visible()
    check_a11y(page)
    page.get_by_label("Toelichting (optioneel)").fill("De reactietermijn is voorbij.")
    page.get_by_role("button", name="Naar de volgende fase").click()
    check_a11y(page)
    visit(page, f"{ASSEN}/tijdlijn")
    expect(page.locator('[aria-current="step"]')).to_contain_text("Verwerking")
    visit(page, f"{ASSEN}/procesverloop")
    expect(page.get_by_text("De reactietermijn is voorbij.").first).to_be_visible()
    visit(page, f"{ASSEN}/beheer/visie")
    visit(page, "/beheer/consultaties")


def test_moderator_reads_the_audit_log_with_filters(page):
    log_in(page, "moderator@example.org")
    visit(page, "/beheer/audittrail")
    expect(page.get_by_role("heading", level=1)).to_have_count(1)
    expect(page.get_by_role("table")).to_be_visible()
    # The filters offer choices in words (issue 11.10), not codes to type.
    page.get_by_label("Soort object", exact=True).select_option(label="Consultatie")
    page.get_by_label("Actie", exact=True).select_option(label="Volgende fase")
    page.get_by_role("button", name="Filteren").click()
    check_a11y(page)
    expect(page.get_by_role("table")).to_contain_text("Samen naar een krachtige binnenstad")
