"""Views of the partner registry: thin wrappers around the operations."""

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from sqlalchemy import orm as so

from partner_portal import navigation
from partner_portal.auth import operations as auth_ops
from partner_portal.auth.links import send_invitation
from partner_portal.auth.models import ORG_ROLE_LABELS, STAFF_ROLE_LABELS, OrgRole, StaffRole, User
from partner_portal.auth.permissions import can_manage_people_of, can_manage_registry, can_manage_user
from partner_portal.core.errors import OperationError
from partner_portal.core.pagecache import shared_fragment
from partner_portal.core.transaction import refused
from partner_portal.extensions import db
from partner_portal.partners import bp, operations
from partner_portal.partners.forms import (
    DeactivateForm,
    InvitePersonForm,
    InviteStaffForm,
    OrganisationForm,
    PersonRoleForm,
    SearchForm,
    SectorGroupForm,
)
from partner_portal.partners.models import Organisation, OrganisationSector, SectorGroup

PER_PAGE = 25

navigation.register("partners.organisations", _l("Organisaties"), can_manage_registry, order=80)
navigation.register("partners.sector_groups", _l("Sectorgroepen"), can_manage_registry, order=81)
navigation.register("partners.users", _l("Gebruikers"), can_manage_registry, order=82)
navigation.register(
    "partners.own_organisation",
    _l("Mijn organisatie"),
    lambda u: u.is_authenticated and u.organisation_id is not None,
    order=20,
)
navigation.set_start_page(StaffRole.administrator, "partners.organisations")


def require_admin() -> None:
    if not can_manage_registry(current_user):
        abort(403)


def _sector_choices() -> list[tuple[int, str]]:
    return [(g.id, g.name) for g in db.session.scalars(sa.select(SectorGroup).order_by(SectorGroup.position))]


def _search_args() -> tuple[str, int]:
    form = SearchForm(request.args)
    q = form.q.data if form.validate() and form.q.data else ""
    page = request.args.get("page", 1, type=int)
    return q, max(page, 1)


# Sector groups ----------------------------------------------------------------------------


@bp.get("/beheer/sectorgroepen")
@login_required
def sector_groups():
    require_admin()
    page = _search_args()[1]
    pagination = db.paginate(
        sa.select(SectorGroup)
        .options(so.selectinload(SectorGroup.coordinators))
        .order_by(SectorGroup.position, SectorGroup.id),
        page=page,
        per_page=PER_PAGE,
        error_out=False,
    )
    group_ids = [group.id for group in pagination.items]
    counts = dict(
        db.session.execute(
            sa.select(OrganisationSector.sector_group_id, sa.func.count())
            .where(OrganisationSector.sector_group_id.in_(group_ids))
            .group_by(OrganisationSector.sector_group_id)
        ).all()
    )
    return render_template("partners/sector_groups.html", pagination=pagination, counts=counts)


@bp.route("/beheer/sectorgroepen/<int:group_id>", methods=["GET", "POST"])
@login_required
def edit_sector_group(group_id: int):
    require_admin()
    group = db.get_or_404(SectorGroup, group_id)
    form = SectorGroupForm(
        data={
            "name": group.name,
            "description": group.description,
            "version": group.version,
            "coordinators": [u.id for u in group.coordinators],
        }
    )
    form.coordinators.choices = [
        (u.id, f"{u.name} ({u.organisation.name})") for u in operations.eligible_coordinators(group)
    ]
    error = None
    if form.validate_on_submit():
        try:
            operations.update_sector_group(
                current_user,
                group,
                version=form.version.data,
                name=form.name.data,
                description=form.description.data,
                coordinator_ids=form.coordinators.data,
            )
        except OperationError as exc:
            error = refused(exc).message
        else:
            flash(_("Sectorgroep opgeslagen."), "success")
            return redirect(url_for("partners.sector_groups"))
    return render_template("partners/sector_group_form.html", form=form, group=group, error=error)


# Organisations ----------------------------------------------------------------------------


@bp.get("/beheer/organisaties")
@login_required
def organisations():
    require_admin()
    # The list is the same for every administrator: rendered once per change (see core/pagecache.py).
    return render_template(
        "shared_list.html", title=_("Organisaties"), content=shared_fragment("organisations", _organisations)
    )


def _organisations() -> str:
    q, page = _search_args()
    query = sa.select(Organisation).order_by(Organisation.name, Organisation.id)
    if q:
        like = f"%{q.lower()}%"
        query = query.where(sa.or_(sa.func.lower(Organisation.name).like(like), Organisation.kvk_number.like(like)))
    pagination = db.paginate(
        query.options(
            so.selectinload(Organisation.sectors).joinedload(OrganisationSector.sector_group),
            so.joinedload(Organisation.mkb_member),  # the list says whether each one is a member
        ),
        page=page,
        per_page=PER_PAGE,
        error_out=False,
    )
    return render_template("partners/_organisations.html", pagination=pagination, q=q)


