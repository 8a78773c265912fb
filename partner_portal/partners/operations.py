"""State changes of the partner registry. Operations flush and audit; the request commits."""

import sqlalchemy as sa
from flask_babel import gettext as _

from partner_portal.auth.models import User
from partner_portal.auth.permissions import can_manage_registry
from partner_portal.core import audit
from partner_portal.core.errors import OperationError, PermissionDenied, check_version, flush_or_conflict
from partner_portal.extensions import db
from partner_portal.partners.models import Organisation, OrganisationSector, SectorGroup


def _require_admin(actor: User) -> None:
    if not can_manage_registry(actor):
        raise PermissionDenied(_("Alleen een beheerder kan het partnerregister wijzigen."))


def _set_sectors(org: Organisation, primary_id: int, other_ids: list[int]) -> None:
    wanted = {primary_id, *other_ids}
    groups = {g.id: g for g in db.session.scalars(sa.select(SectorGroup).where(SectorGroup.id.in_(wanted)))}
    if set(groups) != wanted:
        raise OperationError(_("Kies bestaande sectorgroepen."))
    existing = {m.sector_group_id: m for m in org.sectors}
    for gid, membership in existing.items():
        if gid not in wanted:
            org.sectors.remove(membership)
    # Clear the old primary first: the partial unique index allows one primary per organisation.
    for membership in org.sectors:
        membership.is_primary = False
    db.session.flush()
    for gid in wanted:
        if gid in existing and existing[gid] in org.sectors:
            existing[gid].is_primary = gid == primary_id
        else:
            org.sectors.append(OrganisationSector(sector_group=groups[gid], is_primary=gid == primary_id))


def _kvk_taken_message() -> str:
    return _("Er is al een organisatie met dit KvK-nummer.")


def create_organisation(
    actor: User,
    *,
    name: str,
    kvk_number: str,
    primary_sector_id: int,
    other_sector_ids: list[int] = (),
    contact_email: str = "",
    joint_authority: bool = False,
) -> Organisation:
    """Register a partner organisation. Raises PermissionDenied, OperationError or Conflict (KvK taken)."""
    _require_admin(actor)
    if db.session.scalar(sa.select(Organisation.id).where(Organisation.kvk_number == kvk_number)):
        raise OperationError(_kvk_taken_message())
    org = Organisation(
        name=name,
        kvk_number=kvk_number,
        contact_email=contact_email.lower(),
        joint_authority=bool(joint_authority),
    )
    db.session.add(org)
    _set_sectors(org, primary_sector_id, list(other_sector_ids))
    flush_or_conflict(_kvk_taken_message())
    audit.record(actor, "organisation.create", org, to_state="active", organisation_id=org.id)
    return org


def update_organisation(
    actor: User,
    org: Organisation,
    *,
    version,
    name: str,
    kvk_number: str,
    primary_sector_id: int,
    other_sector_ids: list[int] = (),
    contact_email: str = "",
    joint_authority: bool = False,
) -> None:
    """Change an organisation's details. Raises Conflict when the form's version is stale."""
    _require_admin(actor)
    check_version(org, version)
    clash = db.session.scalar(
        sa.select(Organisation.id).where(Organisation.kvk_number == kvk_number, Organisation.id != org.id)
    )
    if clash:
        raise OperationError(_kvk_taken_message())
    org.name = name
    org.kvk_number = kvk_number
    org.contact_email = contact_email.lower()
    org.joint_authority = bool(joint_authority)
    _set_sectors(org, primary_sector_id, list(other_sector_ids))
    flush_or_conflict(_kvk_taken_message())
    audit.record(actor, "organisation.update", org, organisation_id=org.id)


def archive_organisation(actor: User, org: Organisation) -> None:
    """Archive: the organisation and its people can no longer act; history stays."""
    _require_admin(actor)
    if not org.is_active:
        raise OperationError(_("Deze organisatie is al gearchiveerd."))
    org.is_active = False
    for user in org.users:
        if user.is_active:
            user.session_version += 1
    audit.record(actor, "organisation.archive", org, from_state="active", to_state="archived", organisation_id=org.id)


def restore_organisation(actor: User, org: Organisation) -> None:
    _require_admin(actor)
    if org.is_active:
        raise OperationError(_("Deze organisatie is al actief."))
    org.is_active = True
    audit.record(actor, "organisation.restore", org, from_state="archived", to_state="active", organisation_id=org.id)


def update_sector_group(
    actor: User, group: SectorGroup, *, version, name: str, description: str, coordinator_ids: list[int]
) -> None:
    """Rename a sector group and set its coordinators (people of organisations in that sector)."""
    _require_admin(actor)
    check_version(group, version)
    eligible = {u.id: u for u in eligible_coordinators(group)}
    if not set(coordinator_ids) <= set(eligible):
        raise OperationError(_("Een coördinator moet werken bij een organisatie in deze sectorgroep."))
    group.name = name
    group.description = description
    group.coordinators = [eligible[i] for i in coordinator_ids]
    flush_or_conflict(_("Er is al een sectorgroep met deze naam."))
    audit.record(actor, "sector_group.update", group, details={"coordinators": sorted(coordinator_ids)})


def eligible_coordinators(group: SectorGroup) -> list[User]:
    return list(
        db.session.scalars(
            sa.select(User)
            .join(Organisation, User.organisation_id == Organisation.id)
            .join(OrganisationSector, OrganisationSector.organisation_id == Organisation.id)
            .where(OrganisationSector.sector_group_id == group.id, User.is_active, Organisation.is_active)
            .order_by(User.name)
        )
    )
