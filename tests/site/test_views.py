"""Home page, health check and language switch."""

import pytest

from tests.conftest import make_app, post_form


def test_home_is_public(client):
    response = client.get("/")
    assert response.status_code == 200
    assert '<html lang="nl" class="utrecht-root">' in response.get_data(as_text=True)


def test_healthz_reports_database_ok(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok"}


def test_healthz_is_503_when_database_unreachable():
    app = make_app("postgresql+psycopg://postgres@127.0.0.1:1/none?connect_timeout=1")
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["database"] != "ok"


@pytest.mark.sqlite_only
def test_language_switch_sets_lang_attribute(client):
    response = post_form(client, "/taal", {"locale": "en", "next": "/login"}, form_url="/")
    assert response.status_code == 302 and response.headers["Location"] == "/login"
    page = client.get("/login").get_data(as_text=True)
    assert '<html lang="en" class="utrecht-root">' in page
    assert "Log in" in page


@pytest.mark.sqlite_only
def test_language_switch_refuses_foreign_redirect(client):
    response = post_form(client, "/taal", {"locale": "en", "next": "//evil.example/"}, form_url="/")
    assert response.headers["Location"] == "/"


@pytest.mark.sqlite_only
def test_request_id_header_is_set_by_the_server(client):
    assert len(client.get("/").headers["X-Request-ID"]) >= 8
    assert client.get("/", headers={"X-Request-ID": "abcdef123456"}).headers["X-Request-ID"] != "abcdef123456"


@pytest.mark.sqlite_only
def test_unknown_url_gives_dutch_404(client):
    response = client.get("/bestaat-niet")
    assert response.status_code == 404
    assert "Pagina niet gevonden" in response.get_data(as_text=True)
