"""The kinds of item an organisation can endorse, declared once each (see README, "Endorsements").

A kind is one `Kind` in `KINDS`. From it the endorsement table gets a foreign key column
`<name>_id` with its relationship `<name>`, the check that exactly one such column is set and a
unique index on (column, organisation) over the active rows; the routes get
`<path>/onderschrijven`; the overview gets the label, the title and the link. Who may endorse
which item in which state is the owning feature's rule, passed in as `check`. A new kind
changes the table, so it comes with a migration.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import url_for
from flask_babel import lazy_gettext as _l

from partner_portal.commitments import operations as commitment_operations
from partner_portal.commitments import permissions as commitment_permissions
from partner_portal.commitments.models import Commitment
from partner_portal.initiatives import operations as initiative_operations
from partner_portal.initiatives import permissions as initiative_permissions
from partner_portal.initiatives.models import Initiative
from partner_portal.responses import operations as response_operations
from partner_portal.responses import permissions as response_permissions
from partner_portal.responses.models import FormalResponse


@dataclass(frozen=True)
class Kind:
    """One kind of endorsable item."""

    name: str  # also the audit object type of the item and the prefix of its column
    model: type  # the item's mapped class
    label: Any  # lazy translated singular ("Formele reactie")
    path: str  # URL of the item, with `<int:item_id>`; the endorse page is `<path>/onderschrijven`
    endpoint: str  # the item's page, called with `id_arg=item.id`
    id_arg: str
    title: Callable[[Any], str]  # how lists name the item
    # check(actor, item): raises PermissionDenied / OperationError with the Dutch reason when
    # the actor may not endorse the item in its current state; returns None otherwise.
    check: Callable[[Any, Any], None]
    can_view: Callable[[Any, Any], bool]  # may the user see the item (links, 404 otherwise)
    # record(actor, item, details): the audit event (and any notification) of an endorsement,
    # when the owning feature's workflow table declares them; None: a plain `<name>.endorse` event.
    record: Callable[[Any, Any, dict], Any] | None = None

    @property
    def column(self) -> str:
        return f"{self.name}_id"

    @property
    def table(self) -> str:
        return self.model.__tablename__

    def url(self, item) -> str:
        return url_for(self.endpoint, **{self.id_arg: item.id})


def _response_title(response: FormalResponse) -> str:
    return f"{response.sector_group.name}: {response.consultation.title}"


KINDS: tuple[Kind, ...] = (
    Kind(
        name="formal_response",
        model=FormalResponse,
        label=_l("Formele reactie"),
        path="/reacties/<int:item_id>",
        endpoint="responses.show",
        id_arg="response_id",
        title=_response_title,
        check=response_operations.check_endorse,
        can_view=response_permissions.can_view_response,
        record=response_operations.record_endorsement,
    ),
    Kind(
        name="initiative",
        model=Initiative,
        label=_l("Initiatief"),
        path="/initiatieven/<int:item_id>",
        endpoint="initiatives.show",
        id_arg="initiative_id",
        title=lambda initiative: initiative.title,
        check=initiative_operations.check_endorse,
        can_view=initiative_permissions.can_view_initiative,
        record=initiative_operations.record_endorsement,
    ),
    Kind(
        name="commitment",
        model=Commitment,
        label=_l("Convenant"),
        path="/convenanten/<int:item_id>",
        endpoint="commitments.show",
        id_arg="commitment_id",
        title=lambda commitment: commitment.title,
        check=commitment_operations.check_endorse,
        can_view=commitment_permissions.can_view_commitment,
        record=commitment_operations.record_endorsement,
    ),
)

BY_NAME: dict[str, Kind] = {kind.name: kind for kind in KINDS}


def kind_of(item) -> Kind:
    """The registered kind of `item`; TypeError for an item that cannot be endorsed."""
    for kind in KINDS:
        if isinstance(item, kind.model):
            return kind
    raise TypeError(f"not an endorsable item: {item!r}")
