"""One member of the registry: link it to an organisation by hand, invite it; reminders to members.

Every route is for MKB staff and administrators only (mkb.permissions.can_use_registry): the
registry holds personal data of contact persons.
"""

from __future__ import annotations

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required
from sqlalchemy import orm as so

from partner_portal.core.errors import OperationError
from partner_portal.core.forms import ConfirmForm, form_error
from partner_portal.core.inputcheck import INT_MAX
from partner_portal.core.transaction import refused
from partner_portal.extensions import db
from partner_portal.mkb import bp, operations
from partner_portal.mkb.forms import InviteForm, LinkForm, ReminderForm
from partner_portal.mkb.models import MemberReminder, MkbMember
from partner_portal.mkb.permissions import abort_unless_registry
from partner_portal.partners.models import Organisation, SectorGroup

MAX_SELECTED = 500  # members in one reminder chosen by id (the dashboard's page at most)


def _load_member(member_id: int) -> MkbMember:
    abort_unless_registry()
    member = db.session.get(MkbMember, member_id)
    if member is None:
        abort(404)
    return member


def _unlinked_organisations() -> list[Organisation]:
    """Active organisations no member is linked to: the choices for linking by hand."""
    return list(
        db.session.scalars(
            sa.select(Organisation)
            .outerjoin(MkbMember, MkbMember.organisation_id == Organisation.id)
            .where(MkbMember.id.is_(None), Organisation.is_active.is_(True))
            .order_by(Organisation.name, Organisation.id)
        )
    )


def _link_form(member: MkbMember) -> LinkForm:
    form = LinkForm()
    choices = [("", _("— kies een organisatie —"))]
    choices += [(str(o.id), f"{o.name} (KvK {o.kvk_number})") for o in _unlinked_organisations()]
    form.organisation.choices = choices
    return form


def _member_page(member: MkbMember, *, error: str | None = None, status: int = 200, link_form: LinkForm | None = None):
    reminders = list(
        db.session.scalars(
            sa.select(MemberReminder)
            .where(MemberReminder.member_id == member.id)
            .options(so.selectinload(MemberReminder.sent_by))
            .order_by(MemberReminder.sent_at.desc())
        )
    )
    candidate = operations.candidates([member])[0]
    is_active = bool(member.organisation_id) and bool(operations.active_organisation_ids([member.organisation_id]))
    kvk_org = None
    if member.organisation_id is None:
        kvk_org = db.session.scalar(sa.select(Organisation).where(Organisation.kvk_number == member.kvk_number))
    return (
        render_template(
            "mkb/member.html",
            member=member,
            reminders=reminders,
            candidate=candidate,
            is_active=is_active,
            kvk_org=kvk_org,
            link_form=link_form or _link_form(member),
            confirm_form=ConfirmForm(),
            error=error,
        ),
        status,
    )


@bp.get("/mkb/leden/<int:member_id>")
@login_required
def member(member_id: int):
    """One member: its registry data, its organisation, linking, inviting and the reminders sent."""
    return _member_page(_load_member(member_id))


@bp.post("/mkb/leden/<int:member_id>/koppelen")
@login_required
def link_member(member_id: int):
    """Link the member by hand to the organisation whose KvK number was typed, or the one chosen."""
    member = _load_member(member_id)
    form = _link_form(member)
    if not form.validate_on_submit():
        return _member_page(member, error=form_error(form), status=400, link_form=form)
    organisation = None
    if form.kvk.data:
        organisation = db.session.scalar(sa.select(Organisation).where(Organisation.kvk_number == form.kvk.data))
        if organisation is None:
            message = _("Er is geen organisatie met KvK-nummer %(kvk)s op het platform.", kvk=form.kvk.data)
            return _member_page(member, error=message, status=400, link_form=form)
    elif (form.organisation.data or "").isdigit() and int(form.organisation.data) <= INT_MAX:
        organisation = db.session.get(Organisation, int(form.organisation.data))
    if organisation is None:
        message = _("Typ het KvK-nummer van de organisatie of kies er een uit de lijst.")
        return _member_page(member, error=message, status=400, link_form=form)
    try:
        operations.link_member(current_user, member, organisation)
    except OperationError as exc:
        refused(exc)
        return _member_page(db.session.get(MkbMember, member_id), error=exc.message, status=exc.status_code)
    flash(
        _("%(member)s is gekoppeld aan %(org)s.", member=member.name or member.kvk_number, org=organisation.name),
        "success",
    )
    return redirect(url_for("mkb.member", member_id=member.id))


@bp.post("/mkb/leden/<int:member_id>/ontkoppelen")
@login_required
def unlink_member(member_id: int):
    """Remove the member's link to its organisation."""
    member = _load_member(member_id)
    if not ConfirmForm().validate_on_submit():
        return _member_page(member, error=form_error(ConfirmForm()), status=400)
    try:
        operations.unlink_member(current_user, member)
    except OperationError as exc:
        refused(exc)
        return _member_page(db.session.get(MkbMember, member_id), error=exc.message, status=exc.status_code)
    flash(_("De koppeling van %(member)s is verwijderd.", member=member.name or member.kvk_number), "success")
    return redirect(url_for("mkb.member", member_id=member.id))


def _invite_form(member: MkbMember) -> InviteForm:
    form = InviteForm()
    if request.method == "GET":
        form.name.data = form.name.data or member.contact_name
        form.email.data = form.email.data or member.contact_email
    groups = db.session.scalars(sa.select(SectorGroup).order_by(SectorGroup.position, SectorGroup.name))
    form.sector.choices = [("", _("— kies een sectorgroep —"))] + [(str(g.id), g.name) for g in groups]
    return form


