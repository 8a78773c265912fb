"""Routes: the initiators' draft, co-initiators, attachments, the steps they take and revisions
(see initiatives/views.py). Every rule comes from the workflow table; the views read forms,
call an operation and show its refusal with what was typed."""

from __future__ import annotations

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from partner_portal.consultations.loading import load_consultation_light
from partner_portal.consultations.stages import is_open
from partner_portal.core import merge, uploads, workflow
from partner_portal.core.errors import OperationError
from partner_portal.core.forms import (
    ConfirmForm,
    ReasonForm,
    conflict_panel,
    form_error,
    refill_conflict,
    refusal_on_fields,
)
from partner_portal.core.text import line_changes, revision_pair
from partner_portal.core.transaction import refused, show_refusal
from partner_portal.extensions import db
from partner_portal.initiatives import bp, operations, permissions
from partner_portal.initiatives.forms import (
    MULTI,
    AnswerInvitationForm,
    InviteForm,
    choice_labels,
    initiative_form,
)
from partner_portal.initiatives.loading import changes_requested_message, load_initiative
from partner_portal.initiatives.models import Initiative, InvitationState
from partner_portal.initiatives.workflow import INITIATIVE
from partner_portal.partners.models import Organisation

# The initiators' actions that lead to a page of their own, in the order the page offers them.
DRAFT_LINKS = ("edit", "invite", "answer_invitation")


@bp.app_context_processor
def drafting_helpers():
    return {"drafting_offers": drafting_offers, "changes_requested_message": changes_requested_message}


def drafting_offers(initiative: Initiative) -> dict:
    """What the initiative's page offers this user on the initiators' side: links to the edit,
    co-initiator and invitation pages, and the steps (each with the reason it is closed now)."""
    if not current_user.is_authenticated:
        return {"links": [], "steps": []}
    offers = workflow.offered(current_user, initiative, INITIATIVE, side="partner")
    links = {o.row.name: o for o in offers if o.row.name in DRAFT_LINKS}
    steps = [o for o in offers if o.row.is_transition]
    return {"links": [links[name] for name in DRAFT_LINKS if name in links], "steps": steps}


# Starting and editing the draft ------------------------------------------------------------


def _edit_page(initiative, consultation, form, *, error=None, conflict=None, status=200):
    return (
        render_template(
            "initiatives/edit.html",
            initiative=initiative,
            consultation=consultation,
            form=form,
            error=error,
            conflict=conflict,
        ),
        status,
    )


@bp.route("/consultaties/<slug>/initiatieven/nieuw", methods=["GET", "POST"])
@login_required
def create(slug: str):
    """A new draft led by the user's organisation: the whole form, saved on the first save."""
    consultation = load_consultation_light(slug)
    if not permissions.can_start_initiative(current_user, consultation):
        abort(403)
    form = initiative_form(consultation)
    if request.method == "GET":
        if not is_open(consultation, "initiatives"):
            flash(_("U kunt nu geen initiatief beginnen: de huidige fase van deze consultatie opent ze niet."))
            return redirect(url_for("initiatives.index", slug=slug))
        return _edit_page(None, consultation, form)
    if not form.validate_on_submit():
        return _edit_page(None, consultation, form, error=form_error(form), status=400)
    try:
        initiative = operations.create_initiative(current_user, consultation, form.values())
        file = request.files.get("file")
        if file is not None and file.filename:
            operations.add_attachment(current_user, initiative, file)
    except OperationError as exc:
        refused(exc)
        return _edit_page(None, consultation, form, error=refusal_on_fields(form, exc), status=exc.status_code)
    flash(_("Het initiatief is begonnen. Het is een concept: alleen de initiatiefnemers zien het."), "success")
    return redirect(url_for("initiatives.show", initiative_id=initiative.id), 303)


def _stored_form(initiative):
    values = initiative.field_values(initiative.consultation.funding_sources)
    return initiative_form(
        initiative.consultation,
        values=values,
        data={"version": initiative.version, "base": merge.encode(values)},
    )


def _conflict(form, exc, initiative) -> dict:
    """The conflict panel, with the chosen themes, locations and responses by name."""
    panel = conflict_panel(form, exc, by=initiative.last_edited_by, me=current_user)
    for item in panel["fields"]:
        key = item["id"]
        if key in MULTI:
            item["mine"] = choice_labels(form, key, exc.merge.values[key])
            item["theirs"] = choice_labels(form, key, exc.theirs.get(key, ""))
            item["diff"] = merge.word_diff(item["theirs"], item["mine"])
    return panel


