"""Pages of formal responses: the group's drafting, submission, attachments, revisions and endorsements."""

from __future__ import annotations

import sqlalchemy as sa
from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import orm as so

from partner_portal.consultations.loading import load_consultation_light
from partner_portal.consultations.models import ConsultationStatus
from partner_portal.core import merge, uploads, workflow
from partner_portal.core.errors import Conflict, OperationError
from partner_portal.core.forms import ReasonForm, conflict_panel, form_error, refill_conflict
from partner_portal.core.pagecache import public_page
from partner_portal.core.text import line_changes, revision_pair
from partner_portal.core.transaction import refused, show_refusal
from partner_portal.extensions import db
from partner_portal.partners.models import SectorGroup
from partner_portal.responses import bp, operations, permissions
from partner_portal.responses.forms import CreateResponseForm, SubmitForm, response_form
from partner_portal.responses.fragments import response_fragment
from partner_portal.responses.heatmap import consultation_responses, heatmap_for
from partner_portal.responses.loading import last_moderator_message, load_response
from partner_portal.responses.models import (
    FormalResponse,
    ResponseAttachment,
    ResponseState,
)
from partner_portal.responses.overview import groups_of, next_steps, own_groups
from partner_portal.responses.workflow import RESPONSE, ROUND_CLOSED
from partner_portal.responses.workflow import round_open as response_round_open

PER_PAGE = 20


@bp.app_context_processor
def response_helpers():
    return {
        "response_heatmap": lambda consultation: heatmap_for(consultation, _page_responses(consultation)),
        "can_view_response": permissions.can_view_response,
        "can_moderate": permissions.can_moderate,
        "can": workflow.can,
        "RESPONSE": RESPONSE,
        "nota_visible": nota_visible,
        "published_nota": published_nota,
        "group_steps": group_steps,
    }


def nota_visible(consultation) -> bool:
    """Link to the Nota: once published for everyone, before that for gemeente staff (as a concept)."""
    if permissions.can_see_draft_nota(current_user):
        return True
    return published_nota(consultation) is not None


def group_steps(consultation) -> list:
    """The partner's sector groups that can act on this consultation now, with their next step."""
    if not (current_user.is_authenticated and current_user.organisation_id):
        return []
    rounds = next_steps(current_user, [consultation], responses=_page_responses(consultation))
    return [step for step in rounds[0][1] if step.todo] if rounds else []


def _page_responses(consultation) -> list:
    """The responses the consultation page shows: the accepted ones (heat map) and the user's own
    groups' (next steps), loaded together once per request."""
    cache = g.setdefault("page_responses", {})
    if consultation.id not in cache:
        groups = own_groups(current_user) if current_user.is_authenticated else []
        cache[consultation.id] = consultation_responses(consultation, [group.id for group in groups])
    return cache[consultation.id]


def published_nota(consultation):
    """The consultation's published Nota or None (loaded with the consultation where a page joins it)."""
    return consultation.nota


# The group's pages ---------------------------------------------------------------------------


@bp.get("/consultaties/<slug>/reacties")
@public_page
def index(slug: str):
    """Accepted public responses for everyone; the user's own groups' responses (or a start button)."""
    consultation = load_consultation_light(slug)
    page = max(request.args.get("page", 1, type=int), 1)
    public = db.paginate(
        sa.select(FormalResponse)
        .join(FormalResponse.sector_group)
        .where(
            FormalResponse.consultation_id == consultation.id,
            FormalResponse.state == ResponseState.accepted,
            FormalResponse.publication == "public",
        )
        .options(so.contains_eager(FormalResponse.sector_group))
        .order_by(SectorGroup.position, SectorGroup.id),
        page=page,
        per_page=PER_PAGE,
        error_out=False,
    )
    own_groups, own, round_open = [], {}, False
    if current_user.is_authenticated and current_user.organisation_id is not None:
        round_open = consultation.status == ConsultationStatus.published and response_round_open(consultation)
        own_groups = groups_of(current_user.organisation_id)
        own = {
            r.sector_group_id: r
            for r in db.session.scalars(
                sa.select(FormalResponse).where(
                    FormalResponse.consultation_id == consultation.id,
                    FormalResponse.sector_group_id.in_([g.id for g in own_groups]),
                )
            )
        }
    return render_template(
        "responses/index.html",
        consultation=consultation,
        public=public,
        own_groups=own_groups,
        own=own,
        round_open=round_open,
        start_refusal=None if round_open or not own_groups else _start_refusal(consultation),
        create_form=CreateResponseForm(),
    )


