"""A commitment (convenant) from opening to binding, in the browser, three people at once.

The process manager writes and opens a commitment with a threshold of two organisations; the
signatory of Eetcafé Het Koopmanshuis signs with a pledge and gets a receipt; the process manager
changes the text; the earlier signature shows as stale and its signer has a mail; the signatory
signs the new version; Hotel De Vaart (joint authority) signs with its two signatories, which makes
the commitment binding; an anonymous visitor checks the receipt's code. Every page is checked by
axe-core and the Nu HTML checker at 390 px and 1280 px (helpers.visit / check_a11y).
"""

import re

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from partner_portal.extensions import db
from partner_portal.notifications.models import OutboxMessage
from tests.browser.helpers import check_a11y, log_in, person, visit

pytestmark = pytest.mark.browser

ASSEN = "/consultaties/binnenstad-assen"
TITLE = "Afspraken schone binnenstad"
DEMO_PASSWORD = "binnenstad-demo"


def _sign(page, url: str, *, hours: str | None = None, function: str = "Eigenaar") -> str:
    """Sign from the commitment's page; returns the receipt's verification code."""
    visit(page, url)
    page.get_by_role("link", name="Ondertekenen namens mijn organisatie").click()
    check_a11y(page)
    page.get_by_label("Functie").fill(function)
    if hours:
        page.get_by_role("radio", name="uren per jaar").check()
        page.get_by_label("Uren per jaar", exact=True).fill(hours)
    page.get_by_label("Uw wachtwoord").fill(DEMO_PASSWORD)
    page.get_by_role("button", name=re.compile("^Ondertekenen namens")).click()
    check_a11y(page)
    expect(page.get_by_role("heading", name="Ontvangstbewijs van de ondertekening")).to_be_visible()
    return re.search(r"[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}", page.content()).group(0)


def test_a_commitment_is_opened_signed_changed_signed_again_and_becomes_binding(page, browser, live_server):
    # The process manager writes it and opens it for signing.
    log_in(page, "procesmanager@example.org")
    visit(page, f"{ASSEN}/convenanten/nieuw")
    page.get_by_label("Titel").fill(TITLE)
    page.get_by_label("Tekst van de afspraak").fill(
        "De ondernemers houden hun stoep schoon.\n\nDe gemeente leegt de bakken."
    )
    page.get_by_label(re.compile("^Drempel.*organisaties")).fill("2")
    page.get_by_label("Uren per jaar").check()
    page.get_by_role("button", name="Opslaan").click()
    check_a11y(page)
    page.get_by_role("link", name="Openstellen voor ondertekening").click()
    check_a11y(page)
    page.get_by_role("button", name=re.compile("^Ja, ")).click()
    check_a11y(page)
    expect(page.get_by_text("De afspraak staat open voor ondertekening.")).to_be_visible()
    url = re.sub(r"^https?://[^/]+", "", page.url).split("?")[0]
    assert re.fullmatch(r"/convenanten/\d+", url), page.url

    # The signatory of Eetcafé Het Koopmanshuis signs with twelve hours a year.
    koopmanshuis = person(browser, live_server, "tekenbevoegd.horeca@example.org")
    first_code = _sign(koopmanshuis, url, hours="12")
    expect(koopmanshuis.get_by_text("12 uur per jaar")).to_be_visible()

    # The process manager changes the text: a second version.
    visit(page, url)
    page.get_by_role("link", name="Afspraak bewerken").click()
    check_a11y(page)
    page.get_by_label("Tekst van de afspraak").fill(
        "De ondernemers houden hun stoep schoon.\n\nDe gemeente leegt de bakken twee keer per dag."
    )
    page.get_by_role("button", name="Opslaan").click()
    check_a11y(page)

    # The earlier signature is stale, visibly, and its signer has a mail.
    visit(koopmanshuis, url)
    expect(koopmanshuis.get_by_text(re.compile("ondertekende versie 1 \\(eerdere tekst\\)"))).to_be_visible()
    db.session.expire_all()
    mail = db.session.scalar(
        sa.select(OutboxMessage).where(
            OutboxMessage.kind == "commitment_text_changed",
            OutboxMessage.recipient_email == "tekenbevoegd.horeca@example.org",
        )
    )
    assert mail is not None and url in mail.body_text

    # Signing the new version: one click and the password; the diff is on the page.
    koopmanshuis.get_by_role("link", name="De nieuwe versie ondertekenen").click()
    check_a11y(koopmanshuis)
    expect(koopmanshuis.get_by_text("twee keer per dag", exact=False).first).to_be_visible()
    koopmanshuis.get_by_label("Uw wachtwoord").fill(DEMO_PASSWORD)
    koopmanshuis.get_by_role("button", name="Versie 2 ondertekenen").click()
    check_a11y(koopmanshuis)
    code = re.search(r"[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}", koopmanshuis.content()).group(0)
    assert code != first_code

    # Hotel De Vaart needs two signatories: the first signs, the second completes it.
    directie = person(browser, live_server, "directie.hoteldevaart@example.org")
    _sign(directie, url, function="Directeur")
    visit(directie, url)
    expect(directie.get_by_text("wacht op een tweede tekenbevoegde")).to_be_visible()
    financien = person(browser, live_server, "financien.hoteldevaart@example.org")
    visit(financien, url)
    financien.get_by_role("link", name="Als tweede ondertekenaar meetekenen").click()
    check_a11y(financien)
    financien.get_by_label("Functie").fill("Financieel directeur")
    financien.get_by_label("Uw wachtwoord").fill(DEMO_PASSWORD)
    financien.get_by_role("button", name="Meetekenen").click()
    check_a11y(financien)

    # Two organisations on the current version: binding.
    visit(page, url)
    expect(page.get_by_text("Bindend sinds")).to_be_visible()

    # Anyone checks the receipt's code.
    anonymous = browser.new_context(base_url=live_server.url, locale="nl-NL").new_page()
    visit(anonymous, f"/verificatie?code={code.lower().replace('-', '')}")
    expect(anonymous.get_by_role("heading", name="Gevonden: Eetcafé Het Koopmanshuis")).to_be_visible()
    expect(anonymous.get_by_text("Deze versie is de huidige tekst van het convenant.")).to_be_visible()
    visit(anonymous, "/verificatie?code=0000-0000-0000-0000")
    expect(anonymous.get_by_role("heading", name="Niet gevonden")).to_be_visible()


