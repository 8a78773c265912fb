"""The MKB dashboard in Chromium: MKB staff land on it, filter on "nog niet actief" and a sector, sort,
and open the per-sector view; every page passes axe and the HTML checker and fits a phone (390 px)."""

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import check_a11y, log_in, visit

pytestmark = pytest.mark.browser


def test_mkb_staff_filter_sort_and_open_the_sector_view(page, live_server):
    log_in(page, "mkb@example.org")
    expect(page).to_have_url(f"{live_server.url}/mkb/dashboard")
    expect(page.get_by_role("heading", level=1)).to_have_text("MKB-dashboard: wie van onze leden doet mee")
    visit(page, "/mkb/dashboard")

    page.get_by_label("Actief", exact=True).select_option("nog-niet")
    page.get_by_label("Sector", exact=True).select_option("horeca")
    page.get_by_role("button", name="Filteren").click()
    expect(page).to_have_url(
        f"{live_server.url}/mkb/dashboard?sector=horeca&status=nog-niet&consultatie=&q=&sorteer=naam&richting=op"
    )
    expect(page.get_by_role("status").first).to_contain_text("gevonden")
    check_a11y(page)
    for cell in page.locator("table.mkb-dashboard tbody tr td:nth-last-child(2)").all():
        expect(cell).to_have_text("nog niet actief")

    page.get_by_label("Sorteren op").select_option("laatste-activiteit")
    page.get_by_label("Volgorde").select_option("af")
    page.get_by_role("button", name="Filteren").click()
    expect(page.get_by_label("Sorteren op")).to_have_value("laatste-activiteit")
    check_a11y(page)

    page.get_by_role("link", name="Alle filters wissen").click()
    page.get_by_role("link", name="Per sector: leden, actieve leden en activiteit per week").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("MKB-leden per sector")
    expect(page.get_by_role("img", name="Activiteiten per week")).to_be_visible()
    expect(page.get_by_role("table", name="Leden en actieve leden per sector")).to_be_visible()
    check_a11y(page)
