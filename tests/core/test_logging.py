"""Log lines cannot be forged from a request; request ids are made by the server."""

import logging
import sys

import pytest
import sqlalchemy as sa

from partner_portal.core.audit import AuditEvent
from partner_portal.core.logging import EscapingFormatter, escape_for_log
from partner_portal.extensions import db
from tests import factories
from tests.conftest import post_form

sqlite_only = pytest.mark.sqlite_only

FAKE_LINE = "2026-12-02 06:00:00,000 INFO [0123456789abcdef] partner_portal.request: POST /beheer 302 user=1"


def _request_lines(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "partner_portal.request"]


@pytest.mark.parametrize("encoded", ["%0a", "%0d", "%0d%0a", "%e2%80%a8", "%c2%85", "%1b[2J"])
@sqlite_only
def test_a_line_break_in_the_path_cannot_plant_a_log_line(client, caplog, encoded):
    client.get(f"/bestaat-niet{encoded}{FAKE_LINE.replace(' ', '%20')}")
    (line,) = _request_lines(caplog)
    assert line.isprintable()
    assert line.startswith("GET /bestaat-niet\\")
    assert " 404 " in line


@sqlite_only
def test_the_clients_request_id_is_logged_escaped_and_never_used(client, caplog, login_as):
    person = factories.user()
    factories.commit()
    login_as(person)
    chosen = "chosen-by-client\t\x1b[2J\x7f" + FAKE_LINE  # the test client refuses CR/LF in headers
    response = post_form(
        client,
        "/profiel/wachtwoord",
        {
            "password-current": factories.PASSWORD,
            "password-password": "een-heel-nieuw-wachtwoord-7",
            "password-confirm": "een-heel-nieuw-wachtwoord-7",
        },
        form_url="/profiel",
        headers={"X-Request-ID": chosen},
    )
    assert response.status_code == 302
    server_id = response.headers["X-Request-ID"]
    assert server_id != chosen and "chosen" not in server_id
    event = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "user.change_password")).one()
    assert event.request_id == server_id
    line = _request_lines(caplog)[-1]
    assert line.isprintable()
    assert "client_request_id=chosen-by-client\\x09\\x1b[2J\\x7f2026-12-02" in line


@sqlite_only
def test_a_well_formed_client_request_id_is_not_adopted_either(client):
    assert client.get("/", headers={"X-Request-ID": "abcdef1234567890"}).headers["X-Request-ID"] != "abcdef1234567890"


def test_escape_for_log():
    assert (
        escape_for_log("a\nb\r\tc\\d\u2028e\x85f\u200bg café") == "a\\x0ab\\x0d\\x09c\\\\d\\u2028e\\x85f\\u200bg café"
    )
    assert escape_for_log("/gewoon/pad") == "/gewoon/pad"


def test_the_formatter_escapes_any_message_and_indents_tracebacks():
    formatter = EscapingFormatter("%(levelname)s %(message)s")
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "value %s", ("a\n" + FAKE_LINE,), None)
    assert formatter.format(record) == "INFO value a\\x0a" + FAKE_LINE
    try:
        raise ValueError("bad\n" + FAKE_LINE)
    except ValueError:
        record = logging.LogRecord("x", logging.ERROR, __file__, 1, "failed", (), sys.exc_info())
    lines = formatter.format(record).splitlines()
    assert lines[0] == "ERROR failed"
    assert all(line.startswith("    ") for line in lines[1:])
