"""State changes of endorsements: an organisation endorses an item, or withdraws its endorsement.

Both check permission, change the rows, write the audit event on the item (so the item's
history shows them) and flush; the request commits once.
"""

from __future__ import annotations

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from partner_portal.core import audit, workflow
from partner_portal.core.errors import Conflict, OperationError, PermissionDenied, flush_or_conflict
from partner_portal.core.models import utcnow
from partner_portal.endorsements import permissions
from partner_portal.endorsements.kinds import KINDS, kind_of
from partner_portal.endorsements.models import Endorsement
from partner_portal.extensions import db

REASON_MAX = 2000

for _kind in KINDS:
    workflow.label_action(f"{_kind.name}.withdraw_endorsement", _l("Onderschrijving ingetrokken"))


def _refresh_lists(item) -> None:
    """The item's list of active endorsements (if it has one) reads the new state next time."""
    if hasattr(type(item), "endorsements"):
        db.session.expire(item, ["endorsements"])


def _audit(actor, action: str, item, **kwargs) -> None:
    audit.record(
        actor,
        action,
        item,
        consultation_id=getattr(item, "consultation_id", None),
        is_public=bool(getattr(item, "is_public", False)),
        **kwargs,
    )


def endorse(actor, item) -> Endorsement:
    """The actor's organisation endorses `item` (any registered kind).

    Precondition: the item's own rule (`Kind.check`) allows the actor, in the item's state.
    Side effects: a new active endorsement row; the audit event `<kind>.endorse` on the item
    (through the kind's `record`, e.g. its workflow table's row, when it has one).
    Raises: what the item's rule raises (PermissionDenied / OperationError); Conflict when the
    organisation already has an active endorsement of the item, also when a concurrent request
    made it first (the partial unique index decides; nothing changes).
    """
    kind = kind_of(item)
    error = permissions.endorse_refusal(actor, item)
    if error is not None:
        raise error
    endorsement = Endorsement(organisation_id=actor.organisation_id, endorsed_by_id=actor.id)
    setattr(endorsement, kind.column, item.id)
    db.session.add(endorsement)
    flush_or_conflict(permissions.already_endorsed_message())
    _refresh_lists(item)
    details = {"organisation": actor.organisation.name, "endorsement": endorsement.id}
    if kind.record is not None:
        kind.record(actor, item, details)
    else:
        _audit(actor, f"{kind.name}.endorse", item, details=details)
    return endorsement


def withdraw_endorsement(actor, endorsement: Endorsement, reason: str = "") -> Endorsement:
    """The endorsing organisation withdraws its endorsement; the row stays, marked withdrawn.

    Precondition: the actor is a signatory or organisation admin of the endorsing organisation
    and the endorsement is active. Transition: active -> withdrawn (`withdrawn_at`,
    `withdrawn_by`, `withdrawal_reason`); the organisation may endorse the item again later.
    Side effects: the audit event `<kind>.withdraw_endorsement` on the item, with the reason.
    Raises: PermissionDenied for anyone else; Conflict when it was already withdrawn (also by a
    concurrent request: the update only applies to an active row).
    """
    reason = (reason or "").strip()
    if len(reason) > REASON_MAX:
        raise OperationError(_("Toelichting: gebruik hoogstens %(max)d tekens.", max=REASON_MAX))
    if not permissions.speaks_for(actor, endorsement.organisation_id):
        raise PermissionDenied(
            _("Alleen tekenbevoegden en beheerders van de onderschrijvende organisatie kunnen dit intrekken.")
        )
    if not endorsement.is_active:
        raise Conflict(_("Deze onderschrijving is al ingetrokken."))
    now = utcnow()
    changed = db.session.execute(
        sa.update(Endorsement)
        .where(Endorsement.id == endorsement.id, Endorsement.withdrawn_at.is_(None))
        .values(withdrawn_at=now, withdrawn_by_id=actor.id, withdrawal_reason=reason)
        .execution_options(synchronize_session=False)
    ).rowcount
    if changed != 1:
        raise Conflict(_("Deze onderschrijving is al ingetrokken."))
    db.session.refresh(endorsement)
    item = endorsement.item
    _refresh_lists(item)
    _audit(
        actor,
        f"{endorsement.kind.name}.withdraw_endorsement",
        item,
        reason=reason,
        organisation_id=endorsement.organisation_id,
        details={"organisation": endorsement.organisation.name, "endorsement": endorsement.id},
    )
    return endorsement
