"""Public consultation pages (vision, timeline, procesverloop) and the process manager's pages."""

from __future__ import annotations

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from sqlalchemy import orm as so

from partner_portal import navigation
from partner_portal.auth.models import StaffRole
from partner_portal.consultations import bp, operations
from partner_portal.consultations.forms import StageForm, vision_form
from partner_portal.consultations.loading import load_consultation, load_consultation_page, stages_only
from partner_portal.consultations.models import (
    Consultation,
    ConsultationStatus,
    VisionVersion,
)
from partner_portal.consultations.permissions import (
    can_manage_consultation,
    can_manage_consultations,
    can_see_drafts,
)
from partner_portal.consultations.stages import ACTIONS
from partner_portal.consultations.workflow import CONSULTATION
from partner_portal.core import audit, uploads, workflow
from partner_portal.core.audit import AuditEvent
from partner_portal.core.errors import OperationError
from partner_portal.core.forms import ConfirmForm, ReasonForm, form_error
from partner_portal.core.pagecache import public_page, shared_fragment
from partner_portal.core.text import line_changes
from partner_portal.core.transaction import refused, show_refusal
from partner_portal.extensions import db

PROCESS_LOG_PER_PAGE = 25

navigation.register("consultations.index", _l("Consultaties"), lambda user: True, order=10)
navigation.register("consultations.manage_index", _l("Procesbeheer"), can_manage_consultations, order=70)
navigation.set_start_page(StaffRole.process_manager, "consultations.manage_index")


@bp.app_context_processor
def workflow_helpers():
    return {
        "action_label": workflow.action_label,
        "state_text": workflow.state_text,
        "stage_actions": ACTIONS,
        "can_manage_consultation": can_manage_consultation,
    }


def _versions_query(consultation: Consultation):
    return sa.select(VisionVersion).where(VisionVersion.consultation_id == consultation.id)


def _load_version(consultation: Consultation, number: int | None = None) -> VisionVersion | None:
    query = _versions_query(consultation).options(
        so.selectinload(VisionVersion.sections), so.joinedload(VisionVersion.pdf)
    )
    if number is None:
        return db.session.scalar(query.order_by(VisionVersion.number.desc()).limit(1))
    return db.session.scalar(query.where(VisionVersion.number == number))


def _stage_events(consultation: Consultation, limit: int | None = None):
    query = (
        sa.select(AuditEvent)
        .where(
            AuditEvent.consultation_id == consultation.id,
            AuditEvent.is_public,
            AuditEvent.action.in_(("consultation.stage_advance", "consultation.stage_revert")),
        )
        .order_by(AuditEvent.id.desc())
    )
    if limit:
        query = query.limit(limit)
    return db.session.scalars(query).all()


# Public pages --------------------------------------------------------------------------------


@bp.get("/consultaties")
@public_page
def index():
    query = sa.select(Consultation).order_by(Consultation.published_at.desc().nulls_last(), Consultation.id.desc())
    if not can_see_drafts(current_user):
        query = query.where(Consultation.status != ConsultationStatus.draft)
    page = max(request.args.get("page", 1, type=int), 1)
    pagination = db.paginate(
        query.options(so.selectinload(Consultation.stages)), page=page, per_page=20, error_out=False
    )
    return render_template("consultations/index.html", pagination=pagination)


@bp.get("/consultaties/<slug>")
@public_page
def show(slug: str):
    consultation, vision_number = load_consultation_page(slug)
    return render_template("consultations/show.html", consultation=consultation, vision_number=vision_number)


@bp.get("/consultaties/<slug>/tijdlijn")
@public_page
def timeline(slug: str):
    consultation = load_consultation(slug, loads=stages_only())
    return render_template(
        "consultations/timeline.html", consultation=consultation, moves=_stage_events(consultation, limit=20)
    )


@bp.get("/consultaties/<slug>/procesverloop")
@public_page
def process_log(slug: str):
    """The public events of this consultation, newest first, paged by id."""
    consultation = load_consultation(slug, loads=stages_only())
    before = request.args.get("voor", type=int)
    query = sa.select(AuditEvent).where(AuditEvent.consultation_id == consultation.id, AuditEvent.is_public)
    if before:
        query = query.where(AuditEvent.id < before)
    events = db.session.scalars(query.order_by(AuditEvent.id.desc()).limit(PROCESS_LOG_PER_PAGE + 1)).all()
    has_older = len(events) > PROCESS_LOG_PER_PAGE
    events = events[:PROCESS_LOG_PER_PAGE]
    stage_titles = {s.key: s.title for s in consultation.stages}
    return render_template(
        "consultations/process_log.html",
        consultation=consultation,
        events=events,
        about=audit.describe(events),
        has_older=has_older,
        is_first_page=not before,
        stage_titles=stage_titles,
    )


