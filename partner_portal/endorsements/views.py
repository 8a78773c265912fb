"""Pages of endorsements: endorse an item after a confirmation, withdraw it, and the overview for MKB staff."""

from __future__ import annotations

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from sqlalchemy import orm as so

from partner_portal import navigation
from partner_portal.auth.models import StaffRole
from partner_portal.core.errors import Conflict, OperationError
from partner_portal.core.forms import ConfirmForm
from partner_portal.core.transaction import refused, show_refusal
from partner_portal.endorsements import bp, operations, permissions
from partner_portal.endorsements.forms import WithdrawForm
from partner_portal.endorsements.kinds import BY_NAME, KINDS, Kind, kind_of
from partner_portal.endorsements.models import Endorsement
from partner_portal.extensions import db
from partner_portal.mkb.models import MkbMember
from partner_portal.partners.models import Organisation

PER_PAGE = 50

navigation.register("endorsements.overview", _l("Onderschrijvingen"), permissions.can_view_overview, order=75)
navigation.set_start_page(StaffRole.mkb_staff, "endorsements.overview")


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


@bp.get("/mkb/onderschrijvingen")
@login_required
def overview():
    """Every endorsement of every kind by MKB member organisations, newest first, withdrawn ones marked."""
    if not permissions.can_view_overview(current_user):
        abort(403)
    page = max(request.args.get("page", 1, type=int), 1)
    pagination = db.paginate(
        sa.select(Endorsement)
        .join(Endorsement.organisation)
        .join(MkbMember, (MkbMember.organisation_id == Organisation.id) & MkbMember.ended_on.is_(None))
        .options(
            so.contains_eager(Endorsement.organisation),
            *(so.selectinload(getattr(Endorsement, kind.name)) for kind in KINDS),
        )
        .order_by(Endorsement.endorsed_at.desc(), Endorsement.id.desc()),
        page=page,
        per_page=PER_PAGE,
        error_out=False,
    )
    return render_template("endorsements/overview.html", pagination=pagination)
