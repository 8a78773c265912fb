"""Endorsing a commitment: public support by an organisation without signing, once at a time,
only while it is open or binding, by a person who speaks for a partner organisation."""

import pytest
import sqlalchemy as sa

from partner_portal.commitments.models import CommitmentState
from partner_portal.core.audit import AuditEvent
from partner_portal.core.errors import Conflict, OperationError, PermissionDenied
from partner_portal.endorsements import operations
from partner_portal.endorsements.models import Endorsement
from partner_portal.extensions import db
from tests.access import log_in
from tests.commitments import factories as cof
from tests.conftest import post_form

S = CommitmentState


def _count() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(Endorsement))


@pytest.mark.parametrize("state", [S.open, S.binding])
def test_an_open_or_binding_commitment_is_endorsed_once_and_audited_publicly(world, state):
    commitment = cof.commitment(world.consultation, state)
    operations.endorse(world.museum_signatory, commitment)
    db.session.commit()
    assert [e.organisation for e in commitment.endorsements] == [world.museum]
    event = db.session.scalar(sa.select(AuditEvent).filter_by(action="commitment.endorse", object_id=commitment.id))
    assert event is not None and event.is_public
    with pytest.raises(Conflict):
        operations.endorse(world.museum_signatory, commitment)
    db.session.rollback()
    assert _count() == 1


@pytest.mark.parametrize("state", [S.draft, S.closed, S.withdrawn])
def test_a_draft_closed_or_withdrawn_commitment_is_not_endorsed(world, state):
    commitment = cof.commitment(world.consultation, state)
    with pytest.raises(OperationError, match="open staat voor ondertekening of bindend"):
        operations.endorse(world.signatory, commitment)
    db.session.rollback()
    assert _count() == 0


def test_a_member_and_staff_cannot_endorse(world):
    commitment = cof.commitment(world.consultation, S.open)
    for person in (world.member, world.pm):
        with pytest.raises(PermissionDenied):
            operations.endorse(person, commitment)
        db.session.rollback()
    assert _count() == 0


def test_the_page_offers_it_after_a_confirmation_and_lists_the_endorsing_organisation(world, client):
    commitment = cof.commitment(world.consultation, S.open, title="Samen schoon")
    db.session.commit()
    log_in(client, world.museum_signatory)
    page = client.get(f"/convenanten/{commitment.id}").get_data(as_text=True)
    url = f"/convenanten/{commitment.id}/onderschrijven"
    assert f'href="{url}"' in page and "Onderschrijven namens Drents Museum" in page
    confirm = client.get(url).get_data(as_text=True)
    assert "Wat onderschrijven betekent" in confirm
    assert post_form(client, url, {}).status_code == 302
    page = client.get(f"/convenanten/{commitment.id}").get_data(as_text=True)
    assert "<li>Drents Museum</li>" in page and "Onderschrijving intrekken" in page
