"""The gemeente handles initiatives in the browser: the moderator takes one in review and asks for
changes, the process manager adopts another with a grant (demo data plus one initiative in review).

Every page is checked by axe-core and the Nu HTML checker, at 390 px and 1280 px (see helpers.visit).
"""

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from partner_portal.consultations.models import Consultation
from partner_portal.extensions import db
from partner_portal.partners.models import Organisation
from tests.browser.helpers import check_a11y, log_in, visit
from tests.initiatives import factories as inf
from tests.initiatives.factories import S

pytestmark = pytest.mark.browser

ROUTE = "Horeca- en cultuurroute Brink – Drents Museum"  # submitted in the demo
PARKING = "Fietsenstalling Vaartweg"


def _in_review() -> None:
    consultation = db.session.scalar(sa.select(Consultation).where(Consultation.slug == "binnenstad-assen"))
    lead = db.session.scalars(sa.select(Organisation).order_by(Organisation.id)).first()
    source = consultation.funding_sources[0]
    inf.initiative(consultation, lead, S.in_review, title=PARKING, total_euros=20_000, requested={source: 10_000})
    db.session.commit()
    db.session.remove()


def _press(page, name: str) -> None:
    page.get_by_role("button", name=name, exact=True).click()
    check_a11y(page)


def test_the_moderator_reviews_and_the_process_manager_adopts(page, live_server):
    _in_review()

    # The moderator finds the submitted route in the queue, takes it in review and asks for changes.
    log_in(page, "moderator@example.org")
    visit(page, "/beheer/reacties?kind=initiatieven")
    expect(page.get_by_role("heading", name="Initiatieven per status")).to_be_visible()
    page.get_by_role("link", name=ROUTE).click()
    check_a11y(page)
    _press(page, "In behandeling nemen")
    expect(page.get_by_role("status")).to_contain_text("in behandeling genomen")
    page.get_by_role("link", name="Wijzigingen vragen").click()
    check_a11y(page)
    _press(page, "Ja, wijzigingen vragen")  # without a reason: refused, nothing changed
    expect(page.get_by_text("Geef een reden op").first).to_be_visible()
    page.get_by_label("Welke wijzigingen vraagt u?", exact=False).fill("Voeg een planning per maand toe.")
    _press(page, "Ja, wijzigingen vragen")
    expect(page.get_by_role("status")).to_contain_text("gevraagd het initiatief te wijzigen")
    expect(page.get_by_text("wijzigingen gevraagd", exact=False).first).to_be_visible()
    page.get_by_role("button", name="Uitloggen").click()

    # The process manager adopts the other one: too much is refused at its field, then a grant.
    log_in(page, "procesmanager@example.org")
    visit(page, "/beheer/reacties?kind=initiatieven&initiative_state=in_review")
    page.get_by_role("link", name=PARKING).click()
    check_a11y(page)
    page.get_by_role("link", name="Opnemen in het uitvoeringsprogramma").click()
    check_a11y(page)
    grant = page.get_by_label("Toekenning uit", exact=False).first
    expect(grant).to_have_value("10.000")
    grant.fill("12.500,50")
    _press(page, "Opnemen en toekennen")
    expect(page.get_by_text("hoogstens het gevraagde bedrag").first).to_be_visible()
    page.get_by_label("Toekenning uit", exact=False).first.fill("9.500")
    page.get_by_label("Antwoord van de gemeente").fill("Past bij de bereikbare binnenstad.")
    _press(page, "Opnemen en toekennen")
    expect(page.get_by_role("status")).to_contain_text("opgenomen in het uitvoeringsprogramma")
    expect(page.get_by_role("heading", level=1)).to_have_text(PARKING)
    expect(page.get_by_text("Past bij de bereikbare binnenstad.")).to_be_visible()
    expect(page.get_by_role("link", name="Behandelen")).to_be_visible()
