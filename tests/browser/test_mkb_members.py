"""MKB staff in Chromium: open a member, link one by hand, invite one onto the platform, send it a reminder;
a second reminder the same day is refused with the reason.

Every page goes through `check_a11y` (valid HTML, axe-core at 1280 and 390 px, no sideways scrolling).
"""

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from partner_portal.extensions import db
from partner_portal.mkb.models import MkbMember
from partner_portal.notifications.models import OutboxMessage
from tests.browser.helpers import check_a11y, log_in, visit

pytestmark = pytest.mark.browser


def _member_id(kvk: str) -> int:
    member_id = db.session.scalar(sa.select(MkbMember.id).where(MkbMember.kvk_number == kvk))
    db.session.remove()
    return member_id


def _mails(kind: str) -> list[OutboxMessage]:
    mails = list(db.session.scalars(sa.select(OutboxMessage).where(OutboxMessage.kind == kind)))
    db.session.expunge_all()
    db.session.remove()
    return mails


def test_staff_link_invite_and_remind_and_a_second_reminder_is_refused(page, live_server):
    log_in(page, "mkb@example.org")

    # Link by hand: the sandwich bar is on the platform as the cheese shop (another KvK number).
    visit(page, f"/mkb/leden/{_member_id('02345671')}")
    expect(page.get_by_role("heading", level=1)).to_have_text("Broodjeszaak Het Stokbrood")
    page.get_by_label("KvK-nummer van de organisatie").fill("60000024")
    page.get_by_role("button", name="Koppelen").click()
    expect(page.get_by_role("status")).to_contain_text(
        "Broodjeszaak Het Stokbrood is gekoppeld aan Kaashandel Koopmansplein."
    )
    expect(page.get_by_text("met de hand gekoppeld")).to_be_visible()
    check_a11y(page)

    # Invite: the bakery is not on the platform; its contact becomes the new organisation's admin.
    bakery = _member_id("01234567")
    visit(page, f"/mkb/leden/{bakery}")
    page.get_by_role("link", name="Uitnodigen voor het portaal").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Bakkerij Bolhuis uitnodigen")
    check_a11y(page)
    expect(page.get_by_label("Naam van de contactpersoon")).to_have_value("Bea Bolhuis")
    page.get_by_label("Functie (niet verplicht)").fill("Eigenaar")
    page.get_by_role("button", name="Organisatie aanmaken en uitnodigen").click()
    expect(page.get_by_role("status")).to_contain_text(
        "Bakkerij Bolhuis staat nu op het platform. Bea Bolhuis krijgt een uitnodiging per e-mail."
    )
    check_a11y(page)
    assert [m.recipient_email for m in _mails("invitation")] == ["beabolhuis@leden.mkbassen.example"]

    # Remind: the compose page, prefilled; a second tab keeps the page open meanwhile.
    page.get_by_role("link", name="Een herinnering sturen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Herinnering sturen")
    expect(page.get_by_label("Onderwerp")).to_have_value("Doe mee: Samen naar een krachtige binnenstad")
    expect(page.get_by_role("row", name="Bakkerij Bolhuis")).to_contain_text("krijgt de herinnering")
    check_a11y(page)
    stale = page.context.new_page()
    stale.goto(page.url)
    page.get_by_label("Onderwerp").fill("Doe mee met de binnenstad, Bea")
    page.get_by_role("button", name="Herinnering sturen aan 1 lid").click()
    expect(page).to_have_url(f"{live_server.url}/mkb/dashboard")
    [mail] = _mails("mkb_reminder")
    assert mail.recipient_email == "beabolhuis@leden.mkbassen.example" and mail.unsubscribe_url
    assert mail.subject == "Doe mee met de binnenstad, Bea"

    # The same day again, from the page left open: refused, with the date, and nothing sent.
    stale.get_by_role("button", name="Herinnering sturen aan 1 lid").click()
    expect(stale.get_by_role("alert")).to_contain_text("Bakkerij Bolhuis kreeg op")
    expect(stale.get_by_role("alert")).to_contain_text("een nieuwe kan vanaf")
    check_a11y(stale)
    assert len(_mails("mkb_reminder")) == 1

    # And the compose page itself says so, without a button.
    visit(page, f"/mkb/herinneringen?lid={bakery}")
    expect(page.get_by_role("alert")).to_contain_text("Bakkerij Bolhuis kreeg op")
    expect(page.get_by_role("button", name="Herinnering sturen aan 1 lid")).to_have_count(0)
    visit(page, f"/mkb/leden/{bakery}")
    expect(page.get_by_role("row", name="Doe mee met de binnenstad, Bea")).to_be_visible()


def test_a_sector_reminder_says_who_is_skipped(page, live_server):
    log_in(page, "mkb@example.org")
    visit(page, "/mkb/herinneringen?sector=horeca")
    expect(page.get_by_role("heading", level=1)).to_have_text("Herinnering sturen")
    expect(page.get_by_text("leden worden overgeslagen")).to_be_visible()
