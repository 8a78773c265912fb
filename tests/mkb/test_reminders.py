"""Reminders to members: the compose page, the mail through the outbox, the 14-day rule and the refusals."""

import threading
from datetime import timedelta
from types import SimpleNamespace

import pytest
import sqlalchemy as sa

from partner_portal.auth.models import OrgRole, StaffRole
from partner_portal.core.audit import AuditEvent
from partner_portal.core.errors import OperationError
from partner_portal.core.models import utcnow
from partner_portal.endorsements.models import Endorsement
from partner_portal.extensions import db
from partner_portal.mkb import operations
from partner_portal.mkb.models import MemberReminder, MkbMember
from partner_portal.notifications.models import OutboxMessage
from partner_portal.notifications.operations import set_preferences
from partner_portal.responses.models import ResponseState
from tests import factories
from tests.access import log_in
from tests.conftest import post_form
from tests.consultations import factories as cf
from tests.responses import factories as rf


@pytest.fixture
def world(app):
    w = SimpleNamespace()
    w.horeca = factories.sector_group("horeca", "Horeca")
    w.retail = factories.sector_group("retail", "Retail")
    w.org = factories.organisation(w.horeca, name="Grand Café De Brink", mkb=True)
    w.member = w.org.mkb_member
    w.signatory = factories.user(w.org, OrgRole.signatory, name="Sanne Tekenbevoegd", email="sanne@brink.example")
    w.admin = factories.user(w.org, OrgRole.org_admin, name="Hanna Horeca", email="hanna@brink.example")
    w.plain = factories.user(w.org, OrgRole.member, name="Lars Lid", email="lars@brink.example")
    w.org2 = factories.organisation(w.horeca, name="Eetcafé Het Koopmanshuis", mkb=True)
    w.member2 = w.org2.mkb_member
    w.signatory2 = factories.user(w.org2, OrgRole.signatory, name="Tamara Tekenbevoegd")
    w.unmatched = factories.mkb_member("01234567", name="Bakkerij Bolhuis", sector=w.horeca)
    w.staff = factories.user(role=StaffRole.mkb_staff, name="Maarten van MKB Assen")
    factories.commit()
    return w


def _count(model, *where) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model).where(*where))


def _remind_url(*members) -> str:
    return "/mkb/herinneringen?" + "&".join(f"lid={m.id}" for m in members)


def _send(client, url, **data):
    data = {"subject": "Doe mee", "text": "Wij nodigen u uit.", **data}
    return post_form(client, url, data)


def _remind(w, *members, subject="Doe mee", text="Wij nodigen u uit."):
    return operations.remind(w.staff, list(members), subject=subject, text=text)


def _sent_before(member, days: int, staff) -> None:
    db.session.add(
        MemberReminder(member=member, sent_at=utcnow() - timedelta(days=days), sent_by=staff, subject="Eerder",
                       text="Eerder.", recipients=1)
    )  # fmt: skip
    db.session.commit()


def test_the_compose_page_lists_members_recipients_and_a_friendly_default(client, world):
    log_in(client, world.staff)
    page = client.get(_remind_url(world.member, world.member2))
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Samen naar een krachtige binnenstad" in text and "MKB Assen" in text
    assert "Hanna Horeca, Sanne Tekenbevoegd" in text and "Lars Lid" not in text  # only who speaks for it
    assert "2 leden krijgen de herinnering." in text and "nooit" in text
    assert "Herinnering sturen aan 2 leden" in text


def test_staff_send_a_reminder_through_the_outbox_with_an_unsubscribe_link(client, world):
    log_in(client, world.staff)
    url = _remind_url(world.member)
    response = _send(client, url, subject="Doe mee met de binnenstad", text="Beste leden,\n\nDoe mee <b>nu</b>.")
    assert response.status_code == 302 and response.headers["Location"].endswith("/mkb/dashboard")
    mails = db.session.scalars(sa.select(OutboxMessage).where(OutboxMessage.kind == "mkb_reminder")).all()
    assert sorted(m.recipient_email for m in mails) == ["hanna@brink.example", "sanne@brink.example"]
    for mail in mails:
        assert mail.subject == "Doe mee met de binnenstad"
        assert (
            mail.unsubscribe_url and mail.unsubscribe_url in mail.body_text and mail.unsubscribe_url in mail.body_html
        )
        assert "Doe mee <b>nu</b>." in mail.body_text
        assert "Doe mee &lt;b&gt;nu&lt;/b&gt;." in mail.body_html and "<b>nu</b>" not in mail.body_html
        assert "Grand Café De Brink" in mail.body_text
    reminder = db.session.scalar(sa.select(MemberReminder))
    assert reminder.member_id == world.member.id and reminder.recipients == 2 and reminder.sent_by_id == world.staff.id
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "mkb_member.remind"))
    assert event.details_dict["recipients"] == 2 and "brink.example" not in event.details
    with client.session_transaction() as session:
        assert ("success", "Herinnering verstuurd aan 1 lid (2 e-mails).") in session["_flashes"]
    text = client.get(f"/mkb/leden/{world.member.id}").get_data(as_text=True)
    assert "Doe mee met de binnenstad" in text and "Maarten van MKB Assen" in text