def _start_refusal(consultation) -> str:
    """Why a group without a response cannot start one."""
    if consultation.status != ConsultationStatus.published:
        return _("deze consultatie loopt niet.")
    return str(ROUND_CLOSED)


@bp.post("/consultaties/<slug>/reacties")
@login_required
def create(slug: str):
    consultation = load_consultation_light(slug)
    form = CreateResponseForm()
    if not form.validate_on_submit() or not form.group_id.data:
        abort(400)
    group = db.session.get(SectorGroup, form.group_id.data)
    # A group id of a group the user does not belong to (or none at all) is refused alike.
    if group is None or not permissions.is_group_member(current_user, group.id):
        abort(403)
    try:
        response = operations.create_response(current_user, consultation, group)
    except Conflict as exc:
        flash(refused(exc).message, "error")
        return redirect(url_for("responses.index", slug=slug)), 303
    flash(_("De reactie van sectorgroep %(group)s is begonnen.", group=group.name), "success")
    return redirect(url_for("responses.edit", response_id=response.id))


def _submit_form(response: FormalResponse) -> SubmitForm:
    """The submission form; a resubmission starts from the group's earlier publication choice."""
    publication = response.publication.value if response.publication else ""
    return SubmitForm(formdata=None, data={"version": response.version, "publication": publication})


def _show_page(response: FormalResponse, *, error: str | None = None, status: int = 200, submit_form=None):
    # What the workflow table offers this user here: buttons, or the reason one is not there now.
    offers = workflow.offered(current_user, response, RESPONSE, side="partner")
    own = next((o for o in offers if o.row.is_transition and o.row.form == "own"), None)
    return (
        render_template(
            "responses/show.html",
            response=response,
            consultation=response.consultation,
            transitions=[o.row for o in offers if o.row.is_transition and o.row.form != "own" and o.open],
            submit_offer=own,
            # Forms only where the user gets them: each costs its construction on a busy page.
            submit_form=submit_form or (_submit_form(response) if own and own.open else None),
            moderator_message=last_moderator_message(response),
            body=response_fragment(
                response,
                "responses/_body.html",
                show_answers=bool(response.answer_published_at or permissions.can_moderate(current_user)),
                show_revisions=permissions.can_view_revisions(current_user, response),
            ),
            error=error,
        ),
        status,
    )


@bp.get("/reacties/<int:response_id>")
@public_page
def show(response_id: int):
    return _show_page(load_response(response_id))


def _form_data(response: FormalResponse) -> dict:
    values = response.field_values(response.consultation.themes)
    return {"version": response.version, "base": merge.encode(values), **values}


def _edit_page(response, form, *, error=None, conflict=None, status=200):
    return (
        render_template(
            "responses/edit.html",
            response=response,
            consultation=response.consultation,
            form=form,
            themes=[(t, form[f"position_{t.id}"], form[f"explanation_{t.id}"]) for t in response.consultation.themes],
            error=error,
            conflict=conflict,
        ),
        status,
    )


def _posted_form(response):
    """The edit form as posted; a field missing from the post keeps its stored value, except the
    base: without one, a concurrent save is not merged blindly (see operations.save_draft)."""
    data = _form_data(response)
    del data["base"]
    return response_form(response.consultation, data=data)


