"""The daily digest: one mail per person with every pending item, each item in exactly one digest."""

import sqlalchemy as sa

from partner_portal.extensions import db
from partner_portal.notifications import notify
from partner_portal.notifications.digest import build_digests
from partner_portal.notifications.models import DigestItem, OutboxMessage
from partner_portal.notifications.operations import set_preferences
from tests import factories
from tests.smtp import bodies, run_mail


def test_digest_bundles_pending_items_once_and_arrives(app, smtp):
    anna = factories.user(name="Anna")
    bob = factories.user(name="Bob", locale="en")
    set_preferences(anna, anna, {"response_accepted": "digest"})
    notify("stage_changed", [anna, bob], context={"title": "Binnenstad Assen", "url": "/c/1", "stage": "Reacties"})
    notify("response_accepted", [anna], context={"title": "Reactie Horeca", "url": "/r/1"})
    db.session.commit()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage)) == 0

    assert "queued 2 digest mails" in run_mail(app, "digest")
    assert "queued 0 digest mails" in run_mail(app, "digest")  # idempotent: nothing left
    items = db.session.scalars(sa.select(DigestItem)).all()
    assert all(item.bundled_at and item.outbox_message_id for item in items)

    run_mail(app, "send")
    by_name = {m["To"].addresses[0].display_name: m for m in smtp.messages}
    assert set(by_name) == {"Anna", "Bob"}
    anna_mail = by_name["Anna"]
    assert anna_mail["Subject"] == "Uw dagelijkse overzicht: 2 meldingen"
    text, html = bodies(anna_mail)
    assert "Nieuwe fase: Binnenstad Assen" in text and "http://localhost/c/1" in text
    assert 'href="http://localhost/r/1"' in html
    assert anna_mail["List-Unsubscribe"].startswith("<http://localhost/afmelden/")
    assert by_name["Bob"]["Subject"] == "Your daily digest: 1 notification"

    # A new item goes into the next digest only.
    notify("stage_changed", [anna], context={"title": "Ronde 2", "url": "/c/2"})
    db.session.commit()
    assert build_digests() == 1
    latest = db.session.scalars(sa.select(OutboxMessage).order_by(OutboxMessage.id.desc())).first()
    assert "Ronde 2" in latest.body_text and "Binnenstad Assen" not in latest.body_text


def test_items_of_a_deactivated_person_are_dropped(app):
    user = factories.user()
    notify("stage_changed", [user], context={"title": "X", "url": "/x"})
    user.is_active = False
    db.session.commit()
    assert build_digests() == 0
    assert db.session.scalars(sa.select(DigestItem)).all() == []
