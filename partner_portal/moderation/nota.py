"""The content of the Nota van beantwoording: per theme every accepted response with the gemeente's answer
and the initiatives adopted for it, each group's stance on the collaboration, and a summary table.
Shared by the HTML, PDF and CSV forms."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy import orm as so

from partner_portal.extensions import db
from partner_portal.initiatives.models import Initiative, InitiativeState, InitiativeTheme
from partner_portal.partners.models import SectorGroup
from partner_portal.responses.models import (
    FormalResponse,
    Nota,
    Position,
    Publication,
    ResponseState,
    ThemeAnswer,
    ThemePosition,
    Verdict,
)


@dataclass
class Entry:
    """One accepted response on one theme."""

    response: FormalResponse
    position: ThemePosition | None
    answer: ThemeAnswer | None

    @property
    def is_public(self) -> bool:
        return self.response.publication == Publication.public


@dataclass
class ThemeSection:
    theme: object
    entries: list[Entry] = field(default_factory=list)
    positions: Counter = field(default_factory=Counter)
    verdicts: Counter = field(default_factory=Counter)
    # "We asked, you said, we did": initiatives in the execution programme that carry out this theme.
    initiatives: list = field(default_factory=list)


@dataclass
class NotaContent:
    consultation: object
    nota: Nota | None
    responses: list[FormalResponse]
    sections: list[ThemeSection]
    rejected: int = 0

    @property
    def is_published(self) -> bool:
        return self.nota is not None

    @property
    def positions(self) -> list[Position]:
        return list(Position)

    @property
    def verdicts(self) -> list[Verdict]:
        return list(Verdict)


def programme_initiatives_by_theme(consultation) -> dict[int, list[Initiative]]:
    """The consultation's initiatives in the execution programme (not stopped), per theme, in one query."""
    rows = db.session.execute(
        sa.select(InitiativeTheme.theme_id, Initiative)
        .join(Initiative, Initiative.id == InitiativeTheme.initiative_id)
        .where(
            Initiative.consultation_id == consultation.id,
            Initiative.state.in_((InitiativeState.adopted, InitiativeState.in_progress, InitiativeState.completed)),
        )
        .order_by(Initiative.adopted_at, Initiative.id)
    ).all()
    by_theme: dict[int, list[Initiative]] = {}
    for theme_id, initiative in rows:
        by_theme.setdefault(theme_id, []).append(initiative)
    return by_theme


def nota_content(consultation, nota: Nota | None) -> NotaContent:
    """Everything the Nota shows, in five queries (responses, their positions, answers and
    endorsements; the initiatives in the execution programme per theme)."""
    responses = db.session.scalars(
        sa.select(FormalResponse)
        .join(FormalResponse.sector_group)
        .where(
            FormalResponse.consultation_id == consultation.id,
            FormalResponse.state.in_((ResponseState.accepted, ResponseState.rejected)),
        )
        .options(
            so.contains_eager(FormalResponse.sector_group),
            so.selectinload(FormalResponse.positions),
            so.selectinload(FormalResponse.answers),
            so.selectinload(FormalResponse.endorsements),
        )
        .order_by(SectorGroup.position, SectorGroup.id)
    ).all()
    accepted = [r for r in responses if r.state == ResponseState.accepted]
    initiatives = programme_initiatives_by_theme(consultation)
    sections = []
    for theme in consultation.themes:
        section = ThemeSection(theme=theme, initiatives=initiatives.get(theme.id, []))
        for response in accepted:
            entry = Entry(response, response.position_for(theme.id), response.answer_for(theme.id))
            section.entries.append(entry)
            if entry.position and entry.position.position:
                section.positions[entry.position.position] += 1
            if entry.answer:
                section.verdicts[entry.answer.verdict] += 1
        sections.append(section)
    return NotaContent(
        consultation=consultation,
        nota=nota,
        responses=accepted,
        sections=sections,
        rejected=len(responses) - len(accepted),
    )
