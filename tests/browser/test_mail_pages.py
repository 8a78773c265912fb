"""E-mail pages in the browser: preferences, the unsubscribe link, the administrator's outbox."""

import pytest
from playwright.sync_api import expect

from partner_portal.auth.models import User
from partner_portal.extensions import db
from partner_portal.notifications import tokens
from tests.browser.helpers import check_a11y, log_in, visit

pytestmark = pytest.mark.browser


def test_member_sets_preferences_and_unsubscribes_by_link(page, live_server):
    log_in(page, "horeca@example.org")
    visit(page, "/profiel/meldingen")
    page.get_by_role("button", name="Meldingen opslaan").click()
    check_a11y(page)
    with live_server.app.app_context():
        user = db.session.scalar(db.select(User).filter_by(email="horeca@example.org"))
        token = tokens.make_token(user.id, "changes_requested")
    # The unsubscribe link works without logging in, in another browser.
    page.context.clear_cookies()
    visit(page, f"/afmelden/{token}")
    page.get_by_role("button", name="Ja, afmelden").click()
    expect(page.get_by_role("heading", level=1)).to_have_count(1)
    check_a11y(page)


def test_administrator_sees_the_outbox(page):
    # Inviting someone queues an invitation mail (no SMTP server in this test).
    log_in(page, "admin@example.org")
    visit(page, "/beheer/medewerkers/uitnodigen")
    page.get_by_label("Naam").fill("Nieuwe Moderator")
    page.get_by_label("E-mailadres").fill("nieuwe.moderator@example.org")
    page.get_by_role("button", name="Uitnodigen").click()
    check_a11y(page)
    visit(page, "/beheer/e-mail")
    expect(page.get_by_role("table")).to_contain_text("nieuwe.moderator@example.org")
    page.get_by_role("link", name="Uitnodiging voor het Partnerportaal Binnenstad").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_count(1)
    check_a11y(page)
