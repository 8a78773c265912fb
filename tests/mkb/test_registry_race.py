"""Two staff confirming imports at the same moment, on PostgreSQL with two real connections.

Both files bring the same new member. The registry is locked while a file is applied, so the second
confirmation waits for the first and then finds the registry changed since its preview: it is
refused with the message to check again, and the member exists once."""

import pytest
import sqlalchemy as sa

from partner_portal.auth.models import StaffRole
from partner_portal.core.errors import Conflict
from partner_portal.extensions import db
from partner_portal.mkb import registry
from partner_portal.mkb.models import MemberImport, MkbMember
from tests import factories
from tests.responses.test_nota_races import Other, wait_until_blocked

pytestmark = pytest.mark.postgres_only

FILE = b"KvK;Naam\r\n01234567;Bakkerij Twee Keer\r\n"
MAPPING = {"kvk_number": 0, "name": 1}


def test_the_second_confirmation_waits_for_the_first_and_is_refused(app):
    staff = factories.user(role=StaffRole.mkb_staff)
    first = registry.upload(staff, FILE, "eerste.csv")
    second = registry.upload(staff, FILE, "tweede.csv")
    registry.preview(staff, first, MAPPING)
    registry.preview(staff, second, MAPPING)
    factories.commit()
    staff_id, second_id = staff.id, second.id

    registry.confirm(staff, first)  # holds the lock until this transaction ends

    def confirm_second():
        from partner_portal.auth.models import User

        return registry.confirm(db.session.get(User, staff_id), db.session.get(MemberImport, second_id))

    other = Other(app, confirm_second).start()
    wait_until_blocked()
    db.session.commit()
    result = other.outcome()
    assert isinstance(result, Conflict), result
    assert "gewijzigd sinds de controle" in result.message
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(MkbMember)) == 1
