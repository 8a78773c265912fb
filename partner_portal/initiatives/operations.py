"""State changes of initiatives: drafting with money split over sources, co-initiators, submission,
the gemeente's steps, adoption with grants, and execution (milestones, spending, updates, followers).

Each operation checks permission and stage through the workflow table (initiatives/workflow.py),
changes state, writes the audit event, queues notifications and flushes; the request commits once.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _
from werkzeug.datastructures import FileStorage

from partner_portal import notifications
from partner_portal.auth.models import User
from partner_portal.auth.roles import ENDORSERS
from partner_portal.consultations.models import Consultation, FundingSource
from partner_portal.core import audit, merge, uploads, workflow
from partner_portal.core.dates import parse_date
from partner_portal.core.errors import OperationError, PermissionDenied, check_version, flush_or_conflict
from partner_portal.core.models import utcnow
from partner_portal.core.money import format_euros, parse_euros
from partner_portal.extensions import db
from partner_portal.initiatives import ledger, permissions
from partner_portal.initiatives.models import (
    IMAGE_TEXT_MAX,
    SUMMARY_MAX,
    CoInitiator,
    Follower,
    FundingRequest,
    Grant,
    Initiative,
    InitiativeAttachment,
    InitiativeCitation,
    InitiativeLocation,
    InitiativeRevision,
    InitiativeState,
    InitiativeTheme,
    InvitationState,
    Milestone,
    ProgressUpdate,
    SourceLedger,
    Spending,
)
from partner_portal.initiatives.workflow import INITIATIVE
from partner_portal.partners.models import Organisation

TITLE_MAX = 200
TEXT_MAX = 20_000
MAX_ATTACHMENTS = 5
S = InitiativeState


class InvalidFields(OperationError):
    """The form's values are wrong: `errors` maps each field to its Dutch message; nothing was saved."""

    def __init__(self, errors: dict[str, str]):
        super().__init__(" ".join(errors.values()))
        self.errors = errors


# Reading the form's values ---------------------------------------------------------------------


@dataclass
class DraftValues:
    title: str
    summary: str
    description: str
    expected_effect: str
    planned_start: date | None
    planned_end: date | None
    total_cost_cents: int | None
    own_contribution_cents: int
    requests: dict[int, int]  # funding source id -> cents (> 0 only)
    theme_ids: list[int]
    location_ids: list[int]
    response_ids: list[int]


def _ids(text: str | None) -> list[int] | None:
    """Ids from "1,4,5" (the form's checkboxes joined); None when one is not a number."""
    parts = [p.strip() for p in (text or "").split(",") if p.strip()]
    if not all(p.isdigit() for p in parts):
        return None
    return sorted({int(p) for p in parts})


def read_fields(consultation: Consultation, fields: dict[str, str]) -> DraftValues:
    """Check the edit form's fields against the consultation; InvalidFields lists every problem."""
    errors: dict[str, str] = {}

    def text(name: str, label: str, limit: int) -> str:
        value = (fields.get(name) or "").strip()
        if len(value) > limit:
            errors[name] = _(
                "%(field)s: gebruik hoogstens %(max)d tekens (nu %(n)d).", field=label, max=limit, n=len(value)
            )
        return value

    def money(name: str, label: str) -> int | None:
        try:
            return parse_euros(fields.get(name), label)
        except OperationError as exc:
            errors[name] = exc.message
            return None

    title = text("title", _("Titel"), TITLE_MAX)
    if not title:
        errors["title"] = _("Geef het initiatief een titel.")
    summary = text("summary", _("Samenvatting"), SUMMARY_MAX)
    description = text("description", _("Beschrijving"), TEXT_MAX)
    expected_effect = text("expected_effect", _("Verwacht effect"), TEXT_MAX)

    start, end = parse_date(fields.get("planned_start")), parse_date(fields.get("planned_end"))
    if start is False:
        errors["planned_start"] = _("Geplande start: vul een datum in als 1-3-2027.")
    if end is False:
        errors["planned_end"] = _("Gepland einde: vul een datum in als 31-12-2027.")
    if isinstance(start, date) and isinstance(end, date) and end < start:
        errors["planned_end"] = _("Het geplande einde ligt voor de geplande start.")

    total = money("total_cost", _("Totale kosten"))
    own = money("own_contribution", _("Eigen bijdrage")) or 0
    requests = {}
    for source in consultation.funding_sources:
        cents = money(f"request_{source.id}", source.name)
        if cents:
            requests[source.id] = cents
    unknown_sources = {
        k
        for k in fields
        if k.startswith("request_")
        and k.removeprefix("request_") not in {str(s.id) for s in consultation.funding_sources}
    }
    if unknown_sources:
        errors["requests"] = _("Een gevraagde bijdrage hoort bij een financieringsbron van een andere consultatie.")

    def choice(name: str, allowed: set[int], message: str) -> list[int]:
        ids = _ids(fields.get(name))
        if ids is None or not set(ids) <= allowed:
            errors[name] = message
            return []
        return ids

    theme_ids = choice("themes", {t.id for t in consultation.themes}, _("Kies thema's van deze consultatie."))
    location_ids = choice(
        "locations", {loc.id for loc in consultation.locations}, _("Kies locaties uit de lijst van deze consultatie.")
    )
    response_ids = _ids(fields.get("responses"))
    if response_ids is None:
        errors["responses"] = _("Kies reacties uit de lijst.")
        response_ids = []
    elif response_ids:
        from partner_portal.responses.models import FormalResponse

        public = {
            r.id
            for r in db.session.scalars(
                sa.select(FormalResponse).where(
                    FormalResponse.id.in_(response_ids), FormalResponse.consultation_id == consultation.id
                )
            )
            if r.is_public
        }
        if set(response_ids) - public:
            errors["responses"] = _("U kunt alleen openbare reacties op deze consultatie aanhalen.")
    if errors:
        raise InvalidFields(errors)
    return DraftValues(
        title=title,
        summary=summary,
        description=description,
        expected_effect=expected_effect,
        planned_start=start or None,
        planned_end=end or None,
        total_cost_cents=total,
        own_contribution_cents=own,
        requests=requests,
        theme_ids=theme_ids,
        location_ids=location_ids,
        response_ids=response_ids,
    )


