"""The queries of the engagement dashboard: which current members took part, in what, and per sector.

Everything counted here comes from `activity.activities` (public activity only, never a draft),
aggregated in SQL, so the dashboard, its exports and the per-sector view agree. A page of
members costs a fixed number of statements: one for the page (with each member's last activity
and last reminder), one for the count, and one per kind of detail for all members of the page.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy import orm as so

from partner_portal.commitments.models import Commitment, CommitmentState, Signature
from partner_portal.consultations.models import Consultation
from partner_portal.core.models import UTCDateTime, utcnow
from partner_portal.core.text import contains
from partner_portal.endorsements.models import Endorsement
from partner_portal.extensions import db
from partner_portal.initiatives.models import CoInitiator, Initiative, InitiativeState, InvitationState
from partner_portal.mkb.activity import SIGNED_STATES, activities, has_activity, last_activity_at
from partner_portal.mkb.models import MemberReminder, MkbMember
from partner_portal.partners.models import Organisation, OrganisationSector, SectorGroup
from partner_portal.responses.models import FormalResponse, ResponseState

PER_PAGE = 25
RECENT_DAYS = 30
WEEKS = 26
ACTIVE, NOT_YET = "actief", "nog-niet"
STATUSES = (ACTIVE, NOT_YET)
SORTS = ("naam", "kvk", "sector", "laatste-activiteit")
UP, DOWN = "op", "af"
# Query arguments of the filtered view, in the order links carry them.
ARGS = ("sector", "status", "consultatie", "q", "sorteer", "richting")


@dataclass
class Filters:
    """What the dashboard shows: read from the query arguments; anything unknown is ignored, with a message."""

    sector: SectorGroup | None = None
    status: str | None = None
    consultation: Consultation | None = None
    q: str = ""
    sort: str = "naam"
    direction: str = UP
    page: int = 1
    problems: list[str] = field(default_factory=list)
    # Whose formal response the sector groups' column shows: the chosen consultation, else the
    # featured one (else the newest), so that a page lists one response per member, not one per round.
    response_consultation: Consultation | None = None

    @property
    def consultation_id(self) -> int | None:
        return self.consultation.id if self.consultation else None

    def args(self, **changes) -> dict[str, str]:
        """The query arguments of this view (without defaults and the page), with `changes` applied."""
        values = {
            "sector": self.sector.slug if self.sector else None,
            "status": self.status,
            "consultatie": self.consultation.slug if self.consultation else None,
            "q": self.q or None,
            "sorteer": self.sort if self.sort != "naam" else None,
            "richting": self.direction if self.direction != UP else None,
        }
        values.update(changes)
        return {key: value for key, value in values.items() if value}


def read_filters(args, sectors: list[SectorGroup], consultations: list[Consultation]) -> Filters:
    """The filters from request.args; unknown values are dropped and named in `problems`."""
    f = Filters()
    slug = (args.get("sector") or "").strip()
    if slug:
        f.sector = next((s for s in sectors if s.slug == slug), None)
        if f.sector is None:
            f.problems.append(_("Onbekende sector; het filter op sector is weggelaten."))
    status = (args.get("status") or "").strip()
    if status:
        if status in STATUSES:
            f.status = status
        else:
            f.problems.append(_("Onbekende stand; het filter op actief of nog niet actief is weggelaten."))
    slug = (args.get("consultatie") or "").strip()
    if slug:
        f.consultation = next((c for c in consultations if c.slug == slug), None)
        if f.consultation is None:
            f.problems.append(_("Onbekende consultatie; alle consultaties worden getoond."))
    f.response_consultation = f.consultation or next(
        (c for c in consultations if c.is_featured), consultations[0] if consultations else None
    )
    f.q = " ".join((args.get("q") or "").replace("\x00", "").split())[:100]
    sort = args.get("sorteer") or "naam"
    if sort in SORTS:
        f.sort = sort
    else:
        f.problems.append(_("Onbekende sortering; gesorteerd op naam."))
    direction = args.get("richting") or UP
    f.direction = direction if direction in (UP, DOWN) else UP
    page = args.get("page", "1")
    f.page = int(page) if page.isdigit() and len(page) < 7 else 1
    f.page = max(f.page, 1)
    return f


def sector_choices() -> list[SectorGroup]:
    return list(db.session.scalars(sa.select(SectorGroup).order_by(SectorGroup.position, SectorGroup.name)))


def consultation_choices() -> list[Consultation]:
    """The consultations whose activity counts (public ones; a draft consultation has none)."""
    return [c for c in db.session.scalars(sa.select(Consultation).order_by(Consultation.id.desc())) if c.is_public]


def _conditions(f: Filters) -> list:
    """Current members, narrowed by the filters."""
    conditions = [MkbMember.ended_on.is_(None)]
    if f.sector is not None:
        conditions.append(MkbMember.sector_group_id == f.sector.id)
    if f.status:
        active = MkbMember.organisation_id.is_not(None) & has_activity(
            MkbMember.organisation_id, consultation_id=f.consultation_id
        )
        conditions.append(active if f.status == ACTIVE else ~active)
    if f.q:
        conditions.append(sa.or_(contains(MkbMember.name, f.q), contains(MkbMember.kvk_number, f.q)))
    return conditions


def members_select(f: Filters, *, limit: int | None = None, offset: int = 0) -> sa.Select:
    """Current members, filtered and sorted, as rows (MkbMember, last activity, last reminder).

    In two steps, in one statement: the ids of the page in their order (only what sorting needs),
    then the members of those ids with their last activity and last reminder, so that these are
    computed for the page's members only."""
    descending = f.direction == DOWN

    def ordered(column):
        return column.desc() if descending else column.asc()

    ids = sa.select(MkbMember.id).where(*_conditions(f))
    if f.sort == "kvk":
        order = [ordered(MkbMember.kvk_number)]
    elif f.sort == "sector":
        sector = so.aliased(SectorGroup, name="sort_sector")
        ids = ids.outerjoin(sector, sector.id == MkbMember.sector_group_id)
        order = [MkbMember.sector_group_id.is_(None), ordered(sector.position), ordered(sector.name)]
        order += [MkbMember.name, MkbMember.kvk_number]
    elif f.sort == "laatste-activiteit":
        # Sorting needs everyone's last activity: one aggregate over the activities beats one
        # correlated maximum per member. Members without any activity come last either way.
        act = activities(consultation_id=f.consultation_id)
        latest = (
            sa.select(act.c.organisation_id, sa.func.max(act.c.at).label("at"))
            .group_by(act.c.organisation_id)
            .subquery("latest")
        )
        ids = ids.outerjoin(latest, latest.c.organisation_id == MkbMember.organisation_id)
        order = [latest.c.at.is_(None), ordered(latest.c.at), MkbMember.name, MkbMember.kvk_number]
    else:
        order = [ordered(MkbMember.name), ordered(MkbMember.kvk_number)]
    order.append(MkbMember.id)
    ids = ids.add_columns(sa.func.row_number().over(order_by=order).label("position")).order_by(*order)
    if limit is not None:
        ids = ids.limit(limit).offset(offset)
    page = ids.subquery("page")
    last_at = last_activity_at(MkbMember.organisation_id, consultation_id=f.consultation_id).label("last_at")
    reminded = (
        sa.select(sa.func.max(MemberReminder.sent_at))
        .where(MemberReminder.member_id == MkbMember.id)
        .correlate(MkbMember)
        .scalar_subquery()
    )
    return (
        sa.select(MkbMember, last_at, reminded.label("reminded_at"))
        .join(page, page.c.id == MkbMember.id)
        .order_by(page.c.position)
    )


