"""Redis for the rate limits unreachable: every login-related form keeps working, never a 500.

Redis is really unreachable here (a closed port); the limits fall back to per-process memory
with a logged warning, and still limit.
"""

import logging
import re

import pytest

from partner_portal.auth import links, tokens
from partner_portal.auth.models import OrgRole
from tests import factories
from tests.conftest import post_form

DEAD_REDIS = "redis://127.0.0.1:1/0"
NEW = "een-gloednieuw-wachtwoord-9"

pytestmark = [
    pytest.mark.sqlite_only,
    pytest.mark.app_config(RATELIMIT_STORAGE_URI=DEAD_REDIS, LOGIN_LIMIT_PER_ACCOUNT="3 per 15 minutes"),
]


def _warned(caplog) -> bool:
    return any(r.levelno == logging.WARNING and "storage unreachable" in r.getMessage() for r in caplog.records)


def test_login_right_and_wrong_password_work_without_redis(client, caplog):
    person = factories.user()
    factories.commit()
    assert post_form(client, "/login", {"email": person.email, "password": "fout-fout-fout-fout"}).status_code == 200
    assert post_form(client, "/login", {"email": person.email, "password": factories.PASSWORD}).status_code == 302
    assert _warned(caplog)


def test_the_login_limit_still_holds_in_memory(client):
    person = factories.user()
    factories.commit()
    for _ in range(3):
        assert (
            post_form(client, "/login", {"email": person.email, "password": "fout-fout-fout-fout"}).status_code == 200
        )
    assert post_form(client, "/login", {"email": person.email, "password": "fout-fout-fout-fout"}).status_code == 429


def test_password_reset_request_and_link_work_without_redis(app, client, caplog):
    person = factories.user()
    factories.commit()
    assert post_form(client, "/wachtwoord-vergeten", {"email": person.email}, buffered=True).status_code == 302
    with app.test_request_context():
        path = links.reset_url(person).removeprefix(app.config["BASE_URL"])
    assert post_form(client, path, {"password": NEW, "confirm": NEW}).status_code == 302
    assert _warned(caplog)


def test_invitation_and_password_change_work_without_redis(app, client, login_as):
    person = factories.user(password=None)
    factories.commit()
    token = tokens.make_token(person, "invite")
    assert post_form(client, f"/uitnodiging/{token}", {"password": NEW, "confirm": NEW}).status_code == 302
    login_as(person, password=NEW)
    response = post_form(
        client,
        "/profiel/wachtwoord",
        {"password-current": NEW, "password-password": NEW + "-2", "password-confirm": NEW + "-2"},
        form_url="/profiel",
    )
    assert response.status_code == 302


def test_inviting_someone_works_without_redis(client, login_as):
    org = factories.organisation()
    admin = factories.user(org, OrgRole.org_admin)
    factories.commit()
    login_as(admin)
    response = post_form(
        client,
        f"/organisaties/{org.id}/mensen",
        {"name": "Nieuwe Collega", "email": "nieuw@example.org", "function_title": "", "org_role": "member"},
    )
    assert response.status_code == 200
    assert re.search(r"/uitnodiging/", response.get_data(as_text=True))