def _apply(initiative: Initiative, values: DraftValues) -> None:
    initiative.title = values.title
    initiative.summary = values.summary
    initiative.description = values.description
    initiative.expected_effect = values.expected_effect
    initiative.planned_start = values.planned_start
    initiative.planned_end = values.planned_end
    initiative.total_cost_cents = values.total_cost_cents
    initiative.own_contribution_cents = values.own_contribution_cents
    _sync(initiative.themes, values.theme_ids, "theme_id", lambda i: InitiativeTheme(theme_id=i))
    _sync(initiative.locations, values.location_ids, "location_id", lambda i: InitiativeLocation(location_id=i))
    _sync(
        initiative.citations,
        values.response_ids,
        "formal_response_id",
        lambda i: InitiativeCitation(formal_response_id=i),
    )
    by_source = {r.funding_source_id: r for r in initiative.requests}
    for source_id, row in list(by_source.items()):
        if source_id not in values.requests:
            initiative.requests.remove(row)
    for source_id, cents in values.requests.items():
        if source_id in by_source:
            by_source[source_id].amount_cents = cents
        else:
            initiative.requests.append(FundingRequest(funding_source_id=source_id, amount_cents=cents))
    initiative.refresh_search()


def _sync(rows: list, wanted: list[int], attr: str, make) -> None:
    """Make the link rows match the wanted ids: remove the others, add the missing."""
    for row in [r for r in rows if getattr(r, attr) not in wanted]:
        rows.remove(row)
    present = {getattr(r, attr) for r in rows}
    rows.extend(make(i) for i in wanted if i not in present)


# Drafting ---------------------------------------------------------------------------------------


def create_initiative(actor, consultation: Consultation, fields: dict[str, str]) -> Initiative:
    """Start a draft led by the actor's organisation, with the form's first values.

    Precondition: the actor is a person of an active partner organisation; the consultation is
    published and its current stage opens initiatives. Side effect: an audit event. Raises
    PermissionDenied, OperationError (stage) or InvalidFields."""
    if not permissions.can_start_initiative(actor, consultation):
        raise PermissionDenied(_("Alleen mensen van een partnerorganisatie kunnen een initiatief beginnen."))
    from partner_portal.consultations.stages import stage_gate

    stage_gate(consultation, "initiatives")
    values = read_fields(consultation, fields)
    initiative = Initiative(
        consultation=consultation,
        lead_organisation_id=actor.organisation_id,
        created_by_id=actor.id,
        last_edited_by_id=actor.id,
        title=values.title,
    )
    _apply(initiative, values)
    db.session.add(initiative)
    db.session.flush()
    audit.record(actor, "initiative.create", initiative, consultation_id=consultation.id)
    return initiative


def save_draft(
    actor, initiative: Initiative, fields: dict[str, str], *, version, base: dict[str, str] | None = None
) -> list[str]:
    """Save the draft's fields (form strings, see Initiative.field_values).

    When someone else saved meanwhile (a stale `version`), the fields are merged three ways
    against `base` (core/merge.py): only fields both changed differently stop the save
    (merge.EditConflict). Without a base a stale version is a plain Conflict. Refuses an
    initiative that is no longer editable or someone who is not an initiator. Returns the
    fields taken from the other person's save."""
    workflow.require(actor, initiative, INITIATIVE, "edit")
    sources = initiative.consultation.funding_sources
    theirs = initiative.field_values(sources)
    mine = {key: fields.get(key, "") for key in theirs}
    if base is None and merge.is_stale(initiative, version):
        check_version(initiative, version)
    values, version, taken = merge.merged_save(
        initiative,
        version,
        base,
        mine,
        theirs,
        _("Dit initiatief is intussen door iemand anders gewijzigd, ook op plaatsen die u wijzigde."),
    )
    parsed = read_fields(initiative.consultation, values)
    check_version(initiative, version)
    _apply(initiative, parsed)
    initiative.last_edited_by_id = actor.id
    initiative.updated_at = utcnow()
    workflow.flush_versioned()
    workflow.record_action(
        actor, initiative, INITIATIVE, "edit", details={"taken_from_others": taken} if taken else None
    )
    return taken


def _max_attachment_bytes() -> int:
    return current_app.config.get("RESPONSE_ATTACHMENT_MAX_BYTES", 10 * 1024 * 1024)


