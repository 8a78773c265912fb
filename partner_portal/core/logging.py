"""Request logging: one line per request with a request id, the user id and the status."""

import logging
import re
import secrets
import time

from flask import Flask, g, request
from flask_login import current_user

log = logging.getLogger("partner_portal.request")
_VALID_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")
# Paths whose last segment is a credential (invitation, reset and unsubscribe links).
_TOKEN_PATHS = ("/uitnodiging/", "/wachtwoord-herstellen/", "/afmelden/")


def loggable_path(path: str) -> str:
    """The path with a link token replaced by <token>."""
    if any(prefix in path for prefix in _TOKEN_PATHS):
        return path.rsplit("/", 1)[0] + "/<token>"
    return path


class RequestIdFilter(logging.Filter):
    """Adds the current request id to every log record (or '-' outside a request)."""

    def filter(self, record: logging.LogRecord) -> bool:
        from flask import has_request_context

        record.request_id = g.get("request_id", "-") if has_request_context() else "-"
        return True


def init_app(app: Flask) -> None:
    handler = logging.StreamHandler()
    handler.addFilter(RequestIdFilter())
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s [%(request_id)s] %(name)s: %(message)s"))
    root = logging.getLogger("partner_portal")
    if not any(isinstance(h, logging.StreamHandler) for h in root.handlers):
        root.addHandler(handler)
    root.setLevel(logging.INFO)
    root.propagate = app.testing  # let pytest's caplog see records in tests

    @app.before_request
    def assign_request_id() -> None:
        incoming = request.headers.get("X-Request-ID", "")
        g.request_id = incoming if _VALID_REQUEST_ID.match(incoming) else secrets.token_hex(8)
        g.request_started = time.perf_counter()

    @app.after_request
    def log_request(response):
        response.headers["X-Request-ID"] = g.get("request_id", "")
        if request.endpoint != "static":
            duration_ms = (time.perf_counter() - g.get("request_started", time.perf_counter())) * 1000
            user_id = current_user.id if current_user and current_user.is_authenticated else "-"
            # The path only: query strings may carry tokens.
            log.info(
                "%s %s %s user=%s %.1fms%s",
                request.method,
                loggable_path(request.path),
                response.status_code,
                user_id,
                duration_ms,
                f" cache={g.page_cache}" if "page_cache" in g else "",
            )
        return response
