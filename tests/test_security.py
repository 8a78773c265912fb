"""The security baseline: response headers, cookie flags, escaping, request size limit, CSP-safe templates."""

import re
from pathlib import Path

import pytest

from partner_portal import create_app
from partner_portal.auth.models import OrgRole, StaffRole
from partner_portal.extensions import db
from tests import factories
from tests.access import build_world, log_in
from tests.conftest import post_form
from tests.htmlcheck import elements
from tests.test_access_matrix import RULES

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"


def csp_directives(response) -> dict[str, list[str]]:
    policy = response.headers.get("Content-Security-Policy", "")
    directives = {}
    for part in policy.split(";"):
        words = part.split()
        if words:
            directives[words[0]] = words[1:]
    return directives


def assert_baseline_headers(response, url: str) -> None:
    csp = csp_directives(response)
    scripts = csp.get("script-src", csp.get("default-src"))
    assert scripts, f"{url}: no script policy"
    assert "'unsafe-inline'" not in scripts and "'unsafe-eval'" not in scripts, f"{url}: {scripts}"
    assert "'unsafe-inline'" not in csp.get("style-src", []), url
    assert csp.get("object-src") == ["'none'"], url
    assert csp.get("base-uri") == ["'none'"], url
    assert csp.get("frame-ancestors") == ["'none'"], url
    assert response.headers.get("X-Content-Type-Options") == "nosniff", url
    assert response.headers.get("Referrer-Policy") in {"same-origin", "strict-origin-when-cross-origin", "no-referrer"}
    assert response.headers.get("X-Frame-Options") == "DENY", url


@pytest.mark.app_config(RATELIMIT_ENABLED=False)
def test_every_page_sends_the_baseline_headers_and_no_store_when_logged_in(app):
    """Walks every GET route of the matrix as a visitor, a partner and an administrator."""
    world = build_world()
    checked = 0
    for role in ("anonymous", "member", "administrator"):
        client = app.test_client()
        if role != "anonymous":
            log_in(client, world.users[role])
        for rule in RULES:
            if rule.method != "GET":
                continue
            url = rule.url(world)
            response = client.get(url)
            assert_baseline_headers(response, url)
            if role != "anonymous" and response.status_code != 302:
                assert "no-store" in response.headers.get("Cache-Control", ""), f"{role} {url}"
            checked += 1
    assert checked > 30


@pytest.mark.sqlite_only
def test_error_pages_send_the_baseline_headers(client):
    assert_baseline_headers(client.get("/bestaat-niet"), "/bestaat-niet")
    assert_baseline_headers(client.post("/"), "POST /")


@pytest.mark.sqlite_only
def test_public_pages_are_not_marked_no_store_for_visitors(client):
    # Visitors' pages may be cached by the browser; only logged-in pages must not be.
    assert "no-store" not in client.get("/login").headers.get("Cache-Control", "")


@pytest.mark.sqlite_only
def test_no_hsts_outside_production(client):
    assert "Strict-Transport-Security" not in client.get("/").headers


def set_cookies(response) -> dict[str, str]:
    return {header.split("=", 1)[0]: header for header in response.headers.getlist("Set-Cookie")}


@pytest.mark.sqlite_only
def test_session_and_remember_cookies_are_httponly_and_samesite_lax(app, client, login_as):
    factories.user(email="koek@example.org")
    factories.commit()
    cookies = set_cookies(login_as("koek@example.org", remember=True))
    for name in ("session", "remember_token"):
        assert name in cookies, cookies
        flags = cookies[name].lower()
        assert "httponly" in flags
        assert "samesite=lax" in flags


@pytest.fixture
def production_app(monkeypatch, tmp_path):
    database_url = f"sqlite:///{tmp_path / 'production.sqlite'}"
    monkeypatch.setenv("APP_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", "a-production-like-secret-for-this-test")
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("AUDIT_HMAC_KEY", "a-production-like-audit-key-for-this-test")
    # The config classes read the environment at import; the factory takes the values as overrides.
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": database_url,
            "SECRET_KEY": "a-production-like-secret-for-this-test",
            "AUDIT_HMAC_KEY": "a-production-like-audit-key-for-this-test",
        }
    )
    with app.app_context():
        db.create_all()
        yield app
        db.session.remove()
        db.engine.dispose()


