"""Rendered public pages, shared by every worker process, for visitors without an account.

A public page looks the same to every visitor without an account who reads it in the same
language, so it is rendered once and then served from the cache until:
- any write is committed to the database (the write changes a shared "generation" token, and a
  stored page only counts when it was rendered under the current token), or
- PAGE_CACHE_SECONDS have passed (pages show the current stage, which moves with the date).

Parts of logged-in pages that every user allowed to see them sees alike (the moderation queue,
the audit log, the Nota, a response's text) are cached the same way with `shared_fragment`,
and generated files (the Nota's PDF) with `shared_document`.

Whole pages are never served to nor stored for logged-in users, requests with pending flash
messages, or requests with query arguments other than paging. The per-visitor CSRF token that
a page carries (the language switch) is cut out before storing and put back on every hit.

Ordering: the generation is read before the page's data and replaced after a write commits,
so a page rendered from data older than the current generation is never stored under it. On
PostgreSQL (READ COMMITTED: each statement sees what is committed) that holds exactly; SQLite
keeps one snapshot from a request's first read, so there a race with a concurrent write can
keep an older page for up to PAGE_CACHE_SECONDS (development only).

PAGE_CACHE_URL selects the store: `redis://...` (shared by all processes: production),
`memory://` (one process only: development) or empty (off: tests, unless a test turns it on).
When the store is unreachable the page is rendered as if there were no cache.
"""

from __future__ import annotations

import base64
import hashlib
import logging
import threading
import time
import uuid
from collections.abc import Callable
from functools import wraps

from flask import Flask, Response, current_app, g, has_app_context, request, session
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup

from partner_portal.core import transaction

log = logging.getLogger(__name__)

_CSRF_MARK = "\x00csrf\x00"
_CACHEABLE_ARGS = {"page", "voor"}  # paging only; anything else renders afresh


class MemoryStore:
    """One process's store (development); bounded so that odd URLs cannot fill the memory."""

    MAX_ENTRIES = 2000

    def __init__(self) -> None:
        self._data: dict[str, tuple[float, str]] = {}
        self._lock = threading.Lock()

    def get_many(self, *keys: str) -> list[str | None]:
        now = time.monotonic()
        with self._lock:
            entries = [self._data.get(key) for key in keys]
        return [entry[1] if entry and entry[0] > now else None for entry in entries]

    def set(self, key: str, value: str, seconds: int | None) -> None:
        expires = float("inf") if seconds is None else time.monotonic() + seconds
        with self._lock:
            if len(self._data) >= self.MAX_ENTRIES:
                self._data.clear()
            self._data[key] = (expires, value)


class RedisStore:
    """The store all worker processes share."""

    def __init__(self, url: str) -> None:
        import redis

        self._client = redis.Redis.from_url(url, socket_timeout=0.5, socket_connect_timeout=0.5)

    def get_many(self, *keys: str) -> list[str | None]:
        return [value.decode() if value is not None else None for value in self._client.mget(keys)]

    def set(self, key: str, value: str, seconds: int | None) -> None:
        self._client.set(key, value.encode(), ex=seconds)


class PageCache:
    """Stored pages and fragments under one generation token, in one store and namespace."""

    def __init__(self, store, prefix: str, seconds: int) -> None:
        self.store = store
        self.seconds = seconds
        self.generation_key = f"{prefix}:generation"
        self.page_prefix = f"{prefix}:page:"

    def lookup(self, key: str) -> tuple[str, str | None]:
        """(current generation, the stored page if it was rendered under that generation)."""
        generation, stored = self.store.get_many(self.generation_key, self.page_prefix + key)
        if generation is None:
            generation = self.new_generation()
        if stored is not None:
            stored_generation, _, body = stored.partition("\n")
            if stored_generation == generation:
                return generation, body
        return generation, None

    def store_page(self, key: str, generation: str, body: str) -> None:
        self.store.set(self.page_prefix + key, f"{generation}\n{body}", self.seconds)

    def new_generation(self) -> str:
        """Invalidate every stored page. The generation is a fresh random token, not a counter, so
        a store that lost the key (a restart, an eviction) can never bring an old page back."""
        generation = uuid.uuid4().hex
        self.store.set(self.generation_key, generation, None)
        return generation


