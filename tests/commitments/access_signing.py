"""Access rules: signing for an organisation (partner_portal/commitments/signing.py). The world's
consultation is in a stage that does not open signing, so organisation A's signatory and admin
get the stage's refusal (400); members and staff may not sign at all (403). The open commitment's
only signature is organisation B's: nobody of A or the gemeente acts on it (403).

So that the signing forms themselves are in the matrix (and the bad-input test posts into their
fields), this part adds a consultation in its signing stage with two open commitments: one that
organisation A has not signed (`commitment_signing`) and one it signed (`signature_a`)."""

from tests.access import ROLES, WORLD_BUILDERS, Rule
from tests.commitments import factories as cof
from tests.commitments.access import GEMEENTE, draft, open_
from tests.commitments.factories import S
from tests.consultations import factories as cf


def build(w) -> None:
    w.signing_consultation = cf.consultation(slug="ondertekenen-test", current=3)  # "Uitvoering" opens signing
    w.commitment_signing = cof.commitment(w.signing_consultation, S.open, title="Te ondertekenen")
    w.commitment_signed_a = cof.commitment(w.signing_consultation, S.open, title="Door A ondertekend")
    w.signature_a = cof.signature(w.commitment_signed_a, w.users["signatory"])


WORLD_BUILDERS.append(build)

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


def of_a(w, action: str) -> str:
    return f"/convenanten/{w.commitment_signed_a.id}/ondertekeningen/{w.signature_a.id}/{action}"


RULES = [
    Rule("commitments.sign", lambda w: f"/convenanten/{w.commitment_signing.id}/ondertekenen", signing(200)),
    # Posted without a password: the field's own answer, nothing saved.
    Rule(
        "commitments.sign",
        lambda w: f"/convenanten/{w.commitment_signing.id}/ondertekenen",
        signing(400),
        method="POST",
        name="in the signing stage",
    ),
    Rule("commitments.revoke", lambda w: of_a(w, "intrekken"), signing(200), name="own signature"),
    # Posted without a reason: asked for one, nothing changes.
    Rule("commitments.revoke", lambda w: of_a(w, "intrekken"), signing(400), method="POST", name="own signature"),
    # Signed on the current version already: nothing to sign again.
    Rule("commitments.resign", lambda w: of_a(w, "opnieuw"), signing(400), name="own, not stale"),
    Rule("commitments.give_notice", lambda w: of_a(w, "opzeggen"), signing(400), name="own, not binding"),
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
