"""Money pledged on commitments shows on the execution programme page per source, as pledged
(never as granted): only complete signatures on the current version of an open or binding one."""

import re

from partner_portal.commitments.models import PledgeKind, SignatureState
from partner_portal.extensions import db
from tests.commitments import factories as cof
from tests.commitments.factories import S


def _pledge(commitment, signer, source, cents, **kw):
    return cof.signature(
        commitment, signer, pledge_kind=PledgeKind.money, pledge_cents=cents, funding_source_id=source.id, **kw
    )


def test_the_programme_shows_what_was_pledged_per_source_apart_from_what_was_granted(client, world):
    open_one = cof.commitment(world.consultation, S.open)
    _pledge(open_one, world.signatory, world.fonds_source, 250_000)
    _pledge(open_one, world.museum_signatory, world.fonds_source, 100_000, state=SignatureState.pending_second)
    closed = cof.commitment(world.consultation, S.closed, title="Gesloten")
    _pledge(closed, world.signatory, world.fonds_source, 900_000)
    db.session.commit()
    page = client.get(f"/consultaties/{world.consultation.slug}/uitvoeringsprogramma").get_data(as_text=True)
    assert "Toegezegd per jaar (convenanten)" in page
    row = re.search(rf"{re.escape(world.fonds_source.name)}</th>(.*?)</tr>", page, re.S).group(1)
    cells = re.findall(r'<td class="number">(.*?)</td>', row)
    assert cells[1] == "€ 0,00" or cells[1].startswith("€ 0")  # granted: nothing
    assert "2.500" in cells[-1]  # pledged: the complete signature on the open commitment only


def test_without_pledges_the_programme_has_no_pledge_column(client, world):
    page = client.get(f"/consultaties/{world.consultation.slug}/uitvoeringsprogramma").get_data(as_text=True)
    assert "Toegezegd per jaar" not in page
