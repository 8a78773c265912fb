"""Login limits: wrong passwords are limited without locking the right person out (ASVS 6.3).

The counts are exact under parallel attempts: real threads against a live server, with the
counters in memory and in Redis.
"""

import os
import secrets
import threading
import urllib.error
import urllib.parse
import urllib.request

import pytest

from partner_portal.auth import links, passwords
from tests import factories
from tests.conftest import LiveServer, post_form

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/10")
REQUIRE_REDIS = os.environ.get("REQUIRE_REDIS") == "1"
WRONG = "fout-fout-fout-fout"
sqlite_only = pytest.mark.sqlite_only


def _login(client, email, password=factories.PASSWORD, **kwargs):
    return post_form(client, "/login", {"email": email, "password": password}, **kwargs)


def _fail(client, email, times):
    for _ in range(times):
        assert _login(client, email, WRONG).status_code == 200


def _logout(client):
    from tests.conftest import csrf_token

    client.post("/logout", data={"csrf_token": csrf_token(client, "/profiel")})


@sqlite_only
@pytest.mark.app_config(LOGIN_LIMIT_PER_ACCOUNT="3 per 15 minutes", LOGIN_LIMIT_PER_IP="100 per 15 minutes")
def test_wrong_passwords_from_elsewhere_do_not_lock_the_owner_out_of_a_known_browser(app, client):
    person = factories.user()
    factories.commit()
    # The owner logged in from this browser before: it carries a device cookie.
    assert _login(client, person.email).status_code == 302
    assert client.get_cookie(app.config["LOGIN_DEVICE_COOKIE_NAME"]) is not None
    _logout(client)
    attacker = app.test_client()
    _fail(attacker, person.email, 3)
    refused = _login(attacker, person.email)
    assert refused.status_code == 429  # an unknown browser: the password is not even checked
    page = refused.get_data(as_text=True)
    assert "Te veel pogingen" in page and "wachtwoord-vergeten" in page
    # The owner's own browser is not locked out by the attacker's attempts.
    assert _login(client, person.email).status_code == 302


@sqlite_only
@pytest.mark.app_config(LOGIN_LIMIT_PER_ACCOUNT="3 per 15 minutes", LOGIN_LIMIT_PER_IP="100 per 15 minutes")
def test_a_reset_link_lifts_the_lock_at_once(app, client):
    person = factories.user()
    factories.commit()
    _fail(client, person.email, 3)
    assert _login(client, person.email).status_code == 429
    with app.test_request_context():
        url = links.reset_url(person)
    path = urllib.parse.urlsplit(url).path
    new = "een-gloednieuw-wachtwoord-9"
    assert post_form(client, path, {"password": new, "confirm": new}).status_code == 302
    assert _login(client, person.email, new).status_code == 302


@sqlite_only
@pytest.mark.app_config(LOGIN_LIMIT_PER_ACCOUNT="3 per 15 minutes", LOGIN_LIMIT_PER_IP="100 per 15 minutes")
def test_the_first_refusal_raises_an_alert_in_the_log_without_the_address(client, caplog):
    person = factories.user()
    factories.commit()
    _fail(client, person.email, 3)
    _login(client, person.email, WRONG)
    _login(client, person.email, WRONG)
    alerts = [r for r in caplog.records if r.levelname == "WARNING" and "Login limit reached" in r.getMessage()]
    assert len(alerts) == 1
    assert person.email not in alerts[0].getMessage()


@sqlite_only
@pytest.mark.app_config(LOGIN_LIMIT_PER_ACCOUNT="100 per 15 minutes", LOGIN_LIMIT_PER_IP="4 per 15 minutes")
def test_one_address_full_of_wrong_passwords_does_not_block_colleagues_on_known_browsers(app, client):
    colleague = factories.user()
    factories.commit()
    colleague_browser = app.test_client()
    assert _login(colleague_browser, colleague.email).status_code == 302
    _logout(colleague_browser)
    for n in range(4):
        _login(client, f"iemand{n}@example.org", WRONG)
    assert _login(client, "nog-iemand@example.org", WRONG).status_code == 429  # new browsers: limited
    assert _login(colleague_browser, colleague.email).status_code == 302


@sqlite_only
@pytest.mark.app_config(LOGIN_LIMIT_PER_ACCOUNT="2 per 15 minutes", LOGIN_LIMIT_PER_IP="2 per 15 minutes")
def test_successful_logins_count_towards_no_limit(client):
    person = factories.user()
    factories.commit()
    for _ in range(4):
        assert _login(client, person.email).status_code == 302
        _logout(client)
    # A success clears the account's count of failures.
    _fail(client, person.email, 1)
    assert _login(client, person.email).status_code == 302


@sqlite_only
@pytest.mark.app_config(LOGIN_LIMIT_PER_ACCOUNT="3 per 15 minutes", LOGIN_LIMIT_PER_IP="100 per 15 minutes")
def test_a_device_cookie_of_another_account_or_a_forged_one_is_not_trusted(app, client):
    person, other = factories.user(), factories.user()
    factories.commit()
    assert _login(client, other.email).status_code == 302  # a device cookie, but for `other`
    _logout(client)
    forged = app.test_client()
    forged.set_cookie(app.config["LOGIN_DEVICE_COOKIE_NAME"], "eyJhIjoiYSIsImQiOiJiIn0.forged")
    for browser in (client, forged):
        _fail(app.test_client(), person.email, 3) if browser is client else None
        assert _login(browser, person.email).status_code == 429


# Parallel attempts against a live server ------------------------------------------------------


@pytest.fixture(params=["memory", "redis"])
def counter_storage(request, app):
    if request.param == "redis":
        try:
            import redis

            redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
        except Exception as exc:
            if REQUIRE_REDIS:
                pytest.fail(f"REQUIRE_REDIS=1 but Redis at {REDIS_URL} is not reachable: {exc}")
            pytest.skip(f"Redis at {REDIS_URL} is not reachable: {exc}")
        app.config["RATELIMIT_STORAGE_URI"] = REDIS_URL
        app.config["RATELIMIT_KEY_PREFIX"] = f"test-{secrets.token_hex(4)}:"  # nothing shared with other runs
    return request.param


@sqlite_only
@pytest.mark.app_config(
    WTF_CSRF_ENABLED=False, LOGIN_LIMIT_PER_ACCOUNT="5 per 15 minutes", LOGIN_LIMIT_PER_IP="1000 per 15 minutes"
)
def test_parallel_wrong_passwords_are_checked_exactly_up_to_the_limit(app, counter_storage, monkeypatch):
    person = factories.user()
    factories.commit()
    email = person.email
    checked = []
    lock = threading.Lock()
    real_verify = passwords.verify_password

    def counting_verify(password_hash, password):
        with lock:
            checked.append(password)
        return real_verify(password_hash, password)

    monkeypatch.setattr(passwords, "verify_password", counting_verify)
    server = LiveServer(app).start()
    statuses = []
    start = threading.Barrier(40)

    def attempt():
        data = urllib.parse.urlencode({"email": email, "password": WRONG}).encode()
        start.wait()
        try:
            with urllib.request.urlopen(f"{server.url}/login", data=data, timeout=60) as response:  # noqa: S310 (loopback http)
                status = response.status
        except urllib.error.HTTPError as error:
            status = error.code
        with lock:
            statuses.append(status)

    threads = [threading.Thread(target=attempt) for _ in range(40)]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
    finally:
        server.stop()
    assert len(checked) == 5
    assert sorted(statuses) == [200] * 5 + [429] * 35