def _save_typed(response, form) -> list[str]:
    """Save the draft as typed in `form` (merging a concurrent save, see operations.save_draft)."""
    themes = response.consultation.themes
    return operations.save_draft(
        current_user,
        response,
        version=form.version.data,
        statement=form.statement.data,
        collaboration_stance=form.collaboration_stance.data or None,
        collaboration_conditions=form.collaboration_conditions.data,
        positions={t.id: (form[f"position_{t.id}"].data or None, form[f"explanation_{t.id}"].data) for t in themes},
        base=merge.decode(form.base.data),
    )


def _typed_page(response_id: int, form, exc: OperationError):
    """The page after a refused save: nothing typed is lost.

    A concurrent save that changed the same fields: the form again with everything merged and
    only the conflicting fields marked, with both texts. A response submitted meanwhile: the
    typed text read-only (to copy), with a link to the submitted version. Anything else: the
    form as typed, with the reason.
    """
    refused(exc)
    response = load_response(response_id, populate=True)
    if isinstance(exc, operations.EditConflict):
        refill_conflict(form, exc, response.version)
        conflict = conflict_panel(form, exc, by=response.last_edited_by, me=current_user)
        return _edit_page(response, form, conflict=conflict, status=409)
    if response.state not in RESPONSE.action("edit").sources:
        themes = response.consultation.themes
        return (
            render_template(
                "responses/edit_refused.html",
                response=response,
                consultation=response.consultation,
                form=form,
                themes=[(t, form[f"position_{t.id}"], form[f"explanation_{t.id}"]) for t in themes],
                reason=exc.message,
            ),
            409,
        )
    return _edit_page(response, form, error=exc.message, status=exc.status_code)


@bp.route("/reacties/<int:response_id>/bewerken", methods=["GET", "POST"])
@login_required
def edit(response_id: int):
    response = load_response(response_id)
    member = permissions.is_group_member(current_user, response.sector_group_id)
    if request.method == "POST" and member:
        # No longer editable meanwhile (submitted, say): the operation refuses and the page keeps the text.
        form = _posted_form(response)
        if not form.validate_on_submit():
            return _edit_page(response, form, status=400)
        try:
            taken = _save_typed(response, form)
        except OperationError as exc:
            return _typed_page(response_id, form, exc)
        if taken:
            flash(_("Iemand anders had de reactie intussen ook gewijzigd; die wijzigingen zijn bewaard."), "info")
        flash(str(RESPONSE.action("edit").success), "success")
        return redirect(url_for("responses.show", response_id=response.id))
    reason = workflow.why_not(current_user, response, RESPONSE, "edit")
    if reason:
        if member:
            if response.state not in RESPONSE.action("edit").sources:
                reason = _("Deze reactie is %(state)s en kan niet meer worden gewijzigd.", state=response.state.label)
            flash(reason, "error")
            return redirect(url_for("responses.show", response_id=response.id))
        abort(403)
    return _edit_page(response, response_form(response.consultation, data=_form_data(response)))


def _refused_show(error: OperationError, response_id: int, **_view_args):
    """The response's page again after a refused step, with what is stored (and the submit form as typed)."""
    submit_form = SubmitForm() if request.endpoint == "responses.submit" else None
    return _show_page(
        load_response(response_id, populate=True),
        error=error.message,
        status=error.status_code,
        submit_form=submit_form,
    )


@bp.post("/reacties/<int:response_id>/indienen")
@login_required
@show_refusal(_refused_show)
def submit(response_id: int):
    response = load_response(response_id)
    form = SubmitForm()
    if not form.validate_on_submit():
        return _show_page(response, error=form_error(form), status=400, submit_form=form)
    revision = operations.submit_response(
        current_user, response, version=form.version.data, publication=form.publication.data
    )
    flash(str(RESPONSE.transition("submit").success) % {"number": revision.number}, "success")
    return redirect(url_for("responses.show", response_id=response.id))


