"""Helpers for browser tests: visit a page and check it as people use it.

Every browser test calls `visit(page, url)` (or `check_a11y(page)` after a click) on every page
it sees. Each such page is checked with the Nu HTML checker, and at a phone's width (390 px) and
a laptop's (1280 px): it does not scroll sideways (a wide table scrolls in its own labelled,
focusable region), its buttons do not touch, its table rows draw whole lines, and axe-core finds
no WCAG 2.0/2.1 A or AA violation.
"""

from __future__ import annotations

import itertools
import json
import os
import re
from functools import cache
from pathlib import Path

from tests.browser.htmlchecker import HtmlChecker, format_errors

ROOT = Path(__file__).resolve().parents[2]
AXE_JS = ROOT / "node_modules" / "axe-core" / "axe.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
DEMO_PASSWORD = "binnenstad-demo"
# A phone (the width of a common one, in CSS pixels) and a laptop; the page ends at the last.
WIDTHS = (390, 1280)

# SCREENSHOT_DIR=DIR saves every checked page at every width as a PNG there, to look at.
SCREENSHOT_DIR = os.environ.get("SCREENSHOT_DIR")
_shots = itertools.count(1)

_html_checker: HtmlChecker | None = None


def use_html_checker(checker: HtmlChecker | None) -> None:
    """Set the session's running HTML checker (the `browser` fixture starts it)."""
    global _html_checker
    _html_checker = checker


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


def check_html(page, html: str | None = None) -> None:
    """The page's HTML (`html`, else the current document) has no error for the Nu HTML checker.

    Called before axe is added to the page: axe's own source is not part of the page.
    """
    assert _html_checker is not None, "the HTML checker is not running (the `browser` fixture starts it)"
    if html is None:
        # After a click the new document may be committed but not yet parsed: its content would be empty.
        page.wait_for_load_state("load")
        html = page.content()
    errors = _html_checker.errors(html)
    assert not errors, format_errors(page.url, errors, html)


# The elements that stick out on the right, innermost first: what made the page wider than the screen.
_OVERFLOW_JS = """() => {
  const width = window.innerWidth, scrollWidth = document.documentElement.scrollWidth;
  if (scrollWidth <= width) return null;
  const wide = [];
  for (const el of document.body.querySelectorAll('*')) {
    const right = el.getBoundingClientRect().right;
    if (right > width + 1 && !el.querySelector('*')) {
      const names = typeof el.className === 'string' ? el.className.trim() : '';
      const cls = names ? '.' + names.split(/\\s+/).join('.') : '';
      wide.push(`${el.tagName.toLowerCase()}${el.id ? '#' + el.id : ''}${cls} (right edge ${Math.round(right)} px): `
        + (el.outerHTML || '').slice(0, 160));
    }
  }
  return {width, scrollWidth, wide: wide.slice(0, 8)};
}"""


# Boxes that scroll sideways by themselves but are not a labelled region that takes focus.
_BARE_SCROLLERS_JS = """() => {
  const bare = [];
  for (const el of document.body.querySelectorAll('*')) {
    const overflow = getComputedStyle(el).overflowX;
    if ((overflow === 'auto' || overflow === 'scroll') && el.scrollWidth > el.clientWidth + 1) {
      const named = el.getAttribute('aria-label') || el.getAttribute('aria-labelledby');
      if (el.getAttribute('role') !== 'region' || !named || el.tabIndex < 0) {
        bare.push((el.outerHTML || '').slice(0, 160));
      }
    }
  }
  return bare;
}"""


def check_fits(page) -> None:
    """The page does not scroll sideways at the current width: wide content wraps or scrolls in its own box,
    and such a box is a labelled region that takes keyboard focus (so it can be scrolled without a mouse)."""
    overflow = page.evaluate(_OVERFLOW_JS)
    assert overflow is None, (
        f"{page.url} is {overflow['scrollWidth']} px wide on a {overflow['width']} px screen; sticking out:\n"
        + "\n".join(f"- {line}" for line in overflow["wide"])
    )
    bare = page.evaluate(_BARE_SCROLLERS_JS)
    assert not bare, f"{page.url}: content scrolls sideways outside a labelled, focusable region:\n" + "\n".join(
        f"- {html}" for html in bare
    )


