"""The benchmark's data set, built by a list of seed functions that features extend.

Each seeder is `fn(scale: int, ctx: dict) -> str`: it adds its realistic volume times `scale`
with bulk inserts, may leave ids in `ctx` for later seeders (e.g. `ctx["organisation_ids"]`),
and returns a one-line summary. A feature appends its own seeder to SEEDERS.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import date

import sqlalchemy as sa

from partner_portal import demo
from partner_portal.auth.models import OrgRole, User
from partner_portal.auth.passwords import hash_password
from partner_portal.core.models import utcnow
from partner_portal.extensions import db
from partner_portal.partners.models import Organisation, OrganisationSector, SectorGroup

ORGANISATIONS = 2_000  # at 1x, including the demo organisations
USERS = 6_000  # at 1x, including the demo accounts
BATCH = 2_000

_NAMES = [
    "Bakkerij",
    "Café",
    "Boekhandel",
    "Studio",
    "Atelier",
    "Modehuis",
    "Hotel",
    "Stichting",
    "Vastgoed",
    "Galerie",
]
_STREETS = ["Brink", "Oudestraat", "Ceresstraat", "Weiersstraat", "Koopmansplein", "Rolderstraat", "Vaart", "Forum"]


def _insert(model, rows: list[dict]) -> None:
    for start in range(0, len(rows), BATCH):
        db.session.execute(sa.insert(model), rows[start : start + BATCH])


def seed_demo(scale: int, ctx: dict) -> str:
    """The demo accounts, so that each role can log in (password binnenstad-demo)."""
    return demo.seed()


def seed_partners(scale: int, ctx: dict) -> str:
    """Organisations (about 1 in 3 in a second sector group, 40 % MKB members) with 3 people each."""
    rnd = random.Random(2017 + scale)
    groups = db.session.scalars(sa.select(SectorGroup.id).order_by(SectorGroup.position)).all()
    have_orgs = db.session.scalar(sa.select(sa.func.count()).select_from(Organisation))
    have_users = db.session.scalar(sa.select(sa.func.count()).select_from(User))
    n_orgs = ORGANISATIONS * scale - have_orgs
    first_id = (db.session.scalar(sa.select(sa.func.max(Organisation.id))) or 0) + 1
    now = utcnow()
    orgs, sectors = [], []
    for i in range(n_orgs):
        org_id = first_id + i
        member = rnd.random() < 0.4
        orgs.append(
            {
                "id": org_id,
                "name": f"{rnd.choice(_NAMES)} {rnd.choice(_STREETS)} {org_id}",
                "kvk_number": f"{80_000_000 + org_id:08d}",
                "contact_email": f"info{org_id}@bench.example",
                "mkb_member_number": f"B-{org_id}" if member else None,
                "mkb_member_since": date(2015, 1, 1) if member else None,
                "is_active": rnd.random() > 0.03,
                "created_at": now,
                "updated_at": now,
                "version": 1,
            }
        )
        primary = rnd.choice(groups)
        sectors.append({"organisation_id": org_id, "sector_group_id": primary, "is_primary": True})
        if rnd.random() < 0.33:
            other = rnd.choice([g for g in groups if g != primary])
            sectors.append({"organisation_id": org_id, "sector_group_id": other, "is_primary": False})
    _insert(Organisation, orgs)
    _insert(OrganisationSector, sectors)

    password_hash = hash_password("bench-" + demo.DEMO_PASSWORD)
    roles = [OrgRole.org_admin, OrgRole.signatory, OrgRole.member]
    n_users = USERS * scale - have_users
    users = []
    for i in range(n_users):
        org = orgs[i % len(orgs)] if orgs else None
        if org is None:
            break
        users.append(
            {
                "email": f"persoon{scale}-{i}@bench.example",
                "name": f"Persoon {i}",
                "function_title": "",
                "organisation_id": org["id"],
                "org_role": roles[(i // len(orgs)) % 3],
                "staff_role": None,
                "locale": "nl",
                "password_hash": password_hash,
                "is_active": True,
                "session_version": 1,
                "activated_at": now,
                "created_at": now,
                "updated_at": now,
            }
        )
    _insert(User, users)
    ctx["organisation_ids"] = [org["id"] for org in orgs]
    if db.engine.dialect.name == "postgresql":
        # Explicit ids were inserted: move the sequences past them.
        for table in ("organisation", "user"):
            db.session.execute(
                sa.text(
                    f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), (SELECT max(id) FROM \"{table}\"))"
                )
            )
    return f"partners: {len(orgs)} organisations, {len(sectors)} sector memberships, {len(users)} people added"


SEEDERS: list[Callable[[int, dict], str]] = [seed_demo, seed_partners]


def seed(scale: int) -> list[str]:
    ctx: dict = {}
    lines = []
    for seeder in SEEDERS:
        lines.append(seeder(scale, ctx))
        db.session.commit()
    return lines
