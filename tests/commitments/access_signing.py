"""Access rules: signing for an organisation (partner_portal/commitments/signing.py). The world's
consultation is in a stage that does not open signing, so organisation A's signatory and admin
get the stage's refusal (400); members and staff may not sign at all (403). The open commitment's
only signature is organisation B's: nobody of A or the gemeente acts on it (403)."""

from tests.access import ROLES, Rule
from tests.commitments.access import GEMEENTE, draft, open_

SPEAKERS_A = ("signatory", "org_admin", "coordinator")  # the coordinator is an admin of A


def signing(speakers: int, others: int = 403) -> dict[str, int]:
    result = dict.fromkeys(ROLES, others)
    result.update(dict.fromkeys(SPEAKERS_A, speakers))
    result["anonymous"] = 302
    return result


def on_draft() -> dict[str, int]:
    """A draft is not found except by the gemeente, who may not sign (403)."""
    result = dict.fromkeys(ROLES, 404)
    result.update(dict.fromkeys(GEMEENTE, 403))
    result["anonymous"] = 302
    return result


def of_b(w, action: str) -> str:
    return f"{open_(w)}/ondertekeningen/{w.signature_b.id}/{action}"


NOT_THEIRS = signing(403)
UNKNOWN = {**dict.fromkeys(ROLES, 404), "anonymous": 302}

RULES = [
    Rule("commitments.sign", lambda w: f"{open_(w)}/ondertekenen", signing(400), name="outside the signing stage"),
    Rule("commitments.sign", lambda w: f"{open_(w)}/ondertekenen", signing(400), method="POST", name="outside stage"),
    Rule("commitments.sign", lambda w: f"{draft(w)}/ondertekenen", on_draft(), name="draft"),
    Rule("commitments.sign", lambda w: f"{draft(w)}/ondertekenen", on_draft(), method="POST", name="draft"),
]
for action, endpoint in (
    ("medeondertekenen", "commitments.cosign"),
    ("opnieuw", "commitments.resign"),
    ("intrekken", "commitments.revoke"),
    ("opzeggen", "commitments.give_notice"),
):
    RULES += [
        Rule(endpoint, lambda w, a=action: of_b(w, a), NOT_THEIRS, name="another organisation's"),
        Rule(endpoint, lambda w, a=action: of_b(w, a), NOT_THEIRS, method="POST", name="another organisation's"),
        Rule(
            endpoint,
            lambda w, a=action: f"{open_(w)}/ondertekeningen/999999/{a}",
            UNKNOWN,
            name="unknown signature",
        ),
    ]
