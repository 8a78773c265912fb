"""`make bench`: seed a large data set, then measure the key pages in process and over HTTP.

In process (Flask test client, page cache off): p50/p95 over REQUESTS requests and the SQL
statement count of one request, at 1x and 10x the data set (growth factor = p95 at 10x / p95 at
1x). SQLite always; PostgreSQL too when DATABASE_URL points at one (the benchmark makes its own
databases `<name>_bench_1x` and `_10x` on that server).

Over HTTP, at 1x, every server being `gunicorn -w 2` (sync workers) on loopback and every load
coming from a second process:
1. the floor: a plain Flask app (bench/plain.py) and the app's bare endpoint (a constant string
   through all of the app's hooks), served side by side, wrk for HTTP_SECONDS on each in turns,
   twice, the best run of each counting; bare / plain is the floor ratio (target TARGET_FLOOR);
2. uncached: the same server of the app, PAGE_CACHE_URL empty, wrk for HTTP_SECONDS per page;
   page / bare is each page's ratio (targets TARGET_RATIO_PUBLIC and TARGET_RATIO_LOGGED_IN);
3. cached, when the Redis at BENCH_REDIS_URL answers: the app with the page cache in that
   Redis, as in production; wrk per public page (the cached req/s column), then the mixed
   workload (bench/mixed.py: public and logged-in pages, one write in 20, a login or a draft
   save) for MIX_SECONDS, with its req/s, p50/p95, writes that succeeded and the cache's hit
   rate read from the request log.

Writes bench/RESULTS.md: the tables, the targets and every miss, a comparison with the peer
figures (PEERS), and the "## Notes" section kept from the file as it was.
BENCH_QUICK=1: fewer requests and seconds, results only printed. BENCH_SMOKE=1: the data set at
the size of datasets.SMOKE_SIZES and 1 s per load run, so a whole run takes a minute or two
(to check that the bench works, not to measure); results only printed.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import http.client
import os
import platform
import re
import shutil
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "bench" / "data"
RESULTS = ROOT / "bench" / "RESULTS.md"
QUICK = os.environ.get("BENCH_QUICK") == "1"
SMOKE = os.environ.get("BENCH_SMOKE") == "1"
REQUESTS = 20 if SMOKE else 100 if QUICK else 400
WARMUP = 3 if SMOKE else 20
HTTP_SECONDS = int(os.environ.get("BENCH_HTTP_SECONDS", "1" if SMOKE else "3" if QUICK else "10"))
MIX_SECONDS = 5 if SMOKE else 10 if QUICK else 30
DOCUMENT_REQUESTS = 1 if SMOKE else 3 if QUICK else 10
SCALES = (1, 10)
SECRET = "bench-only-secret-key-never-used-in-production"  # noqa: S105
# The page cache's store for the HTTP runs, as in production (in process the pages are always rendered).
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/0")
POSTGRES_URL = os.environ.get("DATABASE_URL", "") if os.environ.get("DATABASE_URL", "").startswith("postgresql") else ""

# Measure the production configuration. The config classes read the environment at import.
os.environ.update(
    APP_ENV="production",
    SECRET_KEY=SECRET,
    AUDIT_HMAC_KEY=SECRET,
    RATELIMIT_STORAGE_URI="memory://",
    PAGE_CACHE_URL="",
)
os.environ["DATABASE_URL"] = f"sqlite:///{DATA / 'bench-1x.sqlite'}"

import sqlalchemy as sa  # noqa: E402

from bench import datasets, mixed, signing  # noqa: E402
from bench.app import BARE_PATH, create_bench_app  # noqa: E402
from bench.pages import DOCUMENTS, PAGES, Page  # noqa: E402
from bench.plain import PLAIN_PATH  # noqa: E402
from partner_portal import demo  # noqa: E402
from partner_portal.auth.models import User  # noqa: E402
from partner_portal.extensions import db  # noqa: E402
from tests.querycount import count_queries  # noqa: E402

if SMOKE:
    for _name, _value in datasets.SMOKE_SIZES.items():
        setattr(datasets, _name, _value)

TARGET_P95_MS = 25.0
TARGET_QUERIES = 10
TARGET_QUERIES_KEY = 6  # pages marked key in bench/pages.py
TARGET_GROWTH = 1.3
TARGET_RSS_MB = 150.0
TARGET_FLOOR = 0.80  # the bare endpoint's req/s as a share of the plain Flask app's
TARGET_RATIO_PUBLIC = 0.15  # uncached, of the bare endpoint's req/s
TARGET_RATIO_LOGGED_IN = 0.10

# The peer platform (adhocracy+, Django), measured earlier on the same machine, with our bare
# endpoint's req/s of that run; a peer page's share of it is comparable with our page / bare.
PEER_OUR_BARE = 2_673
PEER_BARE = 3_454
PEER_RATES = {"project page": 36.9, "idea detail": 42.2, "idea list p1": 17.1}
PEERS = {  # our page -> the peer's page that does the same job
    "home (featured consultation)": "project page",
    "consultation page": "project page",
    "response detail (public)": "idea detail",
    "moderation queue p1 (moderator)": "idea list p1",
    "start: process manager = consultations": "idea list p1",
}


# Databases -------------------------------------------------------------------------------------


def fresh_database(kind: str, scale: int) -> str:
    if kind == "SQLite":
        DATA.mkdir(parents=True, exist_ok=True)
        path = DATA / f"bench-{scale}x.sqlite"
        path.unlink(missing_ok=True)
        return f"sqlite:///{path}"
    import psycopg

    url = sa.engine.make_url(POSTGRES_URL)
    name = f"{url.database}_bench_{scale}x"
    admin = url.set(drivername="postgresql", database="postgres").render_as_string(hide_password=False)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    return url.set(drivername="postgresql+psycopg", database=name).render_as_string(hide_password=False)


def quiet_request_log() -> None:
    # Keep the per-request log line (its cost is real) but send it nowhere.
    import logging

    for handler in logging.getLogger("partner_portal").handlers:
        if isinstance(handler, logging.StreamHandler):
            handler.setStream(open(os.devnull, "w"))  # noqa: SIM115 (lives as long as the process)


def build(kind: str, scale: int):
    url = fresh_database(kind, scale)
    app = create_bench_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": SECRET})
    quiet_request_log()
    started = time.perf_counter()
    with app.app_context():
        db.create_all()
        lines = datasets.seed(scale)
        # As a database that autovacuum has visited: statistics, and on PostgreSQL the visibility
        # map too (index-only scans, e.g. the moderation queue's counts per state).
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(sa.text("VACUUM ANALYZE" if kind == "PostgreSQL" else "ANALYZE"))
    print(f"  {kind} {scale}x seeded in {time.perf_counter() - started:.1f} s: " + "; ".join(lines), flush=True)
    return app, url


# In process ------------------------------------------------------------------------------------


def logged_in_client(app, email: str | None):
    """A test client with a fresh session of `email` (None: anonymous), as a login would leave it."""
    client = app.test_client()
    if email:
        with app.app_context():
            user = db.session.scalar(sa.select(User).where(User.email == email))
            assert user is not None, f"no demo account {email}"
            user_id = user.get_id()
        now = int(time.time())
        with client.session_transaction() as session:
            session.update(_user_id=user_id, _fresh=True, login_at=now, seen_at=now)
            session.permanent = True
    return client


def measure_in_process(apps: dict[int, object], page: Page) -> dict[int, dict]:
    """p50/p95 and statements per scale; the scales are measured in alternating batches so that
    a slow moment of the machine does not land on one scale only."""
    clients, paths, timings, queries = {}, {}, {}, {}
    for scale, app in apps.items():
        clients[scale] = logged_in_client(app, page.user)
        with app.app_context():
            paths[scale] = page.path()
        for _ in range(WARMUP):
            response = clients[scale].get(paths[scale])
            assert response.status_code == 200, f"{page.name}: {paths[scale]} gave {response.status_code}"
        with app.app_context(), count_queries(db.engine) as log:
            clients[scale].get(paths[scale])
        queries[scale] = log.count
        timings[scale] = []
    batch = 10
    for _ in range(0, REQUESTS, batch):
        for scale in apps:
            client, path = clients[scale], paths[scale]
            for _ in range(batch):
                start = time.perf_counter()
                client.get(path)
                timings[scale].append((time.perf_counter() - start) * 1000)
    return {
        scale: {
            "p50": statistics.median(timings[scale]),
            "p95": statistics.quantiles(timings[scale], n=100)[94],
            "queries": queries[scale],
        }
        for scale in apps
    }


def measure_document(apps: dict[int, object], page: Page) -> dict[int, dict]:
    """Slow documents (the Nota PDF): a few requests per scale, median and slowest time."""
    result = {}
    for scale, app in apps.items():
        client = logged_in_client(app, page.user)
        with app.app_context():
            path = page.path()
        response = client.get(path)  # warm-up (fonts, templates)
        assert response.status_code == 200, f"{page.name}: {path} gave {response.status_code}"
        timings = []
        for _ in range(DOCUMENT_REQUESTS):
            start = time.perf_counter()
            client.get(path)
            timings.append((time.perf_counter() - start) * 1000)
        result[scale] = {"p50": statistics.median(timings), "max": max(timings), "bytes": len(response.data)}
    return result


IMPORT_ROWS = 10_000
IMPORT_HEADERS = ["KvK-nummer", "Naam", "Lidnummer", "Sector", "Contactpersoon", "E-mail", "Postcode", "Lid sinds"]
IMPORT_MAPPING = {
    "kvk_number": 0,
    "name": 1,
    "member_number": 2,
    "sector": 3,
    "contact_name": 4,
    "contact_email": 5,
    "postcode": 6,
    "member_since": 7,
}


def member_file(app, rows: int = IMPORT_ROWS) -> bytes:
    """A CRM export of `rows` members (Dutch Excel CSV): the registry's current members first (updates),
    then new ones, a third of those with a KvK number that starts with 0."""
    from partner_portal.core import csvexport
    from partner_portal.mkb.models import MkbMember
    from partner_portal.partners.models import SectorGroup

    with app.app_context():
        groups = db.session.scalars(sa.select(SectorGroup.name).order_by(SectorGroup.position)).all()
        current = db.session.execute(
            sa.select(MkbMember.kvk_number, MkbMember.name)
            .where(MkbMember.ended_on.is_(None))
            .order_by(MkbMember.id)
            .limit(rows)
        ).all()
    lines = [IMPORT_HEADERS]
    for i in range(rows):
        kvk, name = (
            current[i]
            if i < len(current)
            else (f"{i:08d}" if i % 3 == 0 else f"{60_000_000 + i:08d}", f"Nieuw lid {i}")
        )
        lines.append([kvk, name, f"I-{i}", groups[i % len(groups)], f"Contact {i}", f"lid{i}@import.example",
                      "9401 AB", "01-01-2020"])  # fmt: skip
    return (csvexport.BOM + csvexport.rows_text(lines)).encode()


def measure_member_import(app) -> dict:
    """The registry's import of a 10,000-row member file as MKB staff: upload and preview, then confirm (timed each)."""
    from partner_portal.mkb import registry

    data = member_file(app)
    with app.test_request_context():
        actor = db.session.scalar(sa.select(User).where(User.email == "mkb@example.org"))
        start = time.perf_counter()
        member_import = registry.upload(actor, data, "leden.csv")
        plan = registry.preview(actor, member_import, IMPORT_MAPPING)
        db.session.commit()
        preview_ms = (time.perf_counter() - start) * 1000
        start = time.perf_counter()
        counts = registry.confirm(actor, member_import, only_valid=True)
        db.session.commit()
        confirm_ms = (time.perf_counter() - start) * 1000
        db.session.remove()
    return {"rows": IMPORT_ROWS, "preview_ms": preview_ms, "confirm_ms": confirm_ms, "plan": plan, "counts": counts}


