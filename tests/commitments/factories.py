"""Factories for commitments: a commitment in any state with its first version, and signatures."""

from partner_portal.commitments import codes
from partner_portal.commitments.canonical import text_hash
from partner_portal.commitments.models import (
    Commitment,
    CommitmentState,
    CommitmentVersion,
    PledgeKind,
    Signature,
    SignatureState,
)
from partner_portal.commitments.workflow import COMMITMENT
from partner_portal.core.models import utcnow
from partner_portal.extensions import db

S = CommitmentState
TEXT = "De partners richten samen één **binnenstadsorganisatie** op.\n\nIeder draagt naar vermogen bij."


def commitment(
    consultation,
    state: CommitmentState = S.open,
    *,
    title: str = "Intentieverklaring oprichting binnenstadsorganisatie",
    text: str = TEXT,
    threshold_organisations: int | None = None,
    threshold_cents: int | None = None,
    money: bool = True,
    hours: bool = True,
    in_kind: bool = True,
    **kwargs,
) -> Commitment:
    """A commitment with version 1, inviting every partner organisation; the lifecycle timestamps
    its state needs come from the workflow table."""
    c = Commitment(
        consultation=consultation,
        state=state,
        title=title,
        text=text,
        threshold_organisations=threshold_organisations,
        threshold_cents=threshold_cents,
        allows_money=money,
        allows_hours=hours,
        allows_in_kind=in_kind,
        current_version=1,
        **kwargs,
    )
    c.versions.append(CommitmentVersion(number=1, title=title, text=text, text_hash=text_hash(title, text)))
    now = utcnow()
    for column in COMMITMENT.required_timestamps(state):
        setattr(c, column, now)
    if state == S.withdrawn:
        c.closing_reason = "Niet meer nodig."
    db.session.add(c)
    db.session.flush()
    return c


def signature(commitment: Commitment, signer, *, state: SignatureState = SignatureState.complete, version=None, **kw):
    """A signature of the signer's organisation on `version` (default: the current one)."""
    version = version or commitment.current
    org = signer.organisation
    now = utcnow()
    s = Signature(
        commitment=commitment,
        organisation_id=org.id,
        organisation_name=org.name,
        organisation_kvk=org.kvk_number,
        state=state,
        signer_id=signer.id,
        signer_name=signer.name,
        signer_function="Directeur",
        signed_at=now,
        auth_method="password",
        version_number=version.number,
        version_hash=version.text_hash,
        pledge_kind=kw.pop("pledge_kind", PledgeKind.none),
        verification_code=codes.new_code(),
        completed_at=now if state == SignatureState.complete else None,
        **kw,
    )
    db.session.add(s)
    db.session.flush()
    return s
