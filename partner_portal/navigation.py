"""The main navigation: each feature registers its entries with a visibility predicate."""

from collections.abc import Callable
from dataclasses import dataclass

from flask import url_for


@dataclass(frozen=True)
class NavItem:
    endpoint: str
    label: object  # a lazy translated string
    visible: Callable[[object], bool]
    order: int


_ITEMS: list[NavItem] = []


def register(endpoint: str, label, visible: Callable[[object], bool], order: int = 50) -> None:
    if all(item.endpoint != endpoint for item in _ITEMS):
        _ITEMS.append(NavItem(endpoint, label, visible, order))
        _ITEMS.sort(key=lambda item: item.order)


def items_for(user) -> list[tuple[str, str, str]]:
    """(endpoint, url, label) of the entries this user may see."""
    return [(i.endpoint, url_for(i.endpoint), str(i.label)) for i in _ITEMS if i.visible(user)]


# The page each role lands on after logging in; features that own a better start page
# for a role (e.g. the moderation queue) register it here.
_START_PAGES: dict[str, str] = {}


def set_start_page(role: str, endpoint: str) -> None:
    _START_PAGES[str(role)] = endpoint


def start_url_for(user) -> str:
    role = user.staff_role or user.org_role
    return url_for(_START_PAGES.get(str(role), "site.dashboard"))
