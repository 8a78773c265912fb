"""Keyboard use: the login form can be reached, filled and sent without a mouse, and focus is always visible."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import DEMO_PASSWORD, check_a11y, run_axe, visit

pytestmark = pytest.mark.browser

FOCUS_STYLE = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const style = getComputedStyle(el);
  return {
    tag: el.tagName.toLowerCase(),
    name: el.getAttribute('name') || el.textContent.trim().slice(0, 40),
    outline: style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2,
    shadow: style.boxShadow !== 'none',
    visible: el.getBoundingClientRect().width > 0 && el.getBoundingClientRect().left >= 0,
  };
}"""


def focused(page) -> dict:
    info = page.evaluate(FOCUS_STYLE)
    assert info is not None, "Tab left the focus on nothing"
    return info


def assert_focus_visible(info: dict) -> None:
    assert info["visible"], f"focused element is off-screen: {info}"
    assert info["outline"] or info["shadow"], f"no visible focus indicator on {info}"


def tab_to(page, name: str, limit: int = 25) -> list[dict]:
    """Press Tab until the element named `name` has focus; returns every element passed on the way."""
    seen = []
    for _ in range(limit):
        page.keyboard.press("Tab")
        info = focused(page)
        assert_focus_visible(info)
        seen.append(info)
        if info["name"] == name:
            return seen
    raise AssertionError(f"{name} not reached with Tab; focus went through {[i['name'] for i in seen]}")


def test_login_form_by_keyboard_alone_with_visible_focus(page, live_server):
    visit(page, "/login")
    passed = tab_to(page, "email")
    # The first stop is the skip link, shown on screen when focused.
    assert passed[0]["tag"] == "a" and passed[0]["name"] == "Naar de inhoud"
    page.keyboard.type("lid.horeca@example.org")
    page.keyboard.press("Tab")
    info = focused(page)
    assert info["name"] == "password"
    assert_focus_visible(info)
    page.keyboard.type(DEMO_PASSWORD)
    # The remaining controls of the form are reachable and show their focus too.
    tab_to(page, "remember", limit=2)
    tab_to(page, "submit", limit=2)
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Shift+Tab")
    assert focused(page)["name"] == "password"
    page.keyboard.press("Enter")
    expect(page).to_have_url(live_server.url + "/mijn")
    check_a11y(page)


def test_skip_link_moves_focus_to_the_main_content(page):
    visit(page, "/login")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"#inhoud$"))
    assert page.evaluate("() => document.activeElement.id") == "inhoud"
    # The next Tab continues inside the main content, not back in the header.
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.closest('main') !== null")


def test_check_a11y_reports_the_rule_the_element_and_the_help(browser):
    """The helper itself: a page with known violations fails, naming rule, element and help."""
    context = browser.new_context()
    try:
        page = context.new_page()
        page.set_content('<html><head><title>t</title></head><body><main><img src="x.png"></main></body></html>')
        with pytest.raises(AssertionError) as failure:
            run_axe(page)
        message = str(failure.value)
        assert "image-alt" in message and "img" in message and "alternative text" in message.lower()
        assert "html-has-lang" in message
        # check_a11y validates the HTML first: a duplicate id fails with the checker's message and the line.
        page.set_content(
            '<!doctype html><html lang="nl"><head><title>t</title></head><body><main>'
            '<p id="a">een</p>\n<p id="a">twee</p></main></body></html>'
        )
        with pytest.raises(AssertionError) as failure:
            check_a11y(page)
        message = str(failure.value)
        assert "HTML error" in message and "Duplicate ID" in message and '<p id="a">twee</p>' in message
    finally:
        context.close()
