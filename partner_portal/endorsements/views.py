"""Pages of endorsements: endorse an item after a confirmation, and withdraw it (MKB staff: the MKB dashboard)."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from partner_portal.core.errors import Conflict, OperationError
from partner_portal.core.forms import ConfirmForm
from partner_portal.core.transaction import refused, show_refusal
from partner_portal.endorsements import bp, operations, permissions
from partner_portal.endorsements.forms import WithdrawForm
from partner_portal.endorsements.kinds import BY_NAME, KINDS, Kind, kind_of
from partner_portal.endorsements.models import Endorsement
from partner_portal.extensions import db


@bp.app_context_processor
def endorsement_helpers():
    return {
        "can_endorse": permissions.can_endorse,
        "can_withdraw_endorsement": permissions.can_withdraw,
        "own_endorsement": lambda item: permissions.active_endorsement(
            getattr(current_user, "organisation_id", None), item
        ),
        "endorse_url": lambda item: url_for("endorsements.endorse", kind=kind_of(item).name, item_id=item.id),
    }


def _load_item(kind: str, item_id: int):
    """The item, or 404 when it does not exist or the user may not see it."""
    registered = BY_NAME.get(kind) or abort(404)
    item = db.session.get(registered.model, item_id)
    if item is None or not registered.can_view(current_user, item):
        abort(404)
    return registered, item


def _load_endorsement(endorsement_id: int) -> Endorsement:
    endorsement = db.session.get(Endorsement, endorsement_id)
    if endorsement is None or not endorsement.kind.can_view(current_user, endorsement.item):
        abort(404)
    return endorsement


def _confirm_page(kind: Kind, item, *, error: OperationError | None = None, status: int = 200):
    """What endorsing means, and the button; or why the user cannot endorse (with that status)."""
    problem = error or permissions.endorse_refusal(current_user, item)
    return (
        render_template(
            "endorsements/confirm.html",
            kind=kind,
            item=item,
            item_url=kind.url(item),
            form=None if problem else ConfirmForm(),
            problem=problem.message if problem else None,
        ),
        problem.status_code if problem else status,
    )


def _refused_endorse(error: OperationError, item_id: int, kind: str, **_view_args):
    registered, item = _load_item(kind, item_id)
    return _confirm_page(registered, item, error=error)


@login_required
@show_refusal(_refused_endorse)
def endorse(item_id: int, kind: str):
    """GET: what endorsing on behalf of the organisation means; POST: endorse."""
    registered, item = _load_item(kind, item_id)
    if request.method == "GET":
        return _confirm_page(registered, item)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        operations.endorse(current_user, item)
    except Conflict as exc:
        flash(refused(exc).message, "info")
        return redirect(registered.url(item)), 303
    flash(_("%(org)s onderschrijft dit nu.", org=current_user.organisation.name), "success")
    return redirect(registered.url(item))


for _kind in KINDS:
    # One rule per kind under the item's own URL, one endpoint: url_for("endorsements.endorse", kind=..., item_id=...).
    bp.add_url_rule(
        f"{_kind.path}/onderschrijven",
        endpoint="endorse",
        view_func=endorse,
        methods=["GET", "POST"],
        defaults={"kind": _kind.name},
    )


def _withdraw_page(endorsement: Endorsement, form: WithdrawForm, *, error: str | None = None, status: int = 200):
    return (
        render_template(
            "endorsements/withdraw.html",
            endorsement=endorsement,
            kind=endorsement.kind,
            item=endorsement.item,
            item_url=endorsement.kind.url(endorsement.item),
            form=form,
            error=error,
        ),
        status,
    )


def _refused_withdraw(error: OperationError, endorsement_id: int, **_view_args):
    endorsement = _load_endorsement(endorsement_id)
    return _withdraw_page(endorsement, WithdrawForm(), error=error.message, status=error.status_code)


@bp.route("/onderschrijvingen/<int:endorsement_id>/intrekken", methods=["GET", "POST"])
@login_required
@show_refusal(_refused_withdraw)
def withdraw(endorsement_id: int):
    """GET: confirm the withdrawal (with an optional explanation); POST: withdraw."""
    endorsement = _load_endorsement(endorsement_id)
    item_url = endorsement.kind.url(endorsement.item)
    if not permissions.speaks_for(current_user, endorsement.organisation_id):
        abort(403)
    if not endorsement.is_active:
        flash(_("Deze onderschrijving is al ingetrokken."), "info")
        return redirect(item_url), 303
    form = WithdrawForm()
    if request.method == "GET":
        return _withdraw_page(endorsement, form)
    if not form.validate_on_submit():
        return _withdraw_page(endorsement, form, status=400)
    try:
        operations.withdraw_endorsement(current_user, endorsement, form.reason.data)
    except Conflict as exc:  # withdrawn by a concurrent request
        flash(refused(exc).message, "info")
        return redirect(item_url), 303
    flash(_("De onderschrijving van %(org)s is ingetrokken.", org=endorsement.organisation.name), "success")
    return redirect(item_url)