def test_production_sends_hsts_and_secure_host_prefixed_cookies(production_app):
    assert production_app.config["ENV_NAME"] == "production"
    factories.user(email="productie@example.org")
    factories.commit()
    client = production_app.test_client()
    base = {"base_url": "https://localhost"}
    page = client.get("/login", **base)
    assert page.headers["Strict-Transport-Security"].startswith("max-age=")
    assert_baseline_headers(page, "/login")
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page.get_data(as_text=True)).group(1)
    response = client.post(
        "/login",
        data={"csrf_token": token, "email": "productie@example.org", "password": factories.PASSWORD, "remember": "y"},
        headers={"Referer": "https://localhost/login"},  # CSRF over https checks the referrer
        **base,
    )
    assert response.status_code == 302
    cookies = set_cookies(response)
    for name in ("__Host-session", "__Host-remember"):
        assert name in cookies, cookies
        flags = [part.strip().lower() for part in cookies[name].split(";")]
        assert "secure" in flags and "httponly" in flags and "samesite=lax" in flags
        assert "path=/" in flags
        assert not any(flag.startswith("domain=") for flag in flags), "a __Host- cookie may not name a domain"
    assert client.get("/mijn", **base).headers["Cache-Control"] == "no-store"


def test_production_refuses_to_start_without_secret_key(monkeypatch, tmp_path):
    monkeypatch.setenv("APP_ENV", "production")
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'x.sqlite'}")
    with pytest.raises(SystemExit, match="SECRET_KEY"):
        create_app()


# Escaping --------------------------------------------------------------------------------

EVIL = '<script>alert("x")</script><img src=x onerror=alert(1)>'


@pytest.mark.sqlite_only
def test_user_written_text_is_escaped_on_every_page_that_shows_it(app):
    group = factories.sector_group(name="Sector " + EVIL)
    org = factories.organisation(group, name="Org " + EVIL)
    admin = factories.user(role=StaffRole.administrator, email="beheer@example.org")
    org_admin = factories.user(org, OrgRole.org_admin, name="Naam " + EVIL, email="orgbeheer@example.org")
    other = factories.user(org, OrgRole.member, name="Ander " + EVIL, function_title="Functie " + EVIL)
    group.coordinators.append(org_admin)
    factories.commit()

    pages = {
        admin: [
            "/beheer/organisaties",
            f"/beheer/organisaties?q={org.kvk_number}",
            f"/beheer/organisaties/{org.id}",
            "/beheer/gebruikers",
            "/beheer/sectorgroepen",
            f"/beheer/sectorgroepen/{group.id}",
            f"/mensen/{other.id}",
        ],
        org_admin: ["/mijn", f"/organisaties/{org.id}/mensen", f"/mensen/{other.id}", "/profiel"],
    }
    for user, urls in pages.items():
        client = app.test_client()
        assert post_form(client, "/login", {"email": user.email, "password": factories.PASSWORD}).status_code == 302
        for url in urls:
            response = client.get(url)
            assert response.status_code == 200, url
            html = response.get_data(as_text=True)
            assert "<script>alert" not in html, url
            assert "<img src=x" not in html, url
            assert "&lt;script&gt;alert(" in html, f"{url} does not show the escaped text"


@pytest.mark.sqlite_only
def test_search_terms_are_escaped(app, client, login_as):
    factories.user(role=StaffRole.administrator, email="beheer@example.org")
    factories.commit()
    login_as("beheer@example.org")
    html = client.get('/beheer/gebruikers?q="><script>alert(1)</script>').get_data(as_text=True)
    assert "<script>alert(1)" not in html
    assert "&#34;&gt;&lt;script&gt;" in html or "&quot;&gt;&lt;script&gt;" in html


