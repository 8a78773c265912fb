"""notify() per preference, preferences, unsubscribe and retry: the rows, the audit events, the rollback."""

import json

import pytest
import sqlalchemy as sa

from partner_portal.auth.models import StaffRole
from partner_portal.core.audit import AuditEvent
from partner_portal.core.errors import OperationError, PermissionDenied
from partner_portal.extensions import db
from partner_portal.notifications import notify
from partner_portal.notifications.kinds import DIGEST, KINDS, NotificationMode
from partner_portal.notifications.models import DigestItem, MailStatus, NotificationPreference, OutboxMessage
from partner_portal.notifications.operations import modes_for, retry_message, set_preferences, unsubscribe
from tests import factories
from tests.notifications.factories import outbox_message

CONTEXT = {"title": "Reactie Horeca", "url": "/reacties/1", "reason": "Onvolledig"}


def outbox():
    return db.session.scalars(sa.select(OutboxMessage).order_by(OutboxMessage.id)).all()


def digest_items():
    return db.session.scalars(sa.select(DigestItem).order_by(DigestItem.id)).all()


@pytest.mark.sqlite_only
def test_every_kind_has_its_templates(app):
    from partner_portal.notifications.outbox import render

    for kind in [*KINDS.values()]:
        context = {"title": "T", "url": "http://localhost/x", "days": 7, "hours": 24, "unsubscribe_url": None}
        for locale in ("nl", "en"):
            subject, text, html = render(kind.template, locale, context)
            assert subject and "http://localhost/x" in text and 'href="http://localhost/x"' in html


def test_notify_queues_one_message_per_recipient_by_default(app):
    users = [factories.user(), factories.user()]
    notify("response_rejected", [*users, users[0]], context=CONTEXT)  # duplicates get one message
    messages = outbox()
    assert [m.user_id for m in messages] == [u.id for u in users]
    message = messages[0]
    assert message.status == MailStatus.queued and message.attempts == 0
    assert message.subject == "Afgewezen: Reactie Horeca"
    assert "Reden: Onvolledig" in message.body_text and "http://localhost/reacties/1" in message.body_text
    assert message.unsubscribe_url.startswith("http://localhost/afmelden/")
    assert len({m.message_id for m in messages}) == 2


def test_preference_digest_or_off_is_respected(app):
    on_digest, off, default = factories.user(), factories.user(), factories.user()
    set_preferences(on_digest, on_digest, {"response_rejected": "digest"})
    set_preferences(off, off, {"response_rejected": "off"})
    notify("response_rejected", [on_digest, off, default], context=CONTEXT)
    assert [m.user_id for m in outbox()] == [default.id]
    [item] = digest_items()
    assert item.user_id == on_digest.id and item.title == "Reactie Horeca" and item.url == "http://localhost/reacties/1"
    assert json.loads(item.context)["reason"] == "Onvolledig"


def test_security_mail_ignores_preferences_and_has_no_unsubscribe_link(app):
    user = factories.user()
    # Even a row written behind the form's back cannot turn it off.
    db.session.add(NotificationPreference(user_id=user.id, kind="password_reset", mode=NotificationMode.off))
    notify("password_reset", [user], context={"url": "/herstel", "hours": 24})
    [message] = outbox()
    assert message.unsubscribe_url is None
    assert "Dit bericht gaat over uw account" in message.body_text


def test_actor_and_inactive_people_get_nothing(app):
    actor, inactive, other = factories.user(), factories.user(is_active=False), factories.user()
    notify("response_accepted", [actor, inactive, other], actor=actor, context=CONTEXT)
    assert [m.user_id for m in outbox()] == [other.id]


@pytest.mark.sqlite_only
def test_unknown_kind_is_a_programming_error(app):
    with pytest.raises(ValueError, match="unknown notification kind"):
        notify("no_such_kind", [factories.user()])


def test_a_rolled_back_change_sends_nothing(app):
    user = factories.user()
    factories.commit()
    notify("response_rejected", [user], context=CONTEXT)
    assert len(outbox()) == 1
    db.session.rollback()
    assert outbox() == []


def test_object_gives_title_and_link(app):
    class Response:
        title = "Reactie Cultuur"

        def notification_url(self):
            return "/reacties/9"

    notify("response_accepted", [factories.user()], obj=Response())
    [message] = outbox()
    assert message.subject == "Geaccepteerd: Reactie Cultuur"
    assert "http://localhost/reacties/9" in message.body_text


def test_set_preferences_stores_and_audits_only_changes(app):
    user = factories.user()
    assert set_preferences(user, user, {"response_accepted": "immediate"}) == []  # the default: nothing stored
    assert set_preferences(user, user, {"response_accepted": "digest", "nota_published": "off"}) == [
        "response_accepted",
        "nota_published",
    ]
    assert modes_for(user)["response_accepted"] == NotificationMode.digest
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "notification.preferences"))
    assert event.actor_id == user.id and "nota_published" in event.details


@pytest.mark.parametrize(
    ("modes", "message"),
    [
        ({"password_reset": "off"}, "Deze soort melding kunt u niet instellen."),
        ({"response_submitted": "off"}, "Deze soort melding kunt u niet instellen."),  # moderators only
        ({"response_accepted": "sometimes"}, "Kies direct, dagelijks overzicht of uit."),
    ],
)
@pytest.mark.sqlite_only
def test_set_preferences_refuses_what_cannot_be_chosen(app, modes, message):
    user = factories.user()
    with pytest.raises(OperationError, match=message):
        set_preferences(user, user, modes)


def test_nobody_sets_anothers_preferences(app):
    user, admin = factories.user(), factories.user(role=StaffRole.administrator)
    with pytest.raises(PermissionDenied):
        set_preferences(admin, user, {"response_accepted": "off"})


def test_unsubscribe_turns_one_kind_off_or_every_digest_kind(app):
    user = factories.user()
    set_preferences(user, user, {"response_accepted": "digest"})
    assert unsubscribe(user, "response_rejected") == ["response_rejected"]
    assert unsubscribe(user, "response_rejected") == []
    modes = modes_for(user)
    assert modes["response_rejected"] == NotificationMode.off
    assert modes["response_accepted"] == NotificationMode.digest
    # stage_changed and initiative_update are digest kinds by default.
    assert sorted(unsubscribe(user, DIGEST)) == ["initiative_update", "response_accepted", "stage_changed"]
    modes = modes_for(user)
    assert modes["response_accepted"] == modes["stage_changed"] == NotificationMode.off
    assert modes["changes_requested"] == NotificationMode.immediate  # not a digest kind: untouched


def test_retry_requeues_a_failed_message_and_audits(app):
    admin = factories.user(role=StaffRole.administrator)
    message = outbox_message(status="failed")
    retry_message(admin, message)
    assert message.status == MailStatus.queued and message.attempts == 0 and message.failed_at is None
    assert db.session.scalar(sa.select(AuditEvent.to_state).where(AuditEvent.action == "mail.retry")) == "queued"
    with pytest.raises(OperationError, match="wacht niet op een nieuwe poging"):
        retry_message(admin, message)  # queued without a failed attempt: nothing to retry
    with pytest.raises(PermissionDenied):
        retry_message(factories.user(), outbox_message(status="failed"))


def test_database_refuses_an_unknown_status(app):
    message = outbox_message()
    with pytest.raises(sa.exc.IntegrityError):
        db.session.execute(sa.text("UPDATE outbox_message SET status = 'lost' WHERE id = :id"), {"id": message.id})
    db.session.rollback()
