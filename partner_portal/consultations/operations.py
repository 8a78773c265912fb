"""State changes of consultations: stage moves, stage dates, vision publication, status transitions.

Operations check permission and stage, change state, write the audit event and flush; the
request commits once.
"""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from flask_babel import gettext as _
from werkzeug.datastructures import FileStorage

from partner_portal import notifications
from partner_portal.auth.models import User
from partner_portal.consultations.models import Consultation, Stage, VisionSection, VisionVersion
from partner_portal.consultations.permissions import can_manage_consultation
from partner_portal.consultations.stages import period_text
from partner_portal.consultations.workflow import CONSULTATION
from partner_portal.core import audit, uploads, workflow
from partner_portal.core.errors import Conflict, OperationError, PermissionDenied, check_version, flush_or_conflict
from partner_portal.core.models import utcnow
from partner_portal.extensions import db

REASON_MAX_LENGTH = workflow.REASON_MAX_LENGTH


def _require_manager(actor, consultation: Consultation) -> None:
    if not can_manage_consultation(actor, consultation):
        raise PermissionDenied(_("Alleen de procesmanager kan het proces van deze consultatie wijzigen."))


def _partners_to_tell() -> list[User]:
    return list(db.session.scalars(sa.select(User).where(User.is_active, User.organisation_id.is_not(None))))


def take_consultation_transition(actor, consultation: Consultation, name: str, *, version, reason: str = "") -> None:
    """Publish, close or reopen a consultation through its workflow table (see consultations/workflow.py)."""
    workflow.apply_transition(actor, consultation, CONSULTATION, name, version=version, reason=reason)


def _move_stage(actor, consultation: Consultation, *, step: int, version, reason: str) -> Stage:
    _require_manager(actor, consultation)
    check_version(consultation, version)
    reason = (reason or "").strip()
    if len(reason) > REASON_MAX_LENGTH:
        raise OperationError(_("Gebruik hoogstens %(max)d tekens voor de reden.", max=REASON_MAX_LENGTH))
    if not consultation.stages:
        raise OperationError(_("Deze consultatie heeft nog geen fasen."))
    old = consultation.current_stage
    positions = [s.position for s in consultation.stages]
    if old is None:
        if step < 0:
            raise OperationError(_("Het proces is nog niet begonnen; terug kan niet."))
        new = consultation.stages[0]
    else:
        index = positions.index(old.position) + step
        if index >= len(positions):
            raise OperationError(_("'%(stage)s' is de laatste fase; verder gaan kan niet.", stage=old.title))
        if index < 0:
            raise OperationError(_("'%(stage)s' is de eerste fase; terug kan niet.", stage=old.title))
        new = consultation.stages[index]
    if step < 0 and not reason:
        raise OperationError(_("Geef een reden op waarom het proces een fase terug gaat."))
    now = utcnow()
    if old is not None:
        old.completed_at = now if step > 0 else None
    new.entered_at = now
    new.completed_at = None
    consultation.current_position = new.position
    consultation.stage_changed_at = now
    workflow.flush_versioned()
    audit.record(
        actor,
        "consultation.stage_advance" if step > 0 else "consultation.stage_revert",
        consultation,
        from_state=old.key if old else None,
        to_state=new.key,
        reason=reason,
        is_public=True,
        consultation_id=consultation.id,
        details={"from_title": old.title if old else "", "to_title": new.title},
    )
    notifications.notify(
        "stage_changed",
        _partners_to_tell(),
        obj=consultation,
        actor=actor,
        context={"stage": new.title},
    )
    return new


def advance_stage(actor, consultation: Consultation, *, version, reason: str = "") -> Stage:
    """Move the process to the next stage (or the first, if it has not started).

    Precondition: actor is process manager or administrator; `version` is current. Side
    effects: timestamps on both stages, a public audit event, a "stage_changed" notification
    to the partners. Raises PermissionDenied, Conflict, or OperationError past the last stage.
    """
    return _move_stage(actor, consultation, step=1, version=version, reason=reason)


def revert_stage(actor, consultation: Consultation, *, version, reason: str) -> Stage:
    """Move the process back one stage; a reason is required and shown publicly. Errors as advance_stage."""
    return _move_stage(actor, consultation, step=-1, version=version, reason=reason)


