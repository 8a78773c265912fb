"""Views: own notification preferences, unsubscribe links, and the administrators' outbox."""

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from wtforms.fields.choices import SelectChoice

from partner_portal import navigation
from partner_portal.auth.models import User
from partner_portal.core.errors import OperationError
from partner_portal.core.transaction import refused
from partner_portal.extensions import csrf, db
from partner_portal.notifications import bp, operations, permissions
from partner_portal.notifications.forms import CsrfOnlyForm, StatusFilterForm, preferences_form
from partner_portal.notifications.kinds import DIGEST, KINDS, optional_kinds_for
from partner_portal.notifications.models import MAIL_STATUS_LABELS, MailStatus, OutboxMessage
from partner_portal.notifications.tokens import read_token

PER_PAGE = 25

navigation.register("notifications.outbox", _l("E-mail"), permissions.can_manage_outbox, order=83)


@bp.context_processor
def helpers():
    def kind_label(name: str) -> str:
        if name == DIGEST:
            return _("Dagelijks overzicht")
        return str(KINDS[name].label) if name in KINDS else name

    return {
        "can_retry_message": permissions.can_retry_message,
        "can_read_message_body": permissions.can_read_message_body,
        "kind_label": kind_label,
    }


# Own preferences ----------------------------------------------------------------------------


@bp.route("/profiel/meldingen", methods=["GET", "POST"])
@login_required
def preferences():
    kinds = optional_kinds_for(current_user)
    form = preferences_form(kinds, operations.modes_for(current_user))
    error = None
    if form.validate_on_submit():
        try:
            operations.set_preferences(current_user, current_user, {kind.name: form[kind.name].data for kind in kinds})
        except OperationError as exc:
            error = refused(exc).message
        else:
            flash(_("Uw meldingen zijn opgeslagen."), "success")
            return redirect(url_for("notifications.preferences"))
    status = 400 if error or form.errors else 200
    return render_template("notifications/preferences.html", form=form, kinds=kinds, error=error), status


# Unsubscribe links (no login) ------------------------------------------------------------------


@bp.route("/afmelden/<token>", methods=["GET", "POST"])
@csrf.exempt  # the signed token is the authorisation; mail clients' one-click POST has no CSRF token
def unsubscribe(token: str):
    """GET shows what will happen and a button; only a POST changes anything (RFC 8058 one-click too)."""
    request_ = read_token(token)
    user = db.session.get(User, request_.user_id) if request_ else None
    if user is None:
        return render_template("notifications/unsubscribe_invalid.html"), 400
    form = CsrfOnlyForm()
    one_click = request.method == "POST" and request.form.get("List-Unsubscribe") == "One-Click"
    label = _("alle meldingen in uw dagelijkse overzicht") if request_.kind == DIGEST else KINDS[request_.kind].label
    if request.method == "POST":
        if not (one_click or form.validate_on_submit()):
            return render_template("notifications/unsubscribe.html", form=form, label=label, user=user), 400
        operations.unsubscribe(user, request_.kind)
        return render_template("notifications/unsubscribed.html", label=label)
    return render_template("notifications/unsubscribe.html", form=form, label=label, user=user)


# Outbox (administrators) -------------------------------------------------------------------------


def require_outbox_admin() -> None:
    if not permissions.can_manage_outbox(current_user):
        abort(403)


@bp.get("/beheer/e-mail")
@login_required
def outbox():
    require_outbox_admin()
    form = StatusFilterForm(request.args)
    form.status.choices = [SelectChoice("", _("Alle berichten"))] + [
        SelectChoice(s.value, label) for s, label in MAIL_STATUS_LABELS.items()
    ]
    status = form.status.data if form.validate() and form.status.data else ""
    query = sa.select(OutboxMessage).order_by(OutboxMessage.created_at.desc(), OutboxMessage.id.desc())
    if status:
        query = query.where(OutboxMessage.status == MailStatus(status))
    page = max(request.args.get("page", 1, type=int), 1)
    pagination = db.paginate(query, page=page, per_page=PER_PAGE, error_out=False)
    counts = dict(
        db.session.execute(sa.select(OutboxMessage.status, sa.func.count()).group_by(OutboxMessage.status)).all()
    )
    failed = []
    if status != MailStatus.failed.value:
        failed = db.session.scalars(
            sa.select(OutboxMessage)
            .where(OutboxMessage.status == MailStatus.failed)
            .order_by(OutboxMessage.failed_at.desc(), OutboxMessage.id.desc())
            .limit(5)
        ).all()
    return render_template(
        "notifications/outbox.html",
        form=form,
        pagination=pagination,
        status=status,
        counts={MailStatus(k): v for k, v in counts.items()},
        failed=failed,
        failed_count=counts.get(MailStatus.failed.value, 0),
        retry_form=CsrfOnlyForm(),
    )


@bp.get("/beheer/e-mail/<int:message_id>")
@login_required
def message(message_id: int):
    require_outbox_admin()
    msg = db.get_or_404(OutboxMessage, message_id)
    return render_template("notifications/message.html", msg=msg, retry_form=CsrfOnlyForm())


@bp.post("/beheer/e-mail/<int:message_id>/opnieuw")
@login_required
def retry(message_id: int):
    require_outbox_admin()
    msg = db.get_or_404(OutboxMessage, message_id)
    if CsrfOnlyForm().validate_on_submit():
        try:
            operations.retry_message(current_user, msg)
        except OperationError as exc:
            flash(refused(exc).message, "error")
        else:
            flash(_("Het bericht staat weer in de wachtrij."), "success")
    else:
        flash(_("Het formulier is verlopen. Probeer het opnieuw."), "error")
    return redirect(url_for("notifications.message", message_id=message_id))
