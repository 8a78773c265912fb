"""Access rules: review (partner_portal/initiatives/review.py).

Only the gemeente (moderators, process managers, administrators) reaches these pages; within
them, the workflow table decides who takes which step: the moderator reviews and asks for
changes, the process manager adopts and declines, the administrator may do both."""

from tests.access import Rule, only
from tests.initiatives.access import GEMEENTE

MODERATORS = ("moderator", "administrator")
PROCESS_MANAGERS = ("process_manager", "administrator")


def review(w) -> str:
    return f"/beheer/initiatieven/{w.initiative_b_review.id}"


def draft(w) -> str:
    return f"/beheer/initiatieven/{w.initiative_a.id}"


def _gemeente_only(allowed: dict[str, int]) -> dict[str, int]:
    """Everyone outside the gemeente 403 (anonymous to the login page); the gemeente's roles as given."""
    return {**only(*GEMEENTE, allowed=200), **allowed}


RULES = [
    Rule("initiatives.review", review, only(*GEMEENTE), name="in review"),
    Rule("initiatives.review", draft, _gemeente_only(dict.fromkeys(GEMEENTE, 404)), name="a draft"),
    Rule(
        "initiatives.review_step",
        lambda w: review(w) + "/stap/request_changes",
        only(*MODERATORS),
        name="confirm request changes",
    ),
    Rule(
        "initiatives.review_step",
        lambda w: review(w) + "/stap/decline",
        only(*PROCESS_MANAGERS),
        name="confirm decline",
    ),
    Rule(
        "initiatives.review_step",
        lambda w: review(w) + "/stap/adopt",
        _gemeente_only(dict.fromkeys(GEMEENTE, 404)),
        name="own form is no step",
    ),
    Rule(
        "initiatives.review_step",
        lambda w: draft(w) + "/stap/start_review",
        _gemeente_only(dict.fromkeys(GEMEENTE, 404)),
        name="draft",
    ),
    Rule(
        "initiatives.review_step",
        lambda w: review(w) + "/stap/request_changes",
        only(*MODERATORS, allowed=400),
        method="POST",
        name="request changes without form",
    ),
    Rule(
        "initiatives.review_step",
        lambda w: review(w) + "/stap/decline",
        only(*PROCESS_MANAGERS, allowed=400),
        method="POST",
        name="decline without form",
    ),
    Rule("initiatives.adopt", lambda w: review(w) + "/opnemen", only(*PROCESS_MANAGERS), name="form"),
    Rule(
        "initiatives.adopt", lambda w: draft(w) + "/opnemen", _gemeente_only(dict.fromkeys(GEMEENTE, 404)), name="draft"
    ),
    Rule(
        "initiatives.adopt",
        lambda w: review(w) + "/opnemen",
        only(*PROCESS_MANAGERS, allowed=400),
        method="POST",
        name="without form",
    ),
]
