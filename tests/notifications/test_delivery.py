"""Delivery over a real SMTP server on loopback: headers, bodies, retry, refusal, two workers."""

import re
import threading
from datetime import timedelta

import pytest
import sqlalchemy as sa

from partner_portal.auth.models import StaffRole
from partner_portal.core.models import utcnow
from partner_portal.extensions import db
from partner_portal.notifications import notify
from partner_portal.notifications.delivery import claim_batch, send_pending
from partner_portal.notifications.models import MailStatus, OutboxMessage
from partner_portal.notifications.operations import set_preferences
from tests import factories
from tests.smtp import bodies, run_mail


class Item:
    """Something a notification is about, with a page of its own."""

    title = "Reactie sectorgroep Horeca"

    def notification_url(self):
        return "/reacties/7"


def all_messages():
    return db.session.scalars(sa.select(OutboxMessage).order_by(OutboxMessage.id)).all()


def test_delivers_text_and_html_with_headers_and_links(app, smtp):
    moderator = factories.user(role=StaffRole.moderator, name="Mark de Moderator", email="mark@example.org")
    coordinator = factories.user(name="Hanna")
    notify("response_submitted", [moderator], obj=Item(), actor=coordinator, context={"group": "Horeca"})
    db.session.commit()
    stored = all_messages()[0]

    assert "sent 1" in run_mail(app, "send")

    [received] = smtp.messages
    assert received["Message-ID"] == stored.message_id
    assert re.fullmatch(r"<[0-9a-f]{32}@example\.org>", stored.message_id)
    assert received["To"] == "Mark de Moderator <mark@example.org>"
    assert received["From"] == "Partnerportaal <noreply@example.org>"
    assert received["Subject"] == "Ingediend: Reactie sectorgroep Horeca"
    assert received["Date"]
    assert received["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    unsubscribe = received["List-Unsubscribe"].strip("<>")
    assert unsubscribe.startswith("http://localhost/afmelden/")
    text, html = bodies(received)
    assert "Sectorgroep Horeca heeft een formele reactie ingediend" in text
    assert "http://localhost/reacties/7" in text and 'href="http://localhost/reacties/7"' in html
    assert unsubscribe in text and unsubscribe in html
    assert '<html lang="nl">' in html
    assert smtp.envelopes[0].mail_from == "noreply@example.org"
    assert smtp.envelopes[0].rcpt_tos == ["mark@example.org"]
    assert stored.status == MailStatus.sent and stored.sent_at is not None and stored.attempts == 1
    assert stored.claimed_by is None

    # Sent is sent: another pass delivers nothing again.
    run_mail(app, "send")
    assert len(smtp.messages) == 1


def test_mail_is_in_the_recipients_language(app, smtp):
    user = factories.user(locale="en", name="Rita")
    notify("response_rejected", [user], obj=Item(), context={"reason": "Te laat ingediend"})
    db.session.commit()
    run_mail(app, "send")
    [received] = smtp.messages
    assert received["Subject"] == "Rejected: Reactie sectorgroep Horeca"
    text, html = bodies(received)
    assert "Dear Rita," in text and "Reason: Te laat ingediend" in text
    assert '<html lang="en">' in html
    assert received["Content-Language"] == "en"


def test_header_injection_in_name_and_subject_is_neutralised(app, smtp):
    evil = "Eve\r\nBcc: evil@example.org"
    user = factories.user(name=evil, email="eve@example.org")

    class Evil:
        title = "Titel\r\nBcc: evil@example.org"

    notify("response_accepted", [user], obj=Evil())
    db.session.commit()
    stored = all_messages()[0]
    assert "\n" not in stored.subject and "\r" not in stored.recipient_name
    run_mail(app, "send")
    [received] = smtp.messages
    assert received["Bcc"] is None
    assert smtp.envelopes[0].rcpt_tos == ["eve@example.org"]
    assert "evil@example.org" not in received.get_all("To")[0].addresses[0].addr_spec
    headers = smtp.envelopes[0].original_content.decode().split("\r\n\r\n", 1)[0]
    assert not re.search(r"^Bcc:", headers, re.MULTILINE | re.IGNORECASE)
    assert received["Subject"] == "Geaccepteerd: Titel Bcc: evil@example.org"


def test_server_down_keeps_mail_queued_and_it_arrives_exactly_once_later(app, smtp):
    app.config.update(MAIL_RETRY_BASE_SECONDS=60)
    smtp.stop()
    users = [factories.user() for _ in range(3)]
    for user in users:
        # stage_changed defaults to the digest: ask for it at once.
        set_preferences(user, user, {"stage_changed": "immediate"})
    notify("stage_changed", users, context={"title": "Binnenstad Assen", "url": "/consultaties/binnenstad-assen"})
    db.session.commit()
    before = utcnow()

    run_mail(app, "send")
    queued = all_messages()
    assert len(queued) == 3
    for message in queued:
        assert message.status == MailStatus.queued
        assert message.attempts == 1
        assert message.next_attempt_at >= before + timedelta(seconds=59)
        assert "connection" in message.last_error
    assert smtp.messages == []

    # Back-off: a pass now delivers nothing even with the server up again.
    smtp.start()
    run_mail(app, "send")
    assert smtp.messages == []

    # Move time past the back-off.
    db.session.execute(sa.update(OutboxMessage).values(next_attempt_at=utcnow() - timedelta(seconds=1)))
    db.session.commit()
    run_mail(app, "send")
    run_mail(app, "send")
    received = sorted(m["Message-ID"] for m in smtp.messages)
    assert received == sorted(m.message_id for m in all_messages())
    assert all(m.status == MailStatus.sent and m.attempts == 2 for m in all_messages())


def test_permanent_refusal_fails_at_once_with_the_servers_answer(app, smtp, client, login_as):
    smtp.handler.refuse.add("weg@example.org")
    gone = factories.user(email="weg@example.org")
    fine = factories.user(email="goed@example.org")
    admin = factories.user(role=StaffRole.administrator)
    notify("nota_published", [gone, fine], context={"title": "Binnenstad Assen", "url": "/nota"})
    db.session.commit()

    output = run_mail(app, "send")
    assert "sent 1" in output and "failed 1" in output
    failed = db.session.scalar(sa.select(OutboxMessage).where(OutboxMessage.recipient_email == "weg@example.org"))
    assert failed.status == MailStatus.failed and failed.failed_at is not None and failed.attempts == 1
    assert failed.last_error.startswith("550 5.1.1")
    assert "User unknown" in failed.last_error
    assert [e.rcpt_tos for e in smtp.envelopes] == [["goed@example.org"]]

    login_as(admin)
    page = client.get("/beheer/e-mail").get_data(as_text=True)
    assert "1 bericht kon niet worden verzonden" in page
    assert "550 5.1.1" in page

    # The address is fixed on the server's side; the administrator retries.
    smtp.handler.refuse.clear()
    from tests.conftest import post_form

    response = post_form(client, f"/beheer/e-mail/{failed.id}/opnieuw", {}, form_url=f"/beheer/e-mail/{failed.id}")
    assert response.status_code == 302
    db.session.refresh(failed)
    assert failed.status == MailStatus.queued and failed.failed_at is None and failed.attempts == 0
    run_mail(app, "send")
    assert [e.rcpt_tos for e in smtp.envelopes] == [["goed@example.org"], ["weg@example.org"]]


def test_too_many_temporary_failures_mark_the_message_failed(app, smtp):
    app.config.update(MAIL_MAX_ATTEMPTS=2, MAIL_RETRY_BASE_SECONDS=0)
    smtp.stop()
    notify("password_reset", [factories.user()], context={"url": "/x", "hours": 24})
    db.session.commit()
    run_mail(app, "send")
    assert all_messages()[0].status == MailStatus.queued
    run_mail(app, "send")
    message = all_messages()[0]
    assert message.status == MailStatus.failed and message.attempts == 2
    assert "after 2 attempts" in message.last_error


def test_without_mail_server_mail_stays_queued(app):
    notify("password_reset", [factories.user()], context={"url": "/x", "hours": 24})
    db.session.commit()
    assert "MAIL_SERVER is not set" in run_mail(app, "send")
    message = all_messages()[0]
    assert message.status == MailStatus.queued and message.attempts == 0


def test_a_crashed_workers_claim_is_taken_over_after_the_timeout(app, smtp):
    notify("password_reset", [factories.user()], context={"url": "/x", "hours": 24})
    db.session.commit()
    assert len(claim_batch("crashed-worker", 10)) == 1
    db.session.expire_all()
    assert all_messages()[0].status == MailStatus.sending
    assert send_pending(worker="other").sent == 0  # the claim is fresh: hands off

    stale = utcnow() - timedelta(seconds=app.config["MAIL_CLAIM_TIMEOUT_SECONDS"] + 1)
    db.session.execute(sa.update(OutboxMessage).values(claimed_at=stale))
    db.session.commit()
    assert send_pending(worker="other").sent == 1
    assert len(smtp.messages) == 1


def test_a_message_is_claimed_only_once(app):
    notify("password_reset", [factories.user()], context={"url": "/x", "hours": 24})
    db.session.commit()
    assert len(claim_batch("first", 10)) == 1
    assert claim_batch("second", 10) == []


@pytest.mark.postgres_only
def test_two_workers_at_once_send_every_message_exactly_once(app, smtp, backend):
    users = [factories.user() for _ in range(60)]
    for user in users:
        notify("password_reset", [user], context={"url": f"/reset/{user.id}", "hours": 24})
    db.session.commit()
    results, errors = {}, []

    def work(name):
        try:
            with app.app_context():
                total = 0
                while True:
                    sent = send_pending(worker=name, batch_size=3).sent
                    total += sent
                    if sent == 0:
                        break
                results[name] = total
                db.session.remove()
        except Exception as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(f"worker-{i}",)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not errors
    ids = [m["Message-ID"] for m in smtp.messages]
    assert len(ids) == 60 and len(set(ids)) == 60
    assert sum(results.values()) == 60
    assert all(results.values()), "both workers should have taken part"
    assert all(m.status == MailStatus.sent for m in all_messages())