def add_attachment(actor, initiative: Initiative, file: FileStorage | None) -> InitiativeAttachment:
    """Attach a PDF (the upload rules of core/uploads.py, at most 5) to an editable initiative."""
    workflow.require(actor, initiative, INITIATIVE, "attach")
    if file is None or not file.filename:
        raise OperationError(_("Kies een PDF-bestand om toe te voegen."))
    if len(initiative.attachments) >= MAX_ATTACHMENTS:
        raise OperationError(_("Een initiatief kan hoogstens %(max)d bijlagen hebben.", max=MAX_ATTACHMENTS))
    stored = uploads.save_pdf(file, actor, max_bytes=_max_attachment_bytes())
    attachment = InitiativeAttachment(file=stored)
    initiative.attachments.append(attachment)
    initiative.updated_at = utcnow()
    workflow.flush_versioned()
    workflow.record_action(actor, initiative, INITIATIVE, "attach", details={"file": stored.original_name})
    return attachment


def remove_attachment(actor, initiative: Initiative, attachment: InitiativeAttachment) -> None:
    workflow.require(actor, initiative, INITIATIVE, "detach")
    if attachment.initiative_id != initiative.id:
        raise PermissionDenied(_("U mag deze bijlage niet verwijderen."))
    name = attachment.file.original_name
    initiative.attachments.remove(attachment)
    initiative.updated_at = utcnow()
    workflow.flush_versioned()
    workflow.record_action(actor, initiative, INITIATIVE, "detach", details={"file": name})


# Co-initiators -----------------------------------------------------------------------------------


def _speakers(organisation_id: int) -> list[User]:
    return db.session.scalars(
        sa.select(User).where(User.is_active, User.organisation_id == organisation_id, User.org_role.in_(ENDORSERS))
    ).all()


def invite(actor, initiative: Initiative, organisation: Organisation | None) -> CoInitiator:
    """The lead invites another active partner organisation as co-initiator (again after a decline).

    Refuses one's own organisation, an archived or unknown one, and one already taking part or
    invited. Side effects: an audit event; the invited organisation's signatories and admins
    are notified."""
    workflow.require(actor, initiative, INITIATIVE, "invite")
    if organisation is None:
        raise OperationError(_("Kies een organisatie uit de lijst."))
    if organisation.id == initiative.lead_organisation_id:
        raise OperationError(_("Uw eigen organisatie is al initiatiefnemer."))
    if not organisation.is_active:
        raise OperationError(_("%(name)s is gearchiveerd en kan niet worden uitgenodigd.", name=organisation.name))
    row = next((c for c in initiative.co_initiators if c.organisation_id == organisation.id), None)
    if row is not None and row.state in (InvitationState.invited, InvitationState.accepted):
        raise OperationError(_("%(name)s is al uitgenodigd of doet al mee.", name=organisation.name))
    if row is None:
        row = CoInitiator(organisation=organisation)
        initiative.co_initiators.append(row)
    row.state = InvitationState.invited
    row.invited_by_id = actor.id
    row.invited_at = utcnow()
    row.answered_by_id = None
    row.answered_at = None
    initiative.updated_at = utcnow()
    flush_or_conflict(_("%(name)s is al uitgenodigd of doet al mee.", name=organisation.name))
    workflow.record_action(actor, initiative, INITIATIVE, "invite", details={"organisation": organisation.name})
    notifications.notify(
        "initiative_invitation",
        _speakers(organisation.id),
        obj=initiative,
        actor=actor,
        context={"lead": initiative.lead_organisation.name},
    )
    return row


def answer_invitation(actor, initiative: Initiative, *, accept: bool) -> CoInitiator:
    """A signatory or admin of the invited organisation accepts or declines. Audited; the lead
    organisation's people are notified ("initiative_invitation_answered")."""
    workflow.require(actor, initiative, INITIATIVE, "answer_invitation")
    row = next(
        c
        for c in initiative.co_initiators
        if c.organisation_id == actor.organisation_id and c.state == InvitationState.invited
    )
    row.state = InvitationState.accepted if accept else InvitationState.declined
    row.answered_by_id = actor.id
    row.answered_at = utcnow()
    initiative.updated_at = utcnow()
    workflow.flush_versioned()
    audit.record(
        actor,
        "initiative.invitation_accepted" if accept else "initiative.invitation_declined",
        initiative,
        consultation_id=initiative.consultation_id,
        details={"organisation": row.organisation.name},
    )
    lead_people = db.session.scalars(
        sa.select(User).where(User.is_active, User.organisation_id == initiative.lead_organisation_id)
    ).all()
    notifications.notify(
        "initiative_invitation_answered",
        lead_people,
        obj=initiative,
        actor=actor,
        context={"organisation": row.organisation.name, "accepted": accept},
    )
    return row


def remove_co_initiator(actor, initiative: Initiative, row: CoInitiator) -> None:
    """The lead withdraws an invitation or removes a co-initiator (its people can no longer edit)."""
    workflow.require(actor, initiative, INITIATIVE, "remove_co_initiator")
    if row.initiative_id != initiative.id or row.state not in (InvitationState.invited, InvitationState.accepted):
        raise OperationError(_("Deze organisatie doet niet mee aan dit initiatief."))
    row.state = InvitationState.removed
    row.answered_by_id = actor.id
    row.answered_at = utcnow()
    initiative.updated_at = utcnow()
    workflow.flush_versioned()
    workflow.record_action(
        actor, initiative, INITIATIVE, "remove_co_initiator", details={"organisation": row.organisation.name}
    )


# Submission and the gemeente's steps --------------------------------------------------------------


def _state_context(target: InitiativeState, reason: str = "") -> dict:
    return {"state": target.label, "message": reason}