def import_table(imports: dict) -> str:
    lines = ["| database | rows | upload + preview ms | confirm ms | result |", "|---|---:|---:|---:|---|"]
    for kind, m in imports.items():
        result = ", ".join(f"{key} {value}" for key, value in m["counts"].items())
        lines.append(f"| {kind} | {m['rows']:,} | {m['preview_ms']:.0f} | {m['confirm_ms']:.0f} | {result} |")
    return "\n".join(lines)


# Over HTTP -------------------------------------------------------------------------------------


def redis_answers() -> bool:
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
        return True
    except redis.RedisError:
        return False


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def get(port: int, path: str, cookie: str | None) -> int:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    conn.request("GET", path, headers={"Cookie": cookie} if cookie else {})
    status = conn.getresponse().status
    conn.close()
    return status


def worker_peak_rss_mb(master_pid: int) -> float:
    children = Path(f"/proc/{master_pid}/task/{master_pid}/children").read_text().split()
    peaks = []
    for pid in children:
        status = Path(f"/proc/{pid}/status").read_text()
        match = re.search(r"VmHWM:\s+(\d+) kB", status)
        if match:
            peaks.append(int(match.group(1)) / 1024)
    return max(peaks) if peaks else float("nan")


@contextlib.contextmanager
def gunicorn(wsgi_app: str, health_path: str, env: dict | None = None, log: Path | None = None):
    """`gunicorn -w 2` serving `wsgi_app` on a free loopback port; yields (port, master pid).
    Its stderr (the app's request log) goes to `log`, or nowhere."""
    port = free_port()
    stderr = open(log, "ab") if log else subprocess.DEVNULL  # noqa: SIM115 (closed below)
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-w", "2", "-b", f"127.0.0.1:{port}", wsgi_app],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT), **(env or {})},
        stdout=subprocess.DEVNULL,
        stderr=stderr,
    )
    try:
        for _ in range(100):
            try:
                if get(port, health_path, None) == 200:
                    break
            except OSError:
                time.sleep(0.2)
        else:
            raise SystemExit(f"gunicorn did not start {wsgi_app}")
        yield port, server.pid
    finally:
        server.terminate()
        server.wait(timeout=20)
        if log:
            stderr.close()


