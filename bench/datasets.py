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
from partner_portal.mkb.models import MkbMember
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
    orgs, sectors, members = [], [], []
    for i in range(n_orgs):
        org_id = first_id + i
        member = rnd.random() < 0.4
        orgs.append(
            {
                "id": org_id,
                "name": f"{rnd.choice(_NAMES)} {rnd.choice(_STREETS)} {org_id}",
                "kvk_number": f"{80_000_000 + org_id:08d}",
                "contact_email": f"info{org_id}@bench.example",
                "is_active": rnd.random() > 0.03,
                "created_at": now,
                "updated_at": now,
                "version": 1,
            }
        )
        primary = rnd.choice(groups)
        if member:  # in MKB Assen's registry, matched by KvK number
            members.append(
                {
                    "kvk_number": orgs[-1]["kvk_number"],
                    "name": orgs[-1]["name"],
                    "member_number": f"B-{org_id}",
                    "sector_group_id": primary,
                    "contact_email": f"contact{org_id}@bench.example",
                    "member_since": date(2015, 1, 1),
                    "organisation_id": org_id,
                    "created_at": now,
                    "updated_at": now,
                    "version": 1,
                }
            )
        sectors.append({"organisation_id": org_id, "sector_group_id": primary, "is_primary": True})
        if rnd.random() < 0.33:
            other = rnd.choice([g for g in groups if g != primary])
            sectors.append({"organisation_id": org_id, "sector_group_id": other, "is_primary": False})
    _insert(Organisation, orgs)
    _insert(OrganisationSector, sectors)
    _insert(MkbMember, members)

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


CONSULTATIONS = 200  # at 1x, each with 5 formal responses and their revisions


def _next_id(model) -> int:
    return (db.session.scalar(sa.select(sa.func.max(model.id))) or 0) + 1


