"""Walks the authorization matrix: every route, every role, own and other organisation's objects."""

import importlib
import pkgutil
from pathlib import Path

import pytest

from tests.access import ROLES, Rule, build_world, log_in
from tests.conftest import reset_database

TESTS = Path(__file__).parent


def all_rules() -> list[Rule]:
    rules = []
    for module in pkgutil.iter_modules([str(TESTS)]):
        if module.ispkg and (TESTS / module.name / "access.py").exists():
            rules.extend(importlib.import_module(f"tests.{module.name}.access").RULES)
    return rules


RULES = all_rules()
EXEMPT_ENDPOINTS = {"static"}


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


@pytest.mark.app_config(WTF_CSRF_ENABLED=False, RATELIMIT_ENABLED=False)
@pytest.mark.parametrize("rule", RULES, ids=[rule.id for rule in RULES])
def test_access(app, rule):
    world = build_world()
    failures = []
    for role in ROLES:
        if rule.method != "GET" and role != ROLES[0]:
            # What an allowed role's empty POST changed must not affect the next role.
            reset_database()
            world = build_world()
        client = app.test_client()
        if role != "anonymous":
            log_in(client, world.users[role])
        url = rule.url(world)
        response = client.open(url, method=rule.method)
        expected = rule.status_for(role)
        if response.status_code != expected:
            failures.append(f"{role}: {rule.method} {url} gave {response.status_code}, expected {expected}")
    assert not failures, "\n".join(failures)