def _eager(query: sa.Select) -> sa.Select:
    return query.options(
        so.joinedload(MkbMember.organisation)
        .selectinload(Organisation.sectors)
        .joinedload(OrganisationSector.sector_group)
    )


@dataclass
class Page:
    """One page of rows, with what the core `pagination_nav` macro reads."""

    items: list
    page: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        return max(math.ceil(self.total / self.per_page), 1)

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def prev_num(self) -> int:
        return self.page - 1

    @property
    def next_num(self) -> int:
        return self.page + 1


@dataclass
class MemberRow:
    """One member with everything the dashboard shows about it."""

    member: MkbMember
    last_at: datetime | None
    reminded_at: datetime | None
    endorsed_responses: list[FormalResponse] = field(default_factory=list)
    endorsed_initiatives: list[Initiative] = field(default_factory=list)
    endorsed_commitments: list[Commitment] = field(default_factory=list)
    signatures: list[Signature] = field(default_factory=list)
    leads: list[Initiative] = field(default_factory=list)
    co_initiates: list[Initiative] = field(default_factory=list)
    group_responses: list[FormalResponse] = field(default_factory=list)

    @property
    def organisation(self) -> Organisation | None:
        return self.member.organisation

    @property
    def is_active(self) -> bool:
        return self.last_at is not None

    @property
    def sector_groups(self) -> list[SectorGroup]:
        """The registry's sector first, then the organisation's sector groups on the platform."""
        groups = [self.member.sector_group] if self.member.sector_group else []
        if self.organisation is not None:
            groups += [g for g in self.organisation.sector_groups if g not in groups]
        return groups


