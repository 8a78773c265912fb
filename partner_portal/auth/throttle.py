"""Login throttling: limits on wrong passwords that do not lock the right person out.

The rules (ASVS 6.3, the README's security section explains them to operators):

- A browser in which someone logged in to an account before carries a signed *device cookie*
  for that account. Its attempts count against that device only (LOGIN_LIMIT_PER_DEVICE), so
  a stranger's wrong passwords never lock the account owner out of their own browser, and
  the per-address limit does not apply to it (colleagues behind one NAT keep logging in).
- Attempts from any other browser count against the account (LOGIN_LIMIT_PER_ACCOUNT) and
  the address (LOGIN_LIMIT_PER_IP). Past the account limit the password is not even checked
  until the window ends; a password set through a reset link lifts the lock at once, and the
  refusal says so. The first refusal of a window logs a warning: the alert for operators.
- Every attempt reserves its place *before* the password is checked, with one atomic
  increment in the shared storage (Redis INCR in production): N parallel attempts against a
  limit of 5 check exactly 5 passwords. A successful login gives its place back (addresses)
  or clears the count (account, device), so only failures accumulate.
- If the shared storage is unreachable the counts are kept in this process's memory, with a
  logged warning, and the shared storage is tried again after LOGIN_THROTTLE_RETRY_SECONDS.
  Logging in keeps working; the limits are then per process.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
import threading
import time
from dataclasses import dataclass, field

from flask import current_app, request
from itsdangerous import BadSignature, URLSafeTimedSerializer
from limits import parse
from limits.storage import Storage, storage_from_string

log = logging.getLogger(__name__)

# Kinds of counters; each is keyed by a digest, never by a raw e-mail address.
ACCOUNT, ADDRESS, DEVICE = "account", "ip", "device"


def _digest(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()[:32]


class _MemoryCounters:
    """Fixed-window counters of this process, exact under threads (one lock for all of them).

    The limits library's memory storage can lose an increment when threads create the same key
    at once, so the per-process counters are kept here.
    """

    def __init__(self):
        self._counts: dict[str, tuple[int, float]] = {}
        self._lock = threading.Lock()

    def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        now = time.monotonic()
        with self._lock:
            count, expires_at = self._counts.get(key, (0, 0.0))
            if expires_at <= now:
                count, expires_at = 0, now + expiry
                if len(self._counts) > 100_000:  # forget expired windows now and then
                    self._counts = {k: v for k, v in self._counts.items() if v[1] > now}
            count += amount
            self._counts[key] = (count, expires_at)
            return count

    def clear(self, key: str) -> None:
        with self._lock:
            self._counts.pop(key, None)


class _Counters:
    """Atomic counters in the rate-limit storage, with a per-process fallback when it is down."""

    def __init__(self, uri: str, options: dict, prefix: str, retry_seconds: int):
        self.prefix = prefix
        self.retry_seconds = retry_seconds
        self.memory = _MemoryCounters()
        self.shared: Storage | None = None if uri.startswith("memory://") else storage_from_string(uri, **options)
        self._down_until = 0.0
        self._lock = threading.Lock()

    def _storage(self) -> Storage | _MemoryCounters:
        if self.shared is None or time.monotonic() < self._down_until:
            return self.memory
        return self.shared

    def _run(self, operation: str, key: str, *args):
        storage = self._storage()
        try:
            return getattr(storage, operation)(self.prefix + key, *args)
        except Exception:  # any storage or connection error: fall back, never fail the login
            if storage is self.memory:
                raise
            with self._lock:
                if time.monotonic() >= self._down_until:
                    log.warning(
                        "Rate limit storage unreachable: login limits are counted in this process "
                        "until it answers again",
                        exc_info=True,
                    )
                self._down_until = time.monotonic() + self.retry_seconds
            return getattr(self.memory, operation)(self.prefix + key, *args)

    def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        return int(self._run("incr", key, expiry, amount))

    def clear(self, key: str) -> None:
        self._run("clear", key)


def _counters() -> _Counters:
    app = current_app
    counters = app.extensions.get("login_throttle")
    if counters is None:
        counters = _Counters(
            app.config["RATELIMIT_STORAGE_URI"],
            dict(app.config.get("RATELIMIT_STORAGE_OPTIONS") or {}),
            "login:" + app.config.get("RATELIMIT_KEY_PREFIX", ""),
            int(app.config.get("LOGIN_THROTTLE_RETRY_SECONDS", 30)),
        )
        app.extensions["login_throttle"] = counters
    return counters


@dataclass
class _Reservation:
    kind: str
    key: str
    expiry: int
    count: int
    limit: int

    @property
    def allowed(self) -> bool:
        return self.count <= self.limit


@dataclass
class Attempt:
    """One login attempt's places in the counters; `refused` is None when it may be checked."""

    email: str
    device: str | None
    reservations: list[_Reservation] = field(default_factory=list)
    refused: str | None = None  # ACCOUNT or ADDRESS: which limit refused it
    retry_minutes: int = 0