# Buttons (and links styled as buttons) on one line with less than 8 px between them, or overlapping.
CROWDED_BUTTONS_JS = """() => {
  const boxes = [...document.querySelectorAll('button, .utrecht-button-link, input[type=submit]')]
    .filter(el => el.offsetParent !== null && !el.classList.contains('utrecht-link-button'))
    .map(el => ({el, r: el.getBoundingClientRect()}));
  const crowded = [];
  for (let i = 0; i < boxes.length; i++) {
    for (let j = i + 1; j < boxes.length; j++) {
      const a = boxes[i].r, b = boxes[j].r;
      const sameLine = a.top < b.bottom && b.top < a.bottom;
      const sameColumn = a.left < b.right && b.left < a.right;
      const gapX = Math.max(b.left - a.right, a.left - b.right);
      const gapY = Math.max(b.top - a.bottom, a.top - b.bottom);
      if ((sameLine && gapX < 8) || (sameColumn && !sameLine && gapY < 8)) {
        crowded.push(`${boxes[i].el.textContent.trim()} | ${boxes[j].el.textContent.trim()}`);
      }
    }
  }
  return crowded;
}"""

# Rows whose cells draw their bottom line differently (thickness or colour): a broken line.
BROKEN_ROW_LINES_JS = """() => {
  const broken = [];
  for (const row of document.querySelectorAll('tbody tr')) {
    const lines = new Set([...row.children].map(cell => {
      const style = getComputedStyle(cell);
      return `${style.borderBottomWidth} ${style.borderBottomStyle} ${style.borderBottomColor}`;
    }));
    if (lines.size > 1) broken.push(`${row.textContent.trim().slice(0, 60)}: ${[...lines].join(' / ')}`);
  }
  return broken;
}"""


def check_look(page) -> None:
    """Buttons side by side (or stacked) keep at least 8 px apart; every table row draws one whole line."""
    crowded = page.evaluate(CROWDED_BUTTONS_JS)
    assert not crowded, f"{page.url}: buttons closer than 8 px:\n" + "\n".join(f"- {pair}" for pair in crowded)
    broken = page.evaluate(BROKEN_ROW_LINES_JS)
    assert not broken, f"{page.url}: rows whose cells draw different lines:\n" + "\n".join(f"- {row}" for row in broken)


def run_axe(page) -> None:
    """axe-core on the current page at the current width; any WCAG 2.1 A/AA violation fails.

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
    assert not violations, format_violations(f"{page.url} at {page.viewport_size['width']} px", violations)


def check_a11y(page, html: str | None = None) -> None:
    """Check the current page: valid HTML, then at each width in WIDTHS no sideways scrolling and no axe violation.

    The viewport's height is kept; the page is left at the last width (the laptop's, the default).
    """
    check_html(page, html)
    height = (page.viewport_size or {"height": 720})["height"]
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": height})
        if SCREENSHOT_DIR:
            _screenshot(page, width)
        check_fits(page)
        check_look(page)
        run_axe(page)


def _screenshot(page, width: int) -> None:
    name = re.sub(r"[^a-z0-9]+", "-", page.url.split("//", 1)[-1].split("/", 1)[-1].lower()).strip("-") or "home"
    Path(SCREENSHOT_DIR).mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(Path(SCREENSHOT_DIR) / f"{next(_shots):04d}-{name[:60]}-{width}.png"), full_page=True)


def visit(page, url: str):
    """Go to `url`, check that it answered, and check the page (`check_a11y`); returns the response.

    The HTML checked is the document as the server sent it, so that markup the browser repairs
    while parsing is reported too.
    """
    response = page.goto(url)
    assert response is not None and response.status < 500, f"{url} answered {response and response.status}"
    source = response.text() if "text/html" in (response.headers.get("content-type") or "") else None
    check_a11y(page, source)
    return response


def log_in(page, email: str, password: str = DEMO_PASSWORD) -> None:
    """Log in through the login form the way a person does (labels and button text)."""
    visit(page, "/login")
    page.get_by_label("E-mailadres").fill(email)
    page.get_by_label("Wachtwoord", exact=True).fill(password)
    page.get_by_role("button", name="Inloggen").click()


def person(browser, live_server, email: str):
    """Another person at the same time: a page in their own browser context, logged in as `email`."""
    context = browser.new_context(base_url=live_server.url, locale="nl-NL")
    context.set_default_timeout(10_000)
    page = context.new_page()
    log_in(page, email)
    return page