def wrk(port: int, path: str, cookie: str | None) -> float:
    command = ["wrk", "-t1", "-c8", f"-d{HTTP_SECONDS}s", f"http://127.0.0.1:{port}{path}"]
    if cookie:
        command[1:1] = ["-H", f"Cookie: {cookie}"]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    if "Non-2xx or 3xx responses" in output:
        raise SystemExit(f"wrk saw error responses on {path}:\n{output}")
    return float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))


def session_cookie(app, email: str) -> str:
    """The value of a session cookie for `email` (the app's secret key signs it)."""
    name = app.config["SESSION_COOKIE_NAME"]
    return logged_in_client(app, email).get_cookie(name).value


def measure_pages(app, port: int, pages: list[Page]) -> dict[str, float]:
    """wrk's req/s per page name, each page checked to answer 200 first."""
    cookie_name = app.config["SESSION_COOKIE_NAME"]
    rates = {}
    for page in pages:
        cookie = f"{cookie_name}={session_cookie(app, page.user)}" if page.user else None
        with app.app_context():
            path = page.path()
        status = get(port, path, cookie)
        assert status == 200, f"{page.name}: {path} gave {status} over HTTP"
        rates[page.name] = wrk(port, path, cookie)
        print(f"    {page.name}: {rates[page.name]:.0f} req/s", flush=True)
    return rates


