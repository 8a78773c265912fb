"""The mixed workload of `make bench`: many visitors at once, with writes, against the page cache.

wrk repeats one URL, so a cached page is always a hit and no write ever invalidates it. Here
WORKERS threads each play one browser for a number of accounts and repeat a cycle of
CYCLE requests: CYCLE - 2 GETs drawn from the bench's pages (bench/pages.py; half of them public
pages without a cookie, half logged-in pages with that account's session), then one write
(workers start at different points of the cycle, so the writes are spread out), alternately

- a login: GET /login without a session, the form's CSRF token, POST e-mail and password
  (the demo password), which must redirect; the new session is used from then on, and
- a draft save: GET the edit page of a draft response of the worker's own (no two workers
  share one, so the version in the form is current), POST the form back as the page filled
  it in with the general statement changed, which must redirect to the response.

So one request in CYCLE is a write (the form's GET is counted as one of the CYCLE requests; the
run reports the share it measured, as it ends when its time is up, mid-cycle).
Every response must have the status expected (200 for a GET, 302 for a write that
succeeded): anything else stops the run with the request and the start of the answer, since
a 409 on a draft save or a redirect to the login page would mean the generator, not the app,
is wrong. A login that answers 200 (the form again, refused) is counted as a failed write.
The page cache's hit rate comes from the app's request log (`cache=hit|miss`,
partner_portal/core/logging.py), read from gunicorn's stderr: each request carries an
X-Request-ID that the log repeats, so only this workload's requests are counted. Redis's own
counters (INFO keyspace_hits) are server-wide and would count other users of the same Redis.
"""

from __future__ import annotations

import http.client
import random
import re
import statistics
import threading
import time
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urlencode

WORKERS = 8
CYCLE = 20  # requests per cycle, one of them a write
REQUEST_ID_PREFIX = "bench-mixed-"
DRAFT_ACCOUNT = "toerisme@example.org"  # coordinator of the group whose bench responses await changes
_STATEMENT_MARK = re.compile(r" \(bench save \d+-\d+\)$")


# Forms -----------------------------------------------------------------------------------------