@bp.get("/consultaties/<slug>/visie")
@public_page
def vision(slug: str):
    consultation = load_consultation(slug)
    version = _load_version(consultation)
    return render_template("consultations/vision.html", consultation=consultation, version=version, is_latest=True)


@bp.get("/consultaties/<slug>/visie/pijlers/<pillar_slug>")
@public_page
def pillar(slug: str, pillar_slug: str):
    consultation = load_consultation(slug)
    item = next((p for p in consultation.pillars if p.slug == pillar_slug), None) or abort(404)
    version = _load_version(consultation)
    section = version.section_for(pillar_id=item.id) if version else None
    return render_template(
        "consultations/part.html", consultation=consultation, pillar=item, theme=None, section=section, version=version
    )


@bp.get("/consultaties/<slug>/visie/themas/<theme_slug>")
@public_page
def theme(slug: str, theme_slug: str):
    consultation = load_consultation(slug)
    item = next((t for t in consultation.themes if t.slug == theme_slug), None) or abort(404)
    version = _load_version(consultation)
    section = version.section_for(theme_id=item.id) if version else None
    return render_template(
        "consultations/part.html", consultation=consultation, pillar=None, theme=item, section=section, version=version
    )


@bp.get("/consultaties/<slug>/visie/versies")
@public_page
def vision_versions(slug: str):
    consultation = load_consultation(slug)
    versions = db.session.scalars(
        _versions_query(consultation)
        .options(so.joinedload(VisionVersion.published_by), so.joinedload(VisionVersion.pdf))
        .order_by(VisionVersion.number.desc())
    ).all()
    return render_template("consultations/vision_versions.html", consultation=consultation, versions=versions)


@bp.get("/consultaties/<slug>/visie/versies/<int:number>")
@public_page
def vision_version(slug: str, number: int):
    consultation = load_consultation(slug)
    version = _load_version(consultation, number) or abort(404)
    latest = db.session.scalar(
        sa.select(sa.func.max(VisionVersion.number)).where(VisionVersion.consultation_id == consultation.id)
    )
    return render_template(
        "consultations/vision.html", consultation=consultation, version=version, is_latest=number == latest
    )


@bp.get("/consultaties/<slug>/visie/versies/<int:number>/verschil")
@public_page
def vision_diff(slug: str, number: int):
    """What changed from version `van` (default: the one before) to version `number`."""
    consultation = load_consultation(slug)
    new = _load_version(consultation, number) or abort(404)
    old_number = request.args.get("van", number - 1, type=int)
    if old_number == number:
        abort(404)
    old = _load_version(consultation, old_number) if old_number >= 1 else None
    if old_number >= 1 and old is None:
        abort(404)
    return render_template(
        "consultations/vision_diff.html",
        consultation=consultation,
        old=old,
        new=new,
        changes=line_changes(old.full_text() if old else "", new.full_text()),
    )


@bp.get("/consultaties/<slug>/visie/versies/<int:number>/visie.pdf")
def vision_pdf(slug: str, number: int):
    consultation = load_consultation(slug)
    version = _load_version(consultation, number) or abort(404)
    if version.pdf is None or not version.pdf.path.exists():
        abort(404)
    return uploads.send_stored_file(version.pdf)


# Process manager ------------------------------------------------------------------------------


@bp.get("/beheer/consultaties")
@login_required
def manage_index():
    if not can_manage_consultations(current_user):
        abort(403)
    # The same for every process manager: rendered once per change (see core/pagecache.py).
    return render_template(
        "shared_list.html", title=_("Procesbeheer"), content=shared_fragment("consultations-manage", _manage_list)
    )


def _manage_list() -> str:
    page = max(request.args.get("page", 1, type=int), 1)
    pagination = db.paginate(
        sa.select(Consultation).options(so.selectinload(Consultation.stages)).order_by(Consultation.id.desc()),
        page=page,
        per_page=20,
        error_out=False,
    )
    return render_template("consultations/_manage_list.html", pagination=pagination)


def _refused_manage(error: OperationError, slug: str, **_view_args):
    """The management page again after a refused step, showing what is stored."""
    return _manage_page(load_consultation(slug, manage=True), error=error.message, status=error.status_code)


def _manage_page(consultation: Consultation, *, error: str | None = None, status: int = 200):
    return (
        render_template(
            "consultations/manage.html",
            consultation=consultation,
            transitions=workflow.available_transitions(current_user, consultation, CONSULTATION),
            move_form=ReasonForm(formdata=None, data={"version": consultation.version}),
            confirm_form=ConfirmForm(),
            moves=_stage_events(consultation, limit=10),
            error=error,
        ),
        status,
    )


