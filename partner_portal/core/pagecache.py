"""Rendered public pages, shared by every worker process, for visitors without an account.

A public page looks the same to every visitor without an account who reads it in the same
language, so it is rendered once and then served from the cache until:
- a write that changes what the page shows is committed, or
- PAGE_CACHE_SECONDS have passed (pages show the current stage, which moves with the date).

Invalidation is per scope. Every scope has a "generation" token in the store; a stored page
names the tokens of its scopes when it was rendered and only counts while they are all still
current. A committed write replaces the tokens of the scopes it touched:
- SITE: everything (organisations, sector groups, people, a consultation itself, its stages and
  themes...). Every page depends on it, and a write to a model that declares nothing touches it.
- `consultation:<slug>`: the pages of one consultation (the URL names it by `slug`), touched by
  writes to its responses, their positions, endorsements and answers, and its Nota.
- `response:<id>`: the pages of one response (the URL names it by `response_id`).
- `initiative:<id>`: the pages of one initiative (the URL names it by `initiative_id`).
- ALL: lists across consultations (home, the moderation queue, ...): touched by every write
  that touches a consultation.
- AUDIT: the audit log, touched by every audit event.
Pages and fragments depend on SITE plus the scope their URL names (`slug`, `response_id`,
`initiative_id`), else
on ALL; the audit log names AUDIT. Writes say what they touch through their models (see
`scopes_of_write`): `page_cache_unshown = True` on a model whose rows no cached page shows (the
mail outbox, notification preferences, stored files), or `page_cache_scopes(changed)` that
returns the scopes (a user's last login touches none; a draft response only its own page).

Parts of logged-in pages that every user allowed to see them sees alike (the moderation queue,
the audit log, the Nota, a response's text) are cached the same way with `shared_fragment`,
and generated files (the Nota's PDF) with `shared_document`.

Whole pages are never served to nor stored for logged-in users, requests with pending flash
messages, or requests with query arguments other than paging. The per-visitor CSRF token that
a page carries (the language switch) is cut out before storing and put back on every hit.

Ordering: the generations are read before the page's data and replaced after a write commits,
so a page rendered from data older than the current generations is never stored under them. A
missing generation (never set, expired, evicted) is created only where still absent, and the
page read with it is not stored. On
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
from collections.abc import Callable, Iterable
from functools import wraps

import sqlalchemy as sa
from flask import Flask, Response, current_app, g, has_app_context, request, session
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup
from sqlalchemy import orm as so

log = logging.getLogger(__name__)

SITE = "site"
ALL = "all"
AUDIT = "audit"
# A generation outlives every page stored under it; once gone, those pages simply miss.
GENERATION_SECONDS = 24 * 3600


def consultation_scope(slug: str) -> str:
    return f"consultation:{slug}"


def response_scope(response_id: int) -> str:
    return f"response:{response_id}"


def initiative_scope(initiative_id: int) -> str:
    return f"initiative:{initiative_id}"


def consultation_write(slug: str) -> set[str]:
    """What a write within one consultation touches: its pages and the lists across consultations."""
    return {consultation_scope(slug), ALL}


# Core knows no features: the consultations feature registers how to find a consultation's slug.
_slug_of: Callable[[int], str | None] = lambda consultation_id: None  # noqa: E731


def register_consultation_slugs(slug_of: Callable[[int], str | None]) -> None:
    global _slug_of
    _slug_of = slug_of


def write_in_consultation(consultation_id: int | None) -> set[str]:
    """What a write within the consultation with this id touches (SITE if it cannot be found)."""
    slug = _slug_of(consultation_id) if consultation_id else None
    return consultation_write(slug) if slug else {SITE}


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

    def set(self, key: str, value: str, seconds: int, *, only_if_absent: bool = False) -> bool:
        now = time.monotonic()
        with self._lock:
            entry = self._data.get(key)
            if only_if_absent and entry and entry[0] > now:
                return False
            if len(self._data) >= self.MAX_ENTRIES:
                self._data.clear()
            self._data[key] = (now + seconds, value)
            return True

    def set_many(self, values: dict[str, str], seconds: int) -> None:
        for key, value in values.items():
            self.set(key, value, seconds)


class RedisStore:
    """The store all worker processes share."""

    def __init__(self, url: str) -> None:
        import redis

        self._client = redis.Redis.from_url(url, socket_timeout=0.5, socket_connect_timeout=0.5)

    def get_many(self, *keys: str) -> list[str | None]:
        return [value.decode() if value is not None else None for value in self._client.mget(keys)]

    def set(self, key: str, value: str, seconds: int, *, only_if_absent: bool = False) -> bool:
        return bool(self._client.set(key, value.encode(), ex=seconds, nx=only_if_absent))

    def set_many(self, values: dict[str, str], seconds: int) -> None:
        pipeline = self._client.pipeline(transaction=False)
        for key, value in values.items():
            pipeline.set(key, value.encode(), ex=seconds)
        pipeline.execute()


class PageCache:
    """Stored pages and fragments, each valid while the generations of its scopes are, in one store and namespace."""

    def __init__(self, store, prefix: str, seconds: int) -> None:
        self.store = store
        self.seconds = seconds
        self.generation_prefix = f"{prefix}:generation:"
        self.page_prefix = f"{prefix}:page:"

    def lookup(self, key: str, scopes: tuple[str, ...]) -> tuple[str | None, str | None]:
        """(the scopes' current generations, the stored page if it was rendered under exactly those).

        A missing generation is created (where still absent) with a new token: the page read after
        this lookup can be stored under it, as any write committed later replaces it. If another
        process created it first, the generations are None and the page is not stored this time."""
        keys = [self.generation_prefix + scope for scope in scopes]
        *generations, stored = self.store.get_many(*keys, self.page_prefix + key)
        for i, generation in enumerate(generations):
            if generation is None:
                generations[i] = _token()
                if not self.store.set(keys[i], generations[i], GENERATION_SECONDS, only_if_absent=True):
                    return None, None
        current = ",".join(generations)
        if stored is not None:
            stored_generations, _, body = stored.partition("\n")
            if stored_generations == current:
                return current, body
        return current, None

    def store_page(self, key: str, generations: str, body: str) -> None:
        self.store.set(self.page_prefix + key, f"{generations}\n{body}", self.seconds)

    def new_generations(self, scopes: Iterable[str]) -> None:
        """Invalidate every stored page of these scopes. A generation is a fresh random token, not
        a counter, so a store that lost a key (a restart, an eviction) can never bring an old page back."""
        self.store.set_many({self.generation_prefix + scope: _token() for scope in scopes}, GENERATION_SECONDS)

    def clear(self) -> None:
        """Invalidate every stored page."""
        self.new_generations([SITE])


def _token() -> str:
    return uuid.uuid4().hex


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


def _scopes(scope: str | None) -> tuple[str, ...]:
    """SITE plus the page's own scope: the one given, else the object the URL names, else ALL."""
    if scope is None:
        args = request.view_args or {}
        if "response_id" in args:
            scope = response_scope(args["response_id"])
        elif "initiative_id" in args:
            scope = initiative_scope(args["initiative_id"])
        elif "slug" in args:
            scope = consultation_scope(args["slug"])
        else:
            scope = ALL
    return (SITE, scope)


def _lookup(cache: PageCache, key: str, scope: str | None) -> tuple[str | None, str | None]:
    """(generations, stored body); (None, None) when the store cannot be reached or a page must not be stored."""
    try:
        generations, body = cache.lookup(key, _scopes(scope))
    except Exception:  # an unreachable store must not take the site down
        log.warning("Page cache unreachable; rendering without it", exc_info=True)
        return None, None
    g.page_cache = "hit" if body is not None else "miss"
    return generations, body


def _store(cache: PageCache, key: str, generations: str | None, body: str) -> None:
    if generations is None:
        return
    try:
        cache.store_page(key, generations, body)
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
        generations, body = _lookup(cache, key, None)
        if body is not None:
            return Response(body.replace(_CSRF_MARK, generate_csrf()), mimetype="text/html")
        response = current_app.make_response(view(*args, **kwargs))
        if response.status_code == 200 and response.mimetype == "text/html" and not session.get("_flashes"):
            _store(cache, key, generations, response.get_data(as_text=True).replace(generate_csrf(), _CSRF_MARK))
        return response

    return wrapper


def shared_fragment(name: str, render: Callable[[], str], *, variant: str = "", scope: str | None = None) -> Markup:
    """`render()`'s HTML, cached like a public page (same URL and language, until a write to its
    scope or PAGE_CACHE_SECONDS), for a part of a page that is the same for everyone allowed to
    see it, or for everyone in one `variant` (e.g. with or without the gemeente's draft answers).
    `scope` as for pages (the object the URL names, else ALL) unless given. The caller checks the
    permission first; the part holds no form token and nothing personal (those stay in the page
    around it). Errors raised by `render()` store nothing."""
    return Markup(_shared(name, render, variant, scope))  # noqa: S704 (a template rendered with autoescaping)


def shared_document(name: str, render: Callable[[], bytes]) -> bytes:
    """A generated file (the Nota's PDF), cached on the same terms as `shared_fragment`."""
    return base64.b64decode(_shared(name, lambda: base64.b64encode(render()).decode("ascii"), "", None))


def _shared(name: str, render: Callable[[], str], variant: str, scope: str | None) -> str:
    cache = _cache()
    if cache is None or request.method != "GET":  # a form shown again after an error: as it is now
        return render()
    key = _key(name, variant)
    generations, body = _lookup(cache, key, scope)
    if body is None:
        body = render()
        _store(cache, key, generations, body)
    return body


# Invalidation: a committed write replaces the generations of the scopes it touched -------------

_TOUCHED = "pagecache.touched"


def scopes_of_write(obj, changed: set[str] | None) -> set[str]:
    """The scopes a written object touches; `changed`: the attributes changed (None: new or deleted)."""
    if getattr(obj, "page_cache_unshown", False):
        return set()
    scopes_of = getattr(obj, "page_cache_scopes", None)
    return {SITE} if scopes_of is None else scopes_of(changed)


def _changed(obj) -> set[str]:
    return {attr.key for attr in sa.inspect(obj).attrs if attr.history.has_changes()}


@sa.event.listens_for(so.Session, "after_flush")
def _flushed(session, flush_context) -> None:
    touched = session.info.setdefault(_TOUCHED, set())
    for obj in session.new:
        touched |= scopes_of_write(obj, None)
    for obj in session.deleted:
        touched |= scopes_of_write(obj, None)
    for obj in session.dirty:
        if session.is_modified(obj):
            touched |= scopes_of_write(obj, _changed(obj))


@sa.event.listens_for(so.Session, "do_orm_execute")
def _executed(state) -> None:
    """A bulk statement touches SITE, unless its model's rows are shown nowhere."""
    if not (state.is_insert or state.is_update or state.is_delete):
        return
    model = state.bind_mapper.class_ if state.bind_mapper is not None else None
    if not getattr(model, "page_cache_unshown", False):
        state.session.info.setdefault(_TOUCHED, set()).add(SITE)


@sa.event.listens_for(so.Session, "after_rollback")
def _rolled_back(session) -> None:
    session.info.pop(_TOUCHED, None)


@sa.event.listens_for(so.Session, "after_commit")
def _committed(session) -> None:
    touched = session.info.pop(_TOUCHED, None)
    if not touched or not has_app_context():
        return
    cache = _cache()
    if cache is None:
        return
    try:
        cache.new_generations(touched)
    except Exception:
        # The pages stored before this write live on for at most PAGE_CACHE_SECONDS.
        log.warning("Page cache unreachable; stored pages expire on their own", exc_info=True)
