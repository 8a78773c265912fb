"""`make bench`: seed a large data set, then measure the key pages in process and over HTTP.

In process (Flask test client): p50/p95 over REQUESTS requests and the SQL statement count of
one request, at 1x and 10x the data set (growth factor = p95 at 10x / p95 at 1x). Over HTTP:
gunicorn with 2 workers on loopback, wrk in a second process for HTTP_SECONDS per page, next
to a bare endpoint of the same app. SQLite always; PostgreSQL too when DATABASE_URL points at
one (the benchmark makes its own databases `<name>_bench_1x` and `_10x` on that server).
Writes bench/RESULTS.md. BENCH_QUICK=1: fewer requests and seconds, results only printed.
"""

from __future__ import annotations

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
REQUESTS = 100 if QUICK else 400
WARMUP = 20
HTTP_SECONDS = int(os.environ.get("BENCH_HTTP_SECONDS", "3" if QUICK else "10"))
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

from bench import datasets  # noqa: E402
from bench.app import BARE_PATH, create_bench_app  # noqa: E402
from bench.pages import DOCUMENTS, PAGES, Page  # noqa: E402
from partner_portal.auth.models import User  # noqa: E402
from partner_portal.extensions import db  # noqa: E402
from tests.querycount import count_queries  # noqa: E402

TARGET_P95_MS = 25.0
TARGET_QUERIES = 10
TARGET_GROWTH = 1.3
TARGET_RSS_MB = 150.0
TARGET_RATIO_PUBLIC = 0.25
TARGET_RATIO_LOGGED_IN = 0.10


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


DOCUMENT_REQUESTS = 3 if QUICK else 10


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


# Over HTTP -------------------------------------------------------------------------------------


def page_cache_url() -> str:
    """REDIS_URL when that Redis answers, else "" (the HTTP runs then render every page)."""
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
        return REDIS_URL
    except redis.RedisError:
        return ""


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


def wrk(port: int, path: str, cookie: str | None) -> float:
    command = ["wrk", "-t1", "-c8", f"-d{HTTP_SECONDS}s", f"http://127.0.0.1:{port}{path}"]
    if cookie:
        command[1:1] = ["-H", f"Cookie: {cookie}"]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    if "Non-2xx or 3xx responses" in output:
        raise SystemExit(f"wrk saw error responses on {path}:\n{output}")
    return float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))


def measure_http(app, url: str, pages: list[Page], cache_url: str) -> tuple[dict, float, float]:
    """req/s per page name, req/s of the bare endpoint, peak RSS of a worker in MB."""
    port = free_port()
    env = {**os.environ, "DATABASE_URL": url, "PYTHONPATH": str(ROOT), "PAGE_CACHE_URL": cache_url}
    if cache_url:
        # A fresh generation: no page stored by an earlier run on a database of the same name.
        create_bench_app({"SQLALCHEMY_DATABASE_URI": url, "PAGE_CACHE_URL": cache_url}).extensions[
            "page_cache"
        ].new_generation()
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-w", "2", "-b", f"127.0.0.1:{port}", "bench.app:create_bench_app()"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(100):
            try:
                if get(port, "/healthz", None) == 200:
                    break
            except OSError:
                time.sleep(0.2)
        else:
            raise SystemExit("gunicorn did not start")
        cookie_name = app.config["SESSION_COOKIE_NAME"]
        rates = {}
        bare = wrk(port, BARE_PATH, None)
        for page in pages:
            cookie = None
            if page.user:
                client = logged_in_client(app, page.user)
                cookie = f"{cookie_name}={client.get_cookie(cookie_name).value}"
            with app.app_context():
                path = page.path()
            status = get(port, path, cookie)
            assert status == 200, f"{page.name}: {path} gave {status} over HTTP"
            rates[page.name] = wrk(port, path, cookie)
            print(f"    {page.name}: {rates[page.name]:.0f} req/s", flush=True)
        return rates, bare, worker_peak_rss_mb(server.pid)
    finally:
        server.terminate()
        server.wait(timeout=20)


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


