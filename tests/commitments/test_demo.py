"""The demo's commitments, as the issue and the README describe them."""

import sqlalchemy as sa

from partner_portal import demo
from partner_portal.auth.models import User
from partner_portal.commitments import operations, permissions
from partner_portal.commitments.demo import FOUNDATION, OPENING_HOURS, TERRACES
from partner_portal.commitments.models import Commitment, CommitmentState, SignatureState
from partner_portal.extensions import db


def _by_title(title):
    return db.session.scalar(sa.select(Commitment).where(Commitment.title == title))


def test_the_demo_has_an_open_commitment_on_its_second_version_and_a_binding_one(app):
    demo.seed()
    db.session.commit()
    demo.seed()  # idempotent
    db.session.commit()
    foundation = _by_title(FOUNDATION)
    assert foundation.state == CommitmentState.open and foundation.current_version == 2
    assert foundation.threshold_organisations == 5
    counted = operations.totals(foundation)
    assert (counted.organisations, counted.stale, counted.pending) == (3, 1, 1)
    assert counted.cents_per_year == 400_000 and counted.hours_per_year == 120
    by_org = {s.organisation_name: s for s in operations.signatures_of(foundation)}
    assert by_org["Binnenstad Vastgoed Assen BV"].version_number == 1
    assert by_org["Hotel De Vaart"].state == SignatureState.pending_second
    assert "Eetcafé Het Koopmanshuis" not in by_org
    signer = db.session.scalar(sa.select(User).where(User.email == "tekenbevoegd.horeca@example.org"))
    assert permissions.may_sign_for(signer, foundation)
    assert _by_title(OPENING_HOURS).state == CommitmentState.binding
    terraces = _by_title(TERRACES)
    assert terraces.state == CommitmentState.proposed and terraces.proposed_by_group.slug == "horeca"
