"""Demo data for Assen: sector groups, fictitious organisations and the demo accounts.

Idempotent: rows are looked up by their natural key (slug, KvK number, e-mail) first.
Features add their own demo data as further steps in SEED_STEPS.
"""

from datetime import date

import sqlalchemy as sa

from partner_portal.auth.models import OrgRole, StaffRole, User
from partner_portal.auth.passwords import hash_password
from partner_portal.core.models import utcnow
from partner_portal.extensions import db
from partner_portal.mkb.models import MkbMember
from partner_portal.partners.models import Organisation, OrganisationSector, SectorGroup

DEMO_PASSWORD = "binnenstad-demo"  # noqa: S105 (published demo password)

SECTOR_GROUPS = [
    ("horeca", "Horeca", "Cafés, restaurants, hotels en lunchrooms in de binnenstad."),
    ("cultuur", "Cultuur", "Musea, theaters, bibliotheek en culturele instellingen."),
    ("retail", "Retail (detailhandel)", "Winkels en winkelketens in het kernwinkelgebied."),
    ("vastgoed", "Vastgoed", "Eigenaren en beleggers van panden in de binnenstad."),
    ("toerisme-leisure", "Toerisme & leisure", "Toerisme, recreatie, evenementen en vrije tijd."),
]

# (KvK, name, sector slug, MKB member number or None, contact e-mail). All fictitious.
ORGANISATIONS = [
    ("60000001", "Grand Café De Brink", "horeca", "MKB-1001", "info@grandcafedebrink.example"),
    ("60000002", "Eetcafé Het Koopmanshuis", "horeca", "MKB-1002", "info@koopmanshuis.example"),
    ("60000003", "Hotel De Vaart", "horeca", None, "receptie@hoteldevaart.example"),
    ("60000004", "Lunchroom Oudestraat", "horeca", "MKB-1004", "hallo@lunchroomoudestraat.example"),
    ("60000011", "Stichting Drents Erfgoedhuis", "cultuur", None, "info@erfgoedhuis.example"),
    ("60000012", "Theater De Kolk Assen", "cultuur", None, "info@theaterdekolk.example"),
    ("60000013", "Galerie Weiersstraat", "cultuur", "MKB-1013", "galerie@weiersstraat.example"),
    ("60000021", "Boekhandel Het Forum", "retail", "MKB-1021", "info@boekhandelforum.example"),
    ("60000022", "Modehuis Ceresstraat", "retail", "MKB-1022", "info@modehuisceres.example"),
    ("60000023", "Schoenen Van der Veen", "retail", "MKB-1023", "winkel@vanderveen.example"),
    ("60000024", "Kaashandel Koopmansplein", "retail", None, "kaas@koopmansplein.example"),
    ("60000031", "Binnenstad Vastgoed Assen BV", "vastgoed", "MKB-1031", "beheer@bvassen.example"),
    ("60000032", "Pandbeheer Noord-Drenthe", "vastgoed", None, "info@pandbeheernd.example"),
    ("60000041", "Stichting Assen Promotie", "toerisme-leisure", None, "info@assenpromotie.example"),
    ("60000042", "Fietsverhuur De Kop van de Vaart", "toerisme-leisure", "MKB-1042", "fiets@kopvandevaart.example"),
    ("60000043", "Evenementenbureau Drentse Dagen", "toerisme-leisure", "MKB-1043", "info@drentsedagen.example"),
]
# Organisations in a second sector group too.
EXTRA_SECTORS = {"60000003": ["toerisme-leisure"], "60000031": ["retail"]}