def _typed_page(initiative_id: int, form, exc: OperationError):
    """The page after a refused save: nothing typed is lost (as for responses, see responses/views.py)."""
    refused(exc)
    initiative = load_initiative(initiative_id, populate=True)
    consultation = initiative.consultation
    if isinstance(exc, merge.EditConflict):
        refill_conflict(form, exc, initiative.version)
        return _edit_page(initiative, consultation, form, conflict=_conflict(form, exc, initiative), status=409)
    if initiative.state not in INITIATIVE.action("edit").sources:
        return (
            render_template(
                "initiatives/edit_refused.html",
                initiative=initiative,
                consultation=consultation,
                form=form,
                reason=exc.message,
            ),
            409,
        )
    return _edit_page(initiative, consultation, form, error=refusal_on_fields(form, exc), status=exc.status_code)


def _posted_form(initiative):
    """The edit form as posted; without a base a concurrent save is not merged blindly."""
    return initiative_form(initiative.consultation)


def _save_typed(initiative, form) -> list[str]:
    return operations.save_draft(
        current_user, initiative, form.values(), version=form.version.data, base=merge.decode(form.base.data)
    )


@bp.route("/initiatieven/<int:initiative_id>/bewerken", methods=["GET", "POST"])
@login_required
def edit(initiative_id: int):
    initiative = load_initiative(initiative_id)
    initiator = permissions.is_initiator(current_user, initiative)
    if request.method == "POST" and initiator:
        form = _posted_form(initiative)
        if not form.validate_on_submit():
            return _edit_page(initiative, initiative.consultation, form, error=form_error(form), status=400)
        try:
            taken = _save_typed(initiative, form)
        except OperationError as exc:
            return _typed_page(initiative_id, form, exc)
        if taken:
            flash(_("Iemand anders had het initiatief intussen ook gewijzigd; die wijzigingen zijn bewaard."), "info")
        flash(str(INITIATIVE.action("edit").success), "success")
        return redirect(url_for("initiatives.show", initiative_id=initiative.id), 303)
    reason = workflow.why_not(current_user, initiative, INITIATIVE, "edit")
    if reason:
        if not initiator:
            abort(403)
        if initiative.state not in INITIATIVE.action("edit").sources:
            reason = _("Dit initiatief is %(state)s en kan niet meer worden gewijzigd.", state=initiative.state.label)
        flash(reason, "error")
        return redirect(url_for("initiatives.show", initiative_id=initiative.id))
    return _edit_page(initiative, initiative.consultation, _stored_form(initiative))


# Attachments: the buttons post the whole edit form, so the typed text is saved with them ------------


def _attachment(initiative: Initiative, attachment_id: int):
    # Looked up among the attachments of an initiative the user may see: another's id gives 404.
    return next((a for a in initiative.attachments if a.id == attachment_id), None) or abort(404)


def _with_typed_text(initiative_id: int, change):
    initiative = load_initiative(initiative_id, lock=True)
    if not permissions.is_initiator(current_user, initiative):
        abort(403)
    form = _posted_form(initiative)
    if not form.validate_on_submit():
        return _edit_page(initiative, initiative.consultation, form, error=form_error(form), status=400)
    try:
        if "title" in request.form:  # the whole edit form came along
            _save_typed(initiative, form)
        message = change(initiative)
    except OperationError as exc:
        return _typed_page(initiative_id, form, exc)
    flash(message, "success")
    return redirect(url_for("initiatives.edit", initiative_id=initiative_id), 303)


@bp.post("/initiatieven/<int:initiative_id>/bijlagen")
@login_required
def add_attachment(initiative_id: int):
    def attach(initiative) -> str:
        operations.add_attachment(current_user, initiative, request.files.get("file"))
        return str(INITIATIVE.action("attach").success)

    return _with_typed_text(initiative_id, attach)


