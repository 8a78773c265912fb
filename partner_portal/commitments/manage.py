"""Routes: the process manager's pages (see commitments/views.py): create a commitment, edit its
text and settings (a new version once open; concurrent saves merged field by field as for
initiatives), and the steps open, bind (without a threshold), close and withdraw through a
confirmation page. Every rule comes from the workflow table; the views read forms, call an
operation and show its refusal with what was typed."""

from __future__ import annotations

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import orm as so
from werkzeug.routing import BuildError

from partner_portal.auth.models import User
from partner_portal.commitments import bp, operations, permissions
from partner_portal.commitments.forms import MULTI, choice_labels, commitment_form, field_values
from partner_portal.commitments.models import Commitment, CommitmentState, Signature
from partner_portal.commitments.workflow import COMMITMENT
from partner_portal.consultations.loading import load_consultation_light
from partner_portal.core import merge, workflow
from partner_portal.core.errors import Conflict, OperationError, PermissionDenied
from partner_portal.core.forms import ReasonForm, conflict_panel, form_error, refill_conflict, refusal_on_fields
from partner_portal.core.transaction import refused, show_refusal
from partner_portal.extensions import db
from partner_portal.partners.models import SectorGroup

S = CommitmentState
# The gemeente's steps, in the order the page offers them: answering a proposal, then the process manager's.
STEPS = ("accept", "decline", "open", "bind", "close", "withdraw")


def load_commitment(commitment_id: int, *, populate: bool = False) -> Commitment:
    """The commitment, or 404 when it does not exist or the user may not see it (no hint that it exists)."""
    query = (
        sa.select(Commitment)
        .where(Commitment.id == commitment_id)
        .options(so.joinedload(Commitment.consultation), so.selectinload(Commitment.versions))
    )
    if populate:
        query = query.execution_options(populate_existing=True)
    commitment = db.session.scalars(query).first()
    if commitment is None or not permissions.can_view_commitment(current_user, commitment):
        abort(404)
    return commitment


def commitment_url(commitment: Commitment) -> str:
    """The commitment's public page (public.py); its path while that page is not there yet."""
    try:
        return url_for("commitments.show", commitment_id=commitment.id)
    except BuildError:
        return f"/convenanten/{commitment.id}"


# What the commitment's page offers (templates/commitments/_actions.html) ---------------------------


@bp.app_context_processor
def commitment_action_helpers():
    return {"commitment_offers": commitment_offers}


def commitment_offers(commitment: Commitment) -> dict:
    """What the current user may do on the commitment's page: the process manager's edit link and
    steps, and for a person who speaks for an organisation: sign, co-sign, sign the new version,
    revoke or give notice (each open offer with its link; closed ones with the reason)."""
    empty = {"manage": [], "edit": None, "sign": None, "signature": None, "own": [], "proposer": False}
    if not current_user.is_authenticated:
        return empty
    result = dict(empty)
    if permissions.is_gemeente(current_user) or permissions.is_proposer(current_user, commitment):
        offers = workflow.offered(current_user, commitment, COMMITMENT, side="gemeente")
        by_name = {o.row.name: o for o in offers}
        result["edit"] = by_name.get("edit")
        result["manage"] = [by_name[name] for name in STEPS if name in by_name]
        result["proposer"] = not permissions.is_gemeente(current_user)
    if permissions.speaks_for_organisation(current_user):
        signature = db.session.scalar(
            sa.select(Signature).where(
                Signature.commitment_id == commitment.id, Signature.organisation_id == current_user.organisation_id
            )
        )
        result["signature"] = signature
        if signature is None or not signature.is_standing:
            if permissions.is_invited(current_user, commitment):
                result["sign"] = _offer("sign", commitment)
        else:
            own = []
            if signature.is_stale:
                own.append(_offer("resign", commitment))
            elif signature.state.value == "pending_second" and signature.signer_id != current_user.id:
                own.append(_offer("cosign", commitment))
            own.append(_offer("revoke", commitment))
            own.append(_offer("give_notice", commitment))
            result["own"] = [o for o in own if o is not None]
    return result


def _offer(name: str, commitment: Commitment) -> workflow.Offer | None:
    """The row as an offer when it applies in the commitment's state and the user may take it."""
    row = COMMITMENT.row(name)
    if commitment.state not in row.sources or not row.permits(current_user, commitment):
        return None
    return workflow.Offer(row, row.refusal(current_user, commitment))


# Creating and editing ---------------------------------------------------------------------------


