"""Walks the authorization matrix: every route, every role, own and other organisation's objects.

One test per (rule, role), so a failure names both. The matrix runs on SQLite only: it checks
which answer each role gets, and the views decide that in Python (permission predicates, the
load-or-404 helpers). That every page also renders on PostgreSQL is checked by
tests/test_security.py, which walks every GET route of this matrix on both databases, and the
queries behind each page by the feature's own view tests, on both databases.

The world is built once per process and saved as a copy of the database file. Before each
request the database is put back to that copy, so every (rule, role) meets the same world
(what an allowed role's POST changed never reaches the next one) without rebuilding it.
Uploaded files are not restored: no route in the matrix removes one, and a file that a request
added is referenced by nothing once the database is restored.
"""

import importlib
import pkgutil
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest
from flask import Flask

from partner_portal.extensions import db
from tests.access import ROLES, Rule, build_world, log_in_id
from tests.conftest import ExpiringClient, make_app

TESTS = Path(__file__).parent


def all_rules() -> list[Rule]:
    rules = []
    for module in pkgutil.iter_modules([str(TESTS)]):
        if module.ispkg and (TESTS / module.name / "access.py").exists():
            rules.extend(importlib.import_module(f"tests.{module.name}.access").RULES)
    return rules


RULES = all_rules()
EXEMPT_ENDPOINTS = {"static"}


@pytest.mark.sqlite_only  # the URL map is the same whatever the database
def test_every_route_has_a_rule(app):
    covered = {(rule.endpoint, rule.method) for rule in RULES}
    missing = []
    for url_rule in app.url_map.iter_rules():
        if url_rule.endpoint in EXEMPT_ENDPOINTS:
            continue
        for method in sorted(url_rule.methods - {"HEAD", "OPTIONS"}):
            if (url_rule.endpoint, method) not in covered:
                missing.append(f"{method} {url_rule.rule} ({url_rule.endpoint})")
    assert not missing, "Routes missing from the authorization matrix (add them to tests/<feature>/access.py):\n" + (
        "\n".join(missing)
    )


@dataclass
class Matrix:
    """The matrix app, the saved world, each rule's URL and each role's login id in that world."""

    app: Flask
    database: Path
    saved: Path
    urls: dict[int, str]
    login_ids: dict[str, str]

    def restore(self) -> None:
        with self.app.app_context():
            db.engine.dispose()  # no open connection may see the file being replaced
        shutil.copyfile(self.saved, self.database)


@pytest.fixture(scope="module")
def matrix(tmp_path_factory, sqlite_schema) -> Matrix:
    folder = tmp_path_factory.mktemp("matrix")
    database = folder / "matrix.sqlite"
    shutil.copyfile(sqlite_schema, database)
    app = make_app(
        f"sqlite:///{database}",
        UPLOAD_FOLDER=str(folder / "uploads"),
        WTF_CSRF_ENABLED=False,
        RATELIMIT_ENABLED=False,
    )
    app.test_client_class = ExpiringClient
    with app.app_context():
        world = build_world()
        urls = {index: rule.url(world) for index, rule in enumerate(RULES)}
        login_ids = {role: user.get_id() for role, user in world.users.items()}
        db.session.remove()
        db.engine.dispose()
    saved = folder / "world.sqlite"
    shutil.copyfile(database, saved)
    return Matrix(app, database, saved, urls, login_ids)


CASES = [pytest.param(index, role, id=f"{rule.id} as {role}") for index, rule in enumerate(RULES) for role in ROLES]


@pytest.mark.parametrize(("index", "role"), CASES)
def test_access(matrix, index, role):
    rule = RULES[index]
    matrix.restore()
    client = matrix.app.test_client()
    if role != "anonymous":
        log_in_id(client, matrix.login_ids[role])
    url = matrix.urls[index]
    response = client.open(url, method=rule.method)
    expected = rule.status_for(role)
    assert response.status_code == expected, (
        f"{role}: {rule.method} {url} gave {response.status_code}, expected {expected}"
    )