def submit(actor, initiative: Initiative, *, version) -> InitiativeRevision:
    """Submit on behalf of all initiators and freeze a revision.

    Precondition (the table's guards): the actor speaks for the lead; the stage opens
    initiatives; no invitation is open; title, summary, description, themes, locations, dates
    and total cost are filled in and the parts add up to the total. Side effects: revision,
    audit event, "initiative_submitted" to the moderators."""
    check_version(initiative, version)
    initiative.submitted_by_id = actor.id
    workflow.apply_transition(
        actor,
        initiative,
        INITIATIVE,
        "submit",
        version=version,
        notify_context={"lead": initiative.lead_organisation.name},
    )
    revision = InitiativeRevision(
        initiative=initiative,
        number=len(initiative.revisions) + 1,
        content=json.dumps(initiative.snapshot(), ensure_ascii=False, sort_keys=True),
        submitted_by_id=actor.id,
        submitted_at=initiative.submitted_at,
    )
    db.session.add(revision)
    db.session.flush()
    return revision


def take_step(actor, initiative: Initiative, name: str, *, version, reason: str = "") -> None:
    """A step offered as a button or a confirmation page (review, changes, decline, withdraw,
    start, complete, cancel): every rule comes from the table. Steps with their own form
    (submission, adoption) have their own operation."""
    transition = INITIATIVE.transition(name)
    if transition is None or name in ("submit", "adopt"):
        raise OperationError(_("Deze stap bestaat niet."))
    reason = (reason or "").strip()
    if name in ("decline", "cancel"):
        initiative.closing_reason = reason
    if name == "decline":
        initiative.answer = reason
    workflow.apply_transition(
        actor,
        initiative,
        INITIATIVE,
        name,
        version=version,
        reason=reason,
        notify_context=_state_context(transition.target, reason),
    )


def lock_sources(consultation_id: int) -> list[FundingSource]:
    """The consultation's funding sources, locked until commit (in id order, so two adoptions
    wait for each other instead of deadlocking): what a source has left is read after the lock."""
    return db.session.scalars(
        sa.select(FundingSource)
        .where(FundingSource.consultation_id == consultation_id)
        .order_by(FundingSource.id)
        .with_for_update()
    ).all()


def granted_per_source(consultation_id: int) -> dict[int, int]:
    """Cents granted so far per funding source of the consultation (the ledger's running totals)."""
    rows = db.session.execute(
        sa.select(SourceLedger.funding_source_id, SourceLedger.granted_cents)
        .join(FundingSource, FundingSource.id == SourceLedger.funding_source_id)
        .where(FundingSource.consultation_id == consultation_id)
    ).all()
    return {source_id: int(total) for source_id, total in rows}


def remaining_per_source(consultation: Consultation) -> dict[int, int]:
    """Cents each source has left to grant."""
    granted = granted_per_source(consultation.id)
    return {s.id: s.amount_euros * 100 - granted.get(s.id, 0) for s in consultation.funding_sources}


def adopt(actor, initiative: Initiative, *, version, grants: dict[int, str], answer: str) -> list[Grant]:
    """The process manager adopts the initiative into the execution programme and grants money.

    `grants` maps funding source id to the typed amount (empty: nothing from that source). Each
    grant is at most what was requested of that source and at most what the source has left;
    the sources are locked first, so two adoptions racing for a source's last money run one
    after the other and the second sees what the first granted. Refuses (InvalidFields, nothing
    saved) a bad amount, a source of another consultation, too much. Side effects: grants, the
    gemeente's public answer, audit event, notification to initiators, endorsers and followers."""
    check_version(initiative, version)
    workflow.require(actor, initiative, INITIATIVE, "adopt")
    answer = (answer or "").strip()
    if len(answer) > TEXT_MAX:
        raise InvalidFields({"answer": _("Gebruik hoogstens %(max)d tekens voor het antwoord.", max=TEXT_MAX)})
    sources = {s.id: s for s in lock_sources(initiative.consultation_id)}
    granted = granted_per_source(initiative.consultation_id)
    errors: dict[str, str] = {}
    amounts: dict[int, int] = {}
    for key, typed in grants.items():
        source = sources.get(int(key)) if str(key).isdigit() else None
        if source is None:
            errors["grants"] = _("Een toekenning hoort bij een financieringsbron van een andere consultatie.")
            continue
        field = f"grant_{source.id}"
        try:
            cents = parse_euros(typed, source.name)
        except OperationError as exc:
            errors[field] = exc.message
            continue
        if not cents:
            continue
        requested = initiative.requested_for(source.id)
        left = source.amount_euros * 100 - granted.get(source.id, 0)
        if cents > requested:
            errors[field] = _(
                "%(source)s: u kunt hoogstens het gevraagde bedrag (%(requested)s) toekennen.",
                source=source.name,
                requested=format_euros(requested),
            )
        elif cents > left:
            errors[field] = _(
                "%(source)s heeft nog %(left)s over; meer kan niet worden toegekend.",
                source=source.name,
                left=format_euros(left),
            )
        else:
            amounts[source.id] = cents
    if errors:
        raise InvalidFields(errors)
    rows = [
        Grant(funding_source_id=source_id, amount_cents=cents, granted_by_id=actor.id)
        for source_id, cents in amounts.items()
    ]
    initiative.grants.extend(rows)
    for source_id, cents in amounts.items():
        ledger.add_to_source(source_id, granted=cents)
    ledger.add_to_programme(initiative.consultation_id)
    initiative.answer = answer
    workflow.apply_transition(
        actor,
        initiative,
        INITIATIVE,
        "adopt",
        version=version,
        details={"grants": {sources[k].name: v for k, v in amounts.items()}},
        notify_context=_state_context(S.adopted, answer),
    )
    return rows