@bp.post("/initiatieven/<int:initiative_id>/bijlagen/<int:attachment_id>/verwijderen")
@login_required
def remove_attachment(initiative_id: int, attachment_id: int):
    def detach(initiative) -> str:
        operations.remove_attachment(current_user, initiative, _attachment(initiative, attachment_id))
        return str(INITIATIVE.action("detach").success)

    return _with_typed_text(initiative_id, detach)


@bp.get("/initiatieven/<int:initiative_id>/bijlagen/<int:attachment_id>")
def attachment(initiative_id: int, attachment_id: int):
    item = _attachment(load_initiative(initiative_id), attachment_id)
    if not item.file.path.exists():
        abort(404)
    return uploads.send_stored_file(item.file)


# Co-initiators ---------------------------------------------------------------------------------------


def _invitable(initiative: Initiative) -> list[Organisation]:
    """Active partner organisations that are not taking part or invited already."""
    taken = {initiative.lead_organisation_id} | {
        c.organisation_id
        for c in initiative.co_initiators
        if c.state in (InvitationState.invited, InvitationState.accepted)
    }
    return [
        o
        for o in db.session.scalars(sa.select(Organisation).where(Organisation.is_active).order_by(Organisation.name))
        if o.id not in taken
    ]


def _co_initiators_page(initiative, *, form=None, error=None, status=200):
    can_invite = workflow.can(current_user, initiative, INITIATIVE, "invite")
    form = form or InviteForm(formdata=None)
    form.organisation_id.choices = [("", _("kies een organisatie"))] + [
        (str(o.id), o.name) for o in (_invitable(initiative) if can_invite else [])
    ]
    return (
        render_template(
            "initiatives/co_initiators.html",
            initiative=initiative,
            consultation=initiative.consultation,
            form=form,
            can_invite=can_invite,
            can_remove=workflow.can(current_user, initiative, INITIATIVE, "remove_co_initiator"),
            invite_refusal=workflow.why_not(current_user, initiative, INITIATIVE, "invite"),
            error=error,
        ),
        status,
    )


def _refused_co_initiators(error: OperationError, initiative_id: int, **_args):
    form = InviteForm() if request.endpoint == "initiatives.co_initiators" else None
    page = _co_initiators_page(load_initiative(initiative_id, populate=True), form=form, error=error.message)
    return page[0], error.status_code


@bp.route("/initiatieven/<int:initiative_id>/initiatiefnemers", methods=["GET", "POST"])
@login_required
@show_refusal(_refused_co_initiators)
def co_initiators(initiative_id: int):
    """The lead's page for co-initiators: who takes part, who is invited, invite another organisation."""
    initiative = load_initiative(initiative_id, lock=request.method == "POST")
    if not permissions.is_initiator(current_user, initiative):
        abort(403)
    if request.method == "GET":
        return _co_initiators_page(initiative)
    form = InviteForm()
    if not form.validate_on_submit():
        return _co_initiators_page(initiative, form=form, error=form_error(form), status=400)
    value = form.organisation_id.data or ""
    organisation = db.session.get(Organisation, int(value)) if value.isdigit() else None
    operations.invite(current_user, initiative, organisation)
    flash(_("%(name)s is uitgenodigd als mede-initiatiefnemer.", name=organisation.name), "success")
    return redirect(url_for("initiatives.co_initiators", initiative_id=initiative.id), 303)


@bp.post("/initiatieven/<int:initiative_id>/initiatiefnemers/<int:row_id>/verwijderen")
@login_required
@show_refusal(_refused_co_initiators)
def remove_co_initiator(initiative_id: int, row_id: int):
    initiative = load_initiative(initiative_id, lock=True)
    if not permissions.is_initiator(current_user, initiative):
        abort(403)
    form = ConfirmForm()
    if not form.validate_on_submit():
        return _co_initiators_page(initiative, error=form_error(form), status=400)
    row = next((c for c in initiative.co_initiators if c.id == row_id), None) or abort(404)
    operations.remove_co_initiator(current_user, initiative, row)
    flash(str(INITIATIVE.action("remove_co_initiator").success), "success")
    return redirect(url_for("initiatives.co_initiators", initiative_id=initiative.id), 303)


def _refused_invitation(error: OperationError, initiative_id: int, **_args):
    initiative = load_initiative(initiative_id, populate=True)
    return _invitation_page(initiative, error=error.message, status=error.status_code)


