"""Who may endorse an item and withdraw an endorsement: pure predicates, also used by templates."""

from __future__ import annotations

import sqlalchemy as sa
from flask_babel import gettext as _

from partner_portal.auth.roles import ENDORSERS
from partner_portal.core.errors import Conflict, OperationError
from partner_portal.endorsements.kinds import kind_of
from partner_portal.endorsements.models import Endorsement
from partner_portal.extensions import db

# Who speaks for the endorsing organisation when it withdraws (endorsing itself is the item's rule).
WITHDRAWERS = ENDORSERS


def _active(user) -> bool:
    return bool(user and getattr(user, "is_authenticated", False) and user.is_active)


def active_endorsement(organisation_id: int | None, item) -> Endorsement | None:
    """The organisation's active endorsement of `item`, if any."""
    if organisation_id is None:
        return None
    if hasattr(type(item), "endorsements"):
        # The item's list of active endorsements, which its page loads anyway: no extra query.
        return next((e for e in item.endorsements if e.organisation_id == organisation_id), None)
    return db.session.scalar(
        sa.select(Endorsement).where(
            Endorsement.of(item), Endorsement.organisation_id == organisation_id, Endorsement.withdrawn_at.is_(None)
        )
    )


def already_endorsed_message() -> str:
    return _("Uw organisatie heeft dit al onderschreven.")


def endorse_refusal(user, item) -> OperationError | None:
    """Why `user` may not endorse `item` now, as the error the operation raises, or None.

    First the item's own rule (its kind's `check`: who, which state), then one active
    endorsement per organisation (Conflict).
    """
    try:
        kind_of(item).check(user, item)
    except OperationError as error:
        return error
    if active_endorsement(getattr(user, "organisation_id", None), item) is not None:
        return Conflict(already_endorsed_message())
    return None


def can_endorse(user, item) -> bool:
    """The item's own rule allows it, and the user's organisation has no active endorsement of it yet."""
    return _active(user) and endorse_refusal(user, item) is None


def speaks_for(user, organisation_id: int) -> bool:
    """A signatory or organisation admin of that (active) organisation."""
    return (
        _active(user)
        and user.organisation_id == organisation_id
        and getattr(user, "org_role", None) in WITHDRAWERS
        and user.organisation is not None
        and user.organisation.is_active
    )


def can_withdraw(user, endorsement: Endorsement) -> bool:
    """A signatory or organisation admin of the endorsing organisation, while the endorsement is active."""
    return endorsement.is_active and speaks_for(user, endorsement.organisation_id)
