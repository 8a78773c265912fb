"""Shared fixtures: the app on SQLite and PostgreSQL, a client, factories and login helpers."""

import contextlib
import contextvars
import os
import re
import secrets
import shutil
import sqlite3

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


# Which databases a test runs on ------------------------------------------------------------------
#
# A test that uses the database (the `app` fixture, or `backend` itself) runs on SQLite and on
# PostgreSQL unless it is marked. Both is the default because it is the safe one: a forgotten mark
# costs time, never coverage. Mark a test, a class or a module (`pytestmark = ...`):
#   sqlite_only    its result cannot depend on the database: it checks Python logic such as
#                  permission predicates, workflow tables, validation or templates. Never for a test
#                  about SQL, constraints, locking, transactions, migrations, concurrency or queries.
#   postgres_only  it needs what SQLite lacks (row locks, concurrent writers).
# The closest mark wins (a test's own over its module's). The choice shows in the test id:
# [sqlite] and [postgresql] for both, [sqlite-only] or [postgresql-only] for one.
# `pytest --db=sqlite` (as `make test-fast` does) runs every database test on SQLite alone and
# leaves out the postgres_only ones: a quick inner loop, not a replacement for the whole suite.
ONE_DATABASE = {
    "sqlite_only": pytest.param("sqlite", id="sqlite-only"),
    "postgres_only": pytest.param("postgresql", id="postgresql-only"),
}


def pytest_addoption(parser):
    parser.addoption(
        "--db",
        choices=("both", "sqlite"),
        default="both",
        help="databases for tests that use one: both (the default), or sqlite for a quick inner loop",
    )


def pytest_generate_tests(metafunc):
    if "backend" not in metafunc.fixturenames:
        return
    for marker in metafunc.definition.iter_markers("parametrize"):
        names = marker.args[0] if marker.args else marker.kwargs.get("argnames", "")
        names = [n.strip() for n in names.split(",")] if isinstance(names, str) else list(names)
        if "backend" in names:
            raise pytest.UsageError(
                f"{metafunc.definition.nodeid}: choose the database with @pytest.mark.sqlite_only or "
                "@pytest.mark.postgres_only, not by parametrizing `backend`"
            )
    chosen = next((m.name for m in metafunc.definition.iter_markers() if m.name in ONE_DATABASE), None)
    params = [ONE_DATABASE[chosen]] if chosen else BACKENDS
    if metafunc.config.getoption("db") == "sqlite":
        if chosen == "postgres_only":
            params = [pytest.param("postgresql", id="postgresql-only", marks=pytest.mark.skip(reason="--db=sqlite"))]
        else:
            params = [param for param in params if param != "postgresql"]
    metafunc.parametrize("backend", params, indirect=True)


@pytest.fixture
def backend(request):
    """The database of this run, sqlite or postgresql (parametrized by pytest_generate_tests above)."""
    return request.param


@pytest.fixture(autouse=True)
def _no_stray_database_marks(request):
    """A database mark on a test that uses no database says something untrue: refuse it."""
    if "backend" not in request.fixturenames:
        own = [m.name for m in request.node.own_markers if m.name in ONE_DATABASE]
        if own:
            pytest.fail(f"@pytest.mark.{own[0]} on a test that uses no database", pytrace=False)


# Test databases need no durability: a crash loses a throw-away database anyway. Not waiting for
# the disk on every commit makes SQLite tests much faster; what SQL does is unchanged.
@sa.event.listens_for(sa.engine.Engine, "connect")
def _no_fsync_for_sqlite(dbapi_connection, connection_record):
    if isinstance(dbapi_connection, sqlite3.Connection):
        dbapi_connection.execute("PRAGMA synchronous = OFF")


@contextlib.contextmanager
def throwaway_postgres(prefix: str):
    """A new, empty database on the local server (its SQLAlchemy URL), dropped afterwards."""
    import psycopg

    name = f"{prefix}_{os.getpid()}_{secrets.token_hex(3)}"
    with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    base = POSTGRES_ADMIN_URL.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://", 1)
    try:
        yield f"{base}/{name}"
    finally:
        with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def postgres_url():
    """A throw-away database on the local server for this test session, dropped at the end."""
    problem = _postgres_reachable()
    if problem:
        if REQUIRE_POSTGRES:
            pytest.fail(f"REQUIRE_POSTGRES=1 but {problem}")
        pytest.skip(problem)
    with throwaway_postgres("pp_test") as url:
        yield url


_pg_schema_ready: set[str] = set()


def make_app(database_url: str, **overrides):
    config = {k: getattr(TestingConfig, k) for k in dir(TestingConfig) if k.isupper()}
    config.update(SQLALCHEMY_DATABASE_URI=database_url, **overrides)
    return create_app(config)


def _empty_postgres() -> None:
    """Delete every row and restart every id sequence, as a fresh database would have them.

    DELETE, not TRUNCATE: on tables this small, TRUNCATE (new files for every table) costs a
    few hundred milliseconds per test, DELETE a few.
    """
    deletes = "; ".join(f'DELETE FROM "{t.name}"' for t in reversed(db.metadata.sorted_tables))
    sequences = db.session.scalars(
        sa.text("SELECT quote_ident(schemaname) || '.' || quote_ident(sequencename) FROM pg_sequences")
    )
    restarts = "".join(f"; ALTER SEQUENCE {name} RESTART" for name in sequences)
    db.session.connection().exec_driver_sql(deletes + restarts)
    db.session.commit()


@pytest.fixture(scope="session")
def sqlite_schema(tmp_path_factory):
    """An SQLite file with the empty schema, made once per process; each test gets a copy of it."""
    import partner_portal.models  # noqa: F401  (every table in the metadata)

    path = tmp_path_factory.mktemp("schema") / "schema.sqlite"
    engine = sa.create_engine(f"sqlite:///{path}")
    db.metadata.create_all(engine)
    engine.dispose()
    return path


@pytest.fixture
def database_url(backend, request, tmp_path):
    if backend == "sqlite":
        path = tmp_path / "test.sqlite"
        shutil.copyfile(request.getfixturevalue("sqlite_schema"), path)  # much faster than create_all
        return f"sqlite:///{path}"
    return request.getfixturevalue("postgres_url")


@pytest.fixture
def app(database_url, backend, tmp_path, request):
    """The app on a fresh database; `@pytest.mark.app_config(KEY=value)` overrides settings."""
    marker = request.node.get_closest_marker("app_config")
    overrides = dict(marker.kwargs) if marker else {}
    app = make_app(database_url, UPLOAD_FOLDER=str(tmp_path / "uploads"), **overrides)
    app.test_client_class = ExpiringClient
    with app.app_context():
        if backend == "postgresql" and database_url not in _pg_schema_ready:
            db.create_all()
            _pg_schema_ready.add(database_url)
        yield app
        db.session.remove()
        if backend == "postgresql":
            _empty_postgres()
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
    """One Chromium per process (Playwright allows one sync_playwright() per process).

    Under pytest-xdist each worker is a process with its own Chromium and live servers; spreading
    the browser tests over the workers measured faster than keeping them on one.
    Each such process also starts the Nu HTML checker that the page checks use (one JVM per process).
    """
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
