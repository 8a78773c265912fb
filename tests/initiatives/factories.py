"""Factories for initiatives: an initiative of a lead organisation in any state, complete and funded."""

from datetime import date

from partner_portal.core.models import utcnow
from partner_portal.extensions import db
from partner_portal.initiatives import ledger
from partner_portal.initiatives.models import (
    CoInitiator,
    FundingRequest,
    Grant,
    Initiative,
    InitiativeLocation,
    InitiativeState,
    InitiativeTheme,
    InvitationState,
    Milestone,
    Spending,
)
from partner_portal.initiatives.workflow import INITIATIVE

S = InitiativeState
ADOPTED_OR_LATER = (S.adopted, S.in_progress, S.completed, S.cancelled)


def initiative(
    consultation,
    lead,
    state: InitiativeState = S.draft,
    *,
    title: str = "Vernieuwing Koopmansplein",
    total_euros: int = 100_000,
    requested: dict | None = None,
    granted: bool | None = None,
    co_initiators=(),
    milestones: int = 0,
    **kwargs,
) -> Initiative:
    """A complete initiative: both themes' first, the first location, total split over the first
    source (half) and the initiators' own contribution (half). `requested` maps a source to euros;
    `granted` (default: when adopted or later) grants what was requested; `co_initiators` are
    organisations that accepted."""
    i = Initiative(
        consultation=consultation,
        lead_organisation=lead,
        state=state,
        title=title,
        summary=kwargs.pop("summary", "Het Koopmansplein wordt het nieuwe winkelhart."),
        description=kwargs.pop("description", "Een **nieuw** plein met terrassen."),
        expected_effect=kwargs.pop("expected_effect", "Meer bezoekers."),
        planned_start=kwargs.pop("planned_start", date(2027, 1, 1)),
        planned_end=kwargs.pop("planned_end", date(2028, 12, 31)),
        total_cost_cents=total_euros * 100,
        **kwargs,
    )
    requested = requested if requested is not None else {consultation.funding_sources[0]: total_euros // 2}
    for source, euros in requested.items():
        i.requests.append(FundingRequest(funding_source_id=source.id, amount_cents=euros * 100))
    i.own_contribution_cents = total_euros * 100 - sum(euros * 100 for euros in requested.values())
    i.themes.append(InitiativeTheme(theme_id=consultation.themes[0].id))
    i.locations.append(InitiativeLocation(location_id=consultation.locations[0].id))
    for org in co_initiators:
        i.co_initiators.append(CoInitiator(organisation=org, state=InvitationState.accepted, answered_at=utcnow()))
    now = utcnow()
    for column in INITIATIVE.required_timestamps(state):
        setattr(i, column, now)
    if granted if granted is not None else state in ADOPTED_OR_LATER:
        for source, euros in requested.items():
            i.grants.append(Grant(funding_source_id=source.id, amount_cents=euros * 100))
    for n in range(milestones):
        i.milestones.append(Milestone(title=f"Mijlpaal {n + 1}", planned_on=date(2027, n % 12 + 1, 1), weight=1))
    if state == S.declined:
        i.closing_reason = i.answer = "Past niet in het programma."
    i.refresh_search()
    db.session.add(i)
    db.session.flush()
    ledger.rebuild(consultation.id)  # the rows above went in behind the operations' back
    return i


def spent(initiative: Initiative, source, cents: int) -> None:
    """Spending of a source as if reported (the ledger's totals follow)."""
    initiative.spending.append(Spending(funding_source_id=source.id, amount_cents=cents))
    db.session.flush()
    ledger.rebuild(initiative.consultation_id)
