"""State changes of MKB Assen's registry: link a member by hand, invite it, remind members.

Operations check permission, change, record the audit event and queue mail; they flush but never
commit (the request commits once). A refusal is an OperationError with a Dutch message.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _

from partner_portal.auth.models import OrgRole, User
from partner_portal.auth.operations import find_user_by_email, normalise_email
from partner_portal.auth.roles import ENDORSERS
from partner_portal.core import audit
from partner_portal.core.dates import date_text
from partner_portal.core.errors import Conflict, OperationError, flush_or_conflict
from partner_portal.core.models import utcnow
from partner_portal.extensions import db
from partner_portal.mkb.activity import activities
from partner_portal.mkb.models import MemberReminder, MkbMember
from partner_portal.mkb.permissions import require_registry
from partner_portal.notifications import notify
from partner_portal.partners.models import Organisation, OrganisationSector, SectorGroup

SUBJECT_MAX = 200
TEXT_MAX = 5000
REMINDER_KIND = "mkb_reminder"


def _label(member: MkbMember) -> str:
    return member.name or member.kvk_number


# Linking ----------------------------------------------------------------------------------------


def link_member(actor, member: MkbMember, organisation: Organisation) -> None:
    """Link a member to a partner organisation by hand (a different KvK number, a holding, a typo).

    Precondition: actor uses the registry; the organisation is active and linked to no other
    member; the member is not linked to it already. Transition: member.organisation set,
    linked_by_hand. Side effect: audit "mkb_member.link". Raises PermissionDenied,
    OperationError or Conflict (the organisation belongs to another member).
    """
    require_registry(actor)
    if not organisation.is_active:
        raise OperationError(
            _("%(org)s is gearchiveerd; koppel het lid aan een actieve organisatie.", org=organisation.name)
        )
    if member.organisation_id == organisation.id:
        raise OperationError(_("%(member)s is al gekoppeld aan %(org)s.", member=_label(member), org=organisation.name))
    other = db.session.scalar(
        sa.select(MkbMember).where(MkbMember.organisation_id == organisation.id, MkbMember.id != member.id)
    )
    if other is not None:
        raise Conflict(
            _(
                "%(org)s is al gekoppeld aan het lid %(other)s (KvK %(kvk)s). Ontkoppel dat lid eerst.",
                org=organisation.name,
                other=_label(other),
                kvk=other.kvk_number,
            )
        )
    previous = member.organisation_id
    member.organisation = organisation
    member.linked_by_hand = True
    flush_or_conflict(_("Deze organisatie is intussen aan een ander lid gekoppeld."))
    audit.record(
        actor,
        "mkb_member.link",
        member,
        organisation_id=organisation.id,
        details={"organisation_id": organisation.id, "previous_organisation_id": previous, "by_hand": True},
    )


def unlink_member(actor, member: MkbMember) -> None:
    """Remove a member's link to its organisation.

    Precondition: actor uses the registry; the member is linked. Transition: organisation
    cleared, linked_by_hand cleared. Side effect: audit "mkb_member.unlink". Raises
    PermissionDenied or OperationError.
    """
    require_registry(actor)
    if member.organisation_id is None:
        raise OperationError(_("%(member)s is aan geen organisatie gekoppeld.", member=_label(member)))
    previous = member.organisation_id
    member.organisation = None
    member.linked_by_hand = False
    db.session.flush()
    audit.record(actor, "mkb_member.unlink", member, organisation_id=previous, details={"organisation_id": previous})


# Inviting ---------------------------------------------------------------------------------------


def invite_member(
    actor,
    member: MkbMember,
    *,
    email: str,
    name: str,
    function_title: str = "",
    sector_group: SectorGroup | None = None,
) -> User:
    """Bring an unmatched member onto the platform: its organisation and its contact as organisation admin.

    The one allowance MKB staff get beyond the registry: they may neither create organisations
    nor invite people in general (auth.permissions, partners.operations), but for a current
    member of the registry that is not on the platform they may create its organisation from
    the registry's data (name, KvK number, the member's sector group as primary sector, or
    `sector_group` when the member has none) and invite one contact person as its organisation
    admin, with the usual invitation mail (auth.links.send_invitation, through the outbox).

    Precondition: actor uses the registry; the member is current and linked to nothing; no
    organisation has its KvK number; no account has the e-mail address. Transition: a new
    organisation, a new invited account, the member linked to the organisation. Side effects:
    audit "organisation.create", "user.invite" and "mkb_member.invite"; the invitation mail.
    Raises PermissionDenied, OperationError or Conflict (KvK or e-mail taken).
    """
    from partner_portal.auth.links import send_invitation

    require_registry(actor)
    if not member.is_current:
        raise OperationError(_("%(member)s is geen lid meer; een oud-lid nodigt u niet uit.", member=_label(member)))
    if member.organisation_id is not None:
        raise OperationError(
            _("%(member)s is al gekoppeld aan %(org)s.", member=_label(member), org=member.organisation.name)
        )
    existing = db.session.scalar(sa.select(Organisation).where(Organisation.kvk_number == member.kvk_number))
    if existing is not None:
        raise Conflict(
            _(
                "Er is al een organisatie met KvK-nummer %(kvk)s: %(org)s. "
                "Koppel het lid daaraan in plaats van het uit te nodigen.",
                kvk=member.kvk_number,
                org=existing.name,
            )
        )
    sector = member.sector_group or sector_group
    if sector is None:
        raise OperationError(_("Kies de sectorgroep van de organisatie."))
    email = normalise_email(email or "")
    name = (name or "").strip()
    if not email or not name:
        raise OperationError(_("Vul de naam en het e-mailadres van de contactpersoon in."))
    if find_user_by_email(email) is not None:
        raise Conflict(_("Er bestaat al een account met dit e-mailadres."))

    organisation = Organisation(
        name=member.name or member.kvk_number, kvk_number=member.kvk_number, contact_email=email
    )
    organisation.sectors.append(OrganisationSector(sector_group=sector, is_primary=True))
    db.session.add(organisation)
    flush_or_conflict(_("Er is al een organisatie met dit KvK-nummer."))
    audit.record(
        actor, "organisation.create", organisation, to_state="active", organisation_id=organisation.id,
        details={"by": "mkb_member.invite"},
    )  # fmt: skip
    person = User(
        email=email,
        name=name,
        function_title=(function_title or "").strip(),
        organisation=organisation,
        org_role=OrgRole.org_admin,
        invited_at=utcnow(),
    )
    db.session.add(person)
    flush_or_conflict(_("Er bestaat al een account met dit e-mailadres."))
    audit.record(actor, "user.invite", person, to_state="invited", organisation_id=organisation.id)
    member.organisation = organisation
    member.linked_by_hand = False  # the KvK numbers match now
    db.session.flush()
    audit.record(
        actor,
        "mkb_member.invite",
        member,
        organisation_id=organisation.id,
        details={"organisation_id": organisation.id, "user_id": person.id},
    )
    send_invitation(person, actor)
    return person


# Reminders --------------------------------------------------------------------------------------


def default_subject() -> str:
    return _("Doe mee: Samen naar een krachtige binnenstad")


def default_text() -> str:
    return _(
        "Samen met de gemeente Assen werken ondernemers, culturele instellingen en eigenaren van vastgoed "
        "aan de visie “Samen naar een krachtige binnenstad”. Op het Partnerportaal Binnenstad reageert u op "
        "de visie, steunt u initiatieven of stelt u er zelf een voor, en ondertekent u de afspraken die we "
        "samen maken.\n\n"
        "Uw onderneming is lid van MKB Assen, en uw stem telt. We nodigen u van harte uit om mee te doen: "
        "log in op het portaal en laat zien waar u staat. Het kost maar een paar minuten.\n\n"
        "Met vriendelijke groet,\nMKB Assen"
    )


def interval() -> timedelta:
    return timedelta(days=current_app.config["MKB_REMINDER_INTERVAL_DAYS"])


def active_organisation_ids(organisation_ids: Iterable[int]) -> set[int]:
    """Which of these organisations did anything public on the platform (mkb.activity)."""
    ids = [i for i in organisation_ids if i is not None]
    if not ids:
        return set()
    activity = activities(organisation_ids=ids)
    return set(db.session.scalars(sa.select(activity.c.organisation_id).distinct()))


def last_reminders(member_ids: Iterable[int]) -> dict[int, datetime]:
    """When each member was last reminded, read from the database (not from loaded objects)."""
    ids = list(member_ids)
    if not ids:
        return {}
    rows = db.session.execute(
        sa.select(MemberReminder.member_id, sa.func.max(MemberReminder.sent_at))
        .where(MemberReminder.member_id.in_(ids))
        .group_by(MemberReminder.member_id)
    ).all()
    result = {}
    for member_id, sent_at in rows:
        if sent_at is not None and sent_at.tzinfo is None:  # SQLite's max() gives a naive UTC moment
            from datetime import UTC

            sent_at = sent_at.replace(tzinfo=UTC)
        result[member_id] = sent_at
    return result


def speakers_of(organisation_ids: Iterable[int]) -> dict[int, list[User]]:
    """The people who speak for each organisation (active signatories and organisation admins of an
    active organisation), by organisation id."""
    ids = [i for i in organisation_ids if i is not None]
    result: dict[int, list[User]] = {i: [] for i in ids}
    if not ids:
        return result
    people = db.session.scalars(
        sa.select(User)
        .join(Organisation, Organisation.id == User.organisation_id)
        .where(
            User.organisation_id.in_(ids),
            User.is_active.is_(True),
            User.org_role.in_(ENDORSERS),
            Organisation.is_active.is_(True),
        )
        .order_by(User.name)
    )
    for person in people:
        result[person.organisation_id].append(person)
    return result


def _opted_out(user_ids: Iterable[int]) -> set[int]:
    from partner_portal.notifications.kinds import NotificationMode
    from partner_portal.notifications.operations import preferences_of

    chosen = preferences_of(list(user_ids), REMINDER_KIND)
    return {user_id for user_id, mode in chosen.items() if mode == NotificationMode.off}


@dataclass
class Candidate:
    """One member on the compose page: who would get the reminder, when it was last reminded, and
    why it cannot be reminded now (None when it can)."""

    member: MkbMember
    recipients: list[User] = field(default_factory=list)
    last_sent: datetime | None = None
    next_allowed: datetime | None = None
    problem: str | None = None


def candidates(members: list[MkbMember], now: datetime | None = None) -> list[Candidate]:
    """Each member with its recipients, its last reminder and the reason it may not be reminded now."""
    now = now or utcnow()
    last = last_reminders(m.id for m in members)
    org_ids = [m.organisation_id for m in members if m.organisation_id is not None]
    active = active_organisation_ids(org_ids)
    speakers = speakers_of(org_ids)
    opted_out = _opted_out(p.id for people in speakers.values() for p in people)
    result = []
    for member in members:
        everyone = speakers.get(member.organisation_id, []) if member.organisation_id else []
        candidate = Candidate(member, [p for p in everyone if p.id not in opted_out], last.get(member.id))
        if candidate.last_sent is not None:
            candidate.next_allowed = candidate.last_sent + interval()
        candidate.problem = _problem(candidate, member.organisation_id in active, bool(everyone), now)
        result.append(candidate)
    return result


def _problem(candidate: Candidate, is_active: bool, has_speakers: bool, now: datetime) -> str | None:
    member = candidate.member
    label = _label(member)
    if not member.is_current:
        return _("%(member)s is geen lid meer.", member=label)
    if member.organisation_id is None:
        return _(
            "%(member)s staat nog niet op het platform: er is niemand om te mailen. "
            "Nodig het lid uit in plaats daarvan.",
            member=label,
        )
    if is_active:
        return _("%(member)s doet al mee op het platform.", member=label)
    if candidate.next_allowed is not None and candidate.next_allowed > now:
        return _(
            "%(member)s kreeg op %(date)s al een herinnering; een nieuwe kan vanaf %(next)s.",
            member=label,
            date=date_text(candidate.last_sent),
            next=date_text(candidate.next_allowed),
        )
    if not has_speakers:
        return _(
            "Bij %(member)s is niemand tekenbevoegd of beheerder van de organisatie: er is niemand om te mailen.",
            member=label,
        )
    if not candidate.recipients:
        return _("Iedereen van %(member)s heeft zich afgemeld voor deze herinneringen.", member=label)
    return None


def sector_members(sector: SectorGroup) -> list[MkbMember]:
    """The current members of a registry sector whose organisation did nothing yet (or that are not on
    the platform), by name: the candidates of a reminder to a sector."""
    members = list(
        db.session.scalars(
            sa.select(MkbMember)
            .where(MkbMember.sector_group_id == sector.id, MkbMember.ended_on.is_(None))
            .order_by(MkbMember.name, MkbMember.id)
        )
    )
    active = active_organisation_ids(m.organisation_id for m in members)
    return [m for m in members if m.organisation_id is None or m.organisation_id not in active]


def _lock(members: list[MkbMember]) -> list[MkbMember]:
    """Lock the members' rows until the transaction ends (PostgreSQL; SQLite writes one at a time),
    so two staff reminding at the same moment cannot both pass the interval check."""
    ids = sorted({m.id for m in members})
    query = sa.select(MkbMember).where(MkbMember.id.in_(ids)).order_by(MkbMember.id)
    if db.session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(of=MkbMember)
    return list(db.session.scalars(query.execution_options(populate_existing=True)).unique())


def _reminder_url() -> str:
    from partner_portal.consultations.models import Consultation
    from partner_portal.core.urls import external_url

    slug = db.session.scalar(sa.select(Consultation.slug).where(Consultation.is_featured.is_(True)))
    if slug:
        return external_url("consultations.show", slug=slug)
    return external_url("auth.login")


def remind(actor, members: list[MkbMember], *, subject: str, text: str) -> list[MemberReminder]:
    """Send a reminder mail to each member's organisation; returns the MemberReminder rows.

    Precondition: actor uses the registry; subject (<= 200) and text (<= 5,000, plain text) are
    given; every member is current, on the platform, not yet active, has someone to mail and was
    not reminded in the last MKB_REMINDER_INTERVAL_DAYS. Any member that fails refuses the whole
    reminder: nothing is sent. The member rows are locked first (PostgreSQL), then the last
    reminders are read. Side effects per member: one "mkb_reminder" notification to each person
    who speaks for the organisation (people who turned the kind off get nothing; every mail has
    the unsubscribe link), a MemberReminder row and audit "mkb_member.remind".
    Raises PermissionDenied or OperationError.
    """
    require_registry(actor)
    subject = " ".join((subject or "").split())
    text = (text or "").replace("\r\n", "\n").strip()
    if not subject:
        raise OperationError(_("Vul het onderwerp in."))
    if len(subject) > SUBJECT_MAX:
        raise OperationError(_("Het onderwerp is te lang: hoogstens %(max)d tekens.", max=SUBJECT_MAX))
    if not text:
        raise OperationError(_("Vul de tekst van de herinnering in."))
    if len(text) > TEXT_MAX:
        raise OperationError(_("De tekst is te lang: hoogstens %(max)d tekens.", max=TEXT_MAX))
    if not members:
        raise OperationError(_("Kies ten minste één lid om te herinneren."))
    locked = _lock(members)
    now = utcnow()
    found = candidates(locked, now)
    problems = [c.problem for c in found if c.problem]
    if problems:
        raise OperationError(" ".join(problems))
    url = _reminder_url()
    reminders = []
    for candidate in found:
        member = candidate.member
        notify(
            "mkb_reminder",
            candidate.recipients,
            actor=actor,
            context={"url": url, "title": subject, "text": text, "organisation": member.organisation.name},
        )
        reminder = MemberReminder(
            member=member, sent_at=now, sent_by=actor, subject=subject, text=text, recipients=len(candidate.recipients)
        )
        db.session.add(reminder)
        db.session.flush()
        audit.record(
            actor,
            "mkb_member.remind",
            member,
            organisation_id=member.organisation_id,
            details={"reminder_id": reminder.id, "recipients": reminder.recipients},
        )
        reminders.append(reminder)
    return reminders
