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


def heatmap_for(consultation) -> HeatMap:
    accepted = (
        db.session.scalars(
            sa.select(FormalResponse)
            .join(FormalResponse.sector_group)
            .where(FormalResponse.consultation_id == consultation.id, FormalResponse.state == ResponseState.accepted)
            .options(so.contains_eager(FormalResponse.sector_group), so.joinedload(FormalResponse.positions))
            .order_by(SectorGroup.position, SectorGroup.id)
        )
        .unique()
        .all()
    )
    heatmap = HeatMap(themes=list(consultation.themes))
    for response in accepted:
        if response.publication == Publication.public and consultation.is_public:
            heatmap.responses.append(response)
        else:
            heatmap.non_public_groups.append(response.sector_group.name)
    return heatmap