def test_a_coordinator_proposes_a_commitment_and_the_moderator_declines_it_from_the_queue(page, browser, live_server):
    # The horeca coordinator proposes a commitment from the consultation's commitments page.
    log_in(page, "horeca@example.org")
    visit(page, f"{ASSEN}/convenanten")
    page.get_by_role("link", name="Een convenant voorstellen").click()
    check_a11y(page)
    page.get_by_label("Titel").fill("Afvalinzameling horeca Brink")
    page.get_by_label("Tekst van de afspraak").fill("De horeca aan de Brink biedt het afval samen aan, na 23.00 uur.")
    page.get_by_role("button", name="Voorstel naar de gemeente sturen").click()
    check_a11y(page)
    expect(page.get_by_text("Uw voorstel is naar de gemeente gestuurd.", exact=False)).to_be_visible()
    url = re.sub(r"^https?://[^/]+", "", page.url).split("?")[0]

    # The moderator finds it in the queue among the proposals and declines it with a reason.
    moderator = person(browser, live_server, "moderator@example.org")
    visit(moderator, "/beheer/reacties?kind=convenanten")
    moderator.get_by_role("link", name="Afvalinzameling horeca Brink").click()
    check_a11y(moderator)
    moderator.get_by_role("link", name="Voorstel afwijzen").click()
    check_a11y(moderator)
    moderator.get_by_label(re.compile("^Waarom wijst de gemeente")).fill(
        "Dit regelt het afvalbeleid van de gemeente al."
    )
    moderator.get_by_role("button", name=re.compile("^Ja, ")).click()
    check_a11y(moderator)
    expect(moderator.get_by_text("Het voorstel is afgewezen", exact=False)).to_be_visible()

    # The coordinator reads why, on the page and in the mail.
    visit(page, url)
    expect(page.get_by_text("Dit regelt het afvalbeleid van de gemeente al.")).to_be_visible()
    db.session.expire_all()
    mail = db.session.scalar(
        sa.select(OutboxMessage).where(
            OutboxMessage.kind == "commitment_proposal_answered", OutboxMessage.recipient_email == "horeca@example.org"
        )
    )
    assert mail is not None and "afvalbeleid" in mail.body_text
