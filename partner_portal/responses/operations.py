"""State changes of formal responses: drafting, submission, moderation steps, attachments,
answers and the publication of the Nota.

Each operation checks permission and stage, changes state, writes the audit event, queues
notifications and flushes; the request commits once.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _
from werkzeug.datastructures import FileStorage

from partner_portal import notifications
from partner_portal.auth.models import User
from partner_portal.consultations.stages import is_open as stage_is_open
from partner_portal.core import audit, merge, uploads, workflow
from partner_portal.core.errors import Conflict, OperationError, PermissionDenied, check_version, flush_or_conflict
from partner_portal.core.merge import EditConflict  # noqa: F401  (raised by save_draft and save_answers)
from partner_portal.core.models import utcnow
from partner_portal.core.urls import external_url
from partner_portal.extensions import db
from partner_portal.partners.models import SectorGroup
from partner_portal.responses import permissions
from partner_portal.responses.models import (
    PENDING_STATES,
    CollaborationStance,
    FormalResponse,
    Nota,
    Position,
    Publication,
    ResponseAttachment,
    ResponseRevision,
    ResponseState,
    ThemeAnswer,
    ThemePosition,
    Verdict,
)
from partner_portal.responses.workflow import RESPONSE, ROUND_CLOSED, nota_of, round_open

TEXT_MAX = 20_000
MAX_ATTACHMENTS = 5
DEFAULT_ATTACHMENT_MAX_BYTES = 10 * 1024 * 1024


def _clean(text: str | None, label: str) -> str:
    text = (text or "").strip()
    if len(text) > TEXT_MAX:
        raise OperationError(_("%(field)s: gebruik hoogstens %(max)d tekens.", field=label, max=TEXT_MAX))
    return text


def _duplicate_message(group: SectorGroup) -> str:
    return _(
        "Sectorgroep %(group)s heeft al een formele reactie op deze consultatie. Werk die reactie bij.",
        group=group.name,
    )


def lock_consultation(consultation) -> None:
    """Take the consultation's row lock until the request commits or rolls back.

    Submitting, answering and publishing the Nota each check what the others change ("no Nota
    yet", "nothing pending", "answers complete"). Under READ COMMITTED two of them could both
    pass their checks; holding the consultation's row lock makes them run one after the other,
    and every check after it reads what the previous step committed. SQLite's single writer
    already serialises them (the clause is not rendered there).
    """
    from partner_portal.consultations.models import Consultation

    db.session.execute(sa.select(Consultation.id).where(Consultation.id == consultation.id).with_for_update())


def check_round_open(consultation) -> None:
    """Raise OperationError when the round is over (see `responses.workflow.round_open`)."""
    if not round_open(consultation):
        raise OperationError(str(ROUND_CLOSED))


def create_response(actor, consultation, group: SectorGroup) -> FormalResponse:
    """Start the group's response as a draft, with an open position on every theme.

    Precondition: actor is a person of an organisation of the group; the consultation is
    published; its Nota is not. Side effect: an audit event. Raises PermissionDenied,
    OperationError (Nota published), or Conflict when the group already has a response (also
    when two people start one at the same moment).
    """
    if not permissions.can_create_response(actor, consultation, group.id):
        raise PermissionDenied(_("Alleen mensen van organisaties in deze sectorgroep kunnen namens haar reageren."))
    check_round_open(consultation)
    existing = db.session.scalar(
        sa.select(FormalResponse.id).where(
            FormalResponse.consultation_id == consultation.id, FormalResponse.sector_group_id == group.id
        )
    )
    if existing is not None:
        raise Conflict(_duplicate_message(group))
    response = FormalResponse(
        consultation=consultation,
        sector_group=group,
        created_by_id=actor.id,
        last_edited_by_id=actor.id,
        positions=[ThemePosition(theme_id=theme.id) for theme in consultation.themes],
    )
    db.session.add(response)
    flush_or_conflict(_duplicate_message(group))
    audit.record(actor, "formal_response.create", response, consultation_id=consultation.id)
    return response


def _draft_fields(statement, collaboration_stance, collaboration_conditions, positions) -> dict[str, str]:
    """The draft as the edit form's fields (see FormalResponse.field_values)."""
    fields = {
        "statement": statement or "",
        "collaboration_stance": collaboration_stance or "",
        "collaboration_conditions": collaboration_conditions or "",
    }
    for theme_id, (position, explanation) in positions.items():
        fields[f"position_{theme_id}"] = position or ""
        fields[f"explanation_{theme_id}"] = explanation or ""
    return fields


def save_draft(
    actor,
    response: FormalResponse,
    *,
    version,
    statement: str,
    collaboration_stance: str | None,
    collaboration_conditions: str,
    positions: dict[int, tuple[str | None, str]],
    base: dict[str, str] | None = None,
) -> list[str]:
    """Save the text of a draft (or of a response the gemeente asked to change).

    `positions` maps theme id to (position or None, explanation). `base` holds the form's
    fields as the editor first saw them: when someone else saved meanwhile (a stale
    `version`), the fields are merged three ways (core/merge.py): what only the other person
    changed is kept, what only this person changed is saved, and only fields both changed
    differently stop the save (EditConflict, with exactly those fields). Without a base a
    stale version is a plain Conflict. Refuses a response that is no longer editable
    (OperationError), someone outside the group (PermissionDenied) and unknown values
    (OperationError). Returns the fields taken from the other person's save.
    """
    if not permissions.is_group_member(actor, response.sector_group_id):
        raise PermissionDenied(_("U mag deze reactie niet bewerken."))
    if response.state not in RESPONSE.action("edit").sources:
        raise OperationError(
            _("Deze reactie is %(state)s en kan niet meer worden gewijzigd.", state=response.state.label)
        )
    workflow.require(actor, response, RESPONSE, "edit")  # the consultation runs, the round is open
    values, version, taken = merge.merged_save(
        response,
        version,
        base,
        _draft_fields(statement, collaboration_stance, collaboration_conditions, positions),
        response.field_values(response.consultation.themes),
        _("Deze reactie is intussen door iemand anders gewijzigd, ook op plaatsen die u wijzigde."),
    )
    statement, collaboration_stance = values["statement"], values["collaboration_stance"] or None
    collaboration_conditions = values["collaboration_conditions"]
    positions = {tid: (values[f"position_{tid}"] or None, values[f"explanation_{tid}"]) for tid in positions}
    check_version(response, version)
    themes = {t.id: t for t in response.consultation.themes}
    if set(positions) - set(themes):
        raise OperationError(_("Een van de thema's hoort niet bij deze consultatie."))
    try:
        stance = CollaborationStance(collaboration_stance) if collaboration_stance else None
        parsed = {tid: (Position(p) if p else None, e) for tid, (p, e) in positions.items()}
    except ValueError:
        raise OperationError(_("Kies een van de standpunten uit de lijst.")) from None
    # One UPDATE of the response per save (one version step): no flush halfway through.
    with db.session.no_autoflush:
        response.statement = _clean(statement, _("Algemeen standpunt"))
        response.collaboration_stance = stance
        response.collaboration_conditions = _clean(collaboration_conditions, _("Voorwaarden"))
        for theme_id, (position, explanation) in parsed.items():
            row = response.position_for(theme_id)
            if row is None:
                row = ThemePosition(theme_id=theme_id)
                response.positions.append(row)
            row.position = position
            row.explanation = _clean(explanation, themes[theme_id].title)
        response.last_edited_by_id = actor.id
        response.updated_at = utcnow()  # a change only in a child row must still bump the version
    workflow.flush_versioned()
    workflow.record_action(actor, response, RESPONSE, "edit", details={"merged": taken} if taken else None)
    return taken


def submit_response(actor, response: FormalResponse, *, version, publication: str) -> ResponseRevision:
    """Submit the response on behalf of the group and freeze it as a new revision.

    Precondition: actor is the group's coordinator; the response is a draft or changes were
    requested; the current stage opens responses and the Nota is not published; every theme has
    a position and the stance on the collaboration is chosen; `publication` is "public" or
    "not_public". Transition: -> submitted (submitted_at). Side effects: an immutable revision,
    an audit event, a "response_submitted" notification to the moderators. Raises Conflict,
    PermissionDenied or OperationError (stage, Nota published, missing positions, bad
    publication choice).
    """
    lock_consultation(response.consultation)
    check_version(response, version)
    workflow.require(actor, response, RESPONSE, "submit")
    try:
        response.publication = Publication(publication)
    except ValueError:
        raise OperationError(_("Kies of de reactie openbaar wordt of niet.")) from None
    response.submitted_by_id = actor.id
    workflow.apply_transition(
        actor,
        response,
        RESPONSE,
        "submit",
        version=version,
        notify_context={"group": response.sector_group.name},
    )
    number = len(response.revisions) + 1
    revision = ResponseRevision(
        response=response,
        number=number,
        content=json.dumps(response.snapshot(response.consultation.themes), ensure_ascii=False, sort_keys=True),
        submitted_by_id=actor.id,
        submitted_at=response.submitted_at,
    )
    db.session.add(revision)
    db.session.flush()
    return revision


def take_step(actor, response: FormalResponse, name: str, *, version, reason: str = "") -> None:
    """A step offered as a plain button: the moderation steps and the coordinator's withdrawal.

    All rules come from the workflow table (responses/workflow.py): who, from which state,
    guards, whether a reason is required, timestamp, audit event and notification. A step
    with its own form (submission: the publication choice and a frozen revision) has its own
    operation and is refused here.
    """
    transition = RESPONSE.transition(name)
    if transition is None or transition.form == "own":
        raise OperationError(_("Deze stap bestaat niet."))
    workflow.apply_transition(actor, response, RESPONSE, name, version=version, reason=reason)


def _max_attachment_bytes() -> int:
    return current_app.config.get("RESPONSE_ATTACHMENT_MAX_BYTES", DEFAULT_ATTACHMENT_MAX_BYTES)


def add_attachment(actor, response: FormalResponse, file: FileStorage | None) -> tuple[ResponseAttachment, bool]:
    """Attach a PDF (checked by content, at most 10 MB, at most 5 per response) to an editable response.

    The same file (by SHA-256) twice is attached once: the second time returns the existing
    attachment and False, and stores nothing. Returns (attachment, added).
    """
    if not workflow.can(actor, response, RESPONSE, "attach"):
        raise PermissionDenied(_("U mag aan deze reactie geen bijlagen toevoegen."))
    if file is None or not file.filename:
        raise OperationError(_("Kies een PDF-bestand om toe te voegen."))
    stored = uploads.save_pdf(file, actor, max_bytes=_max_attachment_bytes())
    existing = next((a for a in response.attachments if a.file.sha256 == stored.sha256), None)
    if existing is not None:
        db.session.delete(stored)
        db.session.flush()
        stored.path.unlink(missing_ok=True)
        return existing, False
    if len(response.attachments) >= MAX_ATTACHMENTS:
        raise OperationError(_("Een reactie heeft hoogstens %(max)d bijlagen.", max=MAX_ATTACHMENTS))
    attachment = ResponseAttachment(file=stored)
    response.attachments.append(attachment)
    response.updated_at = utcnow()
    workflow.flush_versioned()
    workflow.record_action(
        actor, response, RESPONSE, "attach", details={"file": stored.original_name, "sha256": stored.sha256}
    )
    return attachment, True


def remove_attachment(actor, response: FormalResponse, attachment: ResponseAttachment) -> None:
    """Remove an attachment from an editable response (the file stays referenced by nothing)."""
    if not workflow.can(actor, response, RESPONSE, "detach") or attachment.response_id != response.id:
        raise PermissionDenied(_("U mag deze bijlage niet verwijderen."))
    name = attachment.file.original_name
    response.attachments.remove(attachment)
    response.updated_at = utcnow()
    workflow.flush_versioned()
    workflow.record_action(actor, response, RESPONSE, "detach", details={"file": name})


def check_endorse(actor, response: FormalResponse) -> None:
    """The responses' rule for endorsing (registered in endorsements/kinds.py), from the table's
    "endorse" row: raises OperationError when the response is not submitted, in review or
    accepted (or a guard refuses), PermissionDenied when the actor is not a signatory or
    organisation admin of an organisation of the group. Whether the organisation already
    endorsed it is the endorsements feature's check."""
    row = RESPONSE.action("endorse")
    if response.state not in row.sources:
        raise OperationError(_("Alleen een ingediende of geaccepteerde reactie kan worden onderschreven."))
    if not row.permits(actor, response):
        raise PermissionDenied(
            _("Alleen tekenbevoegden van organisaties in deze sectorgroep kunnen de reactie onderschrijven.")
        )
    reason = row.refusal(actor, response)
    if reason:
        raise OperationError(reason)


def record_endorsement(actor, response: FormalResponse, details: dict) -> None:
    """The audit event (and notification, if any) that the table's "endorse" row declares."""
    workflow.record_action(actor, response, RESPONSE, "endorse", details=details)


def save_answers(
    actor,
    response: FormalResponse,
    answers: dict[int, tuple[str | None, str]],
    *,
    version,
    base: dict[str, str] | None = None,
) -> list[str]:
    """Draft the gemeente's answer per theme (internal until the Nota is published).

    `answers` maps theme id to (verdict or None, explanation). When every theme has a verdict
    the response counts as answered (answered_at); the answers become public with the Nota.
    `version` and `base` (the answer form's fields as first shown) guard against a moderator
    saving over another's answer: a concurrent save is merged as for drafts (`_merged`), and
    answers both changed differently stop the save (EditConflict). Raises PermissionDenied
    (not a moderator, not accepted, or already published) and OperationError for unknown
    themes or verdicts, or an explanation without a verdict. Returns the fields taken from the
    other moderator's save.
    """
    lock_consultation(response.consultation)
    if not workflow.can(actor, response, RESPONSE, "answer") or nota_of(response.consultation) is not None:
        raise PermissionDenied(_("Op deze reactie kunt u (nu) geen antwoord opstellen."))
    themes = {t.id: t for t in response.consultation.themes}
    if set(answers) - set(themes):
        raise OperationError(_("Een van de thema's hoort niet bij deze consultatie."))
    mine = {}
    for theme_id, (raw, explanation) in answers.items():
        mine[f"verdict_{theme_id}"], mine[f"answer_{theme_id}"] = raw or "", explanation or ""
    values, version, taken = merge.merged_save(
        response,
        version,
        base,
        mine,
        response.answer_values(response.consultation.themes),
        _("Het antwoord is intussen door iemand anders gewijzigd, ook bij thema's die u wijzigde."),
    )
    check_version(response, version)
    answers = {tid: (values[f"verdict_{tid}"] or None, values[f"answer_{tid}"]) for tid in answers}
    for theme_id, (raw, explanation) in answers.items():
        explanation = _clean(explanation, themes[theme_id].title)
        row = response.answer_for(theme_id)
        if not raw:
            if explanation:
                raise OperationError(
                    _(
                        "Kies bij het thema '%(theme)s' ook of het standpunt is overgenomen.",
                        theme=themes[theme_id].title,
                    )
                )
            if row is not None:
                response.answers.remove(row)
            continue
        try:
            verdict = Verdict(raw)
        except ValueError:
            raise OperationError(_("Kies overgenomen, deels overgenomen of niet overgenomen.")) from None
        if row is None:
            row = ThemeAnswer(theme_id=theme_id, verdict=verdict)
            response.answers.append(row)
        row.verdict, row.explanation, row.drafted_by_id = verdict, explanation, actor.id
    complete = all(response.answer_for(tid) is not None for tid in themes)
    if complete and response.answered_at is None:
        response.answered_at = utcnow()
    elif not complete:
        response.answered_at = None
    response.updated_at = utcnow()  # a change only in an answer row must still bump the version
    workflow.flush_versioned()
    details = {"answered": complete, **({"merged": taken} if taken else {})}
    workflow.record_action(actor, response, RESPONSE, "answer", details=details)
    return taken


@dataclass(frozen=True)
class NotaReadiness:
    """Before publishing the Nota: what blocks it, and what publishing would close."""

    pending: list[FormalResponse]  # still to be reviewed (blocks publication)
    unanswered: list[FormalResponse]  # accepted, not answered on every theme (blocks publication)
    drafts: list[SectorGroup]  # a draft that can then never be submitted
    without_response: list[SectorGroup]
    responses_stage_open: bool  # the current stage still opens responses
    stage: object | None  # the current stage


def nota_readiness(consultation) -> NotaReadiness:
    """The responses that block publication, the groups with an unsubmitted draft or no response at
    all, and whether responding is still open."""
    responses = db.session.scalars(
        sa.select(FormalResponse)
        .where(FormalResponse.consultation_id == consultation.id)
        .options(sa.orm.joinedload(FormalResponse.sector_group))
    ).all()
    by_group = {r.sector_group_id: r for r in responses}
    groups = db.session.scalars(sa.select(SectorGroup).order_by(SectorGroup.position, SectorGroup.id)).all()
    return NotaReadiness(
        pending=[r for r in responses if r.state in PENDING_STATES],
        unanswered=[r for r in responses if r.state == ResponseState.accepted and r.answered_at is None],
        drafts=[g for g in groups if g.id in by_group and by_group[g.id].state == ResponseState.draft],
        without_response=[g for g in groups if g.id not in by_group],
        responses_stage_open=stage_is_open(consultation, "responses"),
        stage=consultation.current_stage,
    )


def publish_nota(actor, consultation, *, despite_open_stage: bool = False) -> Nota:
    """Publish the Nota van beantwoording: every drafted answer becomes public at once, and the round closes.

    Precondition: actor is a moderator; no response waits for review or changes; every
    accepted response is answered on every theme; while the current stage still opens
    responses, the actor confirmed explicitly (`despite_open_stage`) that publishing closes it
    for every group. Side effects: answer_published_at on the accepted responses, a public
    audit event, a "nota_published" notification to every partner. Raises PermissionDenied,
    Conflict (already published) or OperationError naming what is missing.
    """
    if not permissions.is_moderator(actor):
        raise PermissionDenied(_("Alleen een moderator van de gemeente kan de Nota publiceren."))
    lock_consultation(consultation)
    if consultation.status == "draft":
        raise OperationError(_("Deze consultatie is nog niet gepubliceerd."))
    if nota_of(consultation) is not None:
        raise Conflict(_("De Nota van beantwoording is al gepubliceerd."))
    if stage_is_open(consultation, "responses") and not despite_open_stage:
        raise OperationError(
            _(
                "De fase '%(stage)s' staat nog open voor reacties. Bevestig dat u de Nota toch nu wilt "
                "publiceren: daarna kan geen sectorgroep meer reageren.",
                stage=consultation.current_stage.title,
            )
        )
    responses = db.session.scalars(
        sa.select(FormalResponse)
        .where(FormalResponse.consultation_id == consultation.id)
        .options(sa.orm.joinedload(FormalResponse.sector_group), sa.orm.selectinload(FormalResponse.answers))
        .execution_options(populate_existing=True)  # states as committed before the lock was taken
    ).all()
    pending = [r for r in responses if r.state in PENDING_STATES]
    if pending:
        raise OperationError(
            _(
                "Eerst moeten alle reacties zijn beoordeeld; nog open: %(groups)s.",
                groups=", ".join(r.sector_group.name for r in pending),
            )
        )
    accepted = [r for r in responses if r.state == ResponseState.accepted]
    unanswered = [r for r in accepted if r.answered_at is None]
    if unanswered:
        raise OperationError(
            _(
                "Stel eerst bij elk thema een antwoord op voor: %(groups)s.",
                groups=", ".join(r.sector_group.name for r in unanswered),
            )
        )
    now = utcnow()
    nota = Nota(consultation_id=consultation.id, published_at=now, published_by_id=actor.id)
    db.session.add(nota)
    flush_or_conflict(_("De Nota van beantwoording is al gepubliceerd."))
    for response in accepted:
        response.answer_published_at = now
    workflow.flush_versioned()
    audit.record(
        actor,
        "nota.publish",
        nota,
        to_state="published",
        is_public=True,
        consultation_id=consultation.id,
        details={"responses": len(accepted)},
    )
    partners = db.session.scalars(sa.select(User).where(User.is_active, User.organisation_id.is_not(None))).all()
    notifications.notify(
        "nota_published",
        partners,
        obj=consultation,
        actor=actor,
        context={"title": consultation.title, "url": external_url("moderation.nota", slug=consultation.slug)},
    )
    return nota
