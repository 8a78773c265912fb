"""A partner's own view of the response round: per running consultation, each of their sector
groups' responses and the next step (for the start page /mijn and the consultation page)."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from flask import url_for
from flask_babel import format_date
from flask_babel import gettext as _
from sqlalchemy import orm as so

from partner_portal.consultations.models import Consultation, ConsultationStatus
from partner_portal.core import workflow
from partner_portal.extensions import db
from partner_portal.partners.models import OrganisationSector, SectorGroup
from partner_portal.responses import permissions
from partner_portal.responses.models import FormalResponse, ResponseState
from partner_portal.responses.workflow import RESPONSE

S = ResponseState


@dataclass(frozen=True)
class NextStep:
    group: SectorGroup
    response: FormalResponse | None
    text: str  # where the group's response stands, in words
    action: str | None  # the link's text, when there is something to see or do
    url: str | None
    todo: bool = False  # the group can still respond: start, continue, or change its response

    @property
    def actionable(self) -> bool:
        return self.action is not None


def _step(user, consultation, group, response, answered: bool) -> NextStep:
    if response is None:
        if answered:
            return NextStep(group, None, _("geen reactie; de ronde is beantwoord"), None, None)
        if permissions.can_create_response(user, consultation, group.id):
            url = url_for("responses.index", slug=consultation.slug)
            return NextStep(group, None, _("nog geen reactie"), _("Reactie beginnen"), url, todo=True)
        return NextStep(group, None, _("geen reactie"), None, None)
    show = url_for("responses.show", response_id=response.id)
    if response.state in (S.draft, S.changes_requested) and workflow.can(user, response, RESPONSE, "edit"):
        if response.state == S.changes_requested:
            return NextStep(group, response, _("wijzigingen gevraagd"), _("Bekijken en aanpassen"), show, todo=True)
        edit = url_for("responses.edit", response_id=response.id)
        return NextStep(group, response, _("concept"), _("Verder bewerken"), edit, todo=True)
    if response.state in (S.submitted, S.in_review) and response.submitted_at:
        text = _("ingediend op %(date)s", date=format_date(response.submitted_at, "long"))
        if response.state == S.in_review:
            text = _("%(submitted)s; in behandeling bij de gemeente", submitted=text)
        return NextStep(group, response, text, _("Bekijken"), show)
    if response.answer_published_at:
        nota = url_for("moderation.nota", slug=consultation.slug)
        return NextStep(group, response, _("beantwoord in de Nota van beantwoording"), _("Lees de Nota"), nota)
    return NextStep(group, response, response.state.label, _("Bekijken"), show)


def groups_of(organisation_id: int) -> list[SectorGroup]:
    """The organisation's sector groups, its primary one first (one query)."""
    return db.session.scalars(
        sa.select(SectorGroup)
        .join(OrganisationSector, OrganisationSector.sector_group_id == SectorGroup.id)
        .where(OrganisationSector.organisation_id == organisation_id)
        .order_by(OrganisationSector.is_primary.desc(), SectorGroup.position)
    ).all()


def own_groups(user) -> list[SectorGroup]:
    """The user's organisation's sector groups, its primary one first, from the memberships the
    login already loaded with the user (no statement)."""
    if user.organisation is None:
        return []
    memberships = sorted(
        user.organisation.sectors, key=lambda m: (not m.is_primary, m.sector_group.position, m.sector_group.id)
    )
    return [m.sector_group for m in memberships]


def next_steps(user, consultations=None, responses=None) -> list[tuple[Consultation, list[NextStep]]]:
    """Per running consultation (or the ones given), the user's sector groups and their next step.

    A fixed number of statements however many groups and consultations: the consultations with
    their Notas, and the groups' responses (none when the caller passes them in `responses`,
    already loaded for the consultations given); the groups come with the logged-in user."""
    if user.organisation_id is None:
        return []
    if consultations is None:
        consultations = db.session.scalars(
            sa.select(Consultation)
            .where(Consultation.status == ConsultationStatus.published)
            .order_by(Consultation.is_featured.desc(), Consultation.id.desc())
            .options(so.joinedload(Consultation.nota))
            .limit(10)
        ).all()
    if not consultations or not user.organisation.is_active:
        return []
    groups = own_groups(user)
    if not groups:
        return []
    ids = [c.id for c in consultations]
    group_ids = {g.id for g in groups}
    if responses is None:
        responses = db.session.scalars(
            sa.select(FormalResponse).where(
                FormalResponse.consultation_id.in_(ids), FormalResponse.sector_group_id.in_(group_ids)
            )
        ).all()
    by_group = {(r.consultation_id, r.sector_group_id): r for r in responses if r.sector_group_id in group_ids}
    return [
        (c, [_step(user, c, g, by_group.get((c.id, g.id)), c.nota is not None) for g in groups]) for c in consultations
    ]
