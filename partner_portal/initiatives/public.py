"""Routes: the list of initiatives per consultation and the initiative's page (see initiatives/views.py)."""

from __future__ import annotations

import sqlalchemy as sa
from flask import render_template, request
from flask_login import current_user
from sqlalchemy import orm as so

from partner_portal.consultations.loading import load_consultation_light
from partner_portal.core.pagecache import public_page
from partner_portal.extensions import db
from partner_portal.initiatives import bp, permissions, search
from partner_portal.initiatives.loading import ledger_of, load_initiative
from partner_portal.initiatives.models import (
    PUBLIC_STATES,
    CoInitiator,
    Initiative,
    InitiativeState,
    InitiativeTheme,
    InvitationState,
)
from partner_portal.initiatives.workflow import INITIATIVE
from partner_portal.partners.models import OrganisationSector, SectorGroup

PER_PAGE = 20
TEXT_MAX = 100


def _visible(consultation) -> list:
    """What the user may see in the list, as disjoint conditions (so the count is their counts'
    sum, each read from its own index): the public ones (for the gemeente: every submitted one),
    and their own organisation's others."""
    parts = []
    if permissions.is_gemeente(current_user):
        parts.append(Initiative.state != InitiativeState.draft)
    elif consultation.is_public:
        parts.append(Initiative.state.in_(PUBLIC_STATES))
    org = permissions.partner_organisation_id(current_user)
    if org is not None:
        own = Initiative.lead_organisation_id == org
        parts.append(sa.and_(own, sa.not_(parts[0])) if parts else own)
    return parts or [sa.false()]


def _int_arg(name: str) -> int | None:
    value = request.args.get(name, "")
    return int(value) if value.isdigit() else None


@bp.get("/consultaties/<slug>/initiatieven")
@public_page
def index(slug: str):
    """Every initiative the user may see, filtered by state, theme, location, the initiators' sector
    group and text; paginated."""
    consultation = load_consultation_light(slug)
    filters = {
        "status": request.args.get("status", ""),
        "thema": _int_arg("thema"),
        "locatie": _int_arg("locatie"),
        "sector": _int_arg("sector"),
        "q": request.args.get("q", "").strip()[:TEXT_MAX],
        "sorteer": "status" if request.args.get("sorteer") == "status" else "nieuw",
    }
    visible = _visible(consultation)
    query = sa.select(Initiative).where(Initiative.consultation_id == consultation.id)
    if filters["status"] in {s.value for s in InitiativeState}:
        query = query.where(Initiative.state == filters["status"])
    else:
        filters["status"] = ""
    searched = search.condition(
        Initiative.search_words,
        Initiative.search_tags,
        filters["q"],
        theme_id=filters["thema"],
        location_id=filters["locatie"],
    )
    if searched is not None:
        query = query.where(searched)
    if filters["sector"]:
        # Led by, or co-initiated by (accepted), an organisation of the sector group.
        orgs = sa.select(OrganisationSector.organisation_id).where(
            OrganisationSector.sector_group_id == filters["sector"]
        )
        co = sa.select(CoInitiator.initiative_id).where(
            CoInitiator.state == InvitationState.accepted, CoInitiator.organisation_id.in_(orgs)
        )
        query = query.where(sa.or_(Initiative.lead_organisation_id.in_(orgs), Initiative.id.in_(co)))
    order = (Initiative.state, Initiative.id.desc()) if filters["sorteer"] == "status" else (Initiative.id.desc(),)
    page = db.paginate(
        query.where(sa.or_(*visible)).options(so.joinedload(Initiative.lead_organisation)).order_by(*order),
        page=max(request.args.get("page", 1, type=int), 1),
        per_page=PER_PAGE,
        error_out=False,
        count=False,
    )
    # The count as a sum of one count per disjoint part: an OR of the parts would read every row.
    counts = [query.where(part).with_only_columns(sa.func.count()).scalar_subquery() for part in visible]
    page.total = db.session.scalar(sa.select(sum(counts[1:], counts[0])))
    return render_template(
        "initiatives/index.html",
        consultation=consultation,
        page=page,
        filters=filters,
        states=list(InitiativeState),
        sector_groups=db.session.scalars(sa.select(SectorGroup).order_by(SectorGroup.position, SectorGroup.id)).all(),
        can_start=permissions.can_start_initiative(current_user, consultation),
        paging_args={k: v for k, v in filters.items() if v},
    )


@bp.get("/initiatieven/<int:initiative_id>")
@public_page
def show(initiative_id: int):
    return render_show(load_initiative(initiative_id))


def render_show(initiative: Initiative, *, error: str | None = None) -> str:
    """The initiative's page; `error`: a refused step's reason, at the top (the execution forms)."""
    return render_template(
        "initiatives/show.html",
        initiative=initiative,
        consultation=initiative.consultation,
        sources=initiative.consultation.funding_sources,
        INITIATIVE=INITIATIVE,
        updates=initiative.updates,
        ledger=ledger_of(initiative),
        error=error,
    )


@bp.app_context_processor
def public_helpers():
    return {"theme_initiatives": theme_initiatives}


def theme_initiatives(theme) -> list[Initiative]:
    """ "We asked, you said, we did": the initiatives in the execution programme (not stopped)
    that carry out `theme`, for the theme's page (one query)."""
    return db.session.scalars(
        sa.select(Initiative)
        .join(InitiativeTheme, InitiativeTheme.initiative_id == Initiative.id)
        .where(
            InitiativeTheme.theme_id == theme.id,
            Initiative.state.in_((InitiativeState.adopted, InitiativeState.in_progress, InitiativeState.completed)),
        )
        .options(so.selectinload(Initiative.milestones))
        .order_by(Initiative.adopted_at, Initiative.id)
    ).all()
