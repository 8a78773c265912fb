"""Access rules: the list per consultation, the commitment's page, its versions and PDF, the
verification page, and the receipts (partner_portal/commitments/public.py and documents.py)."""

from tests.access import ROLES, Rule
from tests.commitments.access import GEMEENTE, draft, open_

DRAFT = {**dict.fromkeys(ROLES, 404), **dict.fromkeys(GEMEENTE, 200)}
# Organisation B signed; the roles are organisation A's people: only the gemeente sees B's receipt.
RECEIPT = {**dict.fromkeys(ROLES, 403), **dict.fromkeys(GEMEENTE, 200), "anonymous": 302}


def receipt(w) -> str:
    return f"/convenanten/{w.commitment_open.id}/ondertekeningen/{w.signature_b.id}/bewijs"


RULES = [
    Rule("commitments.index", lambda w: "/consultaties/binnenstad-test/convenanten"),
    Rule("commitments.show", open_, name="open"),
    Rule("commitments.show", draft, DRAFT, name="draft"),
    Rule("commitments.version", lambda w: open_(w) + "/versies/1", name="open"),
    Rule("commitments.version", lambda w: draft(w) + "/versies/1", DRAFT, name="draft"),
    Rule("commitments.commitment_pdf", lambda w: open_(w) + "/convenant.pdf", name="open"),
    Rule("commitments.commitment_pdf", lambda w: draft(w) + "/convenant.pdf", DRAFT, name="draft"),
    # With a code (found, not found, rate-limited): tests/commitments/test_public_views.py.
    Rule("commitments.verify", lambda w: "/verificatie"),
    Rule("commitments.receipt", receipt, RECEIPT),
    Rule("commitments.receipt_pdf", lambda w: receipt(w) + ".pdf", RECEIPT),
]