def _edit_page(commitment, consultation, form, *, error=None, conflict=None, status=200):
    return (
        render_template(
            "commitments/edit.html",
            commitment=commitment,
            consultation=consultation,
            form=form,
            error=error,
            conflict=conflict,
            proposing=commitment is None and not permissions.is_process_manager(current_user),
        ),
        status,
    )


def _proposal_groups() -> list[SectorGroup]:
    """The groups a sector coordinator may propose for (none for the process manager, who drafts)."""
    if permissions.is_process_manager(current_user):
        return []
    ids = permissions.coordinated_group_ids(current_user)
    return [g for g in current_user.coordinated_groups if g.id in ids]


@bp.route("/consultaties/<slug>/convenanten/nieuw", methods=["GET", "POST"])
@login_required
def create(slug: str):
    """A new commitment, the whole form, saved on the first save: the process manager's draft, or
    a sector coordinator's proposal to the gemeente."""
    consultation = load_consultation_light(slug)
    groups = _proposal_groups()
    if not permissions.is_process_manager(current_user) and not groups:
        abort(403)
    form = commitment_form(consultation, groups=groups)
    if request.method == "GET":
        return _edit_page(None, consultation, form)
    if not form.validate_on_submit():
        return _edit_page(None, consultation, form, error=form_error(form), status=400)
    try:
        commitment = operations.create_commitment(current_user, consultation, form.values())
    except OperationError as exc:
        refused(exc)
        return _edit_page(None, consultation, form, error=refusal_on_fields(form, exc), status=exc.status_code)
    if commitment.is_proposal:
        flash(
            _(
                "Uw voorstel is naar de gemeente gestuurd. Tot de gemeente het overneemt, kunt u het nog "
                "bewerken; u hoort per e-mail wat de gemeente besluit."
            ),
            "success",
        )
    else:
        flash(
            _("De afspraak is opgeslagen als concept. Alleen de gemeente ziet haar tot ze wordt opengesteld."),
            "success",
        )
    return redirect(commitment_url(commitment), 303)


def _stored_form(commitment: Commitment):
    values = field_values(commitment)
    return commitment_form(
        commitment.consultation, values=values, data={"version": commitment.version, "base": merge.encode(values)}
    )


def _conflict(form, exc, commitment) -> dict:
    by = db.session.get(User, commitment.last_edited_by_id) if commitment.last_edited_by_id else None
    panel = conflict_panel(form, exc, by=by, me=current_user)
    for item in panel["fields"]:
        key = item["id"]
        if key in MULTI:
            item["mine"] = choice_labels(form, key, exc.merge.values[key])
            item["theirs"] = choice_labels(form, key, exc.theirs.get(key, ""))
            item["diff"] = merge.word_diff(item["theirs"], item["mine"])
    return panel


def _refused_edit(commitment_id: int, form, exc: OperationError):
    """The page after a refused save: nothing typed is lost."""
    refused(exc)
    commitment = load_commitment(commitment_id, populate=True)
    if isinstance(exc, merge.EditConflict):
        refill_conflict(form, exc, commitment.version)
        return _edit_page(
            commitment, commitment.consultation, form, conflict=_conflict(form, exc, commitment), status=409
        )
    if commitment.state not in COMMITMENT.action("edit").sources:
        return (
            render_template(
                "commitments/manage_refused.html",
                commitment=commitment,
                consultation=commitment.consultation,
                form=form,
                reason=_not_editable(commitment),
            ),
            409,
        )
    if isinstance(exc, Conflict):
        form.version.data = str(commitment.version)
        form.base.data = merge.encode(field_values(commitment))
    return _edit_page(
        commitment, commitment.consultation, form, error=refusal_on_fields(form, exc), status=exc.status_code
    )


def _not_editable(commitment: Commitment) -> str:
    if commitment.state == S.binding:
        return _(
            "Deze afspraak is bindend: de tekst ligt vast en kan niet meer worden gewijzigd. "
            "Organisaties die ondertekenden, kunnen alleen nog opzeggen."
        )
    return _("Deze afspraak is %(state)s en kan niet meer worden gewijzigd.", state=commitment.state.label)


def _save(commitment: Commitment, form) -> list[str]:
    """Merge a save on a stale version with what was stored meanwhile (core/merge.py), then save."""
    commitment = operations.lock_commitment(commitment)
    base = merge.decode(form.base.data)
    version = form.version.data
    theirs = field_values(commitment)
    mine = {key: form.values().get(key, "") for key in theirs}
    if base is None and merge.is_stale(commitment, version):
        raise Conflict(_("Deze afspraak is intussen gewijzigd. Bekijk de huidige tekst en probeer het opnieuw."))
    values, version, taken = merge.merged_save(
        commitment,
        version,
        base,
        mine,
        theirs,
        _("Deze afspraak is intussen door iemand anders gewijzigd, ook op plaatsen die u wijzigde."),
    )
    operations.save_commitment(current_user, commitment, values, version=version)
    return taken


