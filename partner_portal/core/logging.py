"""Request logging: one line per request with a request id, the user id and the status.

Everything a log line takes from a request (path, the client's request id, any value a view
logs) can carry control characters; `escape_for_log` turns them into visible escapes so that
a request cannot end a line and plant a fake one. The handler's formatter escapes every
message once more, so a value logged without it cannot break a line either.
"""

import logging
import secrets
import time
import unicodedata

from flask import Flask, g, request
from flask_login import current_user

log = logging.getLogger("partner_portal.request")
# The client's own X-Request-ID is kept for the log only (escaped, cut to this length); the
# request id that audit events and the response carry is always made here.
CLIENT_REQUEST_ID_LENGTH = 64
# Paths whose last segment is a credential (invitation, reset and unsubscribe links).
_TOKEN_PATHS = ("/uitnodiging/", "/wachtwoord-herstellen/", "/afmelden/")


def loggable_path(path: str) -> str:
    """The path with a link token replaced by <token>."""
    if any(prefix in path for prefix in _TOKEN_PATHS):
        return path.rsplit("/", 1)[0] + "/<token>"
    return path


def _escape_char(char: str) -> str:
    if char == "\\":
        return "\\\\"
    code = ord(char)
    if code < 0x20 or 0x7F <= code <= 0x9F:
        return f"\\x{code:02x}"
    if unicodedata.category(char) in ("Zl", "Zp", "Cf", "Cc"):
        return f"\\u{code:04x}"
    return char


def escape_for_log(value: object) -> str:
    """`value` as text with control characters, line separators and backslashes escaped."""
    text = str(value)
    if text.isprintable() and "\\" not in text:
        return text
    return "".join(_escape_char(char) for char in text)


class EscapingFormatter(logging.Formatter):
    """Escapes control characters in the message; a traceback keeps its own lines."""

    def formatMessage(self, record: logging.LogRecord) -> str:
        record.message = escape_for_log(record.message)
        return super().formatMessage(record)

    def formatException(self, ei) -> str:
        # Every line of a traceback is indented, so that an exception message with a line break
        # in it cannot start a line that looks like a log record of its own.
        return "\n".join("    " + line for line in super().formatException(ei).splitlines())


class RequestIdFilter(logging.Filter):
    """Adds the current request id to every log record (or '-' outside a request)."""

    def filter(self, record: logging.LogRecord) -> bool:
        from flask import has_request_context

        record.request_id = g.get("request_id", "-") if has_request_context() else "-"
        return True


def init_app(app: Flask) -> None:
    handler = logging.StreamHandler()
    handler.addFilter(RequestIdFilter())
    handler.setFormatter(EscapingFormatter("%(asctime)s %(levelname)s [%(request_id)s] %(name)s: %(message)s"))
    root = logging.getLogger("partner_portal")
    if not any(isinstance(h, logging.StreamHandler) for h in root.handlers):
        root.addHandler(handler)
    root.setLevel(logging.INFO)
    root.propagate = app.testing  # let pytest's caplog see records in tests

    @app.before_request
    def assign_request_id() -> None:
        g.request_id = secrets.token_hex(8)
        incoming = request.headers.get("X-Request-ID", "")
        g.client_request_id = escape_for_log(incoming[:CLIENT_REQUEST_ID_LENGTH]) if incoming else ""
        g.request_started = time.perf_counter()

    @app.after_request
    def log_request(response):
        response.headers["X-Request-ID"] = g.get("request_id", "")
        if request.endpoint != "static":
            duration_ms = (time.perf_counter() - g.get("request_started", time.perf_counter())) * 1000
            user_id = current_user.id if current_user and current_user.is_authenticated else "-"
            # The path only: query strings may carry tokens.
            client_id = g.get("client_request_id", "")
            log.info(
                "%s %s %s user=%s %.1fms%s%s",
                escape_for_log(request.method),
                escape_for_log(loggable_path(request.path)),
                response.status_code,
                user_id,
                duration_ms,
                f" cache={g.page_cache}" if "page_cache" in g else "",
                f" client_request_id={client_id}" if client_id else "",
            )
        return response
