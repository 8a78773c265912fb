"""Access rules for endorsements: endorse (confirmation and POST) and withdraw (the MKB overview is the dashboard's)."""

import tests.commitments.access  # noqa: F401  (the world's responses and commitments are built first)
from partner_portal.endorsements.models import Endorsement
from partner_portal.extensions import db
from tests.access import ROLES, WORLD_BUILDERS, Rule
from tests.responses.access import LOGGED_IN_403, own_group

ENDORSERS_A = ("signatory", "org_admin", "coordinator")  # the coordinator is an org admin of A


def build(w) -> None:
    # Organisation A's endorsement of its group's response (the database does not look at the
    # state; the operation does), and organisation B's of the other group's accepted response.
    w.endorsement_a = Endorsement(formal_response=w.response_a, organisation=w.org_a, endorsed_by=w.users["signatory"])
    w.endorsement_b = Endorsement(formal_response=w.response_b, organisation=w.org_b, endorsed_by=w.org_admin_b)
    db.session.add_all([w.endorsement_a, w.endorsement_b])
    db.session.flush()


WORLD_BUILDERS.append(build)


def withdraw_own(allowed: int) -> dict[str, int]:
    """A's signatories and admins get `allowed`, A's member 403, staff 404 (they cannot see A's draft)."""
    result = dict.fromkeys(ROLES, 404)
    result.update(dict.fromkeys(ENDORSERS_A, allowed), member=403, anonymous=302)
    return result


def speakers(allowed: int) -> dict[str, int]:
    """A's signatories and admins get `allowed`, every other logged-in role 403 (an open commitment is public)."""
    result = dict.fromkeys(ROLES, 403)
    result.update(dict.fromkeys(ENDORSERS_A, allowed), anonymous=302)
    return result


def _endorse_commitment(w) -> str:
    return f"/convenanten/{w.commitment_open.id}/onderschrijven"


def _endorse(response) -> str:
    return f"/reacties/{response.id}/onderschrijven"


def _withdraw(endorsement) -> str:
    return f"/onderschrijvingen/{endorsement.id}/intrekken"


RULES = [
    # A draft cannot be endorsed (400 for its group, with the reason); another group's response: 403.
    Rule("endorsements.endorse", lambda w: _endorse(w.response_a), own_group(400), name="draft"),
    Rule("endorsements.endorse", lambda w: _endorse(w.response_b), LOGGED_IN_403, name="other"),
    Rule("endorsements.endorse", lambda w: _endorse(w.response_a), own_group(400), method="POST", name="draft"),
    Rule("endorsements.endorse", lambda w: _endorse(w.response_b), LOGGED_IN_403, method="POST", name="other"),
    Rule("endorsements.withdraw", lambda w: _withdraw(w.endorsement_a), withdraw_own(200), name="own"),
    Rule("endorsements.withdraw", lambda w: _withdraw(w.endorsement_b), LOGGED_IN_403, name="other"),
    Rule("endorsements.withdraw", lambda w: _withdraw(w.endorsement_a), withdraw_own(302), method="POST", name="own"),
    Rule("endorsements.withdraw", lambda w: _withdraw(w.endorsement_b), LOGGED_IN_403, method="POST", name="other"),
    # A commitment open for signing: any partner organisation's signatory or admin may endorse it.
    Rule("endorsements.endorse", _endorse_commitment, speakers(200), name="commitment"),
    Rule("endorsements.endorse", _endorse_commitment, speakers(302), method="POST", name="commitment"),
]
