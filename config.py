"""Configuration classes, read from the environment."""

import os
from datetime import timedelta
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent


def _bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value else default


class Config:
    """Settings shared by every environment; each can be overridden by the environment."""

    ENV_NAME = "base"
    SECRET_KEY = os.environ.get("SECRET_KEY", "dev-only-not-secret")
    SQLALCHEMY_DATABASE_URI = os.environ.get(
        "DATABASE_URL", f"sqlite:///{BASE_DIR / 'instance' / 'partner_portal.sqlite'}"
    )
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
    MAX_CONTENT_LENGTH = _int("MAX_CONTENT_LENGTH", 60 * 1024 * 1024)
    UPLOAD_FOLDER = os.environ.get("UPLOAD_FOLDER", str(BASE_DIR / "instance" / "uploads"))

    # Sessions: signed client-side cookie; server-side revocation via the user's session version.
    SESSION_COOKIE_NAME = "session"
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = False
    PERMANENT_SESSION_LIFETIME = timedelta(hours=_int("SESSION_ABSOLUTE_HOURS", 12))
    SESSION_IDLE_MINUTES = _int("SESSION_IDLE_MINUTES", 30)
    SESSION_ABSOLUTE_HOURS = _int("SESSION_ABSOLUTE_HOURS", 12)
    REMEMBER_COOKIE_NAME = "remember_token"
    REMEMBER_COOKIE_DURATION = timedelta(days=_int("REMEMBER_DAYS", 14))
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_SECURE = False
    REMEMBER_COOKIE_REFRESH_EACH_REQUEST = False

    WTF_CSRF_TIME_LIMIT = None  # the token lives as long as the session

    # The gemeente's look: a file of design tokens, partner_portal/static/themes/<THEME>.css (CSS custom
    # properties only, on top of the NL Design System's defaults). A new city is a new file, not code.
    THEME = os.environ.get("THEME", "assen")

    BABEL_DEFAULT_LOCALE = "nl"
    BABEL_DEFAULT_TIMEZONE = "Europe/Amsterdam"
    LANGUAGES = ("nl", "en")

    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "memory://")
    RATELIMIT_HEADERS_ENABLED = True
    # Redis for the limits unreachable: count in this process's memory (with a logged warning)
    # instead of failing the request, and give up on a silent Redis after a second.
    RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = True
    RATELIMIT_STORAGE_OPTIONS = {"socket_connect_timeout": 1, "socket_timeout": 1}
    # Login throttling (partner_portal/auth/throttle.py): failed attempts per account from a
    # browser without a device cookie, per address (ditto), and per device cookie.
    LOGIN_LIMIT_PER_ACCOUNT = os.environ.get("LOGIN_LIMIT_PER_ACCOUNT", "5 per 15 minutes")
    LOGIN_LIMIT_PER_IP = os.environ.get("LOGIN_LIMIT_PER_IP", "30 per 15 minutes")
    LOGIN_LIMIT_PER_DEVICE = os.environ.get("LOGIN_LIMIT_PER_DEVICE", "10 per 15 minutes")
    LOGIN_DEVICE_COOKIE_NAME = "login_device"
    LOGIN_DEVICE_DAYS = _int("LOGIN_DEVICE_DAYS", 180)
    LOGIN_THROTTLE_RETRY_SECONDS = _int("LOGIN_THROTTLE_RETRY_SECONDS", 30)

    # MKB Assen's member registry (partner_portal/mkb/): a member no longer in the CRM's file keeps
    # its contact person's name, e-mail and postcode this many days, then only KvK number and dates.
    MKB_MEMBER_RETENTION_DAYS = _int("MKB_MEMBER_RETENTION_DAYS", 90)
    # At most one reminder mail per member in this many days.
    MKB_REMINDER_INTERVAL_DAYS = _int("MKB_REMINDER_INTERVAL_DAYS", 14)

    # Rendered public pages for visitors without an account (partner_portal/core/pagecache.py):
    # redis://... in production (shared by the workers), memory:// for one process, empty for off.
    PAGE_CACHE_URL = os.environ.get("PAGE_CACHE_URL", "")
    PAGE_CACHE_SECONDS = _int("PAGE_CACHE_SECONDS", 60)

    # Words a password must not lean on besides the organisation's and the person's names: the
    # site's name and the city (partner_portal/auth/passwords.py).
    PASSWORD_CONTEXT_WORDS = os.environ.get("PASSWORD_CONTEXT_WORDS", "Partnerportaal Binnenstad Assen gemeente")

    INVITATION_MAX_AGE = timedelta(days=7)
    RESET_MAX_AGE = timedelta(hours=24)

    PROXY_FIX_HOPS = _int("PROXY_FIX_HOPS", 0)  # number of trusted reverse proxies
    HSTS = False

    MAIL_SERVER = os.environ.get("MAIL_SERVER", "")
    MAIL_PORT = _int("MAIL_PORT", 25)
    MAIL_USE_TLS = _bool("MAIL_USE_TLS")
    MAIL_USE_SSL = _bool("MAIL_USE_SSL")
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME", "")
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD", "")
    MAIL_DEFAULT_SENDER = os.environ.get("MAIL_DEFAULT_SENDER", "Partnerportaal <noreply@example.org>")
    MAIL_TIMEOUT_SECONDS = _int("MAIL_TIMEOUT_SECONDS", 30)
    # Delivery: a message is tried MAIL_MAX_ATTEMPTS times, waiting base * 2^(n-1) seconds (capped) in between.
    MAIL_MAX_ATTEMPTS = _int("MAIL_MAX_ATTEMPTS", 8)
    MAIL_RETRY_BASE_SECONDS = _int("MAIL_RETRY_BASE_SECONDS", 60)
    MAIL_RETRY_MAX_SECONDS = _int("MAIL_RETRY_MAX_SECONDS", 6 * 3600)
    # A claim older than this belongs to a crashed worker and is taken over.
    MAIL_CLAIM_TIMEOUT_SECONDS = _int("MAIL_CLAIM_TIMEOUT_SECONDS", 600)
    MAIL_BATCH_SIZE = _int("MAIL_BATCH_SIZE", 50)

    # Base URL for links in e-mail and logs (no request context in workers).
    BASE_URL = os.environ.get("BASE_URL", "http://127.0.0.1:5000")

    # Key of the audit trail's hash chain (HMAC-SHA256). Never stored in the database, so that
    # someone who can write to it cannot recompute a consistent chain. Required in production.
    AUDIT_HMAC_KEY = os.environ.get("AUDIT_HMAC_KEY", "dev-only-audit-key")

    # Key(s) that encrypt identity providers' client secrets and private keys at rest (Fernet; several
    # separated by commas to rotate, the first encrypts). Outside production an unset key is derived
    # from SECRET_KEY; in production storing or reading a provider's secret without it fails.
    SSO_ENCRYPTION_KEY = os.environ.get("SSO_ENCRYPTION_KEY", "")


