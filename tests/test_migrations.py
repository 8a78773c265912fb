"""Migrations build the schema the models describe, on SQLite and on PostgreSQL."""

import os
import secrets

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade

from partner_portal.extensions import db
from tests.conftest import POSTGRES_ADMIN_URL, make_app


@pytest.fixture
def empty_database_url(backend, tmp_path, request):
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path / 'migrations.sqlite'}"
        return
    request.getfixturevalue("postgres_url")  # skips or fails when the server is absent
    import psycopg

    name = f"pp_migr_{os.getpid()}_{secrets.token_hex(3)}"
    with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    base = POSTGRES_ADMIN_URL.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://", 1)
    yield f"{base}/{name}"
    with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _differences(app):
    with db.engine.connect() as connection:
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