def _reserve(kind: str, ident: str, limit_setting: str) -> _Reservation:
    item = parse(current_app.config[limit_setting])
    key = f"{kind}:{_digest(ident)}"
    expiry = item.get_expiry()
    count = _counters().incr(key, expiry)
    return _Reservation(kind, key, expiry, count, item.amount)


def _give_back(reservation: _Reservation) -> None:
    if _counters().incr(reservation.key, reservation.expiry, -1) < 0:
        _counters().clear(reservation.key)


def client_address() -> str:
    return request.remote_addr or "-"


def begin(email: str) -> Attempt:
    """Reserve this attempt's places; `attempt.refused` says whether the password may be checked."""
    attempt = Attempt(email=email, device=trusted_device(email))
    if attempt.device is not None:
        device = _reserve(DEVICE, attempt.device, "LOGIN_LIMIT_PER_DEVICE")
        attempt.reservations.append(device)
        if device.allowed:
            return attempt
        # A device past its own limit is treated like any other browser.
    account = _reserve(ACCOUNT, email, "LOGIN_LIMIT_PER_ACCOUNT")
    attempt.reservations.append(account)
    if not account.allowed:
        _refuse(attempt, account)
        return attempt
    address = _reserve(ADDRESS, client_address(), "LOGIN_LIMIT_PER_IP")
    attempt.reservations.append(address)
    if not address.allowed:
        _give_back(account)  # not checked, so not counted against the account
        _refuse(attempt, address)
    return attempt


def _refuse(attempt: Attempt, reservation: _Reservation) -> None:
    attempt.refused = reservation.kind
    attempt.retry_minutes = max(1, reservation.expiry // 60)
    if reservation.count == reservation.limit + 1:
        # The first refusal in this window: the alert (the log never holds the address itself).
        log.warning(
            "Login limit reached: %s %s refused for %d minutes after %d failed attempts (from %s)",
            reservation.kind,
            reservation.key.split(":", 1)[1][:12],
            attempt.retry_minutes,
            reservation.limit,
            client_address(),
        )


def succeeded(attempt: Attempt) -> None:
    """The password was right: clear the account's and device's counts, give the address its place back."""
    for reservation in attempt.reservations:
        if reservation.kind == ADDRESS:
            _give_back(reservation)
        else:
            _counters().clear(reservation.key)


def clear_account(email: str) -> None:
    """Lift the lock on an account (after its password was set through a link)."""
    _counters().clear(f"{ACCOUNT}:{_digest(email)}")


# Device cookies --------------------------------------------------------------------------------


def _device_serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="partner-portal-login-device")


def trusted_device(email: str) -> str | None:
    """The id of this browser's device cookie if it was issued for this account, else None."""
    raw = request.cookies.get(current_app.config["LOGIN_DEVICE_COOKIE_NAME"])
    if not raw:
        return None
    try:
        data = _device_serializer().loads(raw, max_age=current_app.config["LOGIN_DEVICE_DAYS"] * 86400)
    except BadSignature:
        return None
    if not isinstance(data, dict) or data.get("a") != _digest(email) or not isinstance(data.get("d"), str):
        return None
    return data["d"]


def remember_device(response, email: str) -> None:
    """Give this browser a device cookie for the account that just logged in."""
    cfg = current_app.config
    value = _device_serializer().dumps({"a": _digest(email), "d": secrets.token_urlsafe(16)})
    response.set_cookie(
        cfg["LOGIN_DEVICE_COOKIE_NAME"],
        value,
        max_age=cfg["LOGIN_DEVICE_DAYS"] * 86400,
        secure=cfg["REMEMBER_COOKIE_SECURE"],
        httponly=True,
        samesite="Lax",
        path="/",
    )
