"""The key pages the benchmark measures; each feature appends its own.

`url` is a path or a function of the app (in an app context) returning one, e.g. to pick an
object id. `user` is the demo account to log in as (None: a public page). `http` pages are
also measured over HTTP under gunicorn (20 s each, so only a representative few).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Page:
    name: str
    url: str | Callable[[], str]
    user: str | None = None
    http: bool = False

    def path(self) -> str:
        return self.url() if callable(self.url) else self.url

    @property
    def public(self) -> bool:
        return self.user is None


PAGES: list[Page] = [
    Page("login page", "/login", http=True),
    Page("start: administrator = organisations p1", "/beheer/organisaties", "admin@example.org", http=True),
    Page("start: moderator", "/mijn", "moderator@example.org"),
    Page("start: process manager = consultations", "/beheer/consultaties", "procesmanager@example.org"),
    Page("start: MKB staff", "/mijn", "mkb@example.org"),
    Page("start: sector coordinator", "/mijn", "horeca@example.org", http=True),
    Page("start: member", "/mijn", "lid.horeca@example.org", http=True),
    Page("start: signatory", "/mijn", "tekenbevoegd.horeca@example.org"),
    Page("home (featured consultation)", "/", http=True),
    Page("consultation timeline", "/consultaties/binnenstad-assen/tijdlijn"),
    Page("consultation procesverloop", "/consultaties/binnenstad-assen/procesverloop"),
    Page("audit log p1 (moderator)", "/beheer/audittrail", "moderator@example.org"),
    Page("audit log filtered by action", "/beheer/audittrail?action=consultation.", "moderator@example.org"),
]
