"""The Nu HTML checker (vnu.jar from npm) as one local web service for the whole test session.

Starting the checker's JVM takes seconds; checking a page through the running service takes
tens of milliseconds. So one process is started on a free loopback port for the session, and
every page a browser test sees is posted to it.
"""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
VNU_JAR = ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
START_TIMEOUT = 60.0


def missing() -> str | None:
    """Why the checker cannot run here, or None."""
    if not VNU_JAR.exists():
        return f"the Nu HTML checker is not installed at {VNU_JAR} (run `make browser-deps`)"
    if shutil.which("java") is None:
        return "no `java` on PATH for the Nu HTML checker (apt-get install default-jre-headless)"
    return None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class HtmlChecker:
    """A running checker: `errors(html)` returns its error messages for one document."""

    def __init__(self) -> None:
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}/?out=json&level=error"
        self.process = subprocess.Popen(
            [
                "java",
                "-Xss16m",
                "-Dnu.validator.servlet.bind-address=127.0.0.1",
                "-cp",
                str(VNU_JAR),
                "nu.validator.servlet.Main",
                str(self.port),
            ],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        self._wait_until_up()

    def _wait_until_up(self) -> None:
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the Nu HTML checker stopped at start (exit {self.process.returncode})")
            try:
                self.errors("<!doctype html><html lang=en><title>up</title>")
                return
            except (urllib.error.URLError, ConnectionError):
                time.sleep(0.2)
        self.close()
        raise RuntimeError(f"the Nu HTML checker did not answer within {START_TIMEOUT:.0f} s")

    def errors(self, html: str) -> list[dict]:
        request = urllib.request.Request(  # noqa: S310 (our own loopback URL)
            self.url, data=html.encode("utf-8"), headers={"Content-Type": "text/html; charset=utf-8"}
        )
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
            messages = json.load(response)["messages"]
        return [m for m in messages if m.get("type") in ("error", "non-document-error")]

    def close(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def format_errors(url: str, errors: list[dict], html: str) -> str:
    lines = html.splitlines()
    out = [f"{len(errors)} HTML error(s) on {url}:"]
    for error in errors[:25]:
        line = error.get("lastLine")
        out.append(f"- line {line}: {error.get('message')}")
        if line and 0 < line <= len(lines):
            out.append(f"    {lines[line - 1].strip()[:200]}")
    if len(errors) > 25:
        out.append(f"... and {len(errors) - 25} more")
    return "\n".join(out)