def member_page(f: Filters) -> Page:
    """The page `f.page` of the filtered members (the last page when beyond it), details filled in."""
    # Counted apart, without the last activity: a window count would compute it for every member.
    total = db.session.scalar(sa.select(sa.func.count()).select_from(MkbMember).where(*_conditions(f)))
    page = min(f.page, max(math.ceil(total / PER_PAGE), 1))
    rows = db.session.execute(_eager(members_select(f, limit=PER_PAGE, offset=(page - 1) * PER_PAGE))).unique()
    members = [MemberRow(m, last, reminded) for m, last, reminded in rows]
    return Page(with_details(members, f), page, PER_PAGE, total)


def all_member_rows(f: Filters, chunk: int = 500):
    """Every filtered member (for the exports), details filled in, `chunk` members at a time."""
    rows = db.session.execute(_eager(members_select(f))).unique().all()
    for start in range(0, len(rows), chunk):
        yield from with_details([MemberRow(m, last, reminded) for m, last, reminded in rows[start : start + chunk]], f)


# What the dashboard shows of each item (its title, link and state), not its texts.
_INITIATIVE_COLUMNS = (
    Initiative.id, Initiative.title, Initiative.state, Initiative.consultation_id, Initiative.lead_organisation_id,
    Initiative.submitted_at,
)  # fmt: skip
_RESPONSE_COLUMNS = (
    FormalResponse.id, FormalResponse.state, FormalResponse.consultation_id, FormalResponse.sector_group_id,
    FormalResponse.publication,
)  # fmt: skip
_COMMITMENT_COLUMNS = (Commitment.id, Commitment.title, Commitment.state, Commitment.consultation_id)
_CONSULTATION_COLUMNS = (Consultation.id, Consultation.slug, Consultation.title, Consultation.status)


