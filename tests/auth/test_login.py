"""Logging in and out: start pages per role, same answer for unknown e-mail, rate limits, CSRF."""

import pytest
from argon2 import PasswordHasher

from partner_portal.auth import passwords
from partner_portal.auth.models import OrgRole, StaffRole, User
from partner_portal.extensions import db
from tests import factories
from tests.conftest import post_form

START_PAGES = {
    StaffRole.administrator: "/beheer/organisaties",
    StaffRole.moderator: "/beheer/reacties",  # the moderation queue
    StaffRole.process_manager: "/beheer/consultaties",
    StaffRole.mkb_staff: "/mkb/dashboard",
    OrgRole.member: "/mijn",
    OrgRole.signatory: "/mijn",
    OrgRole.org_admin: "/mijn",
}


@pytest.mark.parametrize("role", list(START_PAGES), ids=str)
def test_every_role_logs_in_and_lands_on_its_start_page(client, role):
    person = factories.user(role=role)
    factories.commit()
    response = post_form(client, "/login", {"email": person.email.upper(), "password": factories.PASSWORD})
    assert response.status_code == 302
    assert response.headers["Location"] == START_PAGES[role]
    assert client.get(response.headers["Location"]).status_code == 200
    assert db.session.get(User, person.id).last_login_at is not None


def test_wrong_password_and_unknown_email_get_the_same_answer(client, monkeypatch):
    factories.user(email="bekend@example.org")
    factories.commit()
    verifications = []

    class CountingHasher(PasswordHasher):
        def verify(self, hash, password):
            verifications.append(hash)
            return super().verify(hash, password)

    real = passwords._hasher
    monkeypatch.setattr(
        passwords,
        "_hasher",
        CountingHasher(time_cost=real.time_cost, memory_cost=real.memory_cost, parallelism=real.parallelism),
    )

    wrong = post_form(client, "/login", {"email": "bekend@example.org", "password": "niet-het-goede-wachtwoord"})
    unknown = post_form(client, "/login", {"email": "onbekend@example.org", "password": "niet-het-goede-wachtwoord"})

    for response in (wrong, unknown):
        assert response.status_code == 200
        assert "Het e-mailadres of het wachtwoord klopt niet." in response.get_data(as_text=True)
    # Both paths do exactly one argon2 verification, so they take the same time.
    assert len(verifications) == 2


def test_deactivated_user_cannot_log_in(client):
    person = factories.user(is_active=False)
    factories.commit()
    response = post_form(client, "/login", {"email": person.email, "password": factories.PASSWORD})
    assert response.status_code == 200
    assert "klopt niet" in response.get_data(as_text=True)


def test_invited_user_without_password_cannot_log_in(client):
    person = factories.user(password=None)
    factories.commit()
    response = post_form(client, "/login", {"email": person.email, "password": ""})
    assert response.status_code == 200
    assert "Vul dit veld in." in response.get_data(as_text=True)


def test_login_rehashes_when_parameters_change(client, monkeypatch):
    person = factories.user()
    factories.commit()
    old_hash = person.password_hash
    monkeypatch.setattr(passwords, "needs_rehash", lambda h: True)
    post_form(client, "/login", {"email": person.email, "password": factories.PASSWORD})
    assert db.session.get(User, person.id).password_hash != old_hash
    assert passwords.verify_password(db.session.get(User, person.id).password_hash, factories.PASSWORD)


@pytest.mark.sqlite_only
def test_next_parameter_only_accepts_local_paths(client):
    person = factories.user()
    factories.commit()
    ok = post_form(client, "/login?next=/profiel", {"email": person.email, "password": factories.PASSWORD})
    assert ok.headers["Location"] == "/profiel"
    client.post("/logout", data={"csrf_token": _token(client)})
    evil = post_form(client, "/login?next=//evil.example/x", {"email": person.email, "password": factories.PASSWORD})
    assert evil.headers["Location"] == "/mijn"


def _token(client):
    from tests.conftest import csrf_token

    return csrf_token(client, "/profiel")


@pytest.mark.sqlite_only
def test_logout_requires_post_with_csrf(client, login_as):
    person = factories.user()
    factories.commit()
    login_as(person)
    assert client.get("/logout").status_code == 405
    assert client.post("/logout").status_code == 400  # no CSRF token: nothing happens
    assert client.get("/profiel").status_code == 200
    assert client.post("/logout", data={"csrf_token": _token(client)}).status_code == 302
    assert client.get("/profiel").status_code == 302


@pytest.mark.sqlite_only
@pytest.mark.app_config(LOGIN_LIMIT_PER_ACCOUNT="3 per 15 minutes", LOGIN_LIMIT_PER_IP="100 per 15 minutes")
def test_failed_logins_are_limited_per_account(client):
    person = factories.user()
    factories.commit()
    for _ in range(3):
        response = post_form(client, "/login", {"email": person.email, "password": "fout-fout-fout-fout"})
        assert response.status_code == 200
    blocked = post_form(client, "/login", {"email": person.email, "password": factories.PASSWORD})
    assert blocked.status_code == 429
    assert "Te veel pogingen" in blocked.get_data(as_text=True)
    # Another account from the same address is still allowed.
    other = factories.user()
    factories.commit()
    assert post_form(client, "/login", {"email": other.email, "password": factories.PASSWORD}).status_code == 302


@pytest.mark.sqlite_only
@pytest.mark.app_config(LOGIN_LIMIT_PER_ACCOUNT="100 per 15 minutes", LOGIN_LIMIT_PER_IP="4 per 15 minutes")
def test_failed_logins_are_limited_per_address(client):
    for n in range(4):
        post_form(client, "/login", {"email": f"iemand{n}@example.org", "password": "fout-fout-fout-fout"})
    blocked = post_form(client, "/login", {"email": "nog-iemand@example.org", "password": "fout-fout-fout-fout"})
    assert blocked.status_code == 429


@pytest.mark.sqlite_only
@pytest.mark.app_config(LOGIN_LIMIT_PER_ACCOUNT="2 per 15 minutes")
def test_successful_logins_do_not_count_towards_the_limit(client):
    person = factories.user()
    factories.commit()
    for _ in range(4):
        assert post_form(client, "/login", {"email": person.email, "password": factories.PASSWORD}).status_code == 302
        client.post("/logout", data={"csrf_token": _token(client)})


@pytest.mark.sqlite_only
def test_login_without_csrf_token_is_refused_with_friendly_page(client):
    person = factories.user()
    factories.commit()
    response = client.post("/login", data={"email": person.email, "password": factories.PASSWORD})
    assert response.status_code == 400
    assert "Het formulier is verlopen" in response.get_data(as_text=True)
    assert db.session.get(User, person.id).last_login_at is None


@pytest.mark.sqlite_only
def test_password_never_reaches_the_log(client, caplog):
    person = factories.user()
    factories.commit()
    post_form(client, "/login", {"email": person.email, "password": "geheim-wachtwoord-in-log?"})
    post_form(client, "/login", {"email": person.email, "password": factories.PASSWORD})
    assert "geheim-wachtwoord-in-log" not in caplog.text
    assert factories.PASSWORD not in caplog.text
    assert "POST /login 302 user=" in caplog.text