def seed_responses(scale: int, ctx: dict) -> str:
    """Consultations with six themes, five formal responses each (one per sector group) in mixed
    states, their positions, revisions, endorsements and, for accepted ones, the gemeente's answers."""
    import json

    from partner_portal.consultations.models import Consultation, Stage, Theme
    from partner_portal.endorsements.models import Endorsement
    from partner_portal.responses.models import (
        FormalResponse,
        ResponseRevision,
        ThemeAnswer,
        ThemePosition,
    )

    rnd = random.Random(2018 + scale)
    groups = db.session.scalars(sa.select(SectorGroup.id).order_by(SectorGroup.position)).all()[:5]
    org_ids = ctx.get("organisation_ids") or [None]
    author = db.session.scalar(sa.select(User.id).where(User.email == "horeca@example.org"))
    now = utcnow()
    ids = {m: _next_id(m) for m in (Consultation, Theme, Stage, FormalResponse, ThemePosition, ResponseRevision)}
    ids[ThemeAnswer], ids[Endorsement] = _next_id(ThemeAnswer), _next_id(Endorsement)
    rows: dict = {m: [] for m in ids}
    states = ["accepted", "accepted", "submitted", "in_review", "changes_requested"]
    positions = ["supports", "supports_with_conditions", "does_not_support", "no_position"]
    stage_plan = [("opstellen", False), ("reactie", True), ("verwerking", False)]

    def new(model, **values):
        values["id"] = ids[model]
        ids[model] += 1
        rows[model].append(values)
        return values["id"]

    for n in range(CONSULTATIONS * scale):
        cid = new(
            Consultation,
            slug=f"bench-{scale}-{n}",
            title=f"Visie binnenstad {n}",
            city="Assen",
            goal="Een krachtige binnenstad.",
            status="published",
            is_featured=False,
            current_position=1,
            published_at=now,
            created_at=now,
            updated_at=now,
            version=1,
        )
        theme_ids = [
            new(Theme, consultation_id=cid, position=t, slug=f"thema-{t}", title=f"Thema {t + 1}", summary="")
            for t in range(6)
        ]
        for position, (key, opens) in enumerate(stage_plan):
            new(
                Stage,
                consultation_id=cid,
                position=position,
                key=key,
                title=key.capitalize(),
                description="",
                starts_on=date(2017, 1 + 4 * position, 1),
                ends_on=date(2017, 4 + 4 * position, 28),
                opens_responses=opens,
                opens_initiatives=False,
                opens_signing=False,
                version=1,
            )
        for g, group_id in enumerate(groups):
            state = states[g]
            accepted = state == "accepted"
            rid = new(
                FormalResponse,
                consultation_id=cid,
                sector_group_id=group_id,
                state=state,
                statement="Wij steunen de visie, met enkele voorwaarden. " * 5,
                collaboration_stance="joins_with_conditions",
                collaboration_conditions="Een eerlijke verdeling van de bijdrage.",
                publication="not_public" if g == 1 else "public",
                created_by_id=author,
                last_edited_by_id=author,
                submitted_by_id=author,
                submitted_at=now,
                review_started_at=None if state == "submitted" else now,
                changes_requested_at=now if state == "changes_requested" else None,
                accepted_at=now if accepted else None,
                answered_at=now if accepted else None,
                created_at=now,
                updated_at=now,
                version=3,
            )
            content = []
            for tid in theme_ids:
                position = rnd.choice(positions)
                new(ThemePosition, response_id=rid, theme_id=tid, position=position, explanation="Toelichting. " * 8)
                content.append({"theme_id": tid, "position": position})
                if accepted:
                    new(ThemeAnswer, response_id=rid, theme_id=tid, verdict="adopted", explanation="Overgenomen. " * 4,
                        drafted_by_id=None, drafted_at=now)  # fmt: skip
            for number in range(1, rnd.choice((2, 3))):
                new(ResponseRevision, response_id=rid, number=number, content=json.dumps({"themes": content}),
                    submitted_by_id=author, submitted_at=now)  # fmt: skip
            if org_ids[0] is not None:
                new(Endorsement, formal_response_id=rid, organisation_id=rnd.choice(org_ids), endorsed_by_id=None,
                    endorsed_at=now)  # fmt: skip
    for model in (Consultation, Theme, Stage, FormalResponse, ThemePosition, ThemeAnswer, ResponseRevision):
        _insert(model, rows[model])
    # One endorsement per organisation per response: random picks may repeat, keep the first.
    seen, endorsements = set(), []
    for row in rows[Endorsement]:
        if (row["formal_response_id"], row["organisation_id"]) not in seen:
            seen.add((row["formal_response_id"], row["organisation_id"]))
            endorsements.append(row)
    _insert(Endorsement, endorsements)
    if db.engine.dialect.name == "postgresql":
        for model in ids:
            table = model.__tablename__
            db.session.execute(
                sa.text(
                    f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), (SELECT max(id) FROM \"{table}\"))"
                )
            )
    ctx["bench_consultation"] = f"bench-{scale}-0"
    return (
        f"responses: {len(rows[Consultation])} consultations, {len(rows[FormalResponse])} responses, "
        f"{len(rows[ResponseRevision])} revisions, {len(rows[ThemeAnswer])} answers"
    )


SEEDERS.append(seed_responses)


# `BENCH_SMOKE=1` and tests/test_bench_data.py: the same data set, small enough to seed in seconds
# (at least 8 consultations: the mixed workload gives each of its workers a draft of its own).
SMOKE_SIZES = {
    "ORGANISATIONS": 120,  # the demo alone has 64
    "USERS": 150,
    "AUDIT_EVENTS": 200,
    "CONSULTATIONS": 10,
    "INITIATIVES": 40,
    "COMMITMENTS": 5,
    "SIGNATURES_PER_COMMITMENT": 20,
    "MKB_MEMBERS": 80,
    "MKB_ENDED": 3,
    "MKB_ACTIVITIES": 600,
}


INITIATIVES = 5_000  # at 1x, on the demo consultation (binnenstad-assen), with their ledger and execution