class DevelopmentConfig(Config):
    ENV_NAME = "development"
    PAGE_CACHE_URL = os.environ.get("PAGE_CACHE_URL", "memory://")


class TestingConfig(Config):
    ENV_NAME = "testing"
    TESTING = True
    SECRET_KEY = "testing-secret-key"  # noqa: S105 (tests only)
    SQLALCHEMY_DATABASE_URI = "sqlite://"
    RATELIMIT_STORAGE_URI = "memory://"
    PAGE_CACHE_URL = ""  # tests that exercise the page cache turn it on
    BASE_URL = "http://localhost"
    AUDIT_HMAC_KEY = "testing-audit-key"


class ProductionConfig(Config):
    ENV_NAME = "production"
    SESSION_COOKIE_NAME = "__Host-session"
    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_NAME = "__Host-remember"
    REMEMBER_COOKIE_SECURE = True
    LOGIN_DEVICE_COOKIE_NAME = "__Host-login_device"
    HSTS = True
    AUDIT_HMAC_KEY = os.environ.get("AUDIT_HMAC_KEY", "")
    REQUIRED = ("SECRET_KEY", "DATABASE_URL", "AUDIT_HMAC_KEY")


CONFIGS = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}


def config_from_env() -> type[Config]:
    """The configuration class named by APP_ENV (development by default)."""
    name = os.environ.get("APP_ENV", "development")
    if name not in CONFIGS:
        raise SystemExit(f"APP_ENV must be one of {', '.join(CONFIGS)}, not {name!r}")
    return CONFIGS[name]
