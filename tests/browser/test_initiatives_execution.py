"""The execution of an initiative in the browser (demo data): a follower follows, the initiator adds
a milestone, marks it done and posts news with a photo, the follower's mail is queued, and the
moderator hides the news with a reason.

Every page is checked by axe-core and the Nu HTML checker, at 390 px and 1280 px (see helpers.visit).
"""

import io

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from partner_portal.auth.models import User
from partner_portal.extensions import db
from partner_portal.initiatives.models import Initiative
from partner_portal.notifications.models import OutboxMessage
from partner_portal.notifications.operations import set_preferences
from tests.browser.helpers import check_a11y, log_in, visit

pytestmark = pytest.mark.browser

KOOPMANSPLEIN = "Vernieuwing Koopmansplein tot Koopmanskwartier"  # in progress, led by vastgoed@


def _png() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (40, 30), (0, 90, 160)).save(out, format="PNG")
    return out.getvalue()


def _log_out(page) -> None:
    page.context.clear_cookies()


def test_an_initiator_updates_the_progress_and_a_follower_hears_of_the_news(page, browser, live_server):
    initiative_id = db.session.scalar(sa.select(Initiative.id).where(Initiative.title == KOOPMANSPLEIN))
    follower = db.session.scalar(sa.select(User).where(User.email == "mkb@example.org"))
    set_preferences(follower, follower, {"initiative_update": "immediate"})  # news at once, not in the digest
    db.session.commit()
    url = f"/initiatieven/{initiative_id}"

    # A visitor is asked to log in; the follower follows.
    visit(page, url)
    expect(page.get_by_role("link", name="Inloggen om te volgen")).to_be_visible()
    log_in(page, "mkb@example.org")
    visit(page, url)
    page.get_by_role("button", name="Volgen").click()
    check_a11y(page)
    expect(page.get_by_text("U volgt dit initiatief.")).to_be_visible()
    expect(page.get_by_role("button", name="Niet meer volgen")).to_be_visible()
    expect(page.get_by_role("heading", name="Mijlpaal toevoegen")).to_have_count(0)
    _log_out(page)

    # The initiator adds a milestone (a bad weight first), marks it done and posts news with a photo.
    log_in(page, "vastgoed@example.org")
    visit(page, url)
    form = page.locator("form").filter(has=page.get_by_role("heading", name="Mijlpaal toevoegen"))
    form.get_by_label("Mijlpaal").fill("Terrassen ingericht")
    form.get_by_label("Geplande datum").fill("2021-05-01")
    form.get_by_label("Gewicht").fill("500")
    form.get_by_role("button", name="Mijlpaal toevoegen").click()
    check_a11y(page)
    expect(page.get_by_text("Het gewicht is een heel getal van 1 tot en met 100.").first).to_be_visible()
    form = page.locator("form").filter(has=page.get_by_role("heading", name="Mijlpaal toevoegen"))
    expect(form.get_by_label("Mijlpaal")).to_have_value("Terrassen ingericht")
    form.get_by_label("Gewicht").fill("2")
    form.get_by_role("button", name="Mijlpaal toevoegen").click()
    check_a11y(page)
    expect(page.get_by_text("De mijlpaal 'Terrassen ingericht' is toegevoegd")).to_be_visible()
    expect(page.get_by_text("(2 van 5 mijlpalen)")).to_be_visible()
    page.get_by_label("Afgerond op (Terrassen ingericht)").fill("2021-05-03")
    page.get_by_role("button", name="Afgerond (Terrassen ingericht)").click()
    check_a11y(page)
    expect(page.get_by_text("(3 van 5 mijlpalen)")).to_be_visible()

    news = page.locator("form").filter(has=page.get_by_role("heading", name="Nieuws plaatsen"))
    news.get_by_label("Nieuws", exact=True).fill("De terrassen op het Koopmansplein zijn open.")
    news.get_by_label("Datum").fill("2021-05-03")
    news.get_by_label("PDF of afbeelding (optioneel)").set_input_files(
        files=[{"name": "terras.png", "mimeType": "image/png", "buffer": _png()}]
    )
    news.get_by_role("button", name="Nieuws plaatsen").click()
    check_a11y(page)
    # An image needs words for what it shows (its text for who cannot see it); what was typed stays.
    news = page.locator("form").filter(has=page.get_by_role("heading", name="Nieuws plaatsen"))
    expect(page.get_by_text("Schrijf in een paar woorden wat er op de afbeelding staat.").first).to_be_visible()
    expect(news.get_by_label("Nieuws", exact=True)).to_have_value("De terrassen op het Koopmansplein zijn open.")
    news.get_by_label("PDF of afbeelding (optioneel)").set_input_files(
        files=[{"name": "terras.png", "mimeType": "image/png", "buffer": _png()}]
    )
    news.get_by_label("Wat staat er op de afbeelding?").fill("Volle terrassen in de zon op het Koopmansplein")
    news.get_by_role("button", name="Nieuws plaatsen").click()
    check_a11y(page)
    expect(page.get_by_text("Het nieuws is geplaatst.")).to_be_visible()
    expect(page.get_by_text("De terrassen op het Koopmansplein zijn open.")).to_be_visible()
    expect(page.get_by_role("link", name="Afbeelding downloaden: terras.png")).to_be_visible()
    image = page.get_by_role("img", name="Volle terrassen in de zon op het Koopmansplein")
    image.scroll_into_view_if_needed()  # loaded lazily, once near the screen
    expect(image).to_be_visible()
    assert image.evaluate("img => img.complete && img.naturalWidth > 0")  # served inline under the CSP

    # The follower's mail is in the outbox, with a link to the initiative.
    db.session.expire_all()
    mail = db.session.scalar(
        sa.select(OutboxMessage).where(
            OutboxMessage.kind == "initiative_update", OutboxMessage.recipient_email == "mkb@example.org"
        )
    )
    assert mail is not None and f"{live_server.url}{url}" in mail.body_text
    _log_out(page)

    # The moderator hides it with a reason (a reason is required); the reason takes its place.
    log_in(page, "moderator@example.org")
    visit(page, url)
    page.get_by_role("link", name="Verbergen").first.click()
    check_a11y(page)
    page.get_by_role("button", name="Ja, verbergen").click()
    check_a11y(page)
    expect(page.get_by_text("Geef een reden op").first).to_be_visible()
    page.get_by_label("Waarom wordt dit bericht verborgen?", exact=False).fill("Er staat een kenteken op de foto.")
    page.get_by_role("button", name="Ja, verbergen").click()
    check_a11y(page)
    expect(page.get_by_text("Verborgen door de gemeente: Er staat een kenteken op de foto.")).to_be_visible()
    expect(page.get_by_text("De terrassen op het Koopmansplein zijn open.")).to_have_count(0)
