"""The audit log page and its CSV export: filtered, keyset-paginated, streamed. There is no write path."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import abort, current_app, render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from wtforms import DateField, IntegerField, SelectField, StringField, SubmitField
from wtforms.validators import NumberRange, Optional

from partner_portal import navigation
from partner_portal.audit_log import bp
from partner_portal.consultations.permissions import can_view_audit_log
from partner_portal.core import audit, csvexport, workflow
from partner_portal.core.audit import AuditEvent
from partner_portal.core.forms import max_length, strip_filter
from partner_portal.core.pagecache import AUDIT, shared_fragment
from partner_portal.core.text import contains
from partner_portal.extensions import db
from partner_portal.partners.models import Organisation

PER_PAGE = 50
EXPORT_BATCH = 1000
CSV_COLUMNS = (
    "id",
    "created_at",
    "actor_id",
    "actor_name",
    "organisation",
    "action",
    "object_type",
    "object_id",
    "from_state",
    "to_state",
    "reason",
    "is_public",
    "request_id",
    "hash",
)

navigation.register("audit_log.index", _l("Audittrail"), can_view_audit_log, order=85)


class AuditFilterForm(FlaskForm):
    class Meta:
        csrf = False

    object_type = SelectField(_l("Soort object"), validators=[Optional()], default="")
    object_id = IntegerField(
        _l("Objectnummer"), validators=[Optional(), NumberRange(min=1, message=_l("Vul een positief getal in."))]
    )
    actor = StringField(_l("Door (naam)"), validators=[Optional(), max_length(120)], filters=[strip_filter])
    action = SelectField(_l("Actie"), validators=[Optional()], default="")

    date_from = DateField(_l("Vanaf datum"), validators=[Optional()])
    date_to = DateField(_l("Tot en met datum"), validators=[Optional()])
    submit = SubmitField(_l("Filteren"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Choices in words, from the kinds and actions the features register (no codes to type).
        self.object_type.choices = [("", _l("alle")), *audit.kind_choices()]
        self.action.choices = [("", _l("alle")), *workflow.action_choices()]


def _local_midnight(day) -> datetime:
    tz = ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])
    return datetime.combine(day, time.min, tzinfo=tz)


def _filtered(form: AuditFilterForm) -> sa.Select:
    query = sa.select(AuditEvent, Organisation.name).outerjoin(
        Organisation, AuditEvent.organisation_id == Organisation.id
    )
    if form.object_type.data:
        query = query.where(AuditEvent.object_type == form.object_type.data)
    if form.object_id.data:
        query = query.where(AuditEvent.object_id == form.object_id.data)
    if form.actor.data:
        query = query.where(contains(AuditEvent.actor_name, form.actor.data))
    if form.action.data:
        query = query.where(AuditEvent.action == form.action.data)
    if form.date_from.data:
        query = query.where(AuditEvent.created_at >= _local_midnight(form.date_from.data))
    if form.date_to.data:
        query = query.where(AuditEvent.created_at < _local_midnight(form.date_to.data + timedelta(days=1)))
    return query


def _filter_args(form: AuditFilterForm) -> dict:
    return {
        name: (value.isoformat() if hasattr(value, "isoformat") else value)
        for name, value in (
            ("object_type", form.object_type.data),
            ("object_id", form.object_id.data),
            ("actor", form.actor.data),
            ("action", form.action.data),
            ("date_from", form.date_from.data),
            ("date_to", form.date_to.data),
        )
        if value
    }


def _require_reader() -> None:
    if not can_view_audit_log(current_user):
        abort(403)


@bp.get("/beheer/audittrail")
@login_required
def index():
    """Newest first, 50 a page; pages by id (keyset), so page 1000 is as fast as page 1 and no count is needed."""
    _require_reader()
    # The same for every reader: rendered once per change (see core/pagecache.py).
    content = shared_fragment("audit-log", _events, scope=AUDIT)
    return render_template("shared_list.html", title=_("Audittrail"), content=content)


def _events() -> str:
    form = AuditFilterForm(request.args)
    valid = form.validate() if request.args else True
    before = request.args.get("voor", type=int)
    after = request.args.get("na", type=int)
    rows, has_newer, has_older = [], False, False
    if valid:
        query = _filtered(form)
        if after:
            page = db.session.execute(
                query.where(AuditEvent.id > after).order_by(AuditEvent.id.asc()).limit(PER_PAGE + 1)
            ).all()
            has_newer = len(page) > PER_PAGE
            rows = list(reversed(page[:PER_PAGE]))
            has_older = True
        else:
            if before:
                query = query.where(AuditEvent.id < before)
            page = db.session.execute(query.order_by(AuditEvent.id.desc()).limit(PER_PAGE + 1)).all()
            has_older = len(page) > PER_PAGE
            rows = page[:PER_PAGE]
            has_newer = bool(before)
    return render_template(
        "audit_log/_events.html",
        form=form,
        rows=rows,
        about=audit.describe(e for e, _org in rows),
        kind_label=audit.kind_label,
        has_newer=has_newer and bool(rows),
        has_older=has_older and bool(rows),
        filter_args=_filter_args(form) if valid else {},
    )


@bp.get("/beheer/audittrail.csv")
@login_required
def export():
    """The filtered events as CSV, oldest first, streamed in batches."""
    _require_reader()
    form = AuditFilterForm(request.args)
    if request.args and not form.validate():
        abort(400)
    query = _filtered(form)
    app = current_app._get_current_object()

    def generate():
        # Runs while the response is sent, after the request is gone: each batch gets its own
        # short app context (and so database session); none is held open between chunks.
        yield csvexport.rows_text([CSV_COLUMNS])
        last_id = 0
        while True:
            with app.app_context():
                rows = _csv_rows(query, last_id)
            if not rows:
                return
            last_id = rows[-1][0]
            yield csvexport.rows_text(rows)

    return csvexport.csv_response(generate(), "audittrail.csv")


def _csv_rows(query, last_id: int) -> list[list]:
    """The next batch of events after `last_id` as CSV rows."""
    batch = db.session.execute(
        query.where(AuditEvent.id > last_id).order_by(AuditEvent.id.asc()).limit(EXPORT_BATCH)
    ).all()
    rows = []
    for event, organisation_name in batch:
        values = (
            event.id,
            event.created_at.isoformat(),
            event.actor_id,
            event.actor_name,
            organisation_name,
            event.action,
            event.object_type,
            event.object_id,
            event.from_state,
            event.to_state,
            event.reason,
            "1" if event.is_public else "0",
            event.request_id,
            event.hash,
        )
        rows.append(list(values))
    return rows