def measure_floor(plain_port: int, port: int) -> tuple[float, float]:
    """req/s of the plain Flask app and of our bare endpoint, each the best of two runs taken in
    turns, so that a slow moment of the machine does not land on one of them only."""
    plain, bare = [], []
    for _ in range(2):
        plain.append(wrk(plain_port, PLAIN_PATH, None))
        bare.append(wrk(port, BARE_PATH, None))
    print(f"    plain Flask app: {max(plain):.0f} req/s, bare endpoint: {max(bare):.0f} req/s", flush=True)
    return max(plain), max(bare)


def measure_uncached(app, url: str) -> dict:
    """The floor, then every page with the page cache off: the cost of rendering."""
    env = {"DATABASE_URL": url, "PAGE_CACHE_URL": ""}
    with (
        gunicorn("bench.plain:app", PLAIN_PATH) as (plain_port, _plain_pid),
        gunicorn("bench.app:create_bench_app()", "/healthz", env) as (port, pid),
    ):
        plain, bare = measure_floor(plain_port, port)
        rates = measure_pages(app, port, PAGES)
        signed = measure_signing(app, port)
        return {"plain": plain, "bare": bare, "rates": rates, "rss": worker_peak_rss_mb(pid), "signing": signed}


SIGNERS = 20 if SMOKE else 100 if QUICK else 300
BENCH_PASSWORD = "bench-" + demo.DEMO_PASSWORD  # the bench people's (bench/datasets.py)


def measure_signing(app, port: int) -> dict:
    """Signing throughput: SIGNERS bench organisations sign a new open commitment at once (bench/signing.py)."""
    from partner_portal.auth.models import OrgRole
    from partner_portal.commitments import operations as commitment_ops
    from partner_portal.consultations.models import Consultation
    from partner_portal.partners.models import Organisation

    with app.app_context():
        pm = db.session.scalar(sa.select(User).where(User.email == "procesmanager@example.org"))
        consultation = db.session.scalar(sa.select(Consultation).where(Consultation.slug == "binnenstad-assen"))
        fields = {"title": "Bench: ondertekenen onder last", "text": "De ondertekenaars meten samen.",
                  "invited": "all", "allows_money": "", "allows_hours": "", "allows_in_kind": ""}  # fmt: skip
        commitment = commitment_ops.create_commitment(pm, consultation, fields)
        commitment_ops.open_commitment(pm, commitment, version=commitment.version)
        db.session.commit()
        commitment_id = commitment.id
        people = db.session.execute(
            sa.select(User.email, User.name, User.organisation_id, User.password_hash)
            .join(Organisation, Organisation.id == User.organisation_id)
            .where(User.org_role == OrgRole.signatory, User.email.like("%@bench.example"))
            .where(User.is_active, Organisation.is_active)
            .order_by(User.id)
        ).all()
        chosen, seen = [], set()
        for email, name, org_id, password_hash in people:
            if org_id not in seen:
                seen.add(org_id)
                chosen.append((email, name, password_hash))
            if len(chosen) == SIGNERS:
                break
        check_ms = signing.password_check_ms(chosen[0][2], BENCH_PASSWORD)
    sessions = [(name, session_cookie(app, email)) for email, name, _hash in chosen]
    result = signing.run(port, commitment_id, sessions, BENCH_PASSWORD, app.config["SESSION_COOKIE_NAME"])
    result["password_ms"] = check_ms
    print(
        f"    signing: {result['rate']:.1f} signatures/s ({result['signatures']} of {len(sessions)}), "
        f"POST p50 {result['p50']:.0f} ms, the password check {check_ms:.0f} ms of it",
        flush=True,
    )
    return result


