"""The authorization matrix: for every route, what each role gets.

Each feature's tests package has an `access.py` with `RULES`, a list of `Rule`s. The matrix
test (tests/test_access_matrix.py) walks every rule for every role, and fails when a route in
`app.url_map` has no rule. URLs are built from a `World`: organisation A (the roles' own) and
organisation B (another one in another sector group), each with objects that features add
through `WORLD_BUILDERS`.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from types import SimpleNamespace

from partner_portal.auth.models import OrgRole, StaffRole
from partner_portal.extensions import db
from tests import factories

# Roles as the matrix knows them; org roles are people of organisation A.
ROLES = (
    "anonymous",
    "member",
    "signatory",
    "org_admin",
    "coordinator",
    "moderator",
    "process_manager",
    "mkb_staff",
    "administrator",
)
PARTNER_ROLES = ("member", "signatory", "org_admin", "coordinator")
STAFF_ROLES = ("moderator", "process_manager", "mkb_staff", "administrator")


@dataclass
class Rule:
    """What each role gets on one route: `expect` maps role -> status, `default` for the rest.

    `url` builds the path from the World. POST rules are sent with a valid session but without
    form data (CSRF is switched off in the matrix app): a role that may act gets the form's
    own answer (200/302/400), one that may not gets 403/404, and nothing else happens.
    """

    endpoint: str
    url: Callable[[SimpleNamespace], str]
    expect: dict[str, int] = field(default_factory=dict)
    default: int = 200
    method: str = "GET"
    name: str = ""

    def status_for(self, role: str) -> int:
        return self.expect.get(role, self.default)

    @property
    def id(self) -> str:
        return f"{self.method} {self.endpoint}{' ' + self.name if self.name else ''}"


def anonymous_redirect(**expect) -> dict[str, int]:
    """Logged-in route: anonymous users are sent to the login page."""
    return {"anonymous": 302, **expect}


def only(*roles: str, allowed: int = 200, others: int = 403) -> dict[str, int]:
    """Expectations where only `roles` get `allowed`, other logged-in roles `others`."""
    result = {role: (allowed if role in roles else others) for role in ROLES}
    result["anonymous"] = 302
    return result


# Functions that add a feature's objects to the world: fn(world) -> None.
WORLD_BUILDERS: list[Callable[[SimpleNamespace], None]] = []


def build_world() -> SimpleNamespace:
    w = SimpleNamespace()
    w.group_a = factories.sector_group("sector-a", "Sector A")
    w.group_b = factories.sector_group("sector-b", "Sector B")
    w.org_a = factories.organisation(w.group_a, name="Organisatie A", mkb=True)
    w.org_b = factories.organisation(w.group_b, name="Organisatie B")
    w.users = {
        "member": factories.user(w.org_a, OrgRole.member, email="member@a.example"),
        "signatory": factories.user(w.org_a, OrgRole.signatory, email="signatory@a.example"),
        "org_admin": factories.user(w.org_a, OrgRole.org_admin, email="orgadmin@a.example"),
        "coordinator": factories.coordinator(w.group_a, w.org_a, email="coordinator@a.example"),
        "moderator": factories.user(role=StaffRole.moderator, email="moderator@example.org"),
        "process_manager": factories.user(role=StaffRole.process_manager, email="pm@example.org"),
        "mkb_staff": factories.user(role=StaffRole.mkb_staff, email="mkb@example.org"),
        "administrator": factories.user(role=StaffRole.administrator, email="admin@example.org"),
    }
    w.member_b = factories.user(w.org_b, OrgRole.member, email="member@b.example")
    w.org_admin_b = factories.user(w.org_b, OrgRole.org_admin, email="orgadmin@b.example")
    w.coordinator_b = factories.coordinator(w.group_b, w.org_b, email="coordinator@b.example")
    w.invited_a = factories.user(w.org_a, OrgRole.member, email="invited@a.example", password=None)
    for builder in WORLD_BUILDERS:
        builder(w)
    db.session.commit()
    return w


def log_in(client, user) -> None:
    """Put a logged-in session for `user` in the client's cookie (the login form is tested elsewhere)."""
    log_in_id(client, user.get_id())


def log_in_id(client, user_id: str) -> None:
    """Put a logged-in session for the user with Flask-Login id `user_id` in the client's cookie."""
    now = int(time.time())
    with client.session_transaction() as session:
        session["_user_id"] = user_id
        session["_fresh"] = True
        session["login_at"] = now
        session["seen_at"] = now
        session.permanent = True


def rules_of_parts(package: str, folder: str) -> list[Rule]:
    """The RULES of every access_<part>.py module of a feature's test package (one per routes module)."""
    import importlib
    import pkgutil

    rules = []
    for module in sorted(pkgutil.iter_modules([folder]), key=lambda m: m.name):
        if module.name.startswith("access_"):
            rules.extend(importlib.import_module(f"{package}.{module.name}").RULES)
    return rules