def init_app(app: Flask) -> None:
    url = app.config.get("PAGE_CACHE_URL", "")
    if not url:
        return
    seconds = int(app.config.get("PAGE_CACHE_SECONDS", 60))
    if seconds < 1:
        raise SystemExit(
            "Configuration error: PAGE_CACHE_SECONDS must be at least 1 (leave PAGE_CACHE_URL empty for no cache)."
        )
    store = MemoryStore() if url == "memory://" else RedisStore(url)
    # One namespace per database, so that two sites sharing one Redis never serve each other's pages.
    prefix = "page-cache:" + hashlib.sha256(app.config["SQLALCHEMY_DATABASE_URI"].encode()).hexdigest()[:16]
    app.extensions["page_cache"] = PageCache(store, prefix, seconds)


def _cache() -> PageCache | None:
    return current_app.extensions.get("page_cache")


def _cacheable_request() -> bool:
    return (
        request.method == "GET"
        and not current_user.is_authenticated
        and not session.get("_flashes")
        and set(request.args) <= _CACHEABLE_ARGS
    )


def _key(name: str, variant: str = "") -> str:
    from partner_portal import select_locale

    return f"{name}:{variant}:{select_locale()}:{request.full_path}"


def _lookup(cache: PageCache, key: str) -> tuple[str | None, str | None]:
    """(generation, stored body); (None, None) when the store cannot be reached."""
    try:
        generation, body = cache.lookup(key)
    except Exception:  # an unreachable store must not take the site down
        log.warning("Page cache unreachable; rendering without it", exc_info=True)
        return None, None
    g.page_cache = "hit" if body is not None else "miss"
    return generation, body


def _store(cache: PageCache, key: str, generation: str | None, body: str) -> None:
    if generation is None:
        return
    try:
        cache.store_page(key, generation, body)
    except Exception:
        log.warning("Page cache unreachable; page not stored", exc_info=True)


def public_page(view):
    """Serve the view's page from the cache to visitors without an account (see the module text)."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        cache = _cache()
        if cache is None or not _cacheable_request():
            return view(*args, **kwargs)
        key = _key("page")
        generation, body = _lookup(cache, key)
        if body is not None:
            return Response(body.replace(_CSRF_MARK, generate_csrf()), mimetype="text/html")
        response = current_app.make_response(view(*args, **kwargs))
        if response.status_code == 200 and response.mimetype == "text/html" and not session.get("_flashes"):
            _store(cache, key, generation, response.get_data(as_text=True).replace(generate_csrf(), _CSRF_MARK))
        return response

    return wrapper


def shared_fragment(name: str, render: Callable[[], str], *, variant: str = "") -> Markup:
    """`render()`'s HTML, cached like a public page (same URL and language, until a write or
    PAGE_CACHE_SECONDS), for a part of a page that is the same for everyone allowed to see it,
    or for everyone in one `variant` (e.g. with or without the gemeente's draft answers). The
    caller checks the permission first; the part holds no form token and nothing personal
    (those stay in the page around it). Errors raised by `render()` store nothing."""
    return Markup(_shared(name, render, variant))  # noqa: S704 (a template rendered with autoescaping)


def shared_document(name: str, render: Callable[[], bytes]) -> bytes:
    """A generated file (the Nota's PDF), cached on the same terms as `shared_fragment`."""
    return base64.b64decode(_shared(name, lambda: base64.b64encode(render()).decode("ascii"), ""))


def _shared(name: str, render: Callable[[], str], variant: str) -> str:
    cache = _cache()
    if cache is None or request.method != "GET":  # a form shown again after an error: as it is now
        return render()
    key = _key(name, variant)
    generation, body = _lookup(cache, key)
    if body is None:
        body = render()
        _store(cache, key, generation, body)
    return body


# Invalidation: a committed write changes the generation --------------------------------------


@transaction.after_committed_write
def _committed() -> None:
    if not has_app_context():
        return
    cache = _cache()
    if cache is not None:
        try:
            cache.new_generation()
        except Exception:
            # The pages stored before this write live on for at most PAGE_CACHE_SECONDS.
            log.warning("Page cache unreachable; stored pages expire on their own", exc_info=True)
