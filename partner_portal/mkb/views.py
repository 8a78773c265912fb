"""Routes of MKB Assen's part of the portal, every one for MKB staff and administrators only.

- here: the member list (`/mkb/leden`) and the import of the CRM's file (registry.py: upload,
  column mapping, preview, confirm or cancel);
- dashboard.py: the engagement dashboard (`/mkb/dashboard`), its exports and the per-sector view;
- members.py: one member (link to an organisation by hand, invite to the portal) and reminders.
"""

from __future__ import annotations

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from sqlalchemy import orm as so
from wtforms import BooleanField, SelectField
from wtforms.fields.choices import SelectChoice

from partner_portal import navigation
from partner_portal.core.errors import OperationError
from partner_portal.core.forms import ConfirmForm
from partner_portal.core.text import contains
from partner_portal.core.transaction import show_refusal
from partner_portal.extensions import db
from partner_portal.mkb import bp, dashboard, members, permissions, registry  # noqa: F401  (routes attach to bp)
from partner_portal.mkb.models import ImportStatus, MemberImport, MkbMember
from partner_portal.partners.models import Organisation

PER_PAGE = 50
STATES = {  # the list's filter: query value -> condition
    "huidig": MkbMember.ended_on.is_(None),
    "niet-gekoppeld": sa.and_(MkbMember.ended_on.is_(None), MkbMember.organisation_id.is_(None)),
    "beeindigd": MkbMember.ended_on.is_not(None),
}

navigation.register("mkb.members_list", _l("Ledenregister"), permissions.can_use_registry, order=76)


@bp.get("/mkb/leden")
@login_required
def members_list():
    """The registry: current, unmatched or ended members, searchable by name and KvK number, and the last imports."""
    permissions.abort_unless_registry()
    state = request.args.get("stand", "huidig")
    state = state if state in STATES else "huidig"
    q = request.args.get("q", "").strip()[:100]
    query = (
        sa.select(MkbMember)
        .where(STATES[state])
        .options(so.joinedload(MkbMember.organisation).lazyload(Organisation.sectors))
    )
    if q:
        query = query.where(sa.or_(contains(MkbMember.name, q), contains(MkbMember.kvk_number, q)))
    pagination = db.paginate(
        query.order_by(MkbMember.name, MkbMember.kvk_number),
        page=max(request.args.get("page", 1, type=int) or 1, 1),
        per_page=PER_PAGE,
        error_out=False,
    )
    counts = dict(
        db.session.execute(
            sa.union_all(*(sa.select(sa.literal(name), sa.func.count()).where(c) for name, c in STATES.items()))
        ).all()
    )
    imports = db.session.scalars(
        sa.select(MemberImport)
        .options(so.joinedload(MemberImport.uploaded_by))
        .order_by(MemberImport.uploaded_at.desc(), MemberImport.id.desc())
        .limit(5)
    ).all()
    return render_template(
        "mkb/members_list.html", pagination=pagination, state=state, q=q, counts=counts, imports=imports
    )


# The import -----------------------------------------------------------------------------------------


class UploadForm(FlaskForm):
    file = FileField(
        _l("Ledenbestand (CSV of Excel)"),
        description=_l(
            "De ledenexport uit het CRM, met een kopregel. CSV met ; of , (ook uit Excel, Windows-1252) of .xlsx; "
            "hoogstens 10 MB en 50.000 leden."
        ),
    )


class PreviewConfirmForm(FlaskForm):
    only_valid = BooleanField(_l("Alleen de goede rijen inlezen; de rijen met een fout worden overgeslagen"))


def _mapping_form(member_import: MemberImport, formdata=None):
    """One select per registry field, its options the file's columns (with a value from the first rows)."""
    headers = member_import.headers
    rows = member_import.rows[:20]

    def sample(index: int) -> str:
        value = next((r[index].strip() for r in rows if index < len(r) and r[index].strip()), "")
        return f" ({_('bijv.')} {value[:30]})" if value else ""

    choices = [SelectChoice("", _("— niet in het bestand —"))] + [
        SelectChoice(str(i), (header or _("kolom %(number)s", number=i + 1)) + sample(i))
        for i, header in enumerate(headers)
    ]

    class MappingForm(FlaskForm):
        pass

    for f in registry.FIELDS:
        setattr(MappingForm, f.name, SelectField(f.label, choices=choices))
    form = MappingForm(formdata=formdata) if formdata is not None else MappingForm(formdata=None)
    if formdata is None:
        for name, index in member_import.mapping.items():
            if name in form:
                form[name].data = "" if index is None else str(index)
    return form


def _mapping_of(form) -> dict[str, int | None]:
    return {f.name: (int(form[f.name].data) if form[f.name].data not in ("", None) else None) for f in registry.FIELDS}


def _load_import(import_id: int) -> MemberImport:
    permissions.abort_unless_registry()
    member_import = db.session.get(MemberImport, import_id)
    if member_import is None:
        abort(404)
    return member_import


def _upload_page(*, form=None, error: str | None = None, status: int = 200):
    return render_template("mkb/import_upload.html", form=form or UploadForm(formdata=None), error=error), status


