"""The notification predicates, per role."""

import pytest

from partner_portal.auth.models import OrgRole, StaffRole
from partner_portal.notifications import permissions
from partner_portal.notifications.kinds import optional_kinds_for
from tests import factories
from tests.notifications.factories import outbox_message

pytestmark = pytest.mark.sqlite_only  # permission predicates: nothing here depends on the database


@pytest.mark.parametrize(
    ("role", "allowed"),
    [
        (OrgRole.member, False),
        (OrgRole.org_admin, False),
        (StaffRole.moderator, False),
        (StaffRole.administrator, True),
    ],
)
def test_only_administrators_manage_the_outbox(app, role, allowed):
    user = factories.user(role=role)
    assert permissions.can_manage_outbox(user) is allowed
    assert permissions.can_retry_message(user, outbox_message(status="failed")) is allowed


def test_what_can_be_retried_and_read(app):
    admin = factories.user(role=StaffRole.administrator)
    assert permissions.can_retry_message(admin, outbox_message(status="failed"))
    assert permissions.can_retry_message(admin, outbox_message(status="queued", attempts=2))
    assert not permissions.can_retry_message(admin, outbox_message(status="queued"))
    assert not permissions.can_retry_message(admin, outbox_message(status="sent"))
    assert permissions.can_read_message_body(admin, outbox_message(kind="stage_changed"))
    assert not permissions.can_read_message_body(admin, outbox_message(kind="password_reset"))


def test_preferences_are_ones_own(app):
    user, other = factories.user(), factories.user()
    assert permissions.can_set_preferences(user, user)
    assert not permissions.can_set_preferences(other, user)


def test_each_role_chooses_only_the_kinds_that_concern_it(app):
    partner = {k.name for k in optional_kinds_for(factories.user())}
    moderator = {k.name for k in optional_kinds_for(factories.user(role=StaffRole.moderator))}
    assert "response_submitted" not in partner and "response_rejected" in partner
    assert "response_submitted" in moderator and "response_rejected" not in moderator
    assert not {"invitation", "password_reset"} & (partner | moderator)
