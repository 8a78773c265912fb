"""Support per theme and sector group, for the heat map on the consultation page.

Only accepted responses count. Public ones show their position per theme; a non-public
response is counted (its group is named) without any of its positions.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy import orm as so

from partner_portal.extensions import db
from partner_portal.partners.models import SectorGroup
from partner_portal.responses.models import FormalResponse, Position, Publication, ResponseState


@dataclass
class HeatMap:
    themes: list
    responses: list[FormalResponse] = field(default_factory=list)  # public, one column each
    non_public_groups: list[str] = field(default_factory=list)

    @property
    def legend(self) -> list[Position]:
        """The positions in legend order; each cell has class pos-<value> and its label as text."""
        return list(Position)

    @property
    def is_empty(self) -> bool:
        return not self.responses and not self.non_public_groups

    def cell(self, response: FormalResponse, theme) -> Position | None:
        row = response.position_for(theme.id)
        return row.position if row else None


def consultation_responses(consultation, group_ids=()) -> list[FormalResponse]:
    """The consultation's accepted responses and those of `group_ids` in any state (the user's own
    groups, for their next steps), with group and positions: one statement for the whole page."""
    wanted = FormalResponse.state == ResponseState.accepted
    if group_ids:
        wanted = sa.or_(wanted, FormalResponse.sector_group_id.in_(list(group_ids)))
    return (
        db.session.scalars(
            sa.select(FormalResponse)
            .join(FormalResponse.sector_group)
            .where(FormalResponse.consultation_id == consultation.id, wanted)
            .options(so.contains_eager(FormalResponse.sector_group), so.joinedload(FormalResponse.positions))
            .order_by(SectorGroup.position, SectorGroup.id)
        )
        .unique()
        .all()
    )


def heatmap_for(consultation, responses: list[FormalResponse] | None = None) -> HeatMap:
    """The heat map from `responses` (loaded by `consultation_responses`; only the accepted ones count)."""
    if responses is None:
        responses = consultation_responses(consultation)
    heatmap = HeatMap(themes=list(consultation.themes))
    for response in responses:
        if response.state != ResponseState.accepted:
            continue
        if response.publication == Publication.public and consultation.is_public:
            heatmap.responses.append(response)
        else:
            heatmap.non_public_groups.append(response.sector_group.name)
    return heatmap
