"""Migrations build the schema the models describe, on SQLite and on PostgreSQL."""

import warnings

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade

from partner_portal.extensions import db
from tests.conftest import make_app, throwaway_postgres


@pytest.fixture
def empty_database_url(backend, tmp_path, request):
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path / 'migrations.sqlite'}"
        return
    request.getfixturevalue("postgres_url")  # skips or fails when the server is absent
    with throwaway_postgres("pp_migr") as url:
        yield url


def _differences(app):
    with db.engine.connect() as connection, warnings.catch_warnings():
        # SQLite cannot reflect an expression index; the only one is PostgreSQL's (Index.ddl_if) anyway.
        warnings.filterwarnings("ignore", "autogenerate skipping metadata-specified expression-based index")
        context = MigrationContext.configure(connection, opts={"compare_type": True, "render_as_batch": True})
        return compare_metadata(context, db.metadata)


def test_migrations_match_models_and_downgrade_cleanly(empty_database_url):
    app = make_app(empty_database_url)
    with app.app_context():
        upgrade()
        assert _differences(app) == [], "models and migrations differ: run `flask db migrate`"
        downgrade(revision="base")
        upgrade()
        assert _differences(app) == []
        db.session.remove()
        db.engine.dispose()


def test_the_migrated_database_has_the_timestamp_checks_the_workflow_tables_generate(empty_database_url):
    import sqlalchemy as sa

    import partner_portal.models  # noqa: F401  (registers every workflow)
    from partner_portal.core import workflow

    app = make_app(empty_database_url)
    with app.app_context():
        upgrade()
        inspector = sa.inspect(db.engine)
        for wf in workflow.registered():
            table = wf.model.__tablename__
            stored = {c["name"] for c in inspector.get_check_constraints(table)}
            generated = {f"ck_{table}_{check.name}" for check in wf.timestamp_checks()}
            assert generated, wf.name
            assert generated <= stored, f"{table}: {sorted(generated - stored)} missing from the migrations"
            assert not {name for name in stored if name.endswith("_has_timestamp")}, "hand-written checks left"
        db.session.remove()
        db.engine.dispose()


ENUM_REVISION = "0007_enum_checks"


def _enum_checks() -> set[tuple[str, str]]:
    import sqlalchemy as sa

    return {
        (table.name, f"ck_{table.name}_{column.name}_known")
        for table in db.metadata.sorted_tables
        for column in table.columns
        if isinstance(column.type, sa.Enum)
    }


def _stored_checks() -> set[tuple[str, str]]:
    import sqlalchemy as sa

    inspector = sa.inspect(db.engine)
    return {
        (table, check["name"])
        for table in inspector.get_table_names()
        for check in inspector.get_check_constraints(table)
    }


def test_the_enum_checks_migrate_up_and_down_and_refuse_unknown_values(empty_database_url):
    import sqlalchemy as sa
    from sqlalchemy.exc import IntegrityError

    from partner_portal.auth.models import StaffRole
    from tests import factories

    app = make_app(empty_database_url)
    with app.app_context():
        upgrade()
        wanted = _enum_checks()
        assert ("formal_response", "ck_formal_response_state_known") in wanted
        assert wanted <= _stored_checks()
        # Every check the models declare is in the migrated database, not only the enum ones.
        declared = {
            (table.name, str(check.name))
            for table in db.metadata.sorted_tables
            for check in table.constraints
            if isinstance(check, sa.CheckConstraint)
        }
        assert declared <= _stored_checks(), sorted(declared - _stored_checks())

        staff = factories.user(role=StaffRole.moderator)
        db.session.commit()
        with pytest.raises(IntegrityError, match="staff_role_known"):
            db.session.execute(sa.text("UPDATE \"user\" SET staff_role = 'mayor' WHERE id = :id"), {"id": staff.id})
            db.session.flush()
        db.session.rollback()
        db.session.remove()

        downgrade(revision="0006_response_reopened")  # before the enum checks (and what follows them)
        # The mail tables had their checks from the start; the others come with this revision.
        older = {t for t in wanted if t[0] in ("outbox_message", "notification_preference")}
        assert older and older <= _stored_checks()
        assert not (wanted - older) & _stored_checks()
        db.session.execute(sa.text("UPDATE \"user\" SET staff_role = 'mayor'"))
        db.session.execute(sa.text("UPDATE \"user\" SET staff_role = 'moderator'"))
        db.session.commit()
        db.session.remove()
        upgrade()
        assert wanted <= _stored_checks()
        assert db.session.scalar(sa.text('SELECT count(*) FROM "user"')) == 1  # the rows survive the table copy
        db.session.remove()
        db.engine.dispose()
