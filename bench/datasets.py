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


AUDIT_EVENTS = 50_000  # at 1x


def seed_audit_trail(scale: int, ctx: dict) -> str:
    """A long, valid hash chain of audit events: stage moves (public) and partner changes."""
    from partner_portal.core.audit import GENESIS_HASH, AuditEvent

    rnd = random.Random(53 + scale)
    last = db.session.execute(sa.select(AuditEvent.id, AuditEvent.hash).order_by(AuditEvent.id.desc()).limit(1)).first()
    next_id, prev_hash = (last.id + 1, last.hash) if last else (1, GENESIS_HASH)
    actor_ids = db.session.scalars(sa.select(User.id).where(User.staff_role.is_not(None))).all()
    org_ids = ctx.get("organisation_ids") or [None]
    from partner_portal.consultations.models import Consultation

    consultation_id = db.session.scalar(sa.select(Consultation.id).where(Consultation.slug == "binnenstad-assen"))
    now = utcnow()
    rows = []
    for n in range(AUDIT_EVENTS * scale):
        public = rnd.random() < 0.1
        event = AuditEvent(
            id=next_id + n,
            created_at=now,
            actor_id=rnd.choice(actor_ids),
            actor_name="Bench",
            organisation_id=None if public else rnd.choice(org_ids),
            action="consultation.stage_advance" if public else "organisation.update",
            object_type="consultation" if public else "organisation",
            object_id=consultation_id if public else 1,
            consultation_id=consultation_id if public else None,
            from_state=None,
            to_state=None,
            reason="",
            is_public=public,
            details="{}",
            request_id="",
            prev_hash=prev_hash,
        )
        event.hash = prev_hash = event.compute_hash()
        rows.append({c.key: getattr(event, c.key) for c in AuditEvent.__table__.columns})
    _insert(AuditEvent, rows)
    return f"audit trail: {len(rows)} events added"


SEEDERS: list[Callable[[int, dict], str]] = [seed_demo, seed_partners, seed_audit_trail]


def seed(scale: int) -> list[str]:
    ctx: dict = {}
    lines = []
    for seeder in SEEDERS:
        lines.append(seeder(scale, ctx))
        db.session.commit()
    return lines
