"""Security response headers for every page, and the one check for redirect targets."""

import re
from urllib.parse import unquote, urlsplit

from flask import Flask, Response, request
from flask.sessions import SecureCookieSessionInterface
from flask_login import current_user

# Anything a browser strips or reinterprets in a URL: ASCII control characters (tab, CR, LF are
# removed by browsers, so "/\t/evil" becomes "//evil"), DEL, backslash (read as "/"), and every
# Unicode whitespace or format character.
_UNSAFE_IN_TARGET = re.compile(r"[\x00-\x20\x7f-\xa0\\\u1680\u180e\u2000-\u200f\u2028-\u202f\u205f\u2060\u3000\ufeff]")
# Once percent-decoded, a target may hold spaces (a search for two words) but nothing a
# browser or a proxy could read as a line break or a slash.
_UNSAFE_DECODED = re.compile(r"[\x00-\x1f\x7f\\]")
MAX_TARGET_LENGTH = 2048

CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "form-action 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
    ]
)


def safe_next(target: object) -> str | None:
    """`target` if it is a path on this site ("/..."), else None; used for every `next` parameter.

    Refuses absolute and scheme-relative URLs ("https:evil", "//evil", "///evil"), backslashes,
    control characters and whitespace (which browsers strip or read as "/"), and the same tricks
    percent-encoded ("/%2F/evil", "/%5Cevil", "/%09/evil"): the target is checked once as given
    and once decoded.
    """
    if not isinstance(target, str) or not target or len(target) > MAX_TARGET_LENGTH:
        return None
    for candidate, unsafe in ((target, _UNSAFE_IN_TARGET), (unquote(target), _UNSAFE_DECODED)):
        if unsafe.search(candidate):
            return None
        if not candidate.startswith("/") or candidate.startswith("//"):
            return None
        parts = urlsplit(candidate)
        if parts.scheme or parts.netloc:
            return None
    return target


class CookieSessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie session, with its signer built once per set of keys, not per request."""

    def __init__(self) -> None:
        self._signers: dict[tuple, object] = {}

    def get_signing_serializer(self, app: Flask):
        keys = (app.secret_key, tuple(app.config["SECRET_KEY_FALLBACKS"] or ()))
        if keys not in self._signers:
            self._signers[keys] = super().get_signing_serializer(app)
        return self._signers[keys]


def init_app(app: Flask) -> None:
    app.session_interface = CookieSessionInterface()
    # The same on every response: built once. A view may set its own Content-Security-Policy.
    fixed = [
        ("X-Content-Type-Options", "nosniff"),
        ("Referrer-Policy", "same-origin"),
        ("X-Frame-Options", "DENY"),
        ("Cross-Origin-Opener-Policy", "same-origin"),
        ("Permissions-Policy", "camera=(), microphone=(), geolocation=()"),
    ]
    if app.config.get("HSTS"):
        fixed.append(("Strict-Transport-Security", "max-age=31536000; includeSubDomains"))

    @app.after_request
    def set_security_headers(response: Response) -> Response:
        headers = response.headers
        if "Content-Security-Policy" not in headers:
            headers.add("Content-Security-Policy", CSP)
        headers.extend(fixed)
        if request.endpoint != "static" and current_user.is_authenticated:
            headers["Cache-Control"] = "no-store"
            headers["Vary"] = "Cookie"
        return response
