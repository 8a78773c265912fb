"""Every enum column has a database check of its values, and the database refuses a value outside it."""

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

import partner_portal.models  # noqa: F401  (every table on the metadata)
from partner_portal.auth.models import StaffRole
from partner_portal.core.models import UTCDateTime, enum_check, utcnow
from partner_portal.extensions import db
from partner_portal.responses.models import ResponseState
from tests import factories
from tests.consultations import factories as cf
from tests.responses import factories as rf


def _enum_columns():
    return [
        (table, column)
        for table in db.metadata.sorted_tables
        for column in table.columns
        if isinstance(column.type, sa.Enum)
    ]


@pytest.mark.parametrize(("table", "column"), _enum_columns(), ids=lambda v: getattr(v, "name", str(v)))
def test_every_enum_column_has_a_check_of_its_values(table, column):
    checks = {str(c.name): str(c.sqltext) for c in table.constraints if isinstance(c, sa.CheckConstraint)}
    name = f"ck_{table.name}_{column.name}_known"
    assert name in checks, f"{table.name}.{column.name}: add enum_check({column.name!r}, ...) to __table_args__"
    assert checks[name] == str(enum_check(column.name, column.type.enum_class).sqltext)


def test_the_enum_columns_include_the_states_and_roles():
    names = {f"{table.name}.{column.name}" for table, column in _enum_columns()}
    assert {"formal_response.state", "consultation.status", "user.staff_role", "outbox_message.status"} <= names


def _with_every_timestamp(table_name: str, row_id: int) -> None:
    """Set every lifecycle timestamp, so that the state's own timestamp checks pass whatever the
    state: the value check is then the only one that can refuse it."""
    table = db.metadata.tables[table_name]
    stamps = {c.name: utcnow() for c in table.columns if isinstance(c.type, UTCDateTime) and c.nullable}
    db.session.execute(sa.update(table).where(table.c.id == row_id).values(**stamps))
    db.session.commit()


def _refused(check: str, statement: str, **params) -> None:
    """The statement fails on exactly this check."""
    with pytest.raises(IntegrityError, match=check):
        db.session.execute(sa.text(statement), params)
        db.session.flush()
    db.session.rollback()


def test_the_database_refuses_an_unknown_response_state(app):
    consultation = cf.consultation()
    group = factories.sector_group("horeca", "Horeca")
    response = rf.response(consultation, group, ResponseState.accepted)
    db.session.commit()
    _with_every_timestamp("formal_response", response.id)
    update = "UPDATE formal_response SET {} WHERE id = :id"
    _refused("ck_formal_response_state_known", update.format("state = 'archived'"), id=response.id)
    _refused("ck_formal_response_publication_known", update.format("publication = 'secret'"), id=response.id)
    db.session.execute(sa.text(update.format("state = 'rejected'")), {"id": response.id})
    db.session.commit()


def test_the_database_refuses_an_unknown_role_and_status(app):
    consultation = cf.consultation()
    staff = factories.user(role=StaffRole.moderator)
    db.session.commit()
    _with_every_timestamp("consultation", consultation.id)
    update = "UPDATE consultation SET status = 'archived' WHERE id = :id"
    _refused("ck_consultation_status_known", update, id=consultation.id)
    _refused("ck_user_staff_role_known", "UPDATE \"user\" SET staff_role = 'mayor' WHERE id = :id", id=staff.id)