def test_the_flash_counts_members_and_mails(client, world):
    log_in(client, world.staff)
    response = _send(client, _remind_url(world.member, world.member2))
    assert response.status_code == 302
    with client.session_transaction() as session:
        assert ("success", "Herinnering verstuurd aan 2 leden (3 e-mails).") in session["_flashes"]


def test_a_member_reminded_yesterday_is_refused_with_the_date_and_nothing_is_sent(client, world):
    _sent_before(world.member, 1, world.staff)
    log_in(client, world.staff)
    url = _remind_url(world.member, world.member2)
    page = client.get(url).get_data(as_text=True)
    assert "Grand Café De Brink kreeg op" in page and "een nieuwe kan vanaf" in page
    assert "Herinnering sturen aan" not in page  # no button: it would be refused
    response = _send(client, url)
    text = response.get_data(as_text=True)
    assert response.status_code == 400
    last = utcnow() - timedelta(days=1)
    assert "Grand Café De Brink kreeg op" in text and str(last.year) in text
    assert _count(MemberReminder) == 1 and _count(OutboxMessage) == 0  # not even the other member's


def test_after_the_interval_a_new_reminder_may_go(app, world):
    _sent_before(world.member, 15, world.staff)
    assert len(_remind(world, world.member)) == 1
    assert _count(MemberReminder) == 2


@pytest.mark.app_config(MKB_REMINDER_INTERVAL_DAYS=30)
def test_the_interval_is_a_setting(app, world):
    _sent_before(world.member, 15, world.staff)
    with pytest.raises(OperationError, match="kreeg op"):
        _remind(world, world.member)


def test_an_active_an_ended_and_an_unmatched_member_are_refused(app, world):
    consultation = cf.consultation()
    response = rf.response(consultation, world.horeca, ResponseState.accepted)
    db.session.add(Endorsement(formal_response=response, organisation=world.org2, endorsed_by=world.signatory2))
    world.member.ended_on = utcnow().date()
    db.session.flush()
    cases = [
        (world.member2, "Eetcafé Het Koopmanshuis doet al mee op het platform."),
        (world.member, "Grand Café De Brink is geen lid meer."),
        (world.unmatched, "Nodig het lid uit in plaats daarvan."),
    ]
    for member, message in cases:
        with pytest.raises(OperationError, match=message):
            _remind(world, member)
    assert _count(MemberReminder) == 0 and _count(OutboxMessage) == 0


def test_people_who_opted_out_get_nothing_and_when_everyone_did_the_member_is_refused(app, world):
    set_preferences(world.signatory, world.signatory, {"mkb_reminder": "off"})
    [reminder] = _remind(world, world.member)
    assert reminder.recipients == 1
    mails = db.session.scalars(sa.select(OutboxMessage.recipient_email).where(OutboxMessage.kind == "mkb_reminder"))
    assert list(mails) == ["hanna@brink.example"]
    set_preferences(world.signatory2, world.signatory2, {"mkb_reminder": "off"})
    with pytest.raises(OperationError, match="heeft zich afgemeld"):
        _remind(world, world.member2)


def test_a_member_nobody_speaks_for_is_refused(app, world):
    world.signatory2.org_role = OrgRole.member
    db.session.flush()
    with pytest.raises(OperationError, match="niemand om te mailen"):
        _remind(world, world.member2)