class _FormParser(HTMLParser):
    """The fields of every <form> in a page, as a browser would submit them unchanged."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[dict[str, str]] = []
        self._form: dict[str, str] | None = None
        self._select: str | None = None
        self._select_first: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self._form = {}
            self.forms.append(self._form)
        if self._form is None or ("name" not in a and tag != "option"):
            return
        if tag == "input" and a.get("type", "text") not in ("submit", "file", "button", "image", "reset"):
            if a.get("type") not in ("checkbox", "radio") or "checked" in a:
                self._form[a["name"]] = a.get("value", "")
        elif tag == "textarea":
            self._textarea = a["name"]
            self._form[a["name"]] = ""
        elif tag == "select":
            self._select, self._select_first = a["name"], None
        elif tag == "option" and self._select:
            if self._select_first is None:
                self._select_first = a.get("value", "")
            if "selected" in a:
                self._form[self._select] = a.get("value", "")

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "textarea":
            self._textarea = None
        elif tag == "select" and self._form is not None and self._select:
            self._form.setdefault(self._select, self._select_first or "")
            self._select = None

    def handle_data(self, data):
        if self._textarea and self._form is not None:
            self._form[self._textarea] += data


def form_with(html: str, field_name: str) -> dict[str, str]:
    """The fields of the first form in `html` that has a field `field_name`."""
    parser = _FormParser()
    parser.feed(html)
    for form in parser.forms:
        if field_name in form:
            # A browser sends a textarea's text without the newline that follows its start tag.
            return {k: v[1:] if v.startswith("\n") else v for k, v in form.items()}
    raise LookupError(f"no form with a field {field_name!r}")


def changed_statement(statement: str, worker: int, n: int) -> str:
    """The statement with its bench mark replaced, so that every save changes one field."""
    return _STATEMENT_MARK.sub("", statement) + f" (bench save {worker}-{n})"


# HTTP with cookies -----------------------------------------------------------------------------


class Failed(Exception):
    """A response the workload did not expect: the run stops with it."""


@dataclass
class Browser:
    """One account's cookies (the session, the login throttle's device cookie)."""

    cookies: dict[str, str] = field(default_factory=dict)

    def header(self) -> dict[str, str]:
        return {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())} if self.cookies else {}

    def update(self, set_cookies: list[str]) -> None:
        for line in set_cookies:
            name, _, rest = line.partition("=")
            value, _, attributes = rest.partition(";")
            expired = re.search(r"max-age=0\b|expires=[^;]*1970", attributes, re.IGNORECASE)
            if expired or not value:
                self.cookies.pop(name.strip(), None)
            else:
                self.cookies[name.strip()] = value.strip()


@dataclass
class Plan:
    """What the workers request: resolved paths, accounts and their prepared sessions."""

    public: list[str]  # paths of public pages (sent without a cookie)
    logged_in: list[tuple[str, str]]  # (path, account e-mail)
    sessions: dict[str, str]  # account e-mail -> a session cookie value (every account above and below)
    drafts: list[tuple[str, int]]  # (account e-mail, response id): one draft per worker
    password: str
    session_cookie: str  # the session cookie's name


@dataclass
class Tally:
    timings: list[float] = field(default_factory=list)  # ms per request, every request
    write_timings: list[float] = field(default_factory=list)  # ms per write POST
    writes: dict[str, list[int]] = field(default_factory=lambda: {"login": [0, 0], "draft save": [0, 0]})


class Worker(threading.Thread):
    def __init__(self, number: int, workers: int, port: int, plan: Plan, deadline: float, stop: threading.Event):
        super().__init__(name=f"mixed-{number}", daemon=True)
        self.number, self.port, self.plan, self.deadline, self.stop = number, port, plan, deadline, stop
        self.start_position = number * CYCLE // workers
        self.rnd = random.Random(number)
        self.tally = Tally()
        self.error: str | None = None
        self.browsers = {email: Browser({plan.session_cookie: value}) for email, value in plan.sessions.items()}
        self.draft_account, self.draft_id = plan.drafts[number]
        self.logins = sorted(plan.sessions)
        self.saves = 0
        self.sent = 0

    def request(self, method: str, path: str, browser: Browser | None, *, body: dict | None = None, expect=(200,)):
        self.sent += 1
        # The app logs it (client_request_id=...): the hit rate counts this workload's requests only.
        headers = {"X-Request-ID": f"{REQUEST_ID_PREFIX}{self.number}-{self.sent}"}
        headers |= browser.header() if browser else {}
        payload = None
        if body is not None:
            payload = urlencode(body)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        start = time.perf_counter()
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            conn.request(method, path, body=payload, headers=headers)
            response = conn.getresponse()
            data = response.read()
        finally:
            conn.close()
        ms = (time.perf_counter() - start) * 1000
        self.tally.timings.append(ms)
        if browser is not None:
            browser.update(response.msg.get_all("Set-Cookie") or [])
        if response.status not in expect:
            raise Failed(
                f"{method} {path} gave {response.status} (expected {expect}), "
                f"location {response.getheader('Location')!r}: {data[:300]!r}"
            )
        return response.status, response.getheader("Location") or "", data.decode("utf-8", "replace"), ms

    def get_page(self) -> None:
        if self.rnd.random() < 0.5:
            self.request("GET", self.rnd.choice(self.plan.public), None)
        else:
            path, email = self.rnd.choice(self.plan.logged_in)
            self.request("GET", path, self.browsers[email])

    def login(self) -> bool:
        email = self.logins[self.rnd.randrange(len(self.logins))]
        browser = self.browsers[email]
        browser.cookies.pop(self.plan.session_cookie, None)  # a fresh visit: no session yet
        _, _, html, _ = self.request("GET", "/login", browser)
        form = form_with(html, "password") | {"email": email, "password": self.plan.password}
        # 200: the form again, the login refused (a failed write, counted; anything else stops the run).
        status, location, _, ms = self.request("POST", "/login", browser, body=form, expect=(302, 200))
        self.tally.write_timings.append(ms)
        return status == 302 and "/login" not in location

    def save_draft(self) -> bool:
        browser, path = self.browsers[self.draft_account], f"/reacties/{self.draft_id}/bewerken"
        _, _, html, _ = self.request("GET", path, browser)
        form = form_with(html, "base")
        self.saves += 1
        form["statement"] = changed_statement(form.get("statement", ""), self.number, self.saves)
        _, location, _, ms = self.request("POST", path, browser, body=form, expect=(302,))
        self.tally.write_timings.append(ms)
        return location.endswith(f"/reacties/{self.draft_id}")

    def run(self) -> None:
        writes = (("login", self.login), ("draft save", self.save_draft))
        # Workers start at different points of the cycle, so that their writes are spread out.
        position = self.start_position
        cycle = self.number
        try:
            while time.perf_counter() < self.deadline and not self.stop.is_set():
                if position < CYCLE - 2:
                    self.get_page()
                    position += 1
                    continue
                name, write = writes[cycle % 2]
                ok = write()  # two requests: the form, then the POST
                self.tally.writes[name][0] += 1
                self.tally.writes[name][1] += ok
                position, cycle = 0, cycle + 1
        except Exception as exc:  # reported by run(), which stops the bench
            self.error = f"{type(exc).__name__}: {exc}"
            self.stop.set()


# The run ---------------------------------------------------------------------------------------

_LOG_LINE = re.compile(
    r"partner_portal\.request: \S+ \S+ \d{3} user=(\S+) [\d.]+ms(?: cache=(\w+))?"
    rf" client_request_id={REQUEST_ID_PREFIX}\S+"
)


def cache_counts(log_text: str) -> dict[str, int]:
    """This workload's requests in the app's request log, and their page-cache hits and misses:
    of whole public pages (no user) and of logged-in pages' shared parts."""
    counts = dict.fromkeys(("requests", "public hit", "public miss", "shared hit", "shared miss"), 0)
    for user, cache in _LOG_LINE.findall(log_text):
        counts["requests"] += 1
        if cache:
            counts[f"{'public' if user == '-' else 'shared'} {cache}"] += 1
    return counts


