"""Sessions: revoked on the server although the cookie is client-side; idle and absolute limits."""

import time
from http.cookies import SimpleCookie

import pytest

from partner_portal.auth.models import OrgRole, StaffRole
from tests import factories
from tests.conftest import csrf_token, post_form


def _session_cookie(client, app) -> str:
    cookie = client.get_cookie(app.config["SESSION_COOKIE_NAME"])
    assert cookie is not None
    return cookie.value


def _replay(app, cookie_value: str, url: str = "/profiel") -> int:
    """Send a copied session cookie from another 'browser'."""
    other = app.test_client()
    other.set_cookie(app.config["SESSION_COOKIE_NAME"], cookie_value)
    return other.get(url).status_code


def test_logout_ends_a_copied_session_cookie(app, client, login_as):
    person = factories.user()
    factories.commit()
    login_as(person)
    stolen = _session_cookie(client, app)
    assert _replay(app, stolen) == 200
    client.post("/logout", data={"csrf_token": csrf_token(client, "/profiel")})
    assert _replay(app, stolen) == 302  # sent to the login page


def test_password_change_ends_other_sessions_but_keeps_this_one(app, client, login_as):
    person = factories.user()
    factories.commit()
    login_as(person)
    other_device = _session_cookie(client, app)
    response = post_form(
        client,
        "/profiel/wachtwoord",
        {
            "password-current": factories.PASSWORD,
            "password-password": "een-heel-nieuw-wachtwoord",
            "password-confirm": "een-heel-nieuw-wachtwoord",
        },
        form_url="/profiel",
    )
    assert response.status_code == 302
    assert client.get("/profiel").status_code == 200
    assert _replay(app, other_device) == 302
    client.post("/logout", data={"csrf_token": csrf_token(client, "/profiel")})
    assert (
        post_form(client, "/login", {"email": person.email, "password": "een-heel-nieuw-wachtwoord"}).status_code == 302
    )


def test_password_change_with_wrong_current_password_changes_nothing(client, login_as):
    person = factories.user()
    factories.commit()
    old_hash = person.password_hash
    login_as(person)
    response = post_form(
        client,
        "/profiel/wachtwoord",
        {
            "password-current": "verkeerd-wachtwoord",
            "password-password": "een-heel-nieuw-wachtwoord",
            "password-confirm": "een-heel-nieuw-wachtwoord",
        },
        form_url="/profiel",
    )
    assert response.status_code == 400
    assert "Uw huidige wachtwoord klopt niet." in response.get_data(as_text=True)
    assert person.password_hash == old_hash


def test_deactivation_ends_every_session_of_that_user(app, client, login_as):
    org = factories.organisation()
    admin = factories.user(org, OrgRole.org_admin)
    person = factories.user(org, OrgRole.member)
    factories.commit()
    victim_client = app.test_client()
    post_form(victim_client, "/login", {"email": person.email, "password": factories.PASSWORD})
    assert victim_client.get("/profiel").status_code == 200

    login_as(admin)
    response = post_form(
        client, f"/mensen/{person.id}/status", {"reason": "vertrokken"}, form_url=f"/mensen/{person.id}"
    )
    assert response.status_code == 302
    assert victim_client.get("/profiel").status_code == 302
    assert not person.is_active and person.deactivated_at is not None


@pytest.mark.sqlite_only
@pytest.mark.app_config(SESSION_IDLE_MINUTES=0)
def test_idle_session_expires(client, login_as):
    person = factories.user()
    factories.commit()
    login_as(person)
    time.sleep(1.1)
    response = client.get("/profiel")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


@pytest.mark.sqlite_only
@pytest.mark.app_config(SESSION_ABSOLUTE_HOURS=0)
def test_absolute_lifetime_ends_even_an_active_session(client, login_as):
    person = factories.user()
    factories.commit()
    login_as(person)
    time.sleep(1.1)
    assert client.get("/profiel").status_code == 302


@pytest.mark.sqlite_only
def test_new_session_at_login(app, client):
    person = factories.user()
    factories.commit()
    client.get("/login")
    with client.session_transaction() as session:
        session["planted"] = "by an attacker"
    post_form(client, "/login", {"email": person.email, "password": factories.PASSWORD})
    with client.session_transaction() as session:
        assert "planted" not in session


