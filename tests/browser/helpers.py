"""Helpers for browser tests: visit a page and check it with axe-core (WCAG 2.0/2.1 A and AA).

Every browser test calls `visit(page, url)` (or `check_a11y(page)` after a click) on every page
it sees, so each page a person can reach is checked the way they use it.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
AXE_JS = ROOT / "node_modules" / "axe-core" / "axe.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
DEMO_PASSWORD = "binnenstad-demo"


def format_violations(url: str, violations: list[dict]) -> str:
    lines = [f"{len(violations)} accessibility violation(s) on {url}:"]
    for violation in violations:
        lines.append(f"- {violation['id']} ({violation['impact']}): {violation['help']}")
        lines.append(f"  {violation['helpUrl']}")
        for node in violation["nodes"][:10]:
            lines.append(f"  at {json.dumps(node['target'])}: {node['html'][:200]}")
            if node.get("failureSummary"):
                lines.append("    " + node["failureSummary"].replace("\n", "\n    "))
    return "\n".join(lines)


@cache
def _axe_source() -> str:
    return AXE_JS.read_text(encoding="utf-8")


def check_a11y(page) -> None:
    """Run axe-core on the current page; any WCAG 2.1 A/AA violation fails with rule, element and help.

    axe is evaluated through the DevTools protocol rather than added as a <script> tag: the
    page's Content-Security-Policy (script-src 'self') rightly blocks inline scripts, and the
    tests keep that policy switched on so that they also prove every page works under it.
    """
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(_axe_source())
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})",
        WCAG_TAGS,
    )
    violations = result["violations"]
    assert not violations, format_violations(page.url, violations)


def visit(page, url: str):
    """Go to `url`, check that it answered, and check its accessibility; returns the response."""
    response = page.goto(url)
    assert response is not None and response.status < 500, f"{url} answered {response and response.status}"
    check_a11y(page)
    return response


def log_in(page, email: str, password: str = DEMO_PASSWORD) -> None:
    """Log in through the login form the way a person does (labels and button text)."""
    visit(page, "/login")
    page.get_by_label("E-mailadres").fill(email)
    page.get_by_label("Wachtwoord", exact=True).fill(password)
    page.get_by_role("button", name="Inloggen").click()