def run(port: int, plan: Plan, seconds: float, workers: int = WORKERS) -> dict:
    """Run the workload for `seconds`; raises SystemExit on an unexpected response."""
    if len(plan.drafts) < workers:
        raise SystemExit(f"mixed workload: {workers} workers need as many drafts, found {len(plan.drafts)}")
    stop = threading.Event()
    started = time.perf_counter()
    threads = [Worker(n, workers, port, plan, started + seconds, stop) for n in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    errors = [f"{t.name}: {t.error}" for t in threads if t.error]
    if errors:
        raise SystemExit("mixed workload stopped on an unexpected response:\n" + "\n".join(errors))
    timings = [ms for t in threads for ms in t.tally.timings]
    write_timings = [ms for t in threads for ms in t.tally.write_timings]
    writes = {name: [sum(t.tally.writes[name][i] for t in threads) for i in (0, 1)] for name in ("login", "draft save")}
    return {
        "workers": workers,
        "requests": len(timings),
        "seconds": elapsed,
        "rate": len(timings) / elapsed,
        "p50": statistics.median(timings),
        "p95": statistics.quantiles(timings, n=100)[94],
        "write p95": statistics.quantiles(write_timings, n=100)[94] if len(write_timings) > 1 else float("nan"),
        "writes": writes,
        "write share": sum(n for n, _ok in writes.values()) / len(timings),
    }


def editable_drafts() -> list[tuple[str, int]]:
    """(account, response id) of the bench consultations' responses whose text the toerisme &
    leisure coordinator may still edit (changes requested), one per bench consultation. In an app
    context."""
    import sqlalchemy as sa

    from partner_portal.consultations.models import Consultation
    from partner_portal.extensions import db
    from partner_portal.partners.models import SectorGroup
    from partner_portal.responses.models import FormalResponse

    ids = db.session.scalars(
        sa.select(FormalResponse.id)
        .join(Consultation, Consultation.id == FormalResponse.consultation_id)
        .join(SectorGroup, SectorGroup.id == FormalResponse.sector_group_id)
        .where(
            Consultation.slug.like("bench-%"),
            SectorGroup.slug == "toerisme-leisure",
            FormalResponse.state.in_(("draft", "changes_requested")),
        )
        .order_by(FormalResponse.id)
    ).all()
    return [(DRAFT_ACCOUNT, response_id) for response_id in ids]
