"""Access rules for commitments: an open one (signed by organisation B) and a draft one on the
world's consultation.

The rules of each part live in their own module (access_<part>.py, matching
partner_portal/commitments/<part>.py); this collects them for the matrix.
"""

from pathlib import Path

import tests.consultations.access  # noqa: F401  (the world's consultation is built first)
from partner_portal.core.models import utcnow
from tests.access import WORLD_BUILDERS, rules_of_parts
from tests.commitments import factories as cof
from tests.commitments.factories import S

GEMEENTE = ("moderator", "process_manager", "administrator")


def build(w) -> None:
    w.commitment_open = cof.commitment(w.consultation, S.open, title="Open convenant")
    w.commitment_draft = cof.commitment(w.consultation, S.draft, title="Concept convenant")
    w.signature_b = cof.signature(w.commitment_open, w.org_admin_b)
    w.commitment_proposal = cof.commitment(
        w.consultation,
        S.proposed,
        title="Voorgesteld convenant",
        proposed_by_group_id=w.group_a.id,
        proposed_at=utcnow(),
    )


WORLD_BUILDERS.append(build)


def open_(w) -> str:
    return f"/convenanten/{w.commitment_open.id}"


def proposal(w) -> str:
    return f"/convenanten/{w.commitment_proposal.id}"


def draft(w) -> str:
    return f"/convenanten/{w.commitment_draft.id}"


RULES = rules_of_parts(__name__.rpartition(".")[0], str(Path(__file__).parent))