def _invite_page(member: MkbMember, form: InviteForm, *, error: str | None = None, status: int = 200):
    problem = None
    if not member.is_current:
        problem = _(
            "%(member)s is geen lid meer; een oud-lid nodigt u niet uit.", member=member.name or member.kvk_number
        )
    elif member.organisation_id is not None:
        problem = _("%(member)s is al gekoppeld aan %(org)s.", member=member.name, org=member.organisation.name)
    return render_template("mkb/member_invite.html", member=member, form=form, error=error, problem=problem), (
        status if not problem or error else 400
    )


@bp.route("/mkb/leden/<int:member_id>/uitnodigen", methods=["GET", "POST"])
@login_required
def invite_member(member_id: int):
    """GET: who will be invited (prefilled with the registry's contact); POST: create the organisation
    and invite the contact person as its admin."""
    member = _load_member(member_id)
    form = _invite_form(member)
    if request.method == "GET":
        return _invite_page(member, form)
    if not form.validate_on_submit():
        return _invite_page(member, form, status=400)
    sector = None
    if (form.sector.data or "").isdigit() and int(form.sector.data) <= INT_MAX:
        sector = db.session.get(SectorGroup, int(form.sector.data))
    try:
        person = operations.invite_member(
            current_user,
            member,
            email=form.email.data,
            name=form.name.data,
            function_title=form.function_title.data,
            sector_group=sector,
        )
    except OperationError as exc:
        refused(exc)
        member = db.session.get(MkbMember, member_id)
        return _invite_page(member, form, error=exc.message, status=exc.status_code)
    flash(
        _(
            "%(org)s staat nu op het platform. %(person)s krijgt een uitnodiging per e-mail.",
            org=person.organisation.name,
            person=person.name,
        ),
        "success",
    )
    return redirect(url_for("mkb.member", member_id=member.id))


# Reminders --------------------------------------------------------------------------------------


def _selection() -> tuple[list[MkbMember], SectorGroup | None, str | None]:
    """The members chosen by the query string (`lid`, repeated, or `sector`), the sector, and a
    message when the selection cannot be used. Ids that are not numbers or name no member are ignored."""
    sector_slug = (request.args.get("sector") or "").strip()
    if sector_slug:
        sector = db.session.scalar(sa.select(SectorGroup).where(SectorGroup.slug == sector_slug[:60]))
        if sector is None:
            return [], None, _("Deze sectorgroep bestaat niet. Kies een sector op het dashboard.")
        return operations.sector_members(sector), sector, None
    ids = []
    for raw in request.args.getlist("lid"):
        raw = raw.strip()
        if raw.isdigit() and int(raw) <= INT_MAX and int(raw) not in ids:
            ids.append(int(raw))
    if len(ids) > MAX_SELECTED:
        return [], None, _("Kies hoogstens %(max)d leden tegelijk.", max=MAX_SELECTED)
    members = []
    if ids:
        members = list(
            db.session.scalars(sa.select(MkbMember).where(MkbMember.id.in_(ids)).order_by(MkbMember.name, MkbMember.id))
        )
    if not members:
        return [], None, _("Kies op het dashboard of in de ledenlijst de leden die u wilt herinneren.")
    return members, None, None


def _remind_page(form: ReminderForm, *, error: str | None = None, status: int = 200):
    members, sector, problem = _selection()
    found = operations.candidates(members) if members else []
    eligible = [c for c in found if not c.problem]
    skipped = [c for c in found if c.problem]
    # Chosen one by one, one refusal stops the whole reminder; for a sector the others go ahead.
    blocked = bool(problem) or not eligible or (sector is None and bool(skipped))
    return (
        render_template(
            "mkb/remind.html",
            form=form,
            sector=sector,
            candidates=found,
            eligible=eligible,
            skipped=skipped,
            blocked=blocked,
            problem=problem,
            error=error,
            interval_days=operations.interval().days,
            action=request.full_path if request.query_string else request.path,
        ),
        status if not problem or request.method == "GET" else 400,
    )


@bp.route("/mkb/herinneringen", methods=["GET", "POST"])
@login_required
def remind():
    """GET: compose a reminder to the members chosen (`lid`) or a sector's (`sector`); POST: send it."""
    abort_unless_registry()
    form = ReminderForm()
    if request.method == "GET":
        form.subject.data = operations.default_subject()
        form.text.data = operations.default_text()
        return _remind_page(form)
    if not form.validate_on_submit():
        return _remind_page(form, status=400)
    members, sector, problem = _selection()
    if problem:
        return _remind_page(form, status=400)
    if sector is not None:
        members = [c.member for c in operations.candidates(members) if not c.problem]
        if not members:
            message = _("In %(sector)s is nu niemand te herinneren.", sector=sector.name)
            return _remind_page(form, error=message, status=400)
    try:
        reminders = operations.remind(current_user, members, subject=form.subject.data, text=form.text.data)
    except OperationError as exc:
        refused(exc)
        return _remind_page(form, error=exc.message, status=exc.status_code)
    mails = sum(r.recipients for r in reminders)
    flash(
        ngettext(
            "Herinnering verstuurd aan %(num)d lid (%(mails)d e-mails).",
            "Herinnering verstuurd aan %(num)d leden (%(mails)d e-mails).",
            len(reminders),
            mails=mails,
        ),
        "success",
    )
    return redirect(url_for("mkb.dashboard"))
