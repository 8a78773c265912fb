"""Access rules: the initiators' draft, co-initiators, attachments, steps and revisions
(partner_portal/initiatives/drafting.py). Organisation A's draft (`a`) is the roles' own; B's
in-progress initiative (`b`) is public but not theirs."""

from tests.access import PARTNER_ROLES, ROLES, STAFF_ROLES, Rule
from tests.initiatives.access import a, b, own_org

NEW = "/consultaties/binnenstad-test/initiatieven/nieuw"
SPEAKERS_A = ("signatory", "org_admin", "coordinator")  # the coordinator here signs for A


def partners(allowed: int, others: int = 403) -> dict[str, int]:
    """Every partner role gets `allowed`, staff `others`, anonymous the login page."""
    return {**dict.fromkeys(PARTNER_ROLES, allowed), **dict.fromkeys(STAFF_ROLES, others), "anonymous": 302}


def not_theirs(status: int = 403) -> dict[str, int]:
    """B's public initiative: visible to every logged-in role, but none of them is its initiator."""
    return {**dict.fromkeys(ROLES, status), "anonymous": 302}


def speakers(allowed: int, members: int = 403) -> dict[str, int]:
    """A's draft: its signatory and admin get `allowed`, its other people `members`, the rest 404."""
    result = own_org(members)
    result.update(dict.fromkeys(SPEAKERS_A, allowed))
    return result


RULES = [
    Rule("initiatives.create", lambda w: NEW, partners(200), name="form"),
    # Posted without a title: refused with the form again.
    Rule("initiatives.create", lambda w: NEW, partners(400), method="POST"),
    Rule("initiatives.edit", lambda w: f"{a(w)}/bewerken", own_org(200), name="own draft"),
    Rule("initiatives.edit", lambda w: f"{b(w)}/bewerken", not_theirs(), name="another organisation's"),
    # Posted without a version: the form's own answer, nothing saved.
    Rule("initiatives.edit", lambda w: f"{a(w)}/bewerken", own_org(409), method="POST", name="own draft"),
    Rule("initiatives.edit", lambda w: f"{b(w)}/bewerken", not_theirs(), method="POST", name="another's"),
    Rule("initiatives.add_attachment", lambda w: f"{a(w)}/bijlagen", own_org(400), method="POST"),
    Rule("initiatives.add_attachment", lambda w: f"{b(w)}/bijlagen", not_theirs(), method="POST", name="another's"),
    Rule(
        "initiatives.remove_attachment",
        lambda w: f"{a(w)}/bijlagen/999999/verwijderen",
        own_org(404),
        method="POST",
        name="unknown attachment",
    ),
    Rule(
        "initiatives.remove_attachment",
        lambda w: f"{b(w)}/bijlagen/999999/verwijderen",
        not_theirs(),
        method="POST",
        name="another's",
    ),
    Rule("initiatives.attachment", lambda w: f"{a(w)}/bijlagen/999999", default=404, name="unknown attachment"),
    Rule("initiatives.co_initiators", lambda w: f"{a(w)}/initiatiefnemers", own_org(200)),
    Rule("initiatives.co_initiators", lambda w: f"{b(w)}/initiatiefnemers", not_theirs(), name="another's"),
    # Posted without an organisation: "choose one", nothing saved.
    Rule("initiatives.co_initiators", lambda w: f"{a(w)}/initiatiefnemers", own_org(400), method="POST"),
    Rule(
        "initiatives.co_initiators", lambda w: f"{b(w)}/initiatiefnemers", not_theirs(), method="POST", name="another's"
    ),
    Rule(
        "initiatives.remove_co_initiator",
        lambda w: f"{a(w)}/initiatiefnemers/999999/verwijderen",
        own_org(404),
        method="POST",
        name="unknown row",
    ),
    # Only an invited organisation answers; the initiators themselves are not invited.
    Rule("initiatives.invitation", lambda w: f"{a(w)}/uitnodiging", own_org(403)),
    Rule("initiatives.invitation", lambda w: f"{b(w)}/uitnodiging", not_theirs(404), name="another's"),
    Rule("initiatives.invitation", lambda w: f"{a(w)}/uitnodiging", own_org(403), method="POST"),
    Rule("initiatives.step", lambda w: f"{a(w)}/stap/submit", speakers(200), name="submit page"),
    # Posted without a version: the draft changed meanwhile, as far as the form knows.
    Rule("initiatives.step", lambda w: f"{a(w)}/stap/submit", speakers(409), method="POST", name="submit"),
    Rule("initiatives.step", lambda w: f"{a(w)}/stap/start_review", own_org(404), name="a gemeente step"),
    # Completing is the initiators' or the process manager's step.
    Rule(
        "initiatives.step",
        lambda w: f"{b(w)}/stap/complete",
        {**not_theirs(), "process_manager": 200, "administrator": 200},
        name="another's",
    ),
    Rule("initiatives.revision", lambda w: f"{a(w)}/revisies/1", own_org(404), name="not submitted yet"),
]