def with_details(rows: list[MemberRow], f: Filters) -> list[MemberRow]:
    """Fill in what each member endorsed, signed, leads and co-initiates, and its group's responses
    (one statement per kind for all `rows`; only what is public, never a draft)."""
    by_org = {row.member.organisation_id: row for row in rows if row.member.organisation_id is not None}
    org_ids = list(by_org)
    consultation_id = f.consultation_id
    if org_ids:
        in_consultation = (lambda column: column == consultation_id) if consultation_id else (lambda column: sa.true())
        initiative_options = (
            so.load_only(*_INITIATIVE_COLUMNS),
            so.joinedload(Initiative.consultation).load_only(*_CONSULTATION_COLUMNS),
            so.lazyload(Initiative.lead_organisation),
        )
        # Every kind of endorsement in one statement: the item is the response, initiative or commitment.
        endorsed_response = so.aliased(FormalResponse, name="endorsed_response")
        endorsed_initiative = so.aliased(Initiative, name="endorsed_initiative")
        endorsed_commitment = so.aliased(Commitment, name="endorsed_commitment")
        for org_id, response, initiative, commitment in db.session.execute(
            sa.select(Endorsement.organisation_id, endorsed_response, endorsed_initiative, endorsed_commitment)
            .outerjoin(endorsed_response, endorsed_response.id == Endorsement.formal_response_id)
            .outerjoin(endorsed_initiative, endorsed_initiative.id == Endorsement.initiative_id)
            .outerjoin(endorsed_commitment, endorsed_commitment.id == Endorsement.commitment_id)
            .where(
                Endorsement.organisation_id.in_(org_ids),
                Endorsement.withdrawn_at.is_(None),
                sa.or_(
                    sa.and_(
                        endorsed_response.state != ResponseState.draft,
                        in_consultation(endorsed_response.consultation_id),
                    ),
                    sa.and_(
                        endorsed_initiative.state != InitiativeState.draft,
                        in_consultation(endorsed_initiative.consultation_id),
                    ),
                    sa.and_(
                        endorsed_commitment.state != CommitmentState.draft,
                        in_consultation(endorsed_commitment.consultation_id),
                    ),
                ),
            )
            .options(
                so.load_only(*(getattr(endorsed_response, c.key) for c in _RESPONSE_COLUMNS)),
                so.joinedload(endorsed_response.consultation).load_only(*_CONSULTATION_COLUMNS),
                so.joinedload(endorsed_response.sector_group),
                so.load_only(*(getattr(endorsed_initiative, c.key) for c in _INITIATIVE_COLUMNS)),
                so.joinedload(endorsed_initiative.consultation).load_only(*_CONSULTATION_COLUMNS),
                so.lazyload(endorsed_initiative.lead_organisation),
                so.load_only(*(getattr(endorsed_commitment, c.key) for c in _COMMITMENT_COLUMNS)),
                so.joinedload(endorsed_commitment.consultation).load_only(*_CONSULTATION_COLUMNS),
            )
            .order_by(Endorsement.endorsed_at, Endorsement.id)
        ):
            if response is not None:
                by_org[org_id].endorsed_responses.append(response)
            elif initiative is not None:
                by_org[org_id].endorsed_initiatives.append(initiative)
            elif commitment is not None:
                by_org[org_id].endorsed_commitments.append(commitment)
        for signature in db.session.scalars(
            sa.select(Signature)
            .join(Signature.commitment)
            .where(
                Signature.organisation_id.in_(org_ids),
                Signature.state.in_(SIGNED_STATES),
                Commitment.state != CommitmentState.draft,
                in_consultation(Commitment.consultation_id),
            )
            .options(
                so.contains_eager(Signature.commitment).load_only(*_COMMITMENT_COLUMNS),
                so.contains_eager(Signature.commitment)
                .joinedload(Commitment.consultation)
                .load_only(*_CONSULTATION_COLUMNS),
                so.joinedload(Signature.funding_source),
            )
            .order_by(Signature.signed_at, Signature.id)
        ):
            by_org[signature.organisation_id].signatures.append(signature)
        # Initiatives led and co-initiated in one statement: (initiative id, organisation, leads?).
        roles = sa.union_all(
            sa.select(
                Initiative.id.label("initiative_id"),
                Initiative.lead_organisation_id.label("organisation_id"),
                sa.literal(True).label("leads"),
            ).where(Initiative.lead_organisation_id.in_(org_ids)),
            sa.select(CoInitiator.initiative_id, CoInitiator.organisation_id, sa.literal(False)).where(
                CoInitiator.organisation_id.in_(org_ids), CoInitiator.state == InvitationState.accepted
            ),
        ).subquery("roles")
        for org_id, leads, initiative in db.session.execute(
            sa.select(roles.c.organisation_id, roles.c.leads, Initiative)
            .join(roles, roles.c.initiative_id == Initiative.id)
            .where(
                Initiative.state != InitiativeState.draft,
                Initiative.submitted_at.is_not(None),
                in_consultation(Initiative.consultation_id),
            )
            .options(*initiative_options)
            .order_by(Initiative.submitted_at, Initiative.id)
        ):
            (by_org[org_id].leads if leads else by_org[org_id].co_initiates).append(initiative)
    group_ids = {row.member.sector_group_id for row in rows if row.member.sector_group_id is not None}
    if group_ids:
        responses = defaultdict(list)
        query = (
            sa.select(FormalResponse)
            .where(FormalResponse.sector_group_id.in_(group_ids), FormalResponse.state != ResponseState.draft)
            .options(
                so.load_only(*_RESPONSE_COLUMNS),
                so.joinedload(FormalResponse.consultation).load_only(*_CONSULTATION_COLUMNS),
            )
            .order_by(FormalResponse.consultation_id.desc())
        )
        if f.response_consultation is not None:
            query = query.where(FormalResponse.consultation_id == f.response_consultation.id)
        for response in db.session.scalars(query):
            if response.consultation.is_public:
                responses[response.sector_group_id].append(response)
        for row in rows:
            row.group_responses = responses.get(row.member.sector_group_id, [])
    return rows