# Execution -------------------------------------------------------------------------------------------


def add_milestone(actor, initiative: Initiative, *, title: str, planned_on: str, weight: str = "1") -> Milestone:
    """Add a milestone (title, planned date, weight 1–100) to an adopted initiative or one in progress."""
    workflow.require(actor, initiative, INITIATIVE, "update_progress")
    errors = {}
    title = (title or "").strip()
    if not title or len(title) > TITLE_MAX:
        errors["title"] = _("Geef de mijlpaal een titel van hoogstens %(max)d tekens.", max=TITLE_MAX)
    planned = parse_date(planned_on)
    if not isinstance(planned, date):
        errors["planned_on"] = _("Geplande datum: vul een datum in als 1-3-2027.")
    weight_text = (weight or "1").strip()
    if not weight_text.isdigit() or not 1 <= int(weight_text) <= 100:
        errors["weight"] = _("Het gewicht is een heel getal van 1 tot en met 100.")
    if errors:
        raise InvalidFields(errors)
    milestone = Milestone(title=title, planned_on=planned, weight=int(weight_text))
    initiative.milestones.append(milestone)
    initiative.updated_at = utcnow()
    workflow.flush_versioned()
    workflow.record_action(actor, initiative, INITIATIVE, "update_progress", details={"milestone": title})
    return milestone


def set_milestone_done(actor, initiative: Initiative, milestone: Milestone, *, done_on: str | None, version) -> None:
    """Mark a milestone done on a date (or not done again with an empty date); the progress follows."""
    workflow.require(actor, initiative, INITIATIVE, "update_progress")
    if milestone.initiative_id != initiative.id:
        raise PermissionDenied(_("Deze mijlpaal hoort niet bij dit initiatief."))
    check_version(milestone, version)
    done = parse_date(done_on)
    if done is False:
        raise InvalidFields({"done_on": _("Afgerond op: vul een datum in als 1-3-2027.")})
    milestone.done_on = done
    initiative.updated_at = utcnow()
    workflow.flush_versioned()
    workflow.record_action(
        actor,
        initiative,
        INITIATIVE,
        "update_progress",
        details={"milestone": milestone.title, "done_on": done.isoformat() if done else None},
    )


def report_spending(actor, initiative: Initiative, amounts: dict[int, str]) -> None:
    """Report what was spent so far per funding source (typed amounts; empty leaves a source as is)."""
    workflow.require(actor, initiative, INITIATIVE, "update_progress")
    set_spending(actor, initiative, _parse_spending(initiative, amounts))
    workflow.record_action(actor, initiative, INITIATIVE, "update_progress", details={"spending": True})


def _parse_spending(initiative: Initiative, amounts: dict[int, str]) -> dict[int, int]:
    sources = {s.id: s for s in initiative.consultation.funding_sources}
    errors, parsed = {}, {}
    for key, typed in amounts.items():
        source = sources.get(int(key)) if str(key).isdigit() else None
        if source is None:
            errors["spending"] = _("Uitgaven horen bij de financieringsbronnen van deze consultatie.")
            continue
        try:
            cents = parse_euros(typed, source.name)
        except OperationError as exc:
            errors[f"spent_{source.id}"] = exc.message
            continue
        if cents is not None:
            parsed[source.id] = cents
    if errors:
        raise InvalidFields(errors)
    return parsed


def set_spending(actor, initiative: Initiative, cents_per_source: dict[int, int]) -> None:
    """Store spending per source (already checked cents); shared with the bulk import."""
    by_source = {s.funding_source_id: s for s in initiative.spending}
    for source_id, cents in cents_per_source.items():
        before = by_source[source_id].amount_cents if source_id in by_source else 0
        ledger.add_to_source(source_id, spent=cents - before)
        if source_id in by_source:
            by_source[source_id].amount_cents = cents
            by_source[source_id].reported_by_id = actor.id
        else:
            initiative.spending.append(
                Spending(funding_source_id=source_id, amount_cents=cents, reported_by_id=actor.id)
            )
    initiative.updated_at = utcnow()
    workflow.flush_versioned()


def post_update(
    actor,
    initiative: Initiative,
    *,
    body: str,
    happened_on: str,
    file: FileStorage | None = None,
    image_text: str = "",
) -> ProgressUpdate:
    """An initiator posts a dated update (text, optional PDF or PNG/JPEG image, see
    uploads.save_pdf_or_image) on the initiative's timeline; initiators, endorsers and followers
    are notified by their preferences."""
    workflow.require(actor, initiative, INITIATIVE, "post_update")
    errors = {}
    body = (body or "").strip()
    if not body or len(body) > TEXT_MAX:
        errors["body"] = _("Schrijf het nieuws (hoogstens %(max)d tekens).", max=TEXT_MAX)
    when = parse_date(happened_on) if (happened_on or "").strip() else utcnow().date()
    if not isinstance(when, date):
        errors["happened_on"] = _("Datum: vul een datum in als 1-3-2027.")
    image_text = (image_text or "").strip()
    has_file = file is not None and bool(file.filename)
    if has_file and uploads.image_type(file.stream.read(uploads.IMAGE_HEAD)) is not None and not image_text:
        errors["image_text"] = _("Schrijf in een paar woorden wat er op de afbeelding staat.")
    if has_file:
        file.stream.seek(0)
    if len(image_text) > IMAGE_TEXT_MAX:
        errors["image_text"] = _(
            "Gebruik hoogstens %(max)d tekens voor wat er op de afbeelding staat.", max=IMAGE_TEXT_MAX
        )
    if errors:
        raise InvalidFields(errors)
    stored = None
    if has_file:
        stored = uploads.save_pdf_or_image(file, actor, max_bytes=_max_attachment_bytes())
    image_text = image_text if stored is not None and uploads.is_image(stored) else ""
    update = ProgressUpdate(body=body, happened_on=when, file=stored, author_id=actor.id, image_text=image_text)
    initiative.updates.append(update)
    initiative.updated_at = utcnow()
    workflow.flush_versioned()
    excerpt = body if len(body) <= 300 else body[:297].rstrip() + "…"
    workflow.record_action(actor, initiative, INITIATIVE, "post_update", notify_context={"excerpt": excerpt})
    return update


