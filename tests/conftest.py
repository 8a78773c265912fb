"""Shared fixtures: the app on SQLite and PostgreSQL, a client, factories and login helpers."""

import contextvars
import os
import re
import secrets

import pytest
import sqlalchemy as sa
from flask import has_app_context
from flask.testing import FlaskClient

from config import TestingConfig
from partner_portal import create_app
from partner_portal.extensions import db

pytest_plugins = ["tests.smtp"]  # the `smtp` fixture: a real SMTP server on loopback

POSTGRES_ADMIN_URL = os.environ.get("TEST_POSTGRES_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
REQUIRE_POSTGRES = os.environ.get("REQUIRE_POSTGRES") == "1"
BACKENDS = ["sqlite", "postgresql"]


def _postgres_reachable() -> str | None:
    """None if the server answers, else the reason it does not."""
    try:
        import psycopg

        with psycopg.connect(POSTGRES_ADMIN_URL, connect_timeout=3):
            return None
    except Exception as exc:
        return f"PostgreSQL at {POSTGRES_ADMIN_URL} is not reachable: {exc}".splitlines()[0]


@pytest.fixture(scope="session")
def postgres_url():
    """A throw-away database on the local server for this test session, dropped at the end."""
    problem = _postgres_reachable()
    if problem:
        if REQUIRE_POSTGRES:
            pytest.fail(f"REQUIRE_POSTGRES=1 but {problem}")
        pytest.skip(problem)
    import psycopg

    name = f"pp_test_{os.getpid()}_{secrets.token_hex(3)}"
    with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    base = POSTGRES_ADMIN_URL.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://", 1)
    yield f"{base}/{name}"
    with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


_pg_schema_ready: set[str] = set()


def make_app(database_url: str, **overrides):
    config = {k: getattr(TestingConfig, k) for k in dir(TestingConfig) if k.isupper()}
    config.update(SQLALCHEMY_DATABASE_URI=database_url, **overrides)
    return create_app(config)


def _truncate_all() -> None:
    tables = ", ".join(f'"{t.name}"' for t in db.metadata.sorted_tables)
    db.session.execute(sa.text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    db.session.commit()


def reset_database() -> None:
    """Empty every table (inside a test, for a fresh start)."""
    db.session.remove()
    if db.engine.dialect.name == "postgresql":
        _truncate_all()
    else:
        db.drop_all()
        db.create_all()
    db.session.remove()


@pytest.fixture(params=BACKENDS)
def backend(request):
    return request.param


@pytest.fixture
def database_url(backend, request, tmp_path):
    if backend == "sqlite":
        return f"sqlite:///{tmp_path / 'test.sqlite'}"
    return request.getfixturevalue("postgres_url")


@pytest.fixture
def app(database_url, backend, tmp_path, request):
    """The app on a fresh database; `@pytest.mark.app_config(KEY=value)` overrides settings."""
    marker = request.node.get_closest_marker("app_config")
    overrides = dict(marker.kwargs) if marker else {}
    app = make_app(database_url, UPLOAD_FOLDER=str(tmp_path / "uploads"), **overrides)
    app.test_client_class = ExpiringClient
    with app.app_context():
        if backend == "sqlite" or database_url not in _pg_schema_ready:
            db.create_all()
            _pg_schema_ready.add(database_url)
        yield app
        db.session.remove()
        if backend == "postgresql":
            _truncate_all()
            db.session.remove()
        db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


def csrf_token(client, url: str) -> str:
    """The CSRF token of the form on `url` (as a browser would get it)."""
    response = client.get(url)
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', response.get_data(as_text=True))
    assert match, f"no CSRF token on {url} (status {response.status_code})"
    return match.group(1)


def post_form(client, url: str, data: dict, *, form_url: str | None = None, **kwargs):
    """POST `data` to `url` with a valid CSRF token taken from `form_url` (default: `url`)."""
    token = csrf_token(client, form_url or url)
    return client.post(url, data={"csrf_token": token, **data}, **kwargs)


@pytest.fixture
def login_as(client):
    """login_as(user_or_email, password=...) logs the test client in through the real login form."""
    from tests.factories import PASSWORD

    def _login(user_or_email, password: str = PASSWORD, remember: bool = False):
        email = getattr(user_or_email, "email", user_or_email)
        data = {"email": email, "password": password}
        if remember:
            data["remember"] = "y"
        response = post_form(client, "/login", data)
        assert response.status_code == 302, f"login as {email} failed ({response.status_code})"
        return response

    return _login


class ExpiringClient(FlaskClient):
    """Runs each request in its own app context, as in production, not in the test's.

    The test holds an app context for its factories; without this, requests would share its
    database session and `g` (and so cached locale, user, identity map). After each request
    the test's own session is expired so that it re-reads what the request wrote.
    """

    def open(self, *args, **kwargs):
        response = contextvars.Context().run(super().open, *args, **kwargs)
        if has_app_context():  # not inside a redirect followed within the fresh context
            db.session.expire_all()
        return response


# Real browser ---------------------------------------------------------------------------------

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
REQUIRE_BROWSER = os.environ.get("REQUIRE_BROWSER") == "1"


def skip_or_fail_browser(reason: str):
    if REQUIRE_BROWSER:
        pytest.fail(f"REQUIRE_BROWSER=1 but {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def browser():
    """One Chromium for the whole session (Playwright allows one sync_playwright() per process),
    and the Nu HTML checker that the browser tests' page checks use."""
    if not os.access(CHROMIUM, os.X_OK):
        skip_or_fail_browser(f"no Chromium at {CHROMIUM} (apt-get install chromium)")
    from tests.browser import helpers, htmlchecker

    if not helpers.AXE_JS.exists():
        skip_or_fail_browser(f"axe-core is not installed at {helpers.AXE_JS} (run `make browser-deps`)")
    problem = htmlchecker.missing()
    if problem:
        skip_or_fail_browser(problem)
    from playwright.sync_api import sync_playwright

    checker = htmlchecker.HtmlChecker()  # every page the browser tests see is validated by it
    helpers.use_html_checker(checker)
    try:
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            yield chromium
            chromium.close()
    finally:
        helpers.use_html_checker(None)
        checker.close()


class LiveServer:
    """The app served over HTTP on a free loopback port, in a thread of the test process."""

    def __init__(self, app):
        import threading

        from werkzeug.serving import make_server

        self.app = app
        self.server = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, name="live-server", daemon=True)

    def start(self) -> "LiveServer":
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=10)


@pytest.fixture
def live_server(app):
    """The app with the demo data on a fresh database (SQLite and PostgreSQL), served on 127.0.0.1.

    Links in e-mail and on pages (BASE_URL) point at this server. Public pages go through the
    page cache as in production (in memory: the server is one process).
    """
    from partner_portal import demo
    from partner_portal.core import pagecache

    demo.seed()
    db.session.commit()
    db.session.remove()
    app.config["PAGE_CACHE_URL"] = "memory://"
    pagecache.init_app(app)
    server = LiveServer(app)
    app.config["BASE_URL"] = server.url
    server.start()
    yield server
    server.stop()


@pytest.fixture
def page(browser, live_server):
    """A page in a fresh browser context (own cookies) whose relative URLs go to the live server."""
    context = browser.new_context(base_url=live_server.url, locale="nl-NL")
    context.set_default_timeout(10_000)
    page = context.new_page()
    # The CSP stays on in the browser: anything it blocks, and any script error, fails the test.
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if "Content Security Policy" in m.text else None)
    page.on("pageerror", lambda error: problems.append(f"script error: {error}"))
    # Every stylesheet, script and icon a page asks for is there (a page itself may be a 4xx on purpose).
    page.on(
        "response",
        lambda r: (
            problems.append(f"{r.status} for {r.url}")
            if r.status >= 400 and r.request.resource_type != "document"
            else None
        ),
    )
    yield page
    context.close()
    assert not problems, "The browser reported:\n" + "\n".join(problems)
