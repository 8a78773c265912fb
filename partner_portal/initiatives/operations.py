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
from partner_portal.core.errors import OperationError, PermissionDenied, check_version, flush_or_conflict
from partner_portal.core.models import utcnow
from partner_portal.core.money import format_euros, parse_euros
from partner_portal.extensions import db
from partner_portal.initiatives import permissions
from partner_portal.initiatives.models import (
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


def _date(text: str | None) -> date | bool | None:
    """A date from "2027-03-01" (the date field) or "1-3-2027" (typed); False when unreadable."""
    raw = (text or "").strip()
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        pass
    parts = raw.replace("/", "-").split("-")
    if len(parts) == 3 and all(p.isdigit() for p in parts):
        try:
            return date(int(parts[2]), int(parts[1]), int(parts[0]))
        except ValueError:
            return False
    return False


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

    start, end = _date(fields.get("planned_start")), _date(fields.get("planned_end"))
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
    """A signatory or admin of the invited organisation accepts or declines. Audited; the lead's
    people are told through the audit trail and the initiative's page."""
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
    """Cents granted so far per funding source of the consultation (one aggregate query)."""
    rows = db.session.execute(
        sa.select(Grant.funding_source_id, sa.func.coalesce(sa.func.sum(Grant.amount_cents), 0))
        .join(FundingSource, FundingSource.id == Grant.funding_source_id)
        .where(FundingSource.consultation_id == consultation_id)
        .group_by(Grant.funding_source_id)
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
    planned = _date(planned_on)
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
    done = _date(done_on)
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
    actor, initiative: Initiative, *, body: str, happened_on: str, file: FileStorage | None = None
) -> ProgressUpdate:
    """An initiator posts a dated update (text, optional PDF or PNG/JPEG image, see
    uploads.save_pdf_or_image) on the initiative's timeline; initiators, endorsers and followers
    are notified by their preferences."""
    workflow.require(actor, initiative, INITIATIVE, "post_update")
    errors = {}
    body = (body or "").strip()
    if not body or len(body) > TEXT_MAX:
        errors["body"] = _("Schrijf het nieuws (hoogstens %(max)d tekens).", max=TEXT_MAX)
    when = _date(happened_on) if (happened_on or "").strip() else utcnow().date()
    if not isinstance(when, date):
        errors["happened_on"] = _("Datum: vul een datum in als 1-3-2027.")
    if errors:
        raise InvalidFields(errors)
    stored = None
    if file is not None and file.filename:
        stored = uploads.save_pdf_or_image(file, actor, max_bytes=_max_attachment_bytes())
    update = ProgressUpdate(body=body, happened_on=when, file=stored, author_id=actor.id)
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


# Execution pages (initiatives/execution.py) ------------------------------------------------------------


def follow_initiative(actor, initiative: Initiative) -> bool:
    """Follow from the initiative's page (idempotent); True when the actor did not follow it yet.

    The same rules as `follow`, without its savepoint: a savepoint's release counts as the
    request's commit in core/transaction.py, so a request that wrote nothing but the follower
    row would not commit it. A second request that follows at the same moment meets the
    uniqueness rule at its flush; that is rolled back and counts as already following."""
    from sqlalchemy.exc import IntegrityError

    workflow.require(actor, initiative, INITIATIVE, "follow")
    if is_following(actor, initiative):
        return False
    db.session.add(Follower(initiative_id=initiative.id, user_id=actor.id))
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        return False
    return True
