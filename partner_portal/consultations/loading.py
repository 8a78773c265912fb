"""Loading consultations for pages: the eager loads each page needs, 404 for what the user may not see."""

from __future__ import annotations

import sqlalchemy as sa
from flask import abort
from flask_login import current_user
from sqlalchemy import orm as so
from sqlalchemy.orm.attributes import set_committed_value

from partner_portal.consultations.models import (
    Consultation,
    ConsultationStatus,
    Pillar,
    Programme,
    Theme,
    VisionVersion,
)
from partner_portal.consultations.permissions import can_manage_consultation, can_view_consultation
from partner_portal.extensions import db


def summary_loads():
    """What the summary (goal, Nota notice, pillars, themes, current stage, funding) shows, and nothing more."""
    return (
        so.joinedload(Consultation.nota),
        so.selectinload(Consultation.pillars),
        so.selectinload(Consultation.themes),
        so.selectinload(Consultation.stages),
        so.selectinload(Consultation.funding_sources),
    )


def stages_only():
    return (so.selectinload(Consultation.stages),)


def eager_loads():
    return (
        so.selectinload(Consultation.pillars).selectinload(Pillar.themes),
        so.selectinload(Consultation.themes).joinedload(Theme.pillar),
        so.selectinload(Consultation.stages),
        so.selectinload(Consultation.funding_sources),
        so.selectinload(Consultation.programmes).selectinload(Programme.projects),
    )


def load_consultation(slug: str, *, manage: bool = False, loads=None) -> Consultation:
    """The consultation or 404; `loads` narrows the eager loading to what the page shows."""
    options = eager_loads() if loads is None else loads
    consultation = db.first_or_404(sa.select(Consultation).where(Consultation.slug == slug).options(*options))
    if not can_view_consultation(current_user, consultation):
        abort(404)
    if manage and not can_manage_consultation(current_user, consultation):
        abort(403)
    return consultation


def featured_consultation() -> Consultation | None:
    """The consultation on the home page: the featured one if public, else the newest public one."""
    public = Consultation.status != ConsultationStatus.draft
    return db.session.scalar(
        sa.select(Consultation)
        .where(public)
        .order_by(Consultation.is_featured.desc(), Consultation.published_at.desc(), Consultation.id.desc())
        .options(*summary_loads())
        .limit(1)
    )


def load_consultation_light(slug: str) -> Consultation:
    """The consultation alone (its themes and stages load when used, one query each), or 404."""
    consultation = db.first_or_404(sa.select(Consultation).where(Consultation.slug == slug))
    if not can_view_consultation(current_user, consultation):
        abort(404)
    return consultation


def load_consultation_page(slug: str) -> tuple[Consultation, int | None]:
    """The consultation for its overview page, or 404, with the number of its latest vision version.

    A fixed four statements: the consultation with its Nota, stages and funding sources (a
    handful each, so their product stays small) and the latest version's number; its pillars
    and themes together; its programmes with their projects. The page needs no more."""
    latest = (
        sa.select(sa.func.max(VisionVersion.number))
        .where(VisionVersion.consultation_id == Consultation.id)
        .scalar_subquery()
    )
    row = (
        db.session.execute(
            sa.select(Consultation, latest)
            .where(Consultation.slug == slug)
            .options(
                so.joinedload(Consultation.nota),
                so.joinedload(Consultation.stages),
                so.joinedload(Consultation.funding_sources),
                so.selectinload(Consultation.programmes).joinedload(Programme.projects),
            )
        )
        .unique()
        .first()
    )
    if row is None:
        abort(404)
    consultation, latest_number = row
    if not can_view_consultation(current_user, consultation):
        abort(404)
    _load_pillars_and_themes(consultation)
    return consultation, latest_number


def _load_pillars_and_themes(consultation: Consultation) -> None:
    """Fill the consultation's pillars and themes (and each pillar's themes) with one statement.

    A full outer join keeps the pillars without a theme and the themes without a pillar."""
    pillars = sa.select(Pillar).where(Pillar.consultation_id == consultation.id).subquery()
    themes = sa.select(Theme).where(Theme.consultation_id == consultation.id).subquery()
    pillar, theme = so.aliased(Pillar, pillars), so.aliased(Theme, themes)
    rows = db.session.execute(
        sa.select(pillar, theme).select_from(pillars).outerjoin(themes, themes.c.pillar_id == pillars.c.id, full=True)
    ).all()
    found_pillars = {p.id: p for p, _t in rows if p is not None}
    found_themes = {t.id: t for _p, t in rows if t is not None}
    in_order = lambda items: sorted(items, key=lambda item: (item.position, item.id))  # noqa: E731
    set_committed_value(consultation, "pillars", in_order(found_pillars.values()))
    set_committed_value(consultation, "themes", in_order(found_themes.values()))
    for p in found_pillars.values():
        set_committed_value(p, "themes", in_order(t for t in found_themes.values() if t.pillar_id == p.id))
    for t in found_themes.values():
        set_committed_value(t, "pillar", found_pillars.get(t.pillar_id))