def seed_initiatives(scale: int, ctx: dict) -> str:
    """Initiatives on the Assen consultation in every state, led by bench organisations: themes,
    a location, requests on two sources, grants that stay within each source, three milestones,
    updates, an endorsement and a follower each for those in the programme."""
    from partner_portal.consultations.models import Consultation, FundingSource, Location, Theme
    from partner_portal.endorsements.models import Endorsement
    from partner_portal.initiatives import ledger, search
    from partner_portal.initiatives.models import (
        Follower,
        FundingRequest,
        Grant,
        Initiative,
        InitiativeLocation,
        InitiativeTheme,
        Milestone,
        ProgressUpdate,
        Spending,
    )

    rnd = random.Random(2019 + scale)
    cid = db.session.scalar(sa.select(Consultation.id).where(Consultation.slug == "binnenstad-assen"))
    themes = db.session.scalars(sa.select(Theme.id).where(Theme.consultation_id == cid)).all()
    locations = db.session.scalars(sa.select(Location.id).where(Location.consultation_id == cid)).all()
    sources = db.session.execute(
        sa.select(FundingSource.id, FundingSource.amount_euros).where(FundingSource.consultation_id == cid)
    ).all()
    org_ids = ctx.get("organisation_ids") or []
    if not (cid and themes and locations and sources and org_ids):
        return "initiatives: skipped (no demo consultation or organisations)"
    user_ids = db.session.scalars(sa.select(User.id).where(User.organisation_id.is_not(None)).limit(500)).all()
    n = INITIATIVES * scale
    states = ["adopted", "in_progress", "in_progress", "completed", "declined", "submitted", "in_review", "draft"]
    in_programme = {"adopted", "in_progress", "completed"}
    n_funded = sum(1 for i in range(n) if states[i % len(states)] in in_programme)
    # Each funded initiative gets the same grant per source: together at most 80 % of what the demo's
    # initiatives left of every source.
    granted = dict(
        db.session.execute(
            sa.select(Grant.funding_source_id, sa.func.sum(Grant.amount_cents)).group_by(Grant.funding_source_id)
        ).all()
    )
    grant_cents = {
        sid: ((amount * 100 - (granted.get(sid) or 0)) * 8 // 10) // max(n_funded, 1) for sid, amount in sources[:2]
    }
    now = utcnow()
    models = (Initiative, InitiativeTheme, InitiativeLocation, FundingRequest, Grant, Spending, Milestone,
              ProgressUpdate, Endorsement, Follower)  # fmt: skip
    ids = {m: _next_id(m) for m in models if m not in (InitiativeTheme, InitiativeLocation)}
    rows: dict = {m: [] for m in models}

    def new(model, **values):
        if model in ids:
            values["id"] = ids[model]
            ids[model] += 1
        rows[model].append(values)
        return values.get("id")

    for i in range(n):
        state = states[i % len(states)]
        funded = state in in_programme
        request = {sid: max(cents, 100) for sid, cents in grant_cents.items()}
        total = sum(request.values()) * 2
        stamps = {
            "submitted_at": None if state == "draft" else now,
            "review_started_at": now if state not in ("draft", "submitted") else None,
            "adopted_at": now if funded else None,
            "declined_at": now if state == "declined" else None,
            "started_at": now if state in ("in_progress", "completed") else None,
            "completed_at": now if state == "completed" else None,
        }
        iid = new(
            Initiative,
            consultation_id=cid,
            lead_organisation_id=rnd.choice(org_ids),
            state=state,
            title=f"{rnd.choice(_NAMES)} aan de {rnd.choice(_STREETS)}: initiatief {i}",
            summary="Een initiatief dat de binnenstad aantrekkelijker maakt voor bezoekers en ondernemers.",
            description="Wij willen samen met de buren de straat vernieuwen. " * 6,
            expected_effect="Meer bezoekers en minder leegstand.",
            planned_start=date(2018, 1 + i % 12, 1),
            planned_end=date(2021, 1 + i % 12, 28),
            total_cost_cents=total,
            own_contribution_cents=total - sum(request.values()),
            answer="Past in het uitvoeringsprogramma." if funded else ("Past niet." if state == "declined" else ""),
            closing_reason="Past niet." if state == "declined" else "",
            created_at=now,
            updated_at=now,
            version=2,
            **stamps,
        )
        theme_ids, location_id = rnd.sample(themes, 2), rnd.choice(locations)
        for tid in theme_ids:
            new(InitiativeTheme, initiative_id=iid, theme_id=tid)
        new(InitiativeLocation, initiative_id=iid, location_id=location_id)
        row = rows[Initiative][-1]
        row["search_words"] = search.words_of(row["title"], row["summary"])
        row["search_tags"] = search.tags_of(theme_ids, [location_id])
        for sid, cents in request.items():
            new(FundingRequest, initiative_id=iid, funding_source_id=sid, amount_cents=cents)
            if funded:
                new(Grant, initiative_id=iid, funding_source_id=sid, amount_cents=cents, granted_at=now)
                new(Spending, initiative_id=iid, funding_source_id=sid, amount_cents=cents // 2, reported_at=now)
        if not funded:
            continue
        done = 3 if state == "completed" else (1 + i % 2 if state == "in_progress" else 0)
        for m in range(3):
            new(Milestone, initiative_id=iid, title=f"Mijlpaal {m + 1}", planned_on=date(2019, 1 + 4 * m, 1),
                done_on=date(2019, 2 + 4 * m, 1) if m < done else None, weight=1 + m, version=1)  # fmt: skip
        for u in range(1 + i % 2):
            new(ProgressUpdate, initiative_id=iid, body="De werkzaamheden lopen volgens planning. " * 3,
                happened_on=date(2019, 3 + u, 1), author_id=rnd.choice(user_ids) if user_ids else None,
                created_at=now, hidden_reason="")  # fmt: skip
        new(Endorsement, initiative_id=iid, organisation_id=rnd.choice(org_ids), endorsed_at=now)
        if user_ids:
            new(Follower, initiative_id=iid, user_id=rnd.choice(user_ids), created_at=now)
    for model in models:
        _insert(model, rows[model])
    ledger.rebuild(cid)  # the rows went in behind the operations' back
    if db.engine.dialect.name == "postgresql":
        for model in ids:
            table = model.__tablename__
            db.session.execute(
                sa.text(
                    f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), (SELECT max(id) FROM \"{table}\"))"
                )
            )
    return (
        f"initiatives: {len(rows[Initiative])} initiatives, {len(rows[Grant])} grants, "
        f"{len(rows[Milestone])} milestones, {len(rows[ProgressUpdate])} updates"
    )


SEEDERS.append(seed_initiatives)


COMMITMENTS = 200  # at 1x, on the demo consultation (binnenstad-assen)
SIGNATURES_PER_COMMITMENT = 100


def seed_commitments(scale: int, ctx: dict) -> str:
    """Open commitments on the Assen consultation, each signed by SIGNATURES_PER_COMMITMENT bench
    organisations: money (toward Private partijen), hours or no pledge; one in five on a second
    version with a fifth of its signatures on the first (stale)."""
    from partner_portal.commitments import codes
    from partner_portal.commitments.canonical import text_hash
    from partner_portal.commitments.models import Commitment, CommitmentVersion, Signature
    from partner_portal.consultations.models import Consultation, FundingSource

    rnd = random.Random(2020 + scale)
    cid = db.session.scalar(sa.select(Consultation.id).where(Consultation.slug == "binnenstad-assen"))
    org_ids = ctx.get("organisation_ids") or []
    if not cid or len(org_ids) < SIGNATURES_PER_COMMITMENT:
        return "commitments: skipped (no demo consultation or too few organisations)"
    private = db.session.scalar(
        sa.select(FundingSource.id).where(
            FundingSource.consultation_id == cid, FundingSource.name == "Private partijen"
        )
    )
    orgs = {
        o.id: (o.name, o.kvk_number)
        for o in db.session.execute(sa.select(Organisation.id, Organisation.name, Organisation.kvk_number))
    }
    signer = {}
    for user_id, org_id in db.session.execute(
        sa.select(User.id, User.organisation_id).where(User.organisation_id.in_(org_ids))
    ):
        signer.setdefault(org_id, user_id)
    now = utcnow()
    ids = {m: _next_id(m) for m in (Commitment, CommitmentVersion, Signature)}
    rows: dict = {Commitment: [], CommitmentVersion: [], Signature: []}
    for n in range(COMMITMENTS * scale):
        commitment_id = ids[Commitment] + n
        title = f"Afspraken {rnd.choice(_STREETS)} {n}"
        texts = ["De ondertekenaars werken samen aan een levendige binnenstad. " * 8]
        if n % 5 == 0:
            texts.append(texts[0] + "\n\nZij doen dat ten minste drie jaar.")
        rows[Commitment].append(
            {"id": commitment_id, "consultation_id": cid, "state": "open", "title": title, "text": texts[-1],
             "invited": "all", "threshold_organisations": SIGNATURES_PER_COMMITMENT * 2, "allows_money": True,
             "allows_hours": True, "allows_in_kind": True, "current_version": len(texts), "closing_reason": "",
             "opened_at": now, "created_at": now, "updated_at": now, "version": 1}
        )  # fmt: skip
        hashes = []
        for number, text in enumerate(texts, start=1):
            hashes.append(text_hash(title, text))
            rows[CommitmentVersion].append(
                {"id": ids[CommitmentVersion], "commitment_id": commitment_id, "number": number, "title": title,
                 "text": text, "text_hash": hashes[-1], "created_at": now}
            )  # fmt: skip
            ids[CommitmentVersion] += 1
        for i, org_id in enumerate(rnd.sample(org_ids, SIGNATURES_PER_COMMITMENT)):
            number = 1 if len(texts) == 2 and i % 5 == 0 else len(texts)
            kind = ("money", "hours", "none")[i % 3]
            name, kvk = orgs[org_id]
            rows[Signature].append(
                {"id": ids[Signature], "commitment_id": commitment_id, "organisation_id": org_id,
                 "organisation_name": name, "organisation_kvk": kvk, "state": "complete",
                 "signer_id": signer.get(org_id), "signer_name": "Bench Tekenaar", "signer_function": "Directeur",
                 "signed_at": now, "auth_method": "password", "version_number": number,
                 "version_hash": hashes[number - 1], "pledge_kind": kind,
                 "pledge_cents": 100_000 + i * 100 if kind == "money" else None,
                 "funding_source_id": private if kind == "money" else None,
                 "pledge_hours": 10 + i if kind == "hours" else None, "pledge_in_kind": "",
                 "verification_code": codes.new_code(), "completed_at": now}
            )  # fmt: skip
            ids[Signature] += 1
    for model in (Commitment, CommitmentVersion, Signature):
        _insert(model, rows[model])
    if db.engine.dialect.name == "postgresql":
        for model in (Commitment, CommitmentVersion, Signature):
            table = model.__tablename__
            db.session.execute(
                sa.text(
                    f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), (SELECT max(id) FROM \"{table}\"))"
                )
            )
    return f"commitments: {len(rows[Commitment])} commitments, {len(rows[Signature])} signatures"


SEEDERS.append(seed_commitments)


MKB_MEMBERS = 2_000  # at 1x: current members of MKB Assen's registry, most matched to bench organisations
MKB_MATCHED = 0.85  # the share of them matched to an organisation on the portal (as far as there are any)
MKB_ENDED = 50  # at 1x: former members (ended), not shown
MKB_ACTIVITIES = 50_000  # at 1x: endorsements, signatures and co-initiatives together, topped up here


def seed_mkb(scale: int, ctx: dict) -> str:
    """MKB Assen's registry at its full size: members matched to bench organisations by KvK number (in
    their primary sector group), the rest not on the portal (a third with a KvK number starting with 0),
    some former members; then endorsements of initiatives and accepted co-initiatives by members, spread
    over the last 26 weeks, until endorsements, signatures and co-initiatives number MKB_ACTIVITIES."""
    from datetime import timedelta

    from partner_portal.commitments.models import Signature
    from partner_portal.endorsements.models import Endorsement
    from partner_portal.initiatives.models import CoInitiator, Initiative

    rnd = random.Random(2021 + scale)
    now = utcnow()
    members = dict(db.session.execute(sa.select(MkbMember.kvk_number, MkbMember.organisation_id)).all())
    target = MKB_MEMBERS * scale
    primary = dict(
        db.session.execute(
            sa.select(OrganisationSector.organisation_id, OrganisationSector.sector_group_id).where(
                OrganisationSector.is_primary
            )
        ).all()
    )
    matched = {org_id for org_id in members.values() if org_id is not None}
    free = [
        (org_id, name, kvk)
        for org_id, name, kvk in db.session.execute(
            sa.select(Organisation.id, Organisation.name, Organisation.kvk_number).order_by(Organisation.id)
        )
        if org_id not in matched and kvk not in members
    ]
    rnd.shuffle(free)
    groups = db.session.scalars(sa.select(SectorGroup.id).order_by(SectorGroup.position)).all()

    def member(kvk: str, name: str, number: str, group, org_id=None, ended=None) -> dict:
        return {"kvk_number": kvk, "name": name, "member_number": number, "sector_group_id": group,
                "contact_name": "Contactpersoon", "contact_email": f"lid{number}@bench.example", "postcode": "9401 AA",
                "member_since": date(2016, 1, 1), "organisation_id": org_id, "linked_by_hand": False,
                "ended_on": ended, "created_at": now, "updated_at": now, "version": 1}  # fmt: skip

    rows = []
    n_matched = max(int(target * MKB_MATCHED) - len(matched), 0)
    for org_id, name, kvk in free[:n_matched]:
        rows.append(member(kvk, name, f"M-{org_id}", primary.get(org_id), org_id))
        matched.add(org_id)
    n_unmatched = max(target - len(members) - len(rows), 0)
    for i in range(n_unmatched):
        kvk = f"{i:08d}" if i % 3 == 0 else f"{90_000_000 + i:08d}"
        if kvk in members:
            continue
        group = None if i % 20 == 0 else rnd.choice(groups)
        rows.append(member(kvk, f"{rnd.choice(_NAMES)} {rnd.choice(_STREETS)} lid {i}", f"U-{i}", group))
    for i in range(MKB_ENDED * scale):
        rows.append(
            member(f"{97_000_000 + i:08d}", f"Oud-lid {i}", f"E-{i}", rnd.choice(groups), None, date(2024, 1, 1))
        )
    _insert(MkbMember, rows)

    def count(model) -> int:
        return db.session.scalar(sa.select(sa.func.count()).select_from(model)) or 0

    have = count(Endorsement) + count(Signature) + count(CoInitiator)
    needed = max(MKB_ACTIVITIES * scale - have, 0)
    initiatives = db.session.execute(
        sa.select(Initiative.id, Initiative.lead_organisation_id).where(Initiative.state != "draft")
    ).all()
    member_orgs = sorted(matched)
    endorsed = set(
        db.session.execute(
            sa.select(Endorsement.initiative_id, Endorsement.organisation_id).where(
                Endorsement.initiative_id.is_not(None)
            )
        ).all()
    )
    co = set(db.session.execute(sa.select(CoInitiator.initiative_id, CoInitiator.organisation_id)).all())
    endorsements, co_initiators = [], []
    tries = 0
    while initiatives and member_orgs and len(endorsements) + len(co_initiators) < needed and tries < needed * 3:
        tries += 1
        initiative_id, lead = rnd.choice(initiatives)
        org_id = rnd.choice(member_orgs)
        at = now - timedelta(seconds=rnd.randrange(182 * 86_400))
        if len(co_initiators) * 2 < len(endorsements):  # one co-initiative to two endorsements
            if org_id == lead or (initiative_id, org_id) in co:
                continue
            co.add((initiative_id, org_id))
            co_initiators.append(
                {"initiative_id": initiative_id, "organisation_id": org_id, "state": "accepted", "invited_at": at,
                 "answered_at": at}
            )  # fmt: skip
        else:
            if (initiative_id, org_id) in endorsed:
                continue
            endorsed.add((initiative_id, org_id))
            endorsements.append(
                {"initiative_id": initiative_id, "organisation_id": org_id, "endorsed_at": at, "withdrawal_reason": ""}
            )
    _insert(Endorsement, endorsements)
    _insert(CoInitiator, co_initiators)
    return (
        f"mkb: {len(rows)} registry rows added ({len(matched)} matched), {len(endorsements)} endorsements and "
        f"{len(co_initiators)} co-initiatives added, {have + len(endorsements) + len(co_initiators)} activities in all"
    )


SEEDERS.append(seed_mkb)