def _organisation_form(org: Organisation | None) -> OrganisationForm:
    form = OrganisationForm(obj=org)
    choices = _sector_choices()
    form.primary_sector.choices = [("", _("Kies een sectorgroep")), *choices]
    form.other_sectors.choices = choices
    if org is not None and request.method == "GET":
        form.primary_sector.data = org.primary_sector.id if org.primary_sector else 0
        form.other_sectors.data = [m.sector_group_id for m in org.sectors if not m.is_primary]
    return form


def _organisation_values(form: OrganisationForm) -> dict:
    return {
        "name": form.name.data,
        "kvk_number": form.kvk_number.data,
        "primary_sector_id": form.primary_sector.data,
        "other_sector_ids": form.other_sectors.data or [],
        "contact_email": form.contact_email.data or "",
        "joint_authority": bool(form.joint_authority.data),
    }


@bp.route("/beheer/organisaties/nieuw", methods=["GET", "POST"])
@login_required
def new_organisation():
    require_admin()
    form = _organisation_form(None)
    error = None
    if form.validate_on_submit():
        try:
            org = operations.create_organisation(current_user, **_organisation_values(form))
        except OperationError as exc:
            error = refused(exc).message
        else:
            flash(_("Organisatie %(name)s is toegevoegd.", name=org.name), "success")
            return redirect(url_for("partners.organisation", org_id=org.id))
    return render_template("partners/organisation_form.html", form=form, org=None, error=error)


@bp.route("/beheer/organisaties/<int:org_id>", methods=["GET", "POST"])
@login_required
def organisation(org_id: int):
    require_admin()
    org = db.get_or_404(Organisation, org_id)
    form = _organisation_form(org)
    error = None
    if form.validate_on_submit():
        try:
            operations.update_organisation(current_user, org, version=form.version.data, **_organisation_values(form))
        except OperationError as exc:
            error = refused(exc).message
        else:
            flash(_("Organisatie opgeslagen."), "success")
            return redirect(url_for("partners.organisation", org_id=org.id))
    return render_template(
        "partners/organisation_form.html", form=form, org=org, error=error, archive_form=DeactivateForm()
    )


@bp.post("/beheer/organisaties/<int:org_id>/archiveren")
@login_required
def archive_organisation(org_id: int):
    require_admin()
    org = db.get_or_404(Organisation, org_id)
    if DeactivateForm().validate_on_submit():
        if org.is_active:
            operations.archive_organisation(current_user, org)
            flash(_("Organisatie %(name)s is gearchiveerd.", name=org.name), "success")
        else:
            operations.restore_organisation(current_user, org)
            flash(_("Organisatie %(name)s is weer actief.", name=org.name), "success")
    return redirect(url_for("partners.organisation", org_id=org.id))


# People -------------------------------------------------------------------------------------


@bp.get("/organisatie")
@login_required
def own_organisation():
    if current_user.organisation_id is None:
        abort(404)
    return redirect(url_for("partners.people", org_id=current_user.organisation_id))


def _load_visible_organisation(org_id: int) -> Organisation:
    org = db.get_or_404(Organisation, org_id)
    # Members may see who else works in their own organisation; managing is checked per action.
    if not (can_manage_registry(current_user) or current_user.organisation_id == org.id):
        abort(404)
    return org


@bp.route("/organisaties/<int:org_id>/mensen", methods=["GET", "POST"])
@login_required
def people(org_id: int):
    org = _load_visible_organisation(org_id)
    may_manage = can_manage_people_of(current_user, org.id)
    form = InvitePersonForm()
    invitation_link, error = None, None
    if request.method == "POST":
        if not may_manage:
            abort(403)
        if form.validate_on_submit():
            try:
                user = auth_ops.invite_user(
                    current_user,
                    email=form.email.data,
                    name=form.name.data,
                    function_title=form.function_title.data,
                    organisation=org,
                    org_role=OrgRole(form.org_role.data),
                )
            except OperationError as exc:
                error = refused(exc).message
            else:
                invitation_link = send_invitation(user, current_user)
                flash(_("%(name)s is uitgenodigd.", name=user.name), "success")
                form = InvitePersonForm(formdata=None)
    page = _search_args()[1]
    pagination = db.paginate(
        sa.select(User).where(User.organisation_id == org.id).order_by(User.is_active.desc(), User.name, User.id),
        page=page,
        per_page=PER_PAGE,
        error_out=False,
    )
    return render_template(
        "partners/people.html",
        org=org,
        pagination=pagination,
        form=form,
        may_manage=may_manage,
        invitation_link=invitation_link,
        error=error,
    )