# Per sector ------------------------------------------------------------------------------------


@dataclass
class SectorNumbers:
    """Members of one registry sector (None: without a sector), and how many of them took part."""

    sector: SectorGroup | None
    members: int = 0
    active: int = 0
    active_recent: int = 0

    @staticmethod
    def share(part: int, whole: int) -> int:
        return round(100 * part / whole) if whole else 0

    @property
    def share_active(self) -> int:
        return self.share(self.active, self.members)

    @property
    def share_recent(self) -> int:
        return self.share(self.active_recent, self.members)


def sector_numbers(consultation_id: int | None = None, now: datetime | None = None) -> tuple[list, SectorNumbers]:
    """Per registry sector (in the sector groups' order, "without a sector" last) and in total:
    current members, those with any activity, and those with activity in the last 30 days."""
    now = now or utcnow()
    org = MkbMember.organisation_id
    ever = has_activity(org, consultation_id=consultation_id)
    recent = has_activity(org, consultation_id=consultation_id, since=now - timedelta(days=RECENT_DAYS))
    counts = {
        group_id: (members, active, active_recent)
        for group_id, members, active, active_recent in db.session.execute(
            sa.select(
                MkbMember.sector_group_id,
                sa.func.count(MkbMember.id),
                sa.func.count(sa.case((org.is_not(None) & ever, 1))),
                sa.func.count(sa.case((org.is_not(None) & recent, 1))),
            )
            .where(MkbMember.ended_on.is_(None))
            .group_by(MkbMember.sector_group_id)
        )
    }
    rows = [SectorNumbers(s, *counts.get(s.id, (0, 0, 0))) for s in sector_choices()]
    if None in counts:
        rows.append(SectorNumbers(None, *counts[None]))
    total = SectorNumbers(
        None,
        sum(r.members for r in rows),
        sum(r.active for r in rows),
        sum(r.active_recent for r in rows),
    )
    return rows, total


@dataclass
class Week:
    start: datetime
    activities: int = 0
    members: int = 0  # members with at least one activity that week

    @property
    def axis_label(self) -> str:
        """The chart's short label under a bar: day-month ("7-12"), the same in both languages."""
        return f"{self.start.day}-{self.start.month}"


def week_start(moment: datetime) -> datetime:
    """Monday 00:00 UTC of the week of `moment`."""
    day = moment.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    return day - timedelta(days=day.weekday())


def weekly(consultation_id: int | None = None, now: datetime | None = None, weeks: int = WEEKS) -> list[Week]:
    """Activities of current members per week over the last `weeks` weeks (this week last), counted in SQL."""
    start = week_start(now or utcnow()) - timedelta(weeks=weeks - 1)
    current = (
        sa.select(MkbMember.organisation_id)
        .where(MkbMember.ended_on.is_(None), MkbMember.organisation_id.is_not(None))
        .scalar_subquery()
    )
    act = activities(consultation_id=consultation_id, since=start, organisation_ids=current)
    origin = sa.literal(start, UTCDateTime)
    if db.engine.dialect.name == "sqlite":
        index = sa.cast((sa.func.julianday(act.c.at) - sa.func.julianday(origin)) / 7, sa.Integer)
    else:
        index = sa.cast(sa.func.floor(sa.extract("epoch", act.c.at - origin) / 604800), sa.Integer)
    index = index.label("week")
    result = [Week(start + timedelta(weeks=n)) for n in range(weeks)]
    for n, count, members in db.session.execute(
        sa.select(index, sa.func.count(), sa.func.count(sa.distinct(act.c.organisation_id))).group_by(index)
    ):
        if n is not None and 0 <= n < weeks:
            result[n].activities, result[n].members = count, members
    return result
