"""Initiatives in the browser: the public list with its filters and the initiative's page (demo data).

Every page is checked by axe-core and the Nu HTML checker, at 390 px and 1280 px (see helpers.visit).
"""

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import check_a11y, log_in, visit

pytestmark = pytest.mark.browser

ASSEN = "/consultaties/binnenstad-assen"


def test_the_public_follows_an_initiative_from_the_list_to_its_money_and_progress(page):
    visit(page, f"{ASSEN}/initiatieven")
    expect(page.get_by_role("heading", level=1)).to_have_count(1)
    expect(page.get_by_role("link", name="Aanpak leegstand Oudestraat")).to_have_count(0)  # a draft
    page.get_by_label("Status").select_option(label="niet opgenomen")
    page.get_by_role("button", name="Filteren").click()
    check_a11y(page)
    expect(page.get_by_role("link", name="Extra parkeerdek op garage Mercurius")).to_be_visible()
    expect(page.get_by_role("link", name="Vernieuwing Koopmansplein tot Koopmanskwartier")).to_have_count(0)
    page.get_by_role("link", name="Extra parkeerdek op garage Mercurius").click()
    check_a11y(page)
    expect(page.get_by_text("bezettingsgraad van de garages")).to_be_visible()
    visit(page, f"{ASSEN}/initiatieven?q=koopmanskwartier")
    page.get_by_role("link", name="Vernieuwing Koopmansplein tot Koopmanskwartier").click()
    check_a11y(page)
    money = page.get_by_role("table").filter(has_text="Gemeente Assen")
    expect(money).to_contain_text("€ 2.000.000")
    expect(page.get_by_text("(2 van 4 mijlpalen)")).to_be_visible()
    expect(page.get_by_text("De aanbesteding is gegund")).to_be_visible()


def test_initiators_see_their_own_draft_in_the_list(page):
    log_in(page, "retail@example.org")
    visit(page, f"{ASSEN}/initiatieven")
    page.get_by_role("link", name="Aanpak leegstand Oudestraat").click()
    check_a11y(page)
    expect(page.get_by_text("concept", exact=True)).to_be_visible()
