"""Access rules for initiatives: organisation A's own draft, organisation B's adopted (public) one.

The rules of each part of the journey live in their own module (access_<part>.py, matching
partner_portal/initiatives/<part>.py); this collects them for the matrix.
"""

from pathlib import Path

import tests.consultations.access  # noqa: F401  (the world's consultation is built first)
from tests.access import ROLES, WORLD_BUILDERS, rules_of_parts
from tests.initiatives import factories as inf
from tests.initiatives.factories import S

INITIATORS_A = ("member", "signatory", "org_admin", "coordinator")
GEMEENTE = ("moderator", "process_manager", "administrator")


def build(w) -> None:
    w.initiative_a = inf.initiative(w.consultation, w.org_a, S.draft, title="Concept van A")
    w.initiative_b = inf.initiative(w.consultation, w.org_b, S.in_progress, title="Programma van B", milestones=2)
    w.initiative_b_review = inf.initiative(w.consultation, w.org_b, S.in_review, title="In behandeling van B")


WORLD_BUILDERS.append(build)


def own_org(allowed: int, others: int = 404, anonymous: int = 302) -> dict[str, int]:
    """Only organisation A's people get `allowed`; everyone else `others` (404: no hint the draft exists)."""
    result = {role: (allowed if role in INITIATORS_A else others) for role in ROLES}
    result["anonymous"] = anonymous
    return result


def a(w) -> str:
    return f"/initiatieven/{w.initiative_a.id}"


def b(w) -> str:
    return f"/initiatieven/{w.initiative_b.id}"


def b_review(w) -> str:
    return f"/initiatieven/{w.initiative_b_review.id}"


RULES = rules_of_parts(__name__.rpartition(".")[0], str(Path(__file__).parent))