# (e-mail, name, function, KvK of organisation or None, org role, staff role, coordinator of)
ACCOUNTS = [
    ("admin@example.org", "Anne Beheerder", "Functioneel beheerder", None, None, StaffRole.administrator, None),
    (
        "moderator@example.org",
        "Mark de Moderator",
        "Beleidsmedewerker binnenstad, gemeente Assen",
        None,
        None,
        StaffRole.moderator,
        None,
    ),
    (
        "procesmanager@example.org",
        "Petra Procesmanager",
        "Procesmanager visie binnenstad",
        None,
        None,
        StaffRole.process_manager,
        None,
    ),
    ("mkb@example.org", "Maarten van MKB Assen", "Secretaris MKB Assen", None, None, StaffRole.mkb_staff, None),
    ("horeca@example.org", "Hanna Horeca", "Eigenaar", "60000001", OrgRole.org_admin, None, "horeca"),
    ("cultuur@example.org", "Kees Cultuur", "Directeur", "60000011", OrgRole.org_admin, None, "cultuur"),
    ("retail@example.org", "Rita Retail", "Bedrijfsleider", "60000021", OrgRole.org_admin, None, "retail"),
    ("vastgoed@example.org", "Victor Vastgoed", "Directeur", "60000031", OrgRole.org_admin, None, "vastgoed"),
    ("toerisme@example.org", "Tessa Toerisme", "Coördinator", "60000041", OrgRole.org_admin, None, "toerisme-leisure"),
    ("lid.horeca@example.org", "Lars Lid", "Bedrijfsleider", "60000002", OrgRole.member, None, None),
    ("tekenbevoegd.horeca@example.org", "Tamara Tekenbevoegd", "Eigenaar", "60000002", OrgRole.signatory, None, None),
    # Hotel De Vaart's statutes need two signatories together (gezamenlijk bevoegd).
    ("directie.hoteldevaart@example.org", "Hendrik Vaartjes", "Directeur", "60000003", OrgRole.signatory, None, None),
    (
        "financien.hoteldevaart@example.org",
        "Fenna Geldof",
        "Financieel directeur",
        "60000003",
        OrgRole.signatory,
        None,
        None,
    ),
]
# Organisations whose signature needs two signatories (joint authority).
JOINT_AUTHORITY = {"60000003"}


def seed_partners() -> str:
    groups = {}
    for position, (slug, name, description) in enumerate(SECTOR_GROUPS):
        group = db.session.scalar(sa.select(SectorGroup).where(SectorGroup.slug == slug))
        if group is None:
            group = SectorGroup(slug=slug, name=name, description=description, position=position)
            db.session.add(group)
        groups[slug] = group
    db.session.flush()

    orgs = {}
    for kvk, name, sector, _mkb_number, email in ORGANISATIONS:
        org = db.session.scalar(sa.select(Organisation).where(Organisation.kvk_number == kvk))
        if org is None:
            org = Organisation(
                name=name,
                kvk_number=kvk,
                contact_email=email,
                joint_authority=kvk in JOINT_AUTHORITY,
            )
            org.sectors.append(OrganisationSector(sector_group=groups[sector], is_primary=True))
            for extra in EXTRA_SECTORS.get(kvk, []):
                org.sectors.append(OrganisationSector(sector_group=groups[extra], is_primary=False))
            db.session.add(org)
        orgs[kvk] = org
    db.session.flush()
    for kvk, name, sector, mkb_number, _email in ORGANISATIONS:
        if mkb_number and db.session.scalar(sa.select(MkbMember.id).where(MkbMember.kvk_number == kvk)) is None:
            db.session.add(
                MkbMember(
                    kvk_number=kvk,
                    name=name,
                    member_number=mkb_number,
                    sector_group=groups[sector],
                    member_since=date(2012, 1, 1),
                    organisation=orgs[kvk],
                )
            )
    db.session.flush()

    password_hash = hash_password(DEMO_PASSWORD)
    created = 0
    for email, name, function, kvk, org_role, staff_role, coordinates in ACCOUNTS:
        user = db.session.scalar(sa.select(User).where(User.email == email))
        if user is None:
            user = User(
                email=email,
                name=name,
                function_title=function,
                organisation=orgs[kvk] if kvk else None,
                org_role=org_role,
                staff_role=staff_role,
                password_hash=password_hash,
                activated_at=utcnow(),
            )
            db.session.add(user)
            created += 1
        if coordinates and user not in groups[coordinates].coordinators:
            groups[coordinates].coordinators.append(user)
    db.session.flush()
    return f"partners: {len(groups)} sector groups, {len(orgs)} organisations, {created} new accounts"


def seed_consultations() -> str:
    from partner_portal.consultations.demo import seed_consultation

    return seed_consultation()


def seed_responses() -> str:
    from partner_portal.responses.demo import seed_responses as seed

    return seed()


def seed_initiatives() -> str:
    from partner_portal.initiatives.demo import seed_initiatives as seed

    return seed()


def seed_commitments() -> str:
    from partner_portal.commitments.demo import seed_commitments as seed

    return seed()


def seed_members() -> str:
    from partner_portal.mkb.demo import seed_members as seed

    return seed()


SEED_STEPS = [seed_partners, seed_consultations, seed_responses, seed_initiatives, seed_commitments, seed_members]


def seed() -> str:
    """Run every seed step; returns a summary line per step."""
    return "\n".join(step() for step in SEED_STEPS)