@bp.route("/mkb/leden/importeren", methods=["GET", "POST"])
@login_required
@show_refusal(lambda error: _upload_page(error=error.message, status=error.status_code))
def import_upload():
    """GET: how the import works and the file field; POST: stage the file and go on to the columns."""
    permissions.abort_unless_registry()
    if request.method == "GET":
        return _upload_page()
    form = UploadForm()
    if not form.validate_on_submit():
        return _upload_page(form=form, error=_("Het formulier is verlopen; probeer het opnieuw."), status=400)
    file = form.file.data
    if file is None or not getattr(file, "filename", ""):
        return _upload_page(form=form, error=_("Kies een CSV- of Excel-bestand."), status=400)
    try:
        data = file.read(registry.MAX_UPLOAD_BYTES + 1)  # one byte more than allowed: too large is refused
    finally:
        file.close()  # a large upload is spooled to a temporary file: let it go now
    member_import = registry.upload(current_user, data, file.filename)
    return redirect(url_for("mkb.import_mapping", import_id=member_import.id), 303)


def _mapping_page(member_import: MemberImport, form, *, error: str | None = None, status: int = 200):
    return render_template("mkb/import_mapping.html", member_import=member_import, form=form, error=error), status


def _refused_mapping(error: OperationError, import_id: int):
    member_import = _load_import(import_id)
    formdata = request.form if request.method == "POST" else None
    return _mapping_page(
        member_import, _mapping_form(member_import, formdata), error=error.message, status=error.status_code
    )


@bp.route("/mkb/leden/importeren/<int:import_id>", methods=["GET", "POST"])
@login_required
@show_refusal(_refused_mapping)
def import_mapping(import_id: int):
    """GET: which column is which (remembered from the last file with these headers); POST: check the file."""
    member_import = _load_import(import_id)
    if member_import.status in (ImportStatus.imported, ImportStatus.cancelled):
        return redirect(url_for("mkb.import_preview", import_id=member_import.id), 303)
    if request.method == "GET":
        return _mapping_page(member_import, _mapping_form(member_import))
    form = _mapping_form(member_import, request.form)
    if not form.validate():
        return _mapping_page(member_import, form, status=400)
    problems = registry.check_mapping(member_import, _mapping_of(form))
    if problems:
        for name, message in problems.items():
            form[name].errors = [message]
        return _mapping_page(member_import, form, status=400)
    registry.preview(current_user, member_import, _mapping_of(form))
    return redirect(url_for("mkb.import_preview", import_id=member_import.id), 303)


def _preview_page(member_import: MemberImport, *, error: str | None = None, status: int = 200):
    return render_template(
        "mkb/import_preview.html",
        member_import=member_import,
        summary=member_import.summary,
        form=PreviewConfirmForm(formdata=None),
        cancel_form=ConfirmForm(formdata=None),
        field_label=registry.field_label,
        error=error,
    ), status


@bp.get("/mkb/leden/importeren/<int:import_id>/controle")
@login_required
def import_preview(import_id: int):
    """What importing the file would change, and every row error; or what it did, once imported."""
    member_import = _load_import(import_id)
    if member_import.status == ImportStatus.uploaded:
        return redirect(url_for("mkb.import_mapping", import_id=member_import.id), 303)
    return _preview_page(member_import)


def _refused_preview(error: OperationError, import_id: int):
    member_import = _load_import(import_id)
    if member_import.status == ImportStatus.uploaded:  # not checked yet: back to the columns, with the reason
        form = _mapping_form(member_import)
        return _mapping_page(member_import, form, error=error.message, status=error.status_code)
    return _preview_page(member_import, error=error.message, status=error.status_code)


@bp.post("/mkb/leden/importeren/<int:import_id>/bevestigen")
@login_required
@show_refusal(_refused_preview)
def import_confirm(import_id: int):
    member_import = _load_import(import_id)
    form = PreviewConfirmForm()
    if not form.validate_on_submit():
        raise OperationError(_("Het formulier is verlopen; probeer het opnieuw."))
    result = registry.confirm(current_user, member_import, only_valid=bool(form.only_valid.data))
    flash(
        _(
            "Het ledenbestand is ingelezen: %(new)s nieuw, %(changed)s gewijzigd, %(unchanged)s ongewijzigd, "
            "%(ended)s beëindigd, %(skipped)s rijen overgeslagen.",
            **{k: result[k] for k in ("new", "changed", "unchanged", "ended", "skipped")},
        ),
        "success",
    )
    return redirect(url_for("mkb.members_list"), 303)


@bp.post("/mkb/leden/importeren/<int:import_id>/annuleren")
@login_required
@show_refusal(_refused_preview)
def import_cancel(import_id: int):
    member_import = _load_import(import_id)
    if not ConfirmForm().validate_on_submit():
        raise OperationError(_("Het formulier is verlopen; probeer het opnieuw."))
    registry.cancel(current_user, member_import)
    flash(_("Het inlezen is geannuleerd; er is niets veranderd in het ledenregister."), "info")
    return redirect(url_for("mkb.members_list"), 303)