def update_stage(
    actor,
    stage: Stage,
    *,
    version,
    starts_on: date,
    ends_on: date,
    opens_responses: bool,
    opens_initiatives: bool,
    opens_signing: bool,
) -> None:
    """Change a stage's dates and what it opens. Refuses an end before the start, and dates that
    overlap another stage or break the order of the stages (OperationError); a stale version (Conflict)."""
    consultation = stage.consultation
    _require_manager(actor, consultation)
    check_version(stage, version)
    if ends_on < starts_on:
        raise OperationError(_("De einddatum moet op of na de begindatum liggen."))
    for other in consultation.stages:
        if other.id == stage.id:
            continue
        if starts_on <= other.ends_on and other.starts_on <= ends_on:
            raise OperationError(
                _(
                    "Deze data overlappen met de fase '%(stage)s' (%(period)s).",
                    stage=other.title,
                    period=period_text(other.starts_on, other.ends_on),
                )
            )
        if (other.position < stage.position and other.starts_on > starts_on) or (
            other.position > stage.position and other.starts_on < starts_on
        ):
            message = (
                _("De fasen moeten in volgorde blijven: '%(stage)s' (%(period)s) komt vóór deze fase.")
                if other.position < stage.position
                else _("De fasen moeten in volgorde blijven: '%(stage)s' (%(period)s) komt na deze fase.")
            )
            raise OperationError(
                message % {"stage": other.title, "period": period_text(other.starts_on, other.ends_on)}
            )
    before = {"starts_on": stage.starts_on.isoformat(), "ends_on": stage.ends_on.isoformat()}
    stage.starts_on, stage.ends_on = starts_on, ends_on
    stage.opens_responses, stage.opens_initiatives, stage.opens_signing = (
        opens_responses,
        opens_initiatives,
        opens_signing,
    )
    workflow.flush_versioned()
    audit.record(
        actor,
        "stage.update",
        stage,
        consultation_id=consultation.id,
        details={
            "before": before,
            "after": {"starts_on": starts_on.isoformat(), "ends_on": ends_on.isoformat()},
            "opens": stage.opened_actions,
        },
    )


def _vision_conflict_message() -> str:
    return _(
        "Iemand anders heeft intussen een nieuwe versie van de visie gepubliceerd. Bekijk die en probeer het opnieuw."
    )


def latest_vision(consultation: Consultation) -> VisionVersion | None:
    return db.session.scalar(
        sa.select(VisionVersion)
        .where(VisionVersion.consultation_id == consultation.id)
        .order_by(VisionVersion.number.desc())
        .limit(1)
    )


def publish_vision(
    actor,
    consultation: Consultation,
    *,
    based_on: int,
    introduction: str,
    pillar_texts: dict[int, str],
    theme_texts: dict[int, str],
    change_note: str,
    pdf: FileStorage | None = None,
    remove_pdf: bool = False,
) -> VisionVersion:
    """Publish a new version of the vision; earlier versions stay as they are.

    Precondition: actor manages the consultation; `based_on` is the number of the version the
    editor started from (0 for none). Keeps the previous PDF unless a new one is uploaded or
    `remove_pdf`. Side effect: a public audit event. Raises PermissionDenied, Conflict when
    someone published meanwhile, OperationError for a missing change note or a bad PDF.
    """
    _require_manager(actor, consultation)
    previous = latest_vision(consultation)
    current_number = previous.number if previous else 0
    if based_on != current_number:
        raise Conflict(_vision_conflict_message())
    change_note = (change_note or "").strip()
    if not change_note:
        raise OperationError(_("Beschrijf kort wat er in deze versie is veranderd."))
    if not (introduction or "").strip():
        raise OperationError(_("De inleiding van de visie mag niet leeg zijn."))
    pdf_file = None
    if pdf is not None and pdf.filename:
        pdf_file = uploads.save_pdf(pdf, actor)
    elif previous is not None and not remove_pdf:
        pdf_file = previous.pdf
    version = VisionVersion(
        consultation_id=consultation.id,
        number=current_number + 1,
        introduction=introduction.strip(),
        change_note=change_note,
        published_at=utcnow(),
        published_by_id=actor.id,
        pdf=pdf_file,
    )
    position = 0
    for pillar in consultation.pillars:
        version.sections.append(
            VisionSection(
                pillar_id=pillar.id,
                position=position,
                heading=pillar.title,
                body=(pillar_texts.get(pillar.id) or "").strip(),
            )
        )
        position += 1
    for theme in consultation.themes:
        version.sections.append(
            VisionSection(
                theme_id=theme.id,
                position=position,
                heading=theme.title,
                body=(theme_texts.get(theme.id) or "").strip(),
            )
        )
        position += 1
    db.session.add(version)
    # A concurrent publish of the same number trips the unique constraint: "changed meanwhile".
    flush_or_conflict(_vision_conflict_message())
    audit.record(
        actor,
        "vision.publish",
        version,
        to_state=f"v{version.number}",
        reason=change_note,
        is_public=consultation.is_public,
        consultation_id=consultation.id,
        details={"number": version.number, "pdf": pdf_file.sha256 if pdf_file else None},
    )
    return version


def set_featured(actor, consultation: Consultation) -> None:
    """Feature this consultation on the home page (and no other). Only public consultations can be featured."""
    _require_manager(actor, consultation)
    if not consultation.is_public:
        raise OperationError(_("Alleen een gepubliceerde consultatie kan op de startpagina staan."))
    if consultation.is_featured:
        return
    for other in db.session.scalars(sa.select(Consultation).where(Consultation.is_featured)):
        other.is_featured = False
    db.session.flush()
    consultation.is_featured = True
    workflow.flush_versioned()
    audit.record(actor, "consultation.feature", consultation, consultation_id=consultation.id)