def hide_update(actor, initiative: Initiative, update: ProgressUpdate, *, reason: str) -> None:
    """A moderator hides an update; the reason is shown in its place (audited)."""
    workflow.require(actor, initiative, INITIATIVE, "hide_update")
    if update.initiative_id != initiative.id:
        raise PermissionDenied(_("Dit nieuwsbericht hoort niet bij dit initiatief."))
    reason = (reason or "").strip()
    if not reason:
        raise InvalidFields({"reason": _("Geef een reden op; die staat op de plaats van het bericht.")})
    if len(reason) > workflow.REASON_MAX_LENGTH:
        raise InvalidFields(
            {"reason": _("Gebruik hoogstens %(max)d tekens voor de reden.", max=workflow.REASON_MAX_LENGTH)}
        )
    if update.hidden_at is not None:
        raise OperationError(_("Dit nieuwsbericht is al verborgen."))
    update.hidden_at = utcnow()
    update.hidden_by_id = actor.id
    update.hidden_reason = reason
    initiative.updated_at = utcnow()
    workflow.flush_versioned()
    workflow.record_action(
        actor, initiative, INITIATIVE, "hide_update", details={"update": update.id, "reason": reason}
    )


def is_following(user, initiative: Initiative) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    return (
        db.session.scalar(
            sa.select(Follower.id).where(Follower.initiative_id == initiative.id, Follower.user_id == user.id)
        )
        is not None
    )


def follow(actor, initiative: Initiative) -> None:
    """Follow (idempotent): notified of state changes and updates by one's preferences."""
    workflow.require(actor, initiative, INITIATIVE, "follow")
    if is_following(actor, initiative):
        return
    db.session.add(Follower(initiative_id=initiative.id, user_id=actor.id))
    flush_or_conflict(_("U volgt dit initiatief al."))


def unfollow(actor, initiative: Initiative) -> None:
    db.session.execute(sa.delete(Follower).where(Follower.initiative_id == initiative.id, Follower.user_id == actor.id))


# Endorsements (registered in endorsements/kinds.py) -----------------------------------------------------


def check_endorse(actor, initiative: Initiative) -> None:
    """The table's "endorse" row: adopted, in progress or completed; a signatory or admin of a
    partner organisation. Whether the organisation already endorsed it is the endorsements
    feature's check."""
    row = INITIATIVE.action("endorse")
    if initiative.state not in row.sources:
        raise OperationError(_("Alleen een initiatief in het uitvoeringsprogramma kan worden onderschreven."))
    if not row.permits(actor, initiative):
        raise PermissionDenied(_("Alleen tekenbevoegden en beheerders van partnerorganisaties kunnen onderschrijven."))
    reason = row.refusal(actor, initiative)
    if reason:
        raise OperationError(reason)


def record_endorsement(actor, initiative: Initiative, details: dict) -> None:
    workflow.record_action(actor, initiative, INITIATIVE, "endorse", details=details)


# Bulk update (programme) -----------------------------------------------------------------------------
#
# The process manager downloads the execution programme as CSV or XLSX (initiatives/programme.py),
# edits it and uploads it again. Two kinds of columns are read back; the others are there to
# recognise the rows and are ignored:
# - "uitgegeven <source>": what the initiative has spent of that source so far (set_spending);
# - "mijlpalen afgerond": how many milestones are done. A count cannot say *which* ones, so the
#   first N milestones in planned order (planned date, then creation) become done (today, or their
#   own date when already done) and the later ones open again. The progress (%) follows from that.
# `check_bulk_update` reads the table and saves nothing; `bulk_update` applies the checked changes
# all or nothing, refusing (409) when an initiative changed after the check.

from dataclasses import field  # noqa: E402  (this section's own imports)

from partner_portal.core.errors import Conflict  # noqa: E402
from partner_portal.initiatives.models import PROGRAMME_STATES  # noqa: E402

COLUMN_ID = "id"
COLUMN_TITLE = "titel"
COLUMN_STATE = "status"
COLUMN_PROGRESS = "voortgang (%)"
COLUMN_MILESTONES_DONE = "mijlpalen afgerond"
COLUMN_MILESTONES_TOTAL = "mijlpalen totaal"
BULK_MAX_ROWS = 2000


def granted_column(source: FundingSource) -> str:
    return f"toegekend {source.name}"


def spent_column(source: FundingSource) -> str:
    return f"uitgegeven {source.name}"


@dataclass
class BulkChange:
    """One cell that the upload changes: shown in the preview as old → new."""

    initiative_id: int
    title: str
    column: str
    old: str
    new: str