def test_templates_have_no_inline_scripts_styles_or_event_handlers():
    """The CSP forbids them, so a template that used them would silently break in the browser.

    E-mail templates (templates/mail/) are exempt from the style rule only: mail clients ignore
    stylesheets, and no CSP applies to a message; scripts and handlers are still refused there.
    """
    problems = []
    for path in sorted(TEMPLATES.rglob("*.html")):
        is_mail = path.parent.name == "mail"
        text = path.read_text(encoding="utf-8")
        for number, line in enumerate(text.splitlines(), 1):
            if re.search(r"<script(?![^>]*\bsrc=)[^>]*>", line, re.IGNORECASE):
                problems.append(f"{path.name}:{number}: inline <script>")
            if re.search(r"<style\b", line, re.IGNORECASE) and not is_mail:
                problems.append(f"{path.name}:{number}: <style> element")
            if re.search(r"\sstyle\s*=", line, re.IGNORECASE) and not is_mail:
                problems.append(f"{path.name}:{number}: style attribute")
            if re.search(r"\son[a-z]+\s*=", line, re.IGNORECASE):
                problems.append(f"{path.name}:{number}: event-handler attribute")
            if re.search(r"javascript:", line, re.IGNORECASE):
                problems.append(f"{path.name}:{number}: javascript: URL")
    assert not problems, "\n".join(problems)


# Request size -------------------------------------------------------------------------------


@pytest.mark.sqlite_only
@pytest.mark.app_config(MAX_CONTENT_LENGTH=2048)
def test_a_body_over_the_limit_gets_the_friendly_413_page(app, client):
    response = client.post("/login", data={"email": "a@example.org", "password": "x" * 5000})
    assert response.status_code == 413
    html = response.get_data(as_text=True)
    assert "Bestand te groot" in html and '<h1 class="utrecht-heading-1">' in html
    assert_baseline_headers(response, "/login 413")


@pytest.mark.app_config(MAX_CONTENT_LENGTH=2048)
def test_an_oversized_upload_changes_nothing(app, client, login_as):
    org = factories.organisation()
    admin = factories.user(org, OrgRole.org_admin, email="orgbeheer@example.org")
    factories.commit()
    login_as(admin)
    before = len(org.users)
    response = post_form(
        client,
        f"/organisaties/{org.id}/mensen",
        {"name": "Groot", "email": "groot@example.org", "org_role": "member", "function_title": "x" * 4000},
    )
    assert response.status_code == 413
    db.session.expire_all()
    assert len(org.users) == before


@pytest.mark.sqlite_only
@pytest.mark.app_config(MAX_CONTENT_LENGTH=2048)
def test_an_oversized_multipart_body_gets_413(app, client):
    import io

    response = client.post(
        "/login", data={"bijlage": (io.BytesIO(b"x" * 10_000), "groot.pdf")}, content_type="multipart/form-data"
    )
    assert response.status_code == 413


@pytest.mark.sqlite_only
def test_hostile_text_posted_through_the_forms_is_shown_inert(app, client, login_as):
    group = factories.sector_group()
    admin = factories.user(role=StaffRole.administrator, email="beheer@example.org")
    factories.commit()
    login_as(admin)
    hostile = '<script>alert(1)</script><a href="javascript:alert(2)" onclick="alert(3)">x</a>'
    response = post_form(
        client,
        "/beheer/organisaties/nieuw",
        {"name": "Org " + hostile[:150], "kvk_number": "12345678", "primary_sector": str(group.id)},
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    post_form(client, "/profiel", {"profile-name": "Naam <img src=x onerror=alert(4)>", "profile-locale": "nl"})
    for url in ("/beheer/organisaties", "/beheer/gebruikers", response.headers["Location"], "/profiel"):
        for tag, attrs in elements(client.get(url).get_data(as_text=True)):
            assert tag not in ("script", "img") or attrs.get("src", "").startswith("/"), f"{url}: <{tag} {attrs}>"
            assert not any(name.startswith("on") for name in attrs), f"{url}: <{tag} {attrs}>"
            assert not (attrs.get("href") or "").lower().startswith("javascript:"), f"{url}: <{tag} {attrs}>"
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in client.get("/beheer/organisaties").get_data(as_text=True)