@pytest.mark.sqlite_only
def test_session_and_remember_cookie_flags(app, client):
    person = factories.user(role=StaffRole.moderator)
    factories.commit()
    response = post_form(client, "/login", {"email": person.email, "password": factories.PASSWORD, "remember": "y"})
    cookies = {}
    for header in response.headers.getlist("Set-Cookie"):
        parsed = SimpleCookie()
        parsed.load(header)
        for name in parsed:
            cookies[name] = header.lower()
    for raw in (cookies[app.config["SESSION_COOKIE_NAME"]], cookies[app.config["REMEMBER_COOKIE_NAME"]]):
        assert "httponly" in raw
        assert "samesite=lax" in raw


def test_remember_me_restores_login_after_the_session_cookie_is_gone(app, client):
    person = factories.user()
    factories.commit()
    post_form(client, "/login", {"email": person.email, "password": factories.PASSWORD, "remember": "y"})
    client.delete_cookie(app.config["SESSION_COOKIE_NAME"])
    assert client.get("/profiel").status_code == 200


def test_logout_also_kills_a_copied_remember_cookie(app, client):
    person = factories.user()
    factories.commit()
    post_form(client, "/login", {"email": person.email, "password": factories.PASSWORD, "remember": "y"})
    remember = client.get_cookie(app.config["REMEMBER_COOKIE_NAME"]).value
    client.post("/logout", data={"csrf_token": csrf_token(client, "/profiel")})
    other = app.test_client()
    other.set_cookie(app.config["REMEMBER_COOKIE_NAME"], remember)
    assert other.get("/profiel").status_code == 302


def _remembered_cookie(app, client, person) -> str:
    post_form(client, "/login", {"email": person.email, "password": factories.PASSWORD, "remember": "y"})
    return client.get_cookie(app.config["REMEMBER_COOKIE_NAME"]).value


def _with_remember_cookie(app, value: str):
    other = app.test_client()
    other.set_cookie(app.config["REMEMBER_COOKIE_NAME"], value)
    return other


@pytest.mark.sqlite_only
def test_a_copied_remember_cookie_expires_on_the_server_after_remember_days(app, client, monkeypatch):
    person = factories.user()
    factories.commit()
    copied = _remembered_cookie(app, client, person)
    assert _with_remember_cookie(app, copied).get("/profiel").status_code == 200
    days = app.config["REMEMBER_COOKIE_DURATION"].days
    real_time = time.time
    monkeypatch.setattr(time, "time", lambda: real_time() + days * 86400 - 3600)
    assert _with_remember_cookie(app, copied).get("/profiel").status_code == 200
    monkeypatch.setattr(time, "time", lambda: real_time() + days * 86400 + 60)
    response = _with_remember_cookie(app, copied).get("/profiel")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


@pytest.mark.sqlite_only
def test_a_restored_login_keeps_the_lifetime_of_the_original_login(app, client, monkeypatch):
    person = factories.user()
    factories.commit()
    copied = _remembered_cookie(app, client, person)
    days = app.config["REMEMBER_COOKIE_DURATION"].days
    real_time = time.time
    monkeypatch.setattr(time, "time", lambda: real_time() + days * 86400 - 60)
    restored = _with_remember_cookie(app, copied)
    assert restored.get("/profiel").status_code == 200
    restored.delete_cookie(app.config["REMEMBER_COOKIE_NAME"])
    monkeypatch.setattr(time, "time", lambda: real_time() + days * 86400 + 60)
    assert restored.get("/profiel").status_code == 302  # the session made from it ends with it


@pytest.mark.sqlite_only
def test_a_remember_cookie_without_an_issue_time_or_with_a_forged_one_is_refused(app, client):
    from flask_login.utils import encode_cookie

    person = factories.user()
    factories.commit()
    copied = _remembered_cookie(app, client, person)
    with app.test_request_context():
        old_style = encode_cookie(person.get_id())  # "id:version", as issued before
        assert _with_remember_cookie(app, old_style).get("/profiel").status_code == 302
        payload, digest = copied.rsplit("|", 1)
        forged = f"{payload.rsplit(':', 1)[0]}:{int(time.time()) + 10 * 86400}|{digest}"
        assert _with_remember_cookie(app, forged).get("/profiel").status_code == 302
        future = encode_cookie(f"{person.get_id()}:{int(time.time()) + 10 * 86400}")
        assert _with_remember_cookie(app, future).get("/profiel").status_code == 302
