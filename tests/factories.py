"""Factories for test data: small functions that build valid rows with sensible defaults."""

import itertools

from partner_portal.auth.models import OrgRole, StaffRole, User
from partner_portal.auth.passwords import hash_password
from partner_portal.core.models import utcnow
from partner_portal.extensions import db
from partner_portal.mkb.models import MkbMember
from partner_portal.partners.models import Organisation, OrganisationSector, SectorGroup

PASSWORD = "een-lang-testwachtwoord"
_HASH = hash_password(PASSWORD)
_seq = itertools.count(1)


def sector_group(slug: str | None = None, name: str | None = None) -> SectorGroup:
    n = next(_seq)
    group = SectorGroup(slug=slug or f"sector-{n}", name=name or f"Sector {n}", position=n)
    db.session.add(group)
    db.session.flush()
    return group


def organisation(
    group: SectorGroup | None = None, name: str | None = None, kvk: str | None = None, mkb: bool = False, **kwargs
) -> Organisation:
    n = next(_seq)
    org = Organisation(
        name=name or f"Organisatie {n}",
        kvk_number=kvk or f"{70000000 + n:08d}",
        **kwargs,
    )
    group = group or sector_group()
    org.sectors.append(OrganisationSector(sector_group=group, is_primary=True))
    db.session.add(org)
    if mkb:
        mkb_member(org.kvk_number, name=org.name, sector=group, organisation=org)
    db.session.flush()
    return org


def mkb_member(kvk: str | None = None, *, sector: SectorGroup | None = None, **kwargs) -> MkbMember:
    """A current row of MKB Assen's member registry (matched to `organisation=` when given)."""
    n = next(_seq)
    member = MkbMember(
        kvk_number=kvk or f"{40000000 + n:08d}",
        name=kwargs.pop("name", f"Lid {n}"),
        member_number=kwargs.pop("member_number", f"T-{n}"),
        sector_group=sector,
        member_since=kwargs.pop("member_since", utcnow().date()),
        **kwargs,
    )
    db.session.add(member)
    db.session.flush()
    return member


def user(
    org: Organisation | None = None,
    role: OrgRole | StaffRole = OrgRole.member,
    email: str | None = None,
    name: str | None = None,
    password: str | None = PASSWORD,
    **kwargs,
) -> User:
    n = next(_seq)
    is_staff = isinstance(role, StaffRole)
    if not is_staff and org is None:
        org = organisation()
    person = User(
        email=email or f"persoon{n}@example.org",
        name=name or f"Persoon {n}",
        organisation=None if is_staff else org,
        org_role=None if is_staff else role,
        staff_role=role if is_staff else None,
        password_hash=_HASH if password == PASSWORD else (hash_password(password) if password else None),
        activated_at=utcnow() if password else None,
        **kwargs,
    )
    db.session.add(person)
    db.session.flush()
    return person


def coordinator(group: SectorGroup, org: Organisation | None = None, **kwargs) -> User:
    person = user(org or organisation(group), OrgRole.org_admin, **kwargs)
    group.coordinators.append(person)
    db.session.flush()
    return person


def commit() -> None:
    db.session.commit()
