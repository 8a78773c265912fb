"""Factories for formal responses: a response of a group in any state, with positions and answers."""

from partner_portal.core.models import utcnow
from partner_portal.extensions import db
from partner_portal.responses.models import (
    CollaborationStance,
    FormalResponse,
    Position,
    Publication,
    ResponseState,
    ThemeAnswer,
    ThemePosition,
    Verdict,
)
from partner_portal.responses.workflow import RESPONSE

S = ResponseState


def response(
    consultation,
    group,
    state: ResponseState = S.draft,
    *,
    publication: Publication = Publication.public,
    complete: bool = True,
    answered: bool = False,
    statement: str = "Wij steunen de visie.",
) -> FormalResponse:
    r = FormalResponse(
        consultation=consultation,
        sector_group=group,
        state=state,
        statement=statement,
        collaboration_stance=CollaborationStance.joins if complete else None,
        publication=publication if state != S.draft else None,
    )
    for theme in consultation.themes:
        r.positions.append(
            ThemePosition(
                theme_id=theme.id,
                position=Position.supports if complete else None,
                explanation=f"Toelichting bij {theme.title}." if complete else "",
            )
        )
    now = utcnow()
    for column in RESPONSE.required_timestamps(state):
        setattr(r, column, now)
    if answered:
        for theme in consultation.themes:
            r.answers.append(ThemeAnswer(theme_id=theme.id, verdict=Verdict.adopted, explanation="Overgenomen."))
        r.answered_at = now
    db.session.add(r)
    db.session.flush()
    return r