@pytest.mark.parametrize(
    ("subject", "text", "message"),
    [
        ("", "Tekst", "Vul het onderwerp in."),
        ("x" * 201, "Tekst", "Het onderwerp is te lang"),
        ("Onderwerp", "  ", "Vul de tekst van de herinnering in."),
        ("Onderwerp", "x" * 5001, "De tekst is te lang"),
    ],
)
def test_subject_and_text_are_checked(app, world, subject, text, message):
    with pytest.raises(OperationError, match=message):
        _remind(world, world.member, subject=subject, text=text)
    assert _count(MemberReminder) == 0


def test_a_form_without_text_is_refused_on_the_page(client, world):
    log_in(client, world.staff)
    response = _send(client, _remind_url(world.member), text="")
    assert response.status_code == 400 and "Vul dit veld in." in response.get_data(as_text=True)
    assert _count(OutboxMessage) == 0


def test_bad_member_ids_are_ignored_and_no_selection_says_how_to_choose(client, world):
    log_in(client, world.staff)
    page = client.get(f"/mkb/herinneringen?lid=abc&lid=-3&lid=99999&lid={world.member.id}").get_data(as_text=True)
    assert "1 lid krijgt de herinnering." in page
    page = client.get("/mkb/herinneringen?lid=abc")
    assert page.status_code == 200 and "Kies op het dashboard of in de ledenlijst" in page.get_data(as_text=True)
    response = _send(client, "/mkb/herinneringen?sector=bestaat-niet")
    assert response.status_code == 400 and "Deze sectorgroep bestaat niet" in response.get_data(as_text=True)
    assert _count(OutboxMessage) == 0


def test_a_sector_reminder_skips_who_may_not_be_reminded_and_sends_to_the_rest(client, world):
    third_org = factories.organisation(world.horeca, name="Lunchroom Oudestraat", mkb=True)
    factories.user(third_org, OrgRole.org_admin, email="lunch@oudestraat.example")
    retail = factories.organisation(world.retail, name="Boekhandel Het Forum", mkb=True)
    factories.user(retail, OrgRole.org_admin)
    factories.commit()
    _sent_before(world.member2, 3, world.staff)
    log_in(client, world.staff)
    page = client.get("/mkb/herinneringen?sector=horeca").get_data(as_text=True)
    assert "Aan de leden uit Horeca die nog niet meedoen" in page
    assert "2 leden krijgen de herinnering. 2 leden worden overgeslagen." in page  # reminded recently, unmatched
    assert "Boekhandel Het Forum" not in page
    response = _send(client, "/mkb/herinneringen?sector=horeca")
    assert response.status_code == 302
    reminded = db.session.scalars(sa.select(MemberReminder.member_id).where(MemberReminder.subject == "Doe mee"))
    assert sorted(reminded) == sorted([world.member.id, third_org.mkb_member.id])
    assert _count(OutboxMessage, OutboxMessage.kind == "mkb_reminder") == 3


def test_a_partner_gets_403_and_nothing_is_sent(app, client, world):
    app.config["WTF_CSRF_ENABLED"] = False
    log_in(client, world.admin)
    assert client.get(_remind_url(world.member)).status_code == 403
    response = client.post(_remind_url(world.member), data={"subject": "Doe mee", "text": "Nu."})
    assert response.status_code == 403 and "Geen toegang" in response.get_data(as_text=True)
    assert _count(OutboxMessage) == 0 and _count(MemberReminder) == 0


@pytest.mark.postgres_only
def test_two_staff_reminding_at_the_same_moment_send_one_reminder(app, world):
    """The member rows are locked before the last reminder is read: the second waits, then is refused."""
    from tests.responses.test_nota_races import Other

    member_id, staff_ids = world.member.id, [world.staff.id, factories.user(role=StaffRole.administrator).id]
    factories.commit()
    barrier = threading.Barrier(2)

    def step(staff_id):
        def run():
            from partner_portal.auth.models import User

            actor = db.session.get(User, staff_id)
            member = db.session.get(MkbMember, member_id)
            barrier.wait(timeout=20)
            return operations.remind(actor, [member], subject="Doe mee", text="Nu.")

        return run

    others = [Other(app, step(staff_id)).start() for staff_id in staff_ids]
    results = [other.outcome() for other in others]
    refused = [r for r in results if isinstance(r, OperationError)]
    assert len(refused) == 1 and "kreeg op" in refused[0].message, results
    db.session.expire_all()
    assert _count(MemberReminder) == 1
    assert _count(OutboxMessage, OutboxMessage.kind == "mkb_reminder") == 2