@bp.route("/reacties/<int:response_id>/stap/<name>", methods=["GET", "POST"])
@login_required
@show_refusal(_refused_show)
def step(response_id: int, name: str):
    """A step the group takes from the response's page (moderation steps go through the moderation
    pages). A step declared with a confirmation page shows it on GET; the POST takes the step."""
    response = load_response(response_id)
    transition = RESPONSE.transition(name)
    if transition is None or transition.side != "partner" or transition.form == "own":
        abort(404)
    if request.method == "GET":
        if transition.form != "confirm":
            abort(405)
        workflow.require(current_user, response, RESPONSE, name)
        return render_template(
            "responses/confirm_step.html",
            response=response,
            consultation=response.consultation,
            transition=transition,
            form=ReasonForm(formdata=None, data={"version": response.version}),
        )
    form = ReasonForm()
    if not form.validate_on_submit():
        return _show_page(response, error=form_error(form), status=400)
    operations.take_step(current_user, response, name, version=form.version.data, reason=form.reason.data or "")
    flash(str(transition.success), "success")
    return redirect(url_for("responses.show", response_id=response.id))


def _attachment(response: FormalResponse, attachment_id: int) -> ResponseAttachment:
    # Looked up among the attachments of a response the user may see: another response's id gives 404.
    return next((a for a in response.attachments if a.id == attachment_id), None) or abort(404)


def _with_typed_text(response_id: int, change):
    """An attachment button inside the edit form: save what was typed, then `change(response)`, in one
    transaction. When either is refused nothing is saved, and the page shows the form as typed."""
    response = load_response(response_id, lock=True)
    if not workflow.can(current_user, response, RESPONSE, "attach"):
        abort(403)
    form = _posted_form(response)
    if not form.validate_on_submit():
        return _edit_page(response, form, error=form_error(form), status=400)
    try:
        if "statement" in request.form:  # the whole edit form came along
            _save_typed(response, form)
        message = change(response)
    except OperationError as exc:
        return _typed_page(response_id, form, exc)
    flash(message, "success")
    return redirect(url_for("responses.edit", response_id=response_id))


@bp.post("/reacties/<int:response_id>/bijlagen")
@login_required
def add_attachment(response_id: int):
    def attach(response) -> str:
        attachment, added = operations.add_attachment(current_user, response, request.files.get("file"))
        if not added:  # the same file again (a double click, or once more by mistake)
            return _("%(name)s was al toegevoegd; het staat er één keer.", name=attachment.file.original_name)
        return str(RESPONSE.action("attach").success)

    return _with_typed_text(response_id, attach)


@bp.post("/reacties/<int:response_id>/bijlagen/<int:attachment_id>/verwijderen")
@login_required
def remove_attachment(response_id: int, attachment_id: int):
    def detach(response) -> str:
        operations.remove_attachment(current_user, response, _attachment(response, attachment_id))
        return str(RESPONSE.action("detach").success)

    return _with_typed_text(response_id, detach)


@bp.get("/reacties/<int:response_id>/bijlagen/<int:attachment_id>")
def attachment(response_id: int, attachment_id: int):
    response = load_response(response_id)
    item = _attachment(response, attachment_id)
    if not item.file.path.exists():
        abort(404)
    return uploads.send_stored_file(item.file)


@bp.get("/reacties/<int:response_id>/revisies/<int:number>")
@login_required
def revision(response_id: int, number: int):
    """Revision `number`, and what changed since revision `van` (default: the one before)."""
    response = load_response(response_id)
    if not permissions.can_view_revisions(current_user, response):
        abort(403)
    pair = revision_pair(response.revisions, number, request.args.get("van", type=int)) or abort(404)
    new, old = pair
    return render_template(
        "responses/revision.html",
        response=response,
        consultation=response.consultation,
        revision=new,
        old=old,
        changes=line_changes(old.full_text() if old else "", new.full_text()),
    )