def _invitation_page(initiative, *, error=None, status=200):
    return (
        render_template(
            "initiatives/invitation.html",
            initiative=initiative,
            consultation=initiative.consultation,
            form=AnswerInvitationForm(formdata=None),
            error=error,
        ),
        status,
    )


@bp.route("/initiatieven/<int:initiative_id>/uitnodiging", methods=["GET", "POST"])
@login_required
@show_refusal(_refused_invitation)
def invitation(initiative_id: int):
    """The invited organisation's signatory or admin accepts or declines taking part."""
    initiative = load_initiative(initiative_id, lock=request.method == "POST")
    if not permissions.is_invited(current_user, initiative):
        abort(404 if not permissions.is_initiator(current_user, initiative) else 403)
    if request.method == "GET":
        workflow.require(current_user, initiative, INITIATIVE, "answer_invitation")
        return _invitation_page(initiative)
    form = AnswerInvitationForm()
    if not form.validate_on_submit() or form.answer.data not in ("accept", "decline"):
        return _invitation_page(initiative, error=form_error(form) or _("Kies: meedoen of niet."), status=400)
    accept = form.answer.data == "accept"
    operations.answer_invitation(current_user, initiative, accept=accept)
    if accept:
        flash(_("Uw organisatie is mede-initiatiefnemer. U kunt het concept nu mee bewerken."), "success")
    else:
        flash(_("U hebt de uitnodiging afgeslagen."), "success")
    return redirect(url_for("initiatives.show", initiative_id=initiative.id), 303)


# The initiators' steps: submit, withdraw, start and complete --------------------------------------------


def _refused_step(error: OperationError, initiative_id: int, name: str, **_args):
    initiative = load_initiative(initiative_id, populate=True)
    transition = INITIATIVE.transition(name)
    return _confirm_page(initiative, transition, error=error.message, status=error.status_code)


def _confirm_page(initiative, transition, *, error=None, status=200):
    missing = []
    if transition.name == "submit":
        from partner_portal.initiatives.workflow import missing_for_submission

        missing = missing_for_submission(initiative)
    return (
        render_template(
            "initiatives/confirm_step.html",
            initiative=initiative,
            consultation=initiative.consultation,
            transition=transition,
            form=ReasonForm(formdata=None, data={"version": initiative.version}),
            refusal=error or workflow.why_not(current_user, initiative, INITIATIVE, transition.name),
            missing=missing,
        ),
        status,
    )


@bp.route("/initiatieven/<int:initiative_id>/stap/<name>", methods=["GET", "POST"])
@login_required
@show_refusal(_refused_step)
def step(initiative_id: int, name: str):
    """A step the initiators take from the initiative's page (the gemeente's steps go through its
    review pages). GET shows what the step means (and what is missing); the POST takes it."""
    initiative = load_initiative(initiative_id, lock=request.method == "POST")
    transition = INITIATIVE.transition(name)
    if transition is None or transition.side != "partner":
        abort(404)
    if not transition.permits(current_user, initiative):
        abort(403)
    if request.method == "GET":
        return _confirm_page(initiative, transition)
    form = ReasonForm()
    if not form.validate_on_submit():
        return _confirm_page(initiative, transition, error=form_error(form), status=400)
    if name == "submit":
        revision = operations.submit(current_user, initiative, version=form.version.data)
        flash(str(transition.success) % {"number": revision.number}, "success")
    else:
        operations.take_step(current_user, initiative, name, version=form.version.data, reason=form.reason.data or "")
        flash(str(transition.success), "success")
    return redirect(url_for("initiatives.show", initiative_id=initiative.id), 303)


# Revisions -----------------------------------------------------------------------------------------------


@bp.get("/initiatieven/<int:initiative_id>/revisies/<int:number>")
@login_required
def revision(initiative_id: int, number: int):
    """Submitted version `number`, and what changed since version `van` (default: the one before)."""
    initiative = load_initiative(initiative_id)
    if not permissions.can_view_revisions(current_user, initiative):
        abort(403)
    pair = revision_pair(initiative.revisions, number, request.args.get("van", type=int)) or abort(404)
    new, old = pair
    return render_template(
        "initiatives/revision.html",
        initiative=initiative,
        consultation=initiative.consultation,
        revision=new,
        old=old,
        changes=line_changes(old.full_text() if old else "", new.full_text()),
    )
