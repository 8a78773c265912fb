"""A real SMTP server on loopback (aiosmtpd) that records what it receives, and mail helpers (a pytest plugin)."""

from __future__ import annotations

import contextvars
import email
import socket
import threading
from email.message import EmailMessage
from email.policy import default as default_policy

import pytest
from aiosmtpd.controller import Controller

from partner_portal.extensions import db


def free_port() -> int:
    # aiosmtpd cannot listen on port 0 itself: ask the OS for a free port first.
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class RecordingHandler:
    """Accepts everything except the addresses in `refuse`, which get a permanent 550."""

    def __init__(self):
        self.envelopes = []
        self.refuse: set[str] = set()
        self.lock = threading.Lock()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return f"550 5.1.1 <{address}>: Recipient address rejected: User unknown"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.envelopes.append(envelope)
        return "250 OK"


class SmtpServer:
    def __init__(self):
        self.port = free_port()
        self.handler = RecordingHandler()
        self.controller: Controller | None = None

    def start(self) -> None:
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    @property
    def messages(self) -> list[EmailMessage]:
        with self.handler.lock:
            return [email.message_from_bytes(e.original_content, policy=default_policy) for e in self.handler.envelopes]

    @property
    def envelopes(self):
        with self.handler.lock:
            return list(self.handler.envelopes)


@pytest.fixture
def smtp(app):
    """A running SMTP server that the app delivers to (back-off base 0, so retries are due at once)."""
    server = SmtpServer()
    server.start()
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=server.port, MAIL_TIMEOUT_SECONDS=5)
    yield server
    server.stop()


def run_mail(app, *args: str) -> str:
    """Run `flask mail ...` as the CLI would (its own app context and session); returns its output."""
    # A fresh context: otherwise the command would reuse the test's app context and session.
    result = contextvars.Context().run(app.test_cli_runner().invoke, args=["mail", *args])
    assert result.exit_code == 0, result.output + repr(result.exception)
    db.session.expire_all()
    return result.output


def bodies(message: EmailMessage) -> tuple[str, str]:
    """(text, html) of a received multipart/alternative message."""
    text = message.get_body(preferencelist=("plain",)).get_content()
    html = message.get_body(preferencelist=("html",)).get_content()
    return text, html