def mixed_plan(app) -> mixed.Plan:
    with app.app_context():
        public = [page.path() for page in PAGES if page.public]
        logged_in = [(page.path(), page.user) for page in PAGES if not page.public]
        drafts = mixed.editable_drafts()
    accounts = {email for _path, email in logged_in} | {email for email, _id in drafts}
    return mixed.Plan(
        public=public,
        logged_in=logged_in,
        sessions={email: session_cookie(app, email) for email in sorted(accounts)},
        drafts=drafts,
        password=demo.DEMO_PASSWORD,
        session_cookie=app.config["SESSION_COOKIE_NAME"],
    )


def measure_cached(app, url: str, kind: str) -> dict:
    """With the page cache in Redis, as in production: wrk per public page, then the mixed workload."""
    cache_app = create_bench_app({"SQLALCHEMY_DATABASE_URI": url, "PAGE_CACHE_URL": REDIS_URL})
    # A fresh generation: no page stored by an earlier run on a database of the same name.
    cache_app.extensions["page_cache"].clear()
    log = DATA / f"gunicorn-{kind.lower()}.log"
    log.unlink(missing_ok=True)
    env = {"DATABASE_URL": url, "PAGE_CACHE_URL": REDIS_URL}
    with gunicorn("bench.app:create_bench_app()", "/healthz", env, log) as (port, pid):
        rates = measure_pages(app, port, [page for page in PAGES if page.public])
        plan = mixed_plan(app)
        offset = log.stat().st_size
        result = mixed.run(port, plan, MIX_SECONDS)
        rss = worker_peak_rss_mb(pid)
    with log.open(encoding="utf-8", errors="replace") as file:
        file.seek(offset)
        result["log"] = mixed.cache_counts(file.read())
    print(
        f"    mixed workload: {result['rate']:.0f} req/s, p95 {result['p95']:.1f} ms, "
        f"{result['requests']} requests ({result['log']['requests']} of them in the request log)",
        flush=True,
    )
    return {"rates": rates, "mixed": result, "rss": rss}


def measure_http(app, url: str, kind: str, cache: bool) -> dict:
    print(f"  {kind} 1x over HTTP (gunicorn -w 2, wrk {HTTP_SECONDS} s per run), page cache off:", flush=True)
    uncached = measure_uncached(app, url)
    if not cache:
        return {"uncached": uncached, "cached": None}
    print(f"  {kind} 1x over HTTP with the page cache in Redis:", flush=True)
    return {"uncached": uncached, "cached": measure_cached(app, url, kind)}


# Report ----------------------------------------------------------------------------------------


def machine() -> str:
    model = "unknown CPU"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        match = re.search(r"model name\s*:\s*(.+)", cpuinfo.read_text())
        if match:
            model = match.group(1).strip()
    return (
        f"{os.cpu_count()} cores, {model}, {platform.system()} {platform.release()}, Python {platform.python_version()}"
    )


def _f(value: float | None, spec: str = ".0f", unit: str = "") -> str:
    return "–" if value is None else f"{value:{spec}}{unit}"