def report(results: dict, http_results: dict) -> tuple[str, list[str]]:
    lines = [
        "| database | page | p50 ms | p95 ms | queries | p95 ms 10x | queries 10x | growth | req/s | ratio to bare "
        "| peak RSS/worker |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    misses = []
    for kind in results:
        rates, bare, rss = http_results.get(kind, ({}, None, None))
        if bare:
            lines.append(f"| {kind} | bare endpoint (constant string) | | | | | | | {bare:.0f} | 1.00 | {rss:.0f} MB |")
        for page in PAGES:
            one, ten = results[kind][1][page.name], results[kind][10][page.name]
            growth = ten["p95"] / one["p95"]
            rate = rates.get(page.name)
            ratio = rate / bare if rate and bare else None
            lines.append(
                f"| {kind} | {page.name} | {one['p50']:.1f} | {one['p95']:.1f} | {one['queries']} | {ten['p95']:.1f} "
                f"| {ten['queries']} | {growth:.2f} | {f'{rate:.0f}' if rate else '–'} "
                f"| {f'{ratio:.2f}' if ratio else '–'} | {f'{rss:.0f} MB' if rate else '–'} |"
            )
            worst = max(one["p95"], ten["p95"])
            if worst >= TARGET_P95_MS:
                misses.append(f"{kind}, {page.name}: p95 {worst:.1f} ms (target < {TARGET_P95_MS:.0f} ms)")
            if max(one["queries"], ten["queries"]) > TARGET_QUERIES or one["queries"] != ten["queries"]:
                misses.append(f"{kind}, {page.name}: {one['queries']} queries at 1x, {ten['queries']} at 10x")
            if growth >= TARGET_GROWTH:
                misses.append(f"{kind}, {page.name}: p95 growth {growth:.2f} from 1x to 10x (target < {TARGET_GROWTH})")
            target = TARGET_RATIO_PUBLIC if page.public else TARGET_RATIO_LOGGED_IN
            if ratio is not None and ratio < target:
                misses.append(f"{kind}, {page.name}: {ratio:.1%} of the bare endpoint's req/s (target ≥ {target:.0%})")
        if rss is not None and rss >= TARGET_RSS_MB:
            misses.append(f"{kind}: peak RSS per worker {rss:.0f} MB (target < {TARGET_RSS_MB:.0f} MB)")
    return "\n".join(lines), misses


def main() -> None:
    if not shutil.which("wrk"):
        raise SystemExit("wrk is not installed (apt-get install wrk); `make bench` installs it")
    kinds = ["SQLite"] + (["PostgreSQL"] if POSTGRES_URL else [])
    cache_url = page_cache_url()
    print(f"Benchmark{' (quick)' if QUICK else ''} on {machine()}: {', '.join(kinds)}", flush=True)
    started = time.perf_counter()
    load_before = os.getloadavg()[0]
    results: dict = {}
    http_results: dict = {}
    documents: dict = {}
    for kind in kinds:
        built = {scale: build(kind, scale) for scale in SCALES}
        apps = {scale: app for scale, (app, _url) in built.items()}
        results[kind] = {scale: {} for scale in SCALES}
        for page in PAGES:
            for scale, measured in measure_in_process(apps, page).items():
                results[kind][scale][page.name] = measured
        for page in DOCUMENTS:
            documents[(kind, page.name)] = measure_document(apps, page)
        print(f"  {kind} 1x over HTTP (gunicorn -w 2, wrk {HTTP_SECONDS} s per page):", flush=True)
        http_results[kind] = measure_http(apps[1], built[1][1], PAGES, cache_url)
        for app in apps.values():
            with app.app_context():
                db.session.remove()
                db.engine.dispose()
    table, misses = report(results, http_results)
    document_lines = [
        "| database | document | median ms 1x | slowest ms 1x | median ms 10x | slowest ms 10x | size |",
        "|---|---|---:|---:|---:|---:|---:|",
    ]
    for (kind, name), by_scale in documents.items():
        one, ten = by_scale[1], by_scale[10]
        document_lines.append(
            f"| {kind} | {name} | {one['p50']:.0f} | {one['max']:.0f} | {ten['p50']:.0f} | {ten['max']:.0f} "
            f"| {one['bytes'] / 1024:.0f} kB |"
        )
    document_table = "\n".join(document_lines)
    elapsed = time.perf_counter() - started
    cache_text = (
        f"over HTTP the public pages are served as in production, from the page cache in Redis ({REDIS_URL}),\n"
        "so wrk measures the stored page (rendered once, then served until a write or 60 s); in process every\n"
        "page is rendered, so p50/p95 and queries are the cost of rendering it."
        if cache_url
        else f"off: Redis at {REDIS_URL} did not answer, so every page is rendered, also over HTTP."
    )
    load = f"load average {load_before:.1f} at the start, {os.getloadavg()[0]:.1f} at the end"
    verdict = (
        "All targets met."
        if not misses
        else "Targets missed:\n\n" + "\n".join(f"- {m}" for m in misses) + "\n\nWhy: see the notes below."
    )
    text = f"""# Benchmark results

Measured {dt.datetime.now().astimezone():%Y-%m-%d %H:%M %Z} on {machine()}, by `make bench` in {elapsed:.0f} s
({load}; other processes on the machine slow the figures down and make p95 noisy).

Data set at 1x: {datasets.ORGANISATIONS:,} organisations, {datasets.USERS:,} users, 5 sector groups,
{datasets.CONSULTATIONS} consultations with 5 formal responses each, their positions, revisions, endorsements
and answers (10x: ten times as many). In process: {REQUESTS} requests per page after {WARMUP} warm-up requests
(Flask test client, production configuration). Over HTTP: gunicorn with 2 sync workers on
127.0.0.1 at 1x, wrk (1 thread, 8 connections, {HTTP_SECONDS} s per page) in a second process;
the bare endpoint returns a constant string through the same app (hooks, headers, logging).
Logged-in pages carry a session cookie. Queries: SQL statements of one request.
Page cache: {cache_text}

{table}

Documents ({DOCUMENT_REQUESTS} requests each after one warm-up, in process; reported, not held to the page targets):

{document_table}

Targets: p95 < {TARGET_P95_MS:.0f} ms in process on both databases at 1x and 10x; ≤ {TARGET_QUERIES} SQL statements and
the same count at 1x and 10x; growth < {TARGET_GROWTH}; peak RSS per worker < {TARGET_RSS_MB:.0f} MB; over HTTP public
pages ≥ {TARGET_RATIO_PUBLIC:.0%} and logged-in pages ≥ {TARGET_RATIO_LOGGED_IN:.0%} of the bare endpoint's req/s.

{verdict}
"""
    print()
    print(text)
    if QUICK:
        print("(quick mode: bench/RESULTS.md not written)")
        return
    notes = ""
    if RESULTS.exists() and "## Notes" in RESULTS.read_text():
        notes = RESULTS.read_text().split("## Notes", 1)[1]
    RESULTS.write_text(text + "\n## Notes" + (notes or "\n\n(none yet)\n"))
    print(f"Written to {RESULTS.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
