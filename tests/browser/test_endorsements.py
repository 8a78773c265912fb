"""Endorsing in Chromium: withdraw the organisation's endorsement and endorse again, each after a confirmation.

Every page is checked by axe-core at 1280 px and at 390 px (a phone), and must fit the width.
"""

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from partner_portal.extensions import db
from partner_portal.partners.models import SectorGroup
from partner_portal.responses.models import FormalResponse
from tests.browser.helpers import check_a11y, log_in, visit

pytestmark = pytest.mark.browser

WIDTHS = (1280, 390)


def check_widths(page) -> None:
    """axe at each width, and no sideways scrolling on a phone."""
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        check_a11y(page)
        overflow = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{page.url} is {overflow}px too wide at {width}px"
    page.set_viewport_size({"width": WIDTHS[0], "height": 900})


def _horeca_response_url() -> str:
    response_id = db.session.scalar(
        sa.select(FormalResponse.id).join(FormalResponse.sector_group).where(SectorGroup.slug == "horeca")
    )
    db.session.remove()
    return f"/reacties/{response_id}"


def test_withdraw_and_endorse_again_with_confirmation(page, live_server):
    url = _horeca_response_url()
    log_in(page, "tekenbevoegd.horeca@example.org")
    visit(page, url)
    endorsers = page.locator("section[aria-labelledby='endorsements-title'] li")
    expect(endorsers).to_have_count(1)  # the demo's endorsement by the signatory's organisation
    organisation = endorsers.first.inner_text()
    check_widths(page)

    # Withdraw: a confirmation page with an optional explanation.
    page.get_by_role("link", name="Onderschrijving intrekken").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Onderschrijving intrekken")
    check_widths(page)
    page.get_by_label("Toelichting (niet verplicht)").fill("Wij heroverwegen ons standpunt.")
    page.get_by_role("button", name="Ja, onderschrijving intrekken").click()
    expect(page.get_by_role("status")).to_contain_text(f"De onderschrijving van {organisation} is ingetrokken.")
    expect(endorsers).to_have_count(0)
    check_widths(page)

    # Endorse again: the confirmation says what it means before anything happens.
    page.get_by_role("link", name=f"Onderschrijven namens {organisation}").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Onderschrijven namens {organisation}")
    expect(page.get_by_text("De onderschrijving is openbaar")).to_be_visible()
    check_widths(page)
    page.get_by_role("button", name=f"Ja, onderschrijven namens {organisation}").click()
    expect(page.get_by_role("status")).to_contain_text(f"{organisation} onderschrijft dit nu.")
    expect(endorsers).to_have_text([organisation])
    expect(page.get_by_role("link", name="Onderschrijving intrekken")).to_be_visible()
    check_widths(page)
