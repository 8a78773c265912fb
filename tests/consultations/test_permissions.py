"""Who may see and manage consultations and read the audit log."""

import pytest

from partner_portal.auth.models import OrgRole, StaffRole
from partner_portal.consultations.models import ConsultationStatus
from partner_portal.consultations.permissions import (
    can_manage_consultation,
    can_view_audit_log,
    can_view_consultation,
)
from tests import factories
from tests.consultations import factories as cf

pytestmark = pytest.mark.sqlite_only  # permission predicates: nothing here depends on the database

ROLES = [*OrgRole, *StaffRole]
MANAGERS = {StaffRole.process_manager, StaffRole.administrator}
GEMEENTE = {StaffRole.moderator, *MANAGERS}


@pytest.mark.parametrize("role", ROLES, ids=str)
def test_permissions_per_role(app, role):
    user = factories.user(role=role)
    published = cf.consultation()
    draft = cf.consultation(status=ConsultationStatus.draft, current=None)
    assert can_view_consultation(user, published)
    assert can_view_consultation(user, draft) == (role in GEMEENTE)
    assert can_manage_consultation(user, published) == (role in MANAGERS)
    assert can_view_audit_log(user) == (role in GEMEENTE)


def test_anonymous_and_inactive(app):
    from flask_login import AnonymousUserMixin

    published = cf.consultation()
    assert can_view_consultation(AnonymousUserMixin(), published)
    assert not can_manage_consultation(AnonymousUserMixin(), published)
    inactive = factories.user(role=StaffRole.administrator, is_active=False)
    assert not can_manage_consultation(inactive, published) and not can_view_audit_log(inactive)
