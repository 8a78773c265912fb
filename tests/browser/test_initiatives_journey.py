"""An initiative's whole journey in the browser (demo data), each person in their own browser:
the moderator asks for changes, the lead resubmits, the process manager adopts and grants, a
follower follows, an initiator adds a milestone and news (the follower's mail is in the outbox),
and the public sees the initiative in the execution programme with the chart and the table.

Every page is checked by axe-core and the Nu HTML checker, at 390 px and 1280 px (see helpers).
"""

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from partner_portal.auth.models import User
from partner_portal.extensions import db
from partner_portal.notifications.models import OutboxMessage
from partner_portal.notifications.operations import set_preferences
from tests.browser.helpers import check_a11y, person, visit

pytestmark = pytest.mark.browser

ASSEN = "/consultaties/binnenstad-assen"
ROUTE = "Horeca- en cultuurroute Brink – Drents Museum"  # submitted in the demo, led by horeca


def _press(page, name: str) -> None:
    page.get_by_role("button", name=name, exact=True).click()
    check_a11y(page)


def test_from_changes_requested_to_the_execution_programme(page, browser, live_server):
    follower = db.session.scalar(sa.select(User).where(User.email == "mkb@example.org"))
    set_preferences(follower, follower, {"initiative_update": "immediate"})
    db.session.commit()
    db.session.remove()

    moderator = person(browser, live_server, "moderator@example.org")
    visit(moderator, "/beheer/reacties?kind=initiatieven")
    moderator.get_by_role("link", name=ROUTE).click()
    review_url = moderator.url
    _press(moderator, "In behandeling nemen")
    moderator.get_by_role("link", name="Wijzigingen vragen").click()
    moderator.get_by_label("Welke wijzigingen vraagt u?", exact=False).fill(
        "Voeg de openingstijden van het museum toe."
    )
    _press(moderator, "Ja, wijzigingen vragen")
    expect(moderator.get_by_role("status")).to_contain_text("gevraagd het initiatief te wijzigen")

    lead = person(browser, live_server, "horeca@example.org")
    visit(lead, f"{ASSEN}/initiatieven")
    lead.get_by_role("link", name=ROUTE).click()
    route_url = lead.url
    expect(lead.get_by_text("Voeg de openingstijden van het museum toe.")).to_be_visible()
    check_a11y(lead)
    lead.get_by_role("link", name="Initiatief bewerken").click()
    description = lead.get_by_label("Beschrijving")
    description.fill(description.input_value() + "\n\nHet museum is open van dinsdag tot en met zondag.")
    _press(lead, "Opslaan")
    lead.get_by_role("link", name="Indienen bij de gemeente").click()
    check_a11y(lead)
    _press(lead, "Ja, indienen bij de gemeente")
    expect(lead.get_by_role("status")).to_contain_text("ingediend (versie 2)")
    lead.get_by_role("link", name="versie 2").click()
    expect(lead.get_by_text("dinsdag tot en met zondag", exact=False).first).to_be_visible()
    check_a11y(lead)

    visit(moderator, review_url)
    _press(moderator, "In behandeling nemen")

    manager = person(browser, live_server, "procesmanager@example.org")
    visit(manager, review_url)
    manager.get_by_role("link", name="Opnemen in het uitvoeringsprogramma").click()
    check_a11y(manager)
    manager.get_by_label("Antwoord van de gemeente").fill("De route verbindt de Brink met het museum.")
    _press(manager, "Opnemen en toekennen")
    expect(manager.get_by_role("status")).to_contain_text("opgenomen in het uitvoeringsprogramma")

    mkb = person(browser, live_server, "mkb@example.org")
    visit(mkb, route_url)
    _press(mkb, "Volgen")
    expect(mkb.get_by_role("button", name="Niet meer volgen")).to_be_visible()

    visit(lead, route_url)
    milestone = lead.locator("form").filter(has=lead.get_by_role("heading", name="Mijlpaal toevoegen"))
    milestone.get_by_label("Mijlpaal").fill("Bewegwijzering geplaatst")
    milestone.get_by_label("Geplande datum").fill("2027-06-01")
    milestone.get_by_role("button", name="Mijlpaal toevoegen").click()
    check_a11y(lead)
    news = lead.locator("form").filter(has=lead.get_by_role("heading", name="Nieuws plaatsen"))
    news.get_by_label("Nieuws", exact=True).fill("De eerste bordjes van de route staan op de Brink.")
    news.get_by_role("button", name="Nieuws plaatsen").click()
    expect(lead.get_by_text("De eerste bordjes van de route staan op de Brink.")).to_be_visible()
    check_a11y(lead)

    db.session.expire_all()
    mail = db.session.scalar(
        sa.select(OutboxMessage).where(
            OutboxMessage.kind == "initiative_update", OutboxMessage.recipient_email == "mkb@example.org"
        )
    )
    assert mail is not None and "De eerste bordjes" in mail.body_text

    visit(page, f"{ASSEN}/uitvoeringsprogramma")
    expect(page.get_by_role("link", name=ROUTE).first).to_be_visible()
    expect(page.get_by_role("table").filter(has_text="Gemeente Assen").first).to_be_visible()
    expect(page.locator("svg").first).to_be_visible()
    for someone in (moderator, lead, manager, mkb):
        someone.context.close()
