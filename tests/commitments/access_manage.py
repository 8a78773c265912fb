"""Access rules: the process manager's pages (partner_portal/commitments/manage.py): creating a
commitment, editing it, and the steps open, bind, close and withdraw. The open commitment is
public; the draft exists only for the gemeente."""

from tests.access import ROLES, Rule, only
from tests.commitments.access import GEMEENTE, draft, open_, proposal

NEW = "/consultaties/binnenstad-test/convenanten/nieuw"
MANAGERS = only("process_manager", "administrator")
# A sector coordinator proposes on the same form.
CREATORS = only("process_manager", "administrator", "coordinator")


def on_proposal(**allowed: int) -> dict[str, int]:
    """Organisation A's group's proposal: seen by the gemeente and A's coordinator only (404 for the
    rest, anonymous included: the page is public, the proposal is not)."""
    result = dict.fromkeys(ROLES, 404)
    result.update(dict.fromkeys((*GEMEENTE, "coordinator"), 403))
    result.update(allowed)
    return result


def on_draft(allowed: int) -> dict[str, int]:
    """The draft: the process managers get `allowed`, the moderator 403, everyone else 404."""
    result = dict.fromkeys(ROLES, 404)
    result.update(dict.fromkeys(GEMEENTE, 403))
    result.update({"process_manager": allowed, "administrator": allowed, "anonymous": 302})
    return result


RULES = [
    Rule("commitments.create", lambda w: NEW, CREATORS, name="form"),
    # Posted without a title: refused with the form again, nothing saved.
    Rule(
        "commitments.create",
        lambda w: NEW,
        only("process_manager", "administrator", "coordinator", allowed=400),
        method="POST",
    ),
    Rule(
        "commitments.show",
        proposal,
        on_proposal(**dict.fromkeys((*GEMEENTE, "coordinator"), 200)),
        name="proposal",
    ),
    Rule(
        "commitments.edit",
        lambda w: f"{proposal(w)}/bewerken",
        on_proposal(coordinator=200, process_manager=200, administrator=200, anonymous=302),
        name="proposal",
    ),
    Rule(
        "commitments.step",
        lambda w: f"{proposal(w)}/stap/accept",
        on_proposal(**dict.fromkeys(GEMEENTE, 200), anonymous=302),
        name="accept page",
    ),
    # Posted without a reason: refused, nothing moves.
    Rule(
        "commitments.step",
        lambda w: f"{proposal(w)}/stap/decline",
        on_proposal(**dict.fromkeys(GEMEENTE, 400), anonymous=302),
        method="POST",
        name="decline",
    ),
    Rule("commitments.edit", lambda w: f"{open_(w)}/bewerken", MANAGERS, name="open"),
    Rule("commitments.edit", lambda w: f"{draft(w)}/bewerken", on_draft(200), name="draft"),
    # Posted without a version: "changed meanwhile", nothing saved.
    Rule(
        "commitments.edit",
        lambda w: f"{open_(w)}/bewerken",
        only("process_manager", "administrator", allowed=409),
        method="POST",
        name="open",
    ),
    Rule("commitments.step", lambda w: f"{draft(w)}/stap/open", on_draft(200), name="open page"),
    Rule("commitments.step", lambda w: f"{open_(w)}/stap/close", MANAGERS, name="close page"),
    Rule("commitments.step", lambda w: f"{open_(w)}/stap/withdraw", MANAGERS, name="withdraw page"),
    Rule("commitments.step", lambda w: f"{open_(w)}/stap/bestaat-niet", only(others=404), name="unknown step"),
    # Posted without a version: refused as "changed meanwhile", nothing moves.
    Rule(
        "commitments.step",
        lambda w: f"{open_(w)}/stap/close",
        only("process_manager", "administrator", allowed=409),
        method="POST",
        name="close",
    ),
    Rule(
        "commitments.step",
        lambda w: f"{draft(w)}/stap/open",
        on_draft(409),
        method="POST",
        name="open",
    ),
]
