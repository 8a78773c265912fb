"""Access rules for MKB Assen's pages: the registry and its imports, the dashboard, members and reminders.

The world gets a registry: organisation A is a member (the factory's `mkb=True`), plus one member
that is not on the platform and one staged import. Each routes module's rules live in its own
access_<part>.py; this collects them for the matrix.
"""

from pathlib import Path

import tests.commitments.access  # noqa: F401  (the world's responses, initiatives and commitments first)
from partner_portal.extensions import db
from partner_portal.mkb.models import MemberImport
from tests import factories
from tests.access import WORLD_BUILDERS, rules_of_parts


def build(w) -> None:
    w.member_a = w.org_a.mkb_member
    w.member_unmatched = factories.mkb_member("01234567", name="Bakkerij Nog Niet Online", sector=w.group_a)
    w.member_import = MemberImport(
        filename="leden.csv", headers_json='["KvK-nummer", "Naam"]', rows_json='[["01234567", "Bakkerij"]]', row_count=1
    )
    db.session.add(w.member_import)
    db.session.flush()


WORLD_BUILDERS.append(build)

RULES = rules_of_parts(__name__.rpartition(".")[0], str(Path(__file__).parent))