@dataclass
class BulkRowError:
    """A problem in the upload: `row` as the spreadsheet numbers it (the header is row 1)."""

    row: int
    column: str
    message: str


@dataclass
class BulkPlan:
    """What an upload would change, and every problem in it; `payload` carries it to the confirmation."""

    consultation_id: int
    changes: list[BulkChange]
    errors: list[BulkRowError]
    spending: dict[int, dict[int, int]]  # initiative id -> source id -> cents spent
    milestones: dict[int, int]  # initiative id -> number of milestones done
    versions: dict[int, int]  # initiative id -> the version the check read
    # Cells edited in a column that is not read back (the progress): said, but no error.
    notes: list[BulkRowError] = field(default_factory=list)

    @property
    def payload(self) -> dict:
        return {
            "consultation": self.consultation_id,
            "versions": {str(k): v for k, v in self.versions.items()},
            "spending": {str(k): {str(s): c for s, c in v.items()} for k, v in self.spending.items()},
            "milestones": {str(k): v for k, v in self.milestones.items()},
        }


def may_bulk_update(actor) -> bool:
    """Who may update the programme from a file: the table's "bulk_update" row (who only)."""
    return INITIATIVE.action("bulk_update").permits(actor, None)


def _programme_rows(consultation_id: int, ids: list[int], *, lock: bool = False) -> dict[int, Initiative]:
    from sqlalchemy import orm as so

    query = (
        sa.select(Initiative)
        .where(Initiative.id.in_(ids), Initiative.consultation_id == consultation_id)
        .options(so.selectinload(Initiative.milestones), so.selectinload(Initiative.spending))
        .order_by(Initiative.id)
    )
    if lock:
        query = query.with_for_update(of=Initiative).execution_options(populate_existing=True)
    return {i.id: i for i in db.session.scalars(query)}


def _cents_text(cents: int) -> str:
    return format_euros(cents)


def check_bulk_update(actor, consultation: Consultation, table: list[list[str]]) -> BulkPlan:
    """Read an edited programme table (the header row first, cells as text) and say what it would change.

    Nothing is saved. Every problem is listed with its row and column: no id, an id that is not an
    initiative in this consultation's programme, a repeated id, a bad or negative amount, a count
    of milestones that is not a number from 0 to the number of milestones, a change to an
    initiative that can no longer be updated (completed, stopped). Raises PermissionDenied for
    anyone but the process manager, OperationError for a table without the id column or without
    any column that can be read back."""
    if not may_bulk_update(actor):
        raise PermissionDenied(_("Alleen de procesmanager kan het uitvoeringsprogramma bijwerken uit een bestand."))
    plan = BulkPlan(consultation.id, [], [], {}, {}, {})
    if not table:
        raise OperationError(_("Het bestand is leeg."))
    header = [(cell or "").strip().lower() for cell in table[0]]
    index = {name: n for n, name in reversed(list(enumerate(header))) if name}
    if COLUMN_ID not in index:
        raise OperationError(_("De kolom '%(column)s' ontbreekt in de eerste regel van het bestand.", column=COLUMN_ID))
    sources = consultation.funding_sources
    spent_columns = {s.id: index[spent_column(s).lower()] for s in sources if spent_column(s).lower() in index}
    done_column = index.get(COLUMN_MILESTONES_DONE)
    if not spent_columns and done_column is None:
        raise OperationError(
            _(
                "Het bestand heeft geen kolom die kan worden ingelezen ('%(done)s' of 'uitgegeven …'). "
                "Gebruik het bestand dat u bij het uitvoeringsprogramma downloadt.",
                done=COLUMN_MILESTONES_DONE,
            )
        )
    body = [(n, row) for n, row in enumerate(table[1:], start=2) if any((c or "").strip() for c in row)]
    if len(body) > BULK_MAX_ROWS:
        raise OperationError(_("Het bestand heeft meer dan %(max)d regels.", max=BULK_MAX_ROWS))

    def cell(row: list[str], column: int | None) -> str:
        return (row[column] or "").strip() if column is not None and column < len(row) else ""

    wanted = [int(cell(row, index[COLUMN_ID])) for _n, row in body if cell(row, index[COLUMN_ID]).isdigit()]
    found = _programme_rows(consultation.id, sorted(set(wanted))) if wanted else {}
    names = {s.id: s for s in sources}
    seen: set[int] = set()
    for number, row in body:
        raw_id = cell(row, index[COLUMN_ID])
        if not raw_id.isdigit():
            plan.errors.append(
                BulkRowError(number, COLUMN_ID, _("'%(value)s' is geen nummer van een initiatief.", value=raw_id[:40]))
            )
            continue
        initiative = found.get(int(raw_id))
        if initiative is None or initiative.state not in PROGRAMME_STATES:
            plan.errors.append(
                BulkRowError(
                    number,
                    COLUMN_ID,
                    _("Initiatief %(id)s staat niet in het uitvoeringsprogramma van deze consultatie.", id=raw_id),
                )
            )
            continue
        if initiative.id in seen:
            plan.errors.append(
                BulkRowError(
                    number, COLUMN_ID, _("Initiatief %(id)s staat meer dan één keer in het bestand.", id=raw_id)
                )
            )
            continue
        seen.add(initiative.id)
        changes: list[BulkChange] = []
        spending: dict[int, int] = {}
        for source_id, column in spent_columns.items():
            label = spent_column(names[source_id])
            try:
                cents = parse_euros(cell(row, column), label)
            except OperationError as exc:
                plan.errors.append(BulkRowError(number, label, exc.message))
                continue
            old = initiative.spent_for(source_id)
            if cents is not None and cents != old:
                spending[source_id] = cents
                changes.append(BulkChange(initiative.id, initiative.title, label, _cents_text(old), _cents_text(cents)))
        typed = cell(row, done_column)
        if typed:
            total = len(initiative.milestones)
            if not typed.isdigit() or int(typed) > total:
                plan.errors.append(
                    BulkRowError(
                        number,
                        COLUMN_MILESTONES_DONE,
                        _(
                            "'%(value)s': vul een heel getal in van 0 tot en met %(total)d (het aantal mijlpalen).",
                            value=typed[:40],
                            total=total,
                        ),
                    )
                )
            elif int(typed) != initiative.milestones_done:
                plan.milestones[initiative.id] = int(typed)
                changes.append(
                    BulkChange(
                        initiative.id, initiative.title, COLUMN_MILESTONES_DONE, str(initiative.milestones_done), typed
                    )
                )
        typed_progress = cell(row, index.get(COLUMN_PROGRESS))
        expected = _progress_after(initiative, plan.milestones.get(initiative.id))
        if typed_progress.isdigit() and int(typed_progress) not in (initiative.progress, expected):  # edited
            plan.notes.append(
                BulkRowError(
                    number,
                    COLUMN_PROGRESS,
                    _(
                        "%(title)s: deze kolom wordt niet ingelezen; de voortgang wordt %(pct)d%% en volgt uit "
                        "'%(done)s'.",
                        title=initiative.title,
                        pct=expected,
                        done=COLUMN_MILESTONES_DONE,
                    ),
                )
            )
        if not changes:
            continue
        refusal = workflow.why_not(actor, initiative, INITIATIVE, "bulk_update")
        if refusal:
            plan.errors.append(BulkRowError(number, changes[0].column, f"{initiative.title}: {refusal}"))
            plan.milestones.pop(initiative.id, None)
            continue
        if spending:
            plan.spending[initiative.id] = spending
        plan.versions[initiative.id] = initiative.version
        plan.changes.extend(changes)
    return plan


