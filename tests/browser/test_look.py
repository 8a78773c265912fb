"""The look: pages are made of the NL Design System's components, themed by the gemeente's tokens, and
keyboard focus stays visible on every kind of control."""

import pytest

from tests.browser.helpers import log_in, visit

pytestmark = pytest.mark.browser

ASSEN_PRIMARY = "rgb(0, 90, 125)"  # --assen-color-primary, static/themes/assen.css

FOCUS = """() => {
  const el = document.activeElement;
  const style = getComputedStyle(el);
  return {
    tag: el.tagName.toLowerCase(),
    classes: [...el.classList],
    text: (el.getAttribute('name') || el.textContent).trim().slice(0, 40),
    outline: style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2,
    shadow: style.boxShadow !== 'none',
  };
}"""


def tab_until(page, wanted, limit: int = 30) -> dict:
    """Press Tab until `wanted(focused)` holds; every stop on the way must show its focus."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        info = page.evaluate(FOCUS)
        assert info["outline"] or info["shadow"], f"no visible focus on {info}"
        if wanted(info):
            return info
    raise AssertionError("the control was not reached with Tab")


def test_keyboard_focus_is_visible_on_links_fields_and_buttons(page):
    visit(page, "/login")
    link = tab_until(page, lambda i: i["tag"] == "a" and "utrecht-nav-list__link" in i["classes"])
    assert link["outline"]
    field = tab_until(page, lambda i: i["tag"] == "input" and "utrecht-textbox" in i["classes"])
    assert field["outline"] or field["shadow"]
    button = tab_until(page, lambda i: i["tag"] == "input" and "utrecht-button" in i["classes"])
    assert button["text"] == "submit" and (button["outline"] or button["shadow"])


def test_buttons_badges_alerts_tables_and_navigation_are_nl_design_system_components(page):
    visit(page, "/login")
    submit = page.get_by_role("button", name="Inloggen")
    assert "utrecht-button--primary-action" in (submit.get_attribute("class") or "")
    # The theme's colour reaches the component: the tokens file, the components and the theme all loaded.
    assert submit.evaluate("el => getComputedStyle(el).backgroundColor") == ASSEN_PRIMARY
    assert page.locator("nav.utrecht-nav-bar .utrecht-nav-list").count() == 1
    assert page.locator("header.utrecht-page-header").count() == 1
    assert page.locator("footer.utrecht-page-footer").count() == 1
    submit.click()  # nothing filled in: the error summary is an error alert
    alert = page.get_by_role("alert")
    assert "utrecht-alert--error" in (alert.get_attribute("class") or "")
    assert page.locator(".utrecht-form-field--invalid .utrecht-textbox--invalid").count() == 2
    log_in(page, "moderator@example.org")
    visit(page, "/beheer/reacties")
    assert page.locator("table.utrecht-table").count() >= 2
    badge = page.locator(".utrecht-status-badge").first
    assert badge.is_visible()
    assert badge.evaluate("el => getComputedStyle(el).borderTopLeftRadius") != "0px"
    assert page.locator(".utrecht-select").count() >= 1