@bp.route("/convenanten/<int:commitment_id>/bewerken", methods=["GET", "POST"])
@login_required
def edit(commitment_id: int):
    """The process manager edits the title, text and settings (a sector coordinator their proposal,
    until the gemeente answers it); once open a text change is a new version."""
    commitment = load_commitment(commitment_id)
    if not (permissions.is_process_manager(current_user) or permissions.is_proposer(current_user, commitment)):
        abort(403)
    if commitment.state not in COMMITMENT.action("edit").sources:
        message = _not_editable(commitment)
        if request.method == "POST":
            return _refused_edit(commitment_id, commitment_form(commitment.consultation), OperationError(message))
        flash(message, "error")
        return redirect(commitment_url(commitment))
    if request.method == "POST":
        form = commitment_form(commitment.consultation)
        if not form.validate_on_submit():
            return _edit_page(commitment, commitment.consultation, form, error=form_error(form), status=400)
        try:
            taken = _save(commitment, form)
        except OperationError as exc:
            return _refused_edit(commitment_id, form, exc)
        if taken:
            flash(_("Iemand anders had de afspraak intussen ook gewijzigd; die wijzigingen zijn bewaard."), "info")
        flash(str(COMMITMENT.action("edit").success), "success")
        return redirect(commitment_url(commitment), 303)
    reason = workflow.why_not(current_user, commitment, COMMITMENT, "edit")
    if reason:
        flash(reason, "error")
        return redirect(commitment_url(commitment))
    return _edit_page(commitment, commitment.consultation, _stored_form(commitment))


# Steps: open, bind, close, withdraw -------------------------------------------------------------------


def _transition(name: str) -> workflow.Transition:
    transition = COMMITMENT.transition(name)
    if transition is None or name not in STEPS:
        abort(404)
    return transition


def _confirm_page(commitment, transition, *, form=None, error=None, status=200):
    return (
        render_template(
            "commitments/confirm_step.html",
            commitment=commitment,
            consultation=commitment.consultation,
            transition=transition,
            form=form or ReasonForm(formdata=None, data={"version": commitment.version}),
            refusal=error if form is None else None,
            error=error if form is not None else None,
            back_url=commitment_url(commitment),
        ),
        status,
    )


def _refused_step(error: OperationError, commitment_id: int, name: str):
    """A missing or too long reason keeps the page with what was typed; anything else shows the
    page with the refusal and without the button."""
    commitment = load_commitment(commitment_id, populate=True)
    transition = _transition(name)
    typed_again = (
        request.method == "POST"
        and transition.reason_required
        and not isinstance(error, (Conflict, PermissionDenied))
        and workflow.can(current_user, commitment, COMMITMENT, name)
    )
    if typed_again:
        form = ReasonForm()
        form.reason.errors = [error.message]
        form.version.data = str(commitment.version)
        return _confirm_page(commitment, transition, form=form, error=error.message, status=error.status_code)
    message = error.message
    if isinstance(error, Conflict):
        message = _("Iemand anders heeft deze afspraak intussen gewijzigd. Hieronder staat de huidige stand.")
    return _confirm_page(commitment, transition, error=message, status=error.status_code)


@bp.route("/convenanten/<int:commitment_id>/stap/<name>", methods=["GET", "POST"])
@login_required
@show_refusal(_refused_step)
def step(commitment_id: int, name: str):
    """GET: what the step means (with the reason field when it needs one); POST: take it."""
    commitment = load_commitment(commitment_id)
    transition = _transition(name)
    if not transition.permits(current_user, commitment):
        abort(403)
    if request.method == "GET":
        return _confirm_page(commitment, transition, error=workflow.why_not(current_user, commitment, COMMITMENT, name))
    form = ReasonForm()
    if not form.validate_on_submit():
        return _confirm_page(commitment, transition, form=form, error=form_error(form), status=400)
    if transition.reason_required and not (form.reason.data or "").strip():
        raise OperationError(_("Geef een reden op; die wordt openbaar bij de afspraak."))
    operations.take_step(current_user, commitment, name, version=form.version.data, reason=form.reason.data or "")
    flash(str(transition.success), "success")
    return redirect(commitment_url(commitment), 303)