def _progress_after(initiative: Initiative, done: int | None) -> int:
    """The progress (%) once the first `done` milestones are done (None: as it is now)."""
    if done is None:
        return initiative.progress
    total = sum(m.weight for m in initiative.milestones)
    if not total:
        return initiative.progress
    return round(100 * sum(m.weight for m in initiative.milestones[:done]) / total)


def _mark_first_done(initiative: Initiative, count: int) -> None:
    """The first `count` milestones in planned order done (a done one keeps its date), the rest open."""
    today = utcnow().date()
    for position, milestone in enumerate(initiative.milestones):
        if position < count and milestone.done_on is None:
            milestone.done_on = today
        elif position >= count and milestone.done_on is not None:
            milestone.done_on = None


def bulk_update(actor, consultation: Consultation, payload: dict) -> int:
    """Apply what `check_bulk_update` found (its `payload`), all or nothing; returns how many initiatives changed.

    Each initiative must still have the version the check read: otherwise Conflict (409) and,
    as the request then rolls back, nothing is saved. The rows are locked first (in id order).
    Each initiative goes through the table's "bulk_update" row and gets its audit event."""
    if not may_bulk_update(actor):
        raise PermissionDenied(_("Alleen de procesmanager kan het uitvoeringsprogramma bijwerken uit een bestand."))
    try:
        if payload.get("consultation") != consultation.id:
            raise ValueError
        versions = {int(k): int(v) for k, v in payload["versions"].items()}
        spending = {int(k): {int(s): int(c) for s, c in v.items()} for k, v in payload.get("spending", {}).items()}
        milestones = {int(k): int(v) for k, v in payload.get("milestones", {}).items()}
    except (AttributeError, KeyError, TypeError, ValueError) as exc:
        raise OperationError(_("De gegevens van de controle zijn onleesbaar. Lees het bestand opnieuw in.")) from exc
    if not versions:
        raise OperationError(_("Er is niets om bij te werken."))
    source_ids = {s.id for s in consultation.funding_sources}
    rows = _programme_rows(consultation.id, sorted(versions), lock=True)
    for initiative_id in sorted(versions):
        initiative = rows.get(initiative_id)
        if initiative is None:
            raise Conflict(_("Een initiatief uit het bestand bestaat niet meer. Lees het bestand opnieuw in."))
        check_version(initiative, versions[initiative_id])
        workflow.require(actor, initiative, INITIATIVE, "bulk_update")
        cents = spending.get(initiative_id, {})
        if not set(cents) <= source_ids or any(c < 0 for c in cents.values()):
            raise OperationError(_("De gegevens van de controle zijn onleesbaar. Lees het bestand opnieuw in."))
        done = milestones.get(initiative_id)
        if done is not None and not 0 <= done <= len(initiative.milestones):
            raise OperationError(_("De gegevens van de controle zijn onleesbaar. Lees het bestand opnieuw in."))
        if cents:
            set_spending(actor, initiative, cents)
        if done is not None:
            _mark_first_done(initiative, done)
        initiative.updated_at = utcnow()
        workflow.flush_versioned()
        workflow.record_action(
            actor,
            initiative,
            INITIATIVE,
            "bulk_update",
            details={"spending": {str(k): v for k, v in cents.items()}, "milestones_done": done},
        )
    return len(versions)
