"""Loading consultations for pages: the eager loads each page needs, 404 for what the user may not see."""

from __future__ import annotations

import sqlalchemy as sa
from flask import abort
from flask_login import current_user
from sqlalchemy import orm as so

from partner_portal.consultations.models import Consultation, ConsultationStatus, Pillar, Programme, Theme
from partner_portal.consultations.permissions import can_manage_consultation, can_view_consultation
from partner_portal.extensions import db


def summary_loads():
    """What the summary (goal, pillars, themes, current stage, funding) shows, and nothing more."""
    return (
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