def page_table(results: dict, http: dict) -> tuple[str, list[str]]:
    """The main table (one row per database and page) and the targets it misses."""
    lines = [
        "| database | page | key | p50 ms | p95 ms | queries | p95 ms 10x | queries 10x | growth | req/s "
        "| ratio to bare | req/s cached |",
        "|---|---|:-:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    misses = []
    for kind in results:
        uncached = http[kind]["uncached"]
        cached = http[kind]["cached"] or {"rates": {}}
        for page in PAGES:
            one, ten = results[kind][1][page.name], results[kind][10][page.name]
            growth = ten["p95"] / one["p95"]
            rate = uncached["rates"].get(page.name)
            ratio = rate / uncached["bare"] if rate else None
            lines.append(
                f"| {kind} | {page.name} | {'✓' if page.key else ''} | {one['p50']:.1f} | {one['p95']:.1f} "
                f"| {one['queries']} | {ten['p95']:.1f} | {ten['queries']} | {growth:.2f} | {_f(rate)} "
                f"| {_f(ratio, '.1%')} | {_f(cached['rates'].get(page.name))} |"
            )
            worst = max(one["p95"], ten["p95"])
            if worst >= TARGET_P95_MS:
                misses.append(f"{kind}, {page.name}: p95 {worst:.1f} ms (target < {TARGET_P95_MS:.0f} ms)")
            ceiling = TARGET_QUERIES_KEY if page.key else TARGET_QUERIES
            if max(one["queries"], ten["queries"]) > ceiling or one["queries"] != ten["queries"]:
                misses.append(
                    f"{kind}, {page.name}: {one['queries']} queries at 1x, {ten['queries']} at 10x "
                    f"(target ≤ {ceiling}{' for a key page' if page.key else ''}, the same at both)"
                )
            if growth >= TARGET_GROWTH:
                misses.append(f"{kind}, {page.name}: p95 growth {growth:.2f} from 1x to 10x (target < {TARGET_GROWTH})")
            target = TARGET_RATIO_PUBLIC if page.public else TARGET_RATIO_LOGGED_IN
            if ratio is not None and ratio < target:
                misses.append(
                    f"{kind}, {page.name}: uncached {ratio:.1%} of the bare endpoint's req/s (target ≥ {target:.0%})"
                )
    return "\n".join(lines), misses


def floor_table(http: dict) -> tuple[str, list[str]]:
    lines = [
        "| database | plain Flask app req/s | bare endpoint req/s | floor ratio (bare / plain) "
        "| peak RSS/worker uncached | peak RSS/worker cached |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    misses = []
    for kind, h in http.items():
        floor = h["uncached"]["bare"] / h["uncached"]["plain"]
        cached_rss = h["cached"]["rss"] if h["cached"] else None
        lines.append(
            f"| {kind} | {h['uncached']['plain']:.0f} | {h['uncached']['bare']:.0f} | {floor:.2f} "
            f"| {h['uncached']['rss']:.0f} MB | {_f(cached_rss, '.0f', ' MB')} |"
        )
        if floor < TARGET_FLOOR:
            misses.append(f"{kind}: the bare endpoint at {floor:.2f} of the plain Flask app (target ≥ {TARGET_FLOOR})")
        rss = max(h["uncached"]["rss"], cached_rss or 0)
        if rss >= TARGET_RSS_MB:
            misses.append(f"{kind}: peak RSS per worker {rss:.0f} MB (target < {TARGET_RSS_MB:.0f} MB)")
    return "\n".join(lines), misses


def _share(part: int, whole: int) -> str:
    return f"{part / whole:.0%} of {whole}" if whole else "none"


def mixed_table(http: dict) -> tuple[str, list[str]]:
    lines = [
        "| database | req/s | p50 ms | p95 ms | p95 ms of the writes | requests | writes | logins succeeded "
        "| draft saves succeeded | cache hits, public pages | cache hits, shared parts of logged-in pages |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    misses = []
    for kind, h in http.items():
        if not h["cached"]:
            continue
        m = h["cached"]["mixed"]
        log = m["log"]
        (logins, logins_ok), (saves, saves_ok) = m["writes"]["login"], m["writes"]["draft save"]
        lines.append(
            f"| {kind} | {m['rate']:.0f} | {m['p50']:.1f} | {m['p95']:.1f} | {m['write p95']:.1f} | {m['requests']} "
            f"| {m['write share']:.1%} "
            f"| {_share(logins_ok, logins)} | {_share(saves_ok, saves)} "
            f"| {_share(log['public hit'], log['public hit'] + log['public miss'])} "
            f"| {_share(log['shared hit'], log['shared hit'] + log['shared miss'])} |"
        )
        if logins_ok < logins or saves_ok < saves:
            misses.append(f"{kind}, mixed workload: {logins - logins_ok} logins, {saves - saves_ok} draft saves failed")
        if log["requests"] != m["requests"]:
            misses.append(
                f"{kind}, mixed workload: {log['requests']} requests in the app's log for {m['requests']} made "
                "(the hit rates are not reliable)"
            )
    return "\n".join(lines), misses


def peer_table(http: dict) -> str:
    kinds = list(http)
    lines = [
        "| our page | "
        + " | ".join(f"ours uncached / bare, {kind}" for kind in kinds)
        + " | peer page | peer req/s / our bare of then | "
        + " | ".join(f"factor, {kind}" for kind in kinds)
        + " |",
        "|---|" + "---:|" * len(kinds) + "---|---:|" + "---:|" * len(kinds),
    ]
    for ours, theirs in PEERS.items():
        peer = PEER_RATES[theirs] / PEER_OUR_BARE
        ratios = [http[kind]["uncached"]["rates"][ours] / http[kind]["uncached"]["bare"] for kind in kinds]
        lines.append(
            f"| {ours} | "
            + " | ".join(f"{ratio:.1%}" for ratio in ratios)
            + f" | {theirs} ({PEER_RATES[theirs]} req/s) | {peer:.2%} | "
            + " | ".join(f"{ratio / peer:.1f}×" for ratio in ratios)
            + " |"
        )
    return "\n".join(lines)


def signing_table(http: dict) -> str:
    """Signatures per second with two gunicorn workers, and the password check's share of one."""
    rows = []
    for kind, measured in http.items():
        signed = (measured.get("uncached") or {}).get("signing")
        if not signed:
            continue
        share = signed["password_ms"] / signed["p50"] if signed["p50"] else 0.0
        rows.append(
            f"| {kind} | {signed['signatures']} | {signed['rate']:.1f} | {signed['p50']:.0f} | {signed['p95']:.0f} | "
            f"{signed['password_ms']:.0f} | {share:.0%} | {len(signed['failures'])} |"
        )
    head = (
        f"{signing.WORKERS} threads in the bench's process, each a signatory of its own bench organisation: GET the "
        "signing form, POST it with the password (bench/signing.py), on a new open commitment, page cache off.\n\n"
        "| database | signatures | signatures/s | POST p50 ms | POST p95 ms | password check ms | "
        "password share of p50 | refused |\n|---|---:|---:|---:|---:|---:|---:|---:|"
    )
    return head + "\n" + "\n".join(rows) if rows else "Not run."


def document_table(documents: dict) -> str:
    lines = [
        "| database | document | median ms 1x | slowest ms 1x | median ms 10x | slowest ms 10x | size |",
        "|---|---|---:|---:|---:|---:|---:|",
    ]
    for (kind, name), by_scale in documents.items():
        one, ten = by_scale[1], by_scale[10]
        lines.append(
            f"| {kind} | {name} | {one['p50']:.0f} | {one['max']:.0f} | {ten['p50']:.0f} | {ten['max']:.0f} "
            f"| {one['bytes'] / 1024:.0f} kB |"
        )
    return "\n".join(lines)


def report(
    results: dict, http: dict, documents: dict, *, cache: bool, elapsed: float, load: str, imports: dict | None = None
) -> str:
    pages, page_misses = page_table(results, http)
    floors, floor_misses = floor_table(http)
    mix, mix_misses = mixed_table(http)
    misses = floor_misses + page_misses + mix_misses
    verdict = (
        "All targets met."
        if not misses
        else "Targets missed:\n\n" + "\n".join(f"- {m}" for m in misses) + "\n\nWhy: see the notes below."
    )
    if cache:
        cache_text = f"""With the page cache in Redis ({REDIS_URL}), as in production, a second server measures the
public pages again with wrk (the "req/s cached" column: one URL repeated, so always the stored
page) and then the mixed workload below."""
        mix_text = f"""## Mixed workload, page cache on

{mixed.WORKERS} threads in the bench's process for {MIX_SECONDS} s, each a browser with a session
per demo account; each repeats {mixed.CYCLE} requests: {mixed.CYCLE - 2} GETs of the pages above
(half public without a cookie, half logged-in as the page's account), then the form and the POST
of one write, alternately a login (GET /login, POST e-mail and password) and a draft save (the edit
page of a response awaiting changes, no two threads on the same one, posted back with the general
statement changed): one write in {mixed.CYCLE} requests, and every write commits, so it makes every
stored page stale. Latency is measured by the client, per request. Cache hits: of the requests that
looked in the page cache, counted from the app's request log (`cache=hit|miss`): whole public
pages, and the shared parts of logged-in pages.

{mix}
"""
    else:
        cache_text = f"Redis at {REDIS_URL} did not answer: no cached column and no mixed workload in this run."
        mix_text = f"## Mixed workload\n\nNot run: Redis at {REDIS_URL} did not answer.\n"
    return f"""# Benchmark results

Measured {dt.datetime.now().astimezone():%Y-%m-%d %H:%M %Z} on {machine()}, by `make bench` in {elapsed:.0f} s
({load}; other processes on the machine slow the figures down and make p95 noisy).

Data set at 1x: {datasets.ORGANISATIONS:,} organisations, {datasets.USERS:,} users, 5 sector groups,
{datasets.CONSULTATIONS} consultations with 5 formal responses each, their positions, revisions, endorsements
and answers (10x: ten times as many). In process: {REQUESTS} requests per page after {WARMUP} warm-up requests
(Flask test client, production configuration, page cache off). Over HTTP: gunicorn with 2 sync workers on
127.0.0.1 at 1x, wrk (1 thread, 8 connections, {HTTP_SECONDS} s per run) in a second process, the page cache
off, so that req/s is the cost of rendering; the bare endpoint returns a constant string through the same app
(hooks, headers, logging), the plain Flask app (bench/plain.py) through Flask alone, under the same command
(these two: the best of two runs each, taken in turns).
Logged-in pages carry a session cookie. Queries: SQL statements of one request. Key pages (✓) are the ones
most people see. {cache_text}

## The floor

{floors}

## Pages

{pages}

## Against the peer platform

The peer (adhocracy+, Django) was measured earlier on the same machine: its bare endpoint
{PEER_BARE:,} req/s, while ours ran at {PEER_OUR_BARE:,} req/s in that run. Its pages as a share of our bare endpoint of
then, next to ours uncached as a share of our bare endpoint of this run; factor = ours / peer's.

{peer_table(http)}

{mix_text}
## Signing over HTTP

{signing_table(http)}

## Documents

{DOCUMENT_REQUESTS} requests each after one warm-up, in process; reported, not held to the page targets.

{document_table(documents)}

## Member import

MKB Assen's member file of {IMPORT_ROWS:,} rows through the registry's operations (mkb/registry.py) as MKB staff,
on the 1x data set after the pages: upload and preview (mapping every column), then confirm; timed once each,
in process; reported, not held to the page targets.

{import_table(imports or {})}

## Targets

p95 < {TARGET_P95_MS:.0f} ms in process on both databases at 1x and 10x; ≤ {TARGET_QUERIES_KEY} SQL
statements on a key page and ≤ {TARGET_QUERIES} on the others, the same count at 1x and 10x; growth
< {TARGET_GROWTH}; peak RSS per worker < {TARGET_RSS_MB:.0f} MB; the bare endpoint ≥ {TARGET_FLOOR:.0%} of the
plain Flask app's req/s; uncached over HTTP, public pages ≥ {TARGET_RATIO_PUBLIC:.0%} and logged-in
pages ≥ {TARGET_RATIO_LOGGED_IN:.0%} of the bare endpoint's req/s; in the mixed workload every write
succeeds and every request is in the app's log.

{verdict}
"""


# The run ---------------------------------------------------------------------------------------


def dispose(apps: dict) -> None:
    for app in apps.values():
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


def write_results(text: str) -> None:
    """bench/RESULTS.md: this run's text and the notes kept from the file as it was."""
    notes = ""
    if RESULTS.exists() and "## Notes" in RESULTS.read_text():
        notes = RESULTS.read_text().split("## Notes", 1)[1]
    RESULTS.write_text(text + "\n## Notes" + (notes or "\n\n(none yet)\n"))
    print(f"Written to {RESULTS.relative_to(ROOT)}")


def main() -> None:
    if not shutil.which("wrk"):
        raise SystemExit("wrk is not installed (apt-get install wrk); `make bench` installs it")
    kinds = ["SQLite"] + (["PostgreSQL"] if POSTGRES_URL else [])
    cache = redis_answers()
    mode = " (smoke)" if SMOKE else " (quick)" if QUICK else ""
    print(f"Benchmark{mode} on {machine()}: {', '.join(kinds)}", flush=True)
    if not cache:
        print(f"  Redis at {REDIS_URL} does not answer: no cached run, no mixed workload", flush=True)
    started = time.perf_counter()
    load_before = os.getloadavg()[0]
    results: dict = {}
    http: dict = {}
    documents: dict = {}
    imports: dict = {}
    for kind in kinds:
        built = {scale: build(kind, scale) for scale in SCALES}
        apps = {scale: app for scale, (app, _url) in built.items()}
        results[kind] = {scale: {} for scale in SCALES}
        for page in PAGES:
            for scale, measured in measure_in_process(apps, page).items():
                results[kind][scale][page.name] = measured
        for page in DOCUMENTS:
            documents[(kind, page.name)] = measure_document(apps, page)
        http[kind] = measure_http(apps[1], built[1][1], kind, cache)
        imports[kind] = measure_member_import(apps[1])  # last: it changes the registry the pages read
        dispose(apps)
    load = f"load average {load_before:.1f} at the start, {os.getloadavg()[0]:.1f} at the end"
    text = report(
        results, http, documents, cache=cache, elapsed=time.perf_counter() - started, load=load, imports=imports
    )
    print()
    print(text)
    if QUICK or SMOKE:
        print(f"({'smoke' if SMOKE else 'quick'} mode: bench/RESULTS.md not written)")
        return
    write_results(text)


if __name__ == "__main__":
    main()