@bp.get("/consultaties/<slug>/beheer")
@login_required
def manage(slug: str):
    consultation = load_consultation(slug, manage=True)
    return _manage_page(consultation)


@bp.post("/consultaties/<slug>/beheer/fase/<direction>")
@login_required
@show_refusal(_refused_manage)
def move_stage(slug: str, direction: str):
    consultation = load_consultation(slug, manage=True)
    if direction not in ("volgende", "vorige"):
        abort(404)
    form = ReasonForm()
    if not form.validate_on_submit():
        return _manage_page(consultation, error=form_error(form), status=400)
    move = operations.advance_stage if direction == "volgende" else operations.revert_stage
    stage = move(current_user, consultation, version=form.version.data, reason=form.reason.data or "")
    flash(_("Het proces staat nu in de fase '%(stage)s'.", stage=stage.title), "success")
    return redirect(url_for("consultations.manage", slug=slug))


@bp.post("/consultaties/<slug>/beheer/status/<name>")
@login_required
@show_refusal(_refused_manage)
def transition(slug: str, name: str):
    consultation = load_consultation(slug, manage=True)
    if CONSULTATION.transition(name) is None:
        abort(404)
    form = ReasonForm()
    if not form.validate_on_submit():
        return _manage_page(consultation, error=form_error(form), status=400)
    operations.take_consultation_transition(
        current_user, consultation, name, version=form.version.data, reason=form.reason.data or ""
    )
    flash(str(CONSULTATION.transition(name).success), "success")
    return redirect(url_for("consultations.manage", slug=slug))


@bp.post("/consultaties/<slug>/beheer/uitgelicht")
@login_required
@show_refusal(_refused_manage)
def feature(slug: str):
    consultation = load_consultation(slug, manage=True)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    operations.set_featured(current_user, consultation)
    flash(_("Deze consultatie staat nu op de startpagina."), "success")
    return redirect(url_for("consultations.manage", slug=slug))


@bp.route("/consultaties/<slug>/beheer/fasen/<int:stage_id>", methods=["GET", "POST"])
@login_required
def edit_stage(slug: str, stage_id: int):
    consultation = load_consultation(slug, manage=True)
    stage = next((s for s in consultation.stages if s.id == stage_id), None) or abort(404)
    form = StageForm(obj=stage)
    error = None
    if form.validate_on_submit():
        try:
            operations.update_stage(
                current_user,
                stage,
                version=form.version.data,
                starts_on=form.starts_on.data,
                ends_on=form.ends_on.data,
                opens_responses=form.opens_responses.data,
                opens_initiatives=form.opens_initiatives.data,
                opens_signing=form.opens_signing.data,
            )
        except OperationError as exc:
            error = refused(exc).message
        else:
            flash(_("De fase '%(stage)s' is opgeslagen.", stage=stage.title), "success")
            return redirect(url_for("consultations.manage", slug=slug))
    return render_template(
        "consultations/stage_form.html", consultation=consultation, stage=stage, form=form, error=error
    )


@bp.route("/consultaties/<slug>/beheer/visie", methods=["GET", "POST"])
@login_required
def edit_vision(slug: str):
    consultation = load_consultation(slug, manage=True)
    latest = _load_version(consultation)
    data = {"based_on": latest.number if latest else 0, "introduction": latest.introduction if latest else ""}
    if latest:
        for section in latest.sections:
            key = f"pillar_{section.pillar_id}" if section.pillar_id else f"theme_{section.theme_id}"
            data[key] = section.body
    form = vision_form(consultation, data=data)
    error = None
    if form.validate_on_submit():
        try:
            version = operations.publish_vision(
                current_user,
                consultation,
                based_on=form.based_on.data or 0,
                introduction=form.introduction.data,
                pillar_texts={p.id: form[f"pillar_{p.id}"].data for p in consultation.pillars},
                theme_texts={t.id: form[f"theme_{t.id}"].data for t in consultation.themes},
                change_note=form.change_note.data,
                pdf=form.pdf.data or None,
                remove_pdf=form.remove_pdf.data,
            )
        except OperationError as exc:
            error = refused(exc).message
        else:
            flash(_("Versie %(number)d van de visie is gepubliceerd.", number=version.number), "success")
            return redirect(url_for("consultations.vision", slug=slug))
    sections = [(p, form[f"pillar_{p.id}"]) for p in consultation.pillars] + [
        (t, form[f"theme_{t.id}"]) for t in consultation.themes
    ]
    return render_template(
        "consultations/vision_form.html",
        consultation=consultation,
        form=form,
        sections=sections,
        latest=latest,
        error=error,
    )