@bp.get("/beheer/gebruikers")
@login_required
def users():
    require_admin()
    q, page = _search_args()
    query = sa.select(User).order_by(User.name, User.id).options(so.joinedload(User.organisation))
    if q:
        like = f"%{q.lower()}%"
        query = query.where(sa.or_(sa.func.lower(User.name).like(like), User.email.like(like)))
    pagination = db.paginate(query, page=page, per_page=PER_PAGE, error_out=False)
    return render_template("partners/users.html", pagination=pagination, q=q)


@bp.route("/beheer/medewerkers/uitnodigen", methods=["GET", "POST"])
@login_required
def invite_staff():
    require_admin()
    form = InviteStaffForm()
    invitation_link, error = None, None
    if form.validate_on_submit():
        try:
            user = auth_ops.invite_user(
                current_user,
                email=form.email.data,
                name=form.name.data,
                function_title=form.function_title.data,
                staff_role=StaffRole(form.staff_role.data),
            )
        except OperationError as exc:
            error = refused(exc).message
        else:
            invitation_link = send_invitation(user, current_user)
            flash(_("%(name)s is uitgenodigd.", name=user.name), "success")
            form = InviteStaffForm(formdata=None)
    return render_template("partners/invite_staff.html", form=form, invitation_link=invitation_link, error=error)


def _load_manageable_person(user_id: int) -> User:
    person = db.get_or_404(User, user_id)
    if not can_manage_registry(current_user):
        if person.organisation_id is None or person.organisation_id != current_user.organisation_id:
            abort(404)
        if not can_manage_people_of(current_user, person.organisation_id):
            abort(403)
    return person


@bp.route("/mensen/<int:user_id>", methods=["GET", "POST"])
@login_required
def person(user_id: int):
    person = _load_manageable_person(user_id)
    labels = STAFF_ROLE_LABELS if person.staff_role else ORG_ROLE_LABELS
    form = PersonRoleForm(data={"role": (person.staff_role or person.org_role).value})
    form.role.choices = [(k.value, v) for k, v in labels.items()]
    error, invitation_link = None, None
    if form.validate_on_submit():
        try:
            if person.staff_role:
                auth_ops.set_user_role(current_user, person, staff_role=StaffRole(form.role.data))
            else:
                auth_ops.set_user_role(current_user, person, org_role=OrgRole(form.role.data))
        except OperationError as exc:
            error = refused(exc).message
        else:
            flash(_("De rol van %(name)s is opgeslagen.", name=person.name), "success")
            return redirect(url_for("partners.person", user_id=person.id))
    return render_template(
        "partners/person.html",
        person=person,
        form=form,
        error=error,
        deactivate_form=DeactivateForm(),
        may_manage=can_manage_user(current_user, person),
        invitation_link=invitation_link,
    )


@bp.post("/mensen/<int:user_id>/status")
@login_required
def person_status(user_id: int):
    person = _load_manageable_person(user_id)
    form = DeactivateForm()
    if form.validate_on_submit():
        try:
            if person.is_active:
                auth_ops.deactivate_user(current_user, person, reason=form.reason.data or "")
                message = _("%(name)s is gedeactiveerd en overal uitgelogd.", name=person.name)
            else:
                auth_ops.reactivate_user(current_user, person)
                message = _("%(name)s is weer actief.", name=person.name)
        except OperationError as exc:
            flash(refused(exc).message, "error")
        else:
            flash(message, "success")
    return redirect(url_for("partners.person", user_id=person.id))


@bp.post("/mensen/<int:user_id>/uitnodiging")
@login_required
def resend_invitation(user_id: int):
    person = _load_manageable_person(user_id)
    if not can_manage_user(current_user, person) or person.has_password or not person.is_active:
        abort(403)
    form = DeactivateForm()
    invitation_link = None
    if form.validate_on_submit():
        invitation_link = auth_ops.resend_invitation(current_user, person)
        flash(_("De uitnodiging voor %(name)s is opnieuw verstuurd.", name=person.name), "success")
    labels = STAFF_ROLE_LABELS if person.staff_role else ORG_ROLE_LABELS
    role_form = PersonRoleForm(formdata=None, data={"role": (person.staff_role or person.org_role).value})
    role_form.role.choices = [(k.value, v) for k, v in labels.items()]
    return render_template(
        "partners/person.html",
        person=person,
        form=role_form,
        error=None,
        deactivate_form=DeactivateForm(formdata=None),
        may_manage=True,
        invitation_link=invitation_link,
    )
