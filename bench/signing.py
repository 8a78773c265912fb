"""Signing throughput over HTTP: bench organisations sign an open commitment at once.

WORKERS threads in the bench's process, each taking the next organisation whose signatory has a
prepared session: it GETs the signing form (its CSRF token and the version's hash) and POSTs it with
the password, as a browser does. Reported: signatures per second, the p50/p95 of the POST, and the
password check's own cost (its median in process), so the share of a signature that is the
deliberately slow password hash shows apart from the rest.
"""

from __future__ import annotations

import http.client
import statistics
import threading
import time
from urllib.parse import urlencode

from bench.mixed import Browser, form_with

WORKERS = 8


def run(port: int, commitment_id: int, sessions: list[tuple[str, str]], password: str, cookie_name: str) -> dict:
    """Sign with each (name, session cookie) once, WORKERS at a time; returns the figures."""
    queue = list(sessions)
    lock = threading.Lock()
    posts: list[float] = []
    failures: list[int] = []

    def worker():
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        while True:
            with lock:
                if not queue:
                    break
                name, session = queue.pop()
            browser = Browser({cookie_name: session})
            path = f"/convenanten/{commitment_id}/ondertekenen"
            conn.request("GET", path, headers=browser.header())
            response = conn.getresponse()
            html = response.read().decode()
            browser.update(response.headers.get_all("Set-Cookie") or [])
            try:
                form = form_with(html, "version_hash")
            except LookupError:  # refused before the form (e.g. the organisation may not sign): count it
                with lock:
                    failures.append(response.status)
                continue
            form.update(signer_name=name, function="Directeur", pledge_kind="none", password=password)
            start = time.perf_counter()
            conn.request(
                "POST",
                path,
                body=urlencode(form),
                headers={**browser.header(), "Content-Type": "application/x-www-form-urlencoded"},
            )
            response = conn.getresponse()
            response.read()
            elapsed = (time.perf_counter() - start) * 1000
            with lock:
                (posts if response.status == 303 else failures).append(
                    elapsed if response.status == 303 else response.status
                )
        conn.close()

    started = time.perf_counter()
    threads = [threading.Thread(target=worker) for _ in range(WORKERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    seconds = time.perf_counter() - started
    return {
        "signatures": len(posts),
        "rate": len(posts) / seconds if seconds else 0.0,
        "p50": statistics.median(posts) if posts else 0.0,
        "p95": statistics.quantiles(posts, n=100)[94] if len(posts) >= 2 else (posts[0] if posts else 0.0),
        "failures": failures,
    }


def password_check_ms(password_hash: str, password: str, times: int = 10) -> float:
    """The median time of one password check in this process."""
    from partner_portal.auth import passwords

    timings = []
    for _ in range(times):
        start = time.perf_counter()
        passwords.verify_password(password_hash, password)
        timings.append((time.perf_counter() - start) * 1000)
    return statistics.median(timings)
