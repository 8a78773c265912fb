"""Demo data for MKB Assen: more member businesses, the member registry, reminders and their activity.

Idempotent (looked up by KvK number, member and commitment title). Adds 48 organisations of the
city centre (no accounts: their people have not logged in yet), each a member of MKB Assen, so
that about 60 members are on the platform; 20 members that are not on the platform yet (some
KvK numbers start with 0) and two that left the association; two reminders already sent (20 and
3 days ago); and activity by a good share of the new organisations (endorsements of the demo's
submitted and accepted responses and initiatives, signatures with pledges on an open commitment,
accepted co-initiatorships), so that every column of the dashboard has something to show.

Rows are inserted directly, as the CRM import and people would have made them, consistent with
the models' constraints. The demo's own endorsements and signatures (the vastgoed response,
the foundation commitment) are left alone: their tests count them. Fewer than 25 organisations sort
before "Grand Café De Brink", so it stays on the first page of the administrators' list.
"""

from __future__ import annotations

from datetime import date, timedelta

import sqlalchemy as sa

from partner_portal.auth.models import User
from partner_portal.commitments.models import Commitment, PledgeKind, Signature, SignatureState
from partner_portal.consultations.models import Consultation
from partner_portal.core.models import utcnow
from partner_portal.endorsements.models import Endorsement
from partner_portal.extensions import db
from partner_portal.initiatives.models import CoInitiator, Initiative, InitiativeState, InvitationState
from partner_portal.mkb.models import MemberReminder, MkbMember
from partner_portal.partners.models import Organisation, OrganisationSector, SectorGroup
from partner_portal.responses.models import FormalResponse, ResponseState

SLUG = "binnenstad-assen"
CLEAN_STREETS = "Samenwerkingsafspraak schone en levendige binnenstad"
CLEAN_STREETS_TEXT = """De ondertekenende ondernemers en instellingen houden de binnenstad samen schoon en levendig:

- zij houden hun gevel, stoep en etalage verzorgd en verlicht tot 22.00 uur;
- zij melden zwerfafval, graffiti en kapotte bestrating in de app van de gemeente;
- zij doen mee aan twee opruimdagen per jaar met de buurt.

De gemeente zorgt voor extra afvalbakken en een vaste schoonmaakronde op zaterdag.
"""

# (KvK, name, sector slug, member number, contact name, postcode). All fictitious.
ORGANISATIONS = [
    ("61000001", "Café De Blauwe Engel", "horeca", "MKB-2001", "Bart Engelsman", "9401 EA"),
    ("61000002", "Restaurant Het Pakhuis", "horeca", "MKB-2002", "Petra Pakhuis", "9401 EB"),
    ("61000003", "IJssalon Brinkzicht", "horeca", "MKB-2003", "Ilse Brinkman", "9401 EC"),
    ("61000004", "Marktbistro Assen", "horeca", "MKB-2004", "Mark Marktman", "9401 ED"),
    ("61000005", "Koffiebar Vaartkant", "horeca", "MKB-2005", "Kim Vaart", "9401 EE"),
    ("61000006", "Pizzeria Da Gino Assen", "horeca", "MKB-2006", "Gino Bellini", "9401 EF"),
    ("61000007", "Bakkerij-lunchroom Het Wapen", "horeca", "MKB-2007", "Wim Wapenaar", "9401 EG"),
    ("61000008", "Hotel-restaurant Drenthe", "horeca", "MKB-2008", "Dirk Drent", "9401 EH"),
    ("61000009", "Wijnbar Het Kruidvat", "horeca", "MKB-2009", "Wendy Kruidhof", "9401 EJ"),
    ("61000010", "Eetlokaal De Smederij", "horeca", "MKB-2010", "Sjoerd Smid", "9401 EK"),
    ("61000011", "Snackbar Het Hoekje", "horeca", "MKB-2011", "Henk Hoek", "9401 EL"),
    ("61000012", "Theehuis Asserbos", "horeca", "MKB-2012", "Tineke Bos", "9401 EM"),
    ("61000021", "Filmhuis Assen", "cultuur", "MKB-2021", "Frits Film", "9401 EN"),
    ("61000022", "Muziekschool Brinkklanken", "cultuur", "MKB-2022", "Maaike Klank", "9401 EP"),
    ("61000023", "Kunstatelier Zuidersingel", "cultuur", "MKB-2023", "Anouk Zuidema", "9401 ER"),
    ("61000024", "Poppodium De Ruimte", "cultuur", "MKB-2024", "Ruud Ruimte", "9401 ES"),
    ("61000025", "Fotostudio Licht & Lijn", "cultuur", "MKB-2025", "Lotte Lijnema", "9401 ET"),
    ("61000026", "Passe Dansschool", "cultuur", "MKB-2026", "Dana Passe", "9401 EV"),
    ("61000027", "Lijstenmakerij De Kunstkamer", "cultuur", "MKB-2027", "Karel Kunst", "9401 EW"),
    ("61000028", "Boekbinderij Drents Papier", "cultuur", "MKB-2028", "Pieter Papier", "9401 EX"),
    ("61000031", "Juwelier Koopmans", "retail", "MKB-2031", "Julia Koopmans", "9401 GA"),
    ("61000032", "Speelgoedwinkel De Tol", "retail", "MKB-2032", "Tom Tol", "9401 GB"),
    ("61000033", "Fietsenwinkel Trapper", "retail", "MKB-2033", "Tim Trapper", "9401 GC"),
    ("61000034", "Bloemist Ceres", "retail", "MKB-2034", "Bloem de Ceres", "9401 GD"),
    ("61000035", "Optiek Helder Zicht", "retail", "MKB-2035", "Hans Helder", "9401 GE"),
    ("61000036", "Kledingzaak Oudestraat", "retail", "MKB-2036", "Olga Oudeman", "9401 GF"),
    ("61000037", "Delicatessen De Proeverij", "retail", "MKB-2037", "Paul Proef", "9401 GG"),
    ("61000038", "Woonwinkel Thuis in Assen", "retail", "MKB-2038", "Thea Thuis", "9401 GH"),
    ("61000039", "Platenzaak De Groef", "retail", "MKB-2039", "Gert Groef", "9401 GJ"),
    ("61000040", "Kapsalon Knip & Krul", "retail", "MKB-2040", "Kiki Krul", "9401 GK"),
    ("61000041", "Slagerij Van Dijk", "retail", "MKB-2041", "Sander van Dijk", "9401 GL"),
    ("61000042", "Het Kruisje Drogisterij", "retail", "MKB-2042", "Karin Kruis", "9401 GM"),
    ("61000043", "Sportzaak De Atleet", "retail", "MKB-2043", "Anton Atleet", "9401 GN"),
    ("61000044", "Schoenmakerij Zool", "retail", "MKB-2044", "Zeger Zool", "9401 GP"),
    ("61000051", "Vastgoed Brinkhof BV", "vastgoed", "MKB-2051", "Vera Brinkhof", "9401 HA"),
    ("61000052", "Beleggingen Gedempte Singel", "vastgoed", "MKB-2052", "Gerard Singel", "9401 HB"),
    ("61000053", "Makelaardij Assen Centrum", "vastgoed", "MKB-2053", "Marja Makelaar", "9401 HC"),
    ("61000054", "Pandenfonds Noord", "vastgoed", "MKB-2054", "Niels Noord", "9401 HD"),
    ("61000055", "Beheer Kerkplein CV", "vastgoed", "MKB-2055", "Karin Kerkhof", "9401 HE"),
    ("61000056", "Woningbouw De Vaart", "vastgoed", "MKB-2056", "Vincent Vaartjes", "9401 HF"),
    ("61000061", "Rondvaart Drentsche Aa", "toerisme-leisure", "MKB-2061", "Roos Rondema", "9401 JA"),
    ("61000062", "Het Gevang Escaperoom", "toerisme-leisure", "MKB-2062", "Gijs Gevang", "9401 JB"),
    ("61000063", "Stadswandelingen Assen", "toerisme-leisure", "MKB-2063", "Sophie Stad", "9401 JC"),
    ("61000064", "Kegel- en bowlingcentrum Assen", "toerisme-leisure", "MKB-2064", "Kees Kegel", "9401 JD"),
    ("61000065", "Reisbureau De Wereld", "toerisme-leisure", "MKB-2065", "Wouter Wereld", "9401 JE"),
    ("61000066", "Bed & Breakfast Het Torentje", "toerisme-leisure", "MKB-2066", "Tessel Toren", "9401 JF"),
    ("61000067", "Kinderspeelparadijs Joepie", "toerisme-leisure", "MKB-2067", "Joke Joepie", "9401 JG"),
    ("61000068", "Evenementenverhuur Feest", "toerisme-leisure", "MKB-2068", "Freek Feest", "9401 JH"),
]

# Members that are not on the platform yet: (KvK, name, sector slug or None, member number, contact, postcode).
NOT_ON_PLATFORM = [
    ("01234567", "Bakkerij Bolhuis", "horeca", "MKB-3001", "Bea Bolhuis", "9401 KA"),
    ("02345671", "Broodjeszaak Het Stokbrood", "horeca", "MKB-3002", "Stijn Stok", "9401 KB"),
    ("03456712", "Visspecialist De Haring", "retail", "MKB-3003", "Harm Haring", "9401 KC"),
    ("04567123", "Naaiatelier De Draad", "retail", "MKB-3004", "Dora Draad", "9401 KD"),
    ("05671234", "Tattoostudio Inkt", None, "MKB-3005", "Ingrid Inkt", "9401 KE"),
    ("06712345", "Galerie Noorderlicht", "cultuur", "MKB-3006", "Nora Licht", "9401 KF"),
    ("07123456", "Antiquariaat De Oude Pagina", "cultuur", "MKB-3007", "Otto Pagina", "9401 KG"),
    ("08123457", "Kaarsenmakerij Vlam", "retail", "MKB-3008", "Vlinder Vlam", "9401 KH"),
    ("62000001", "Cafetaria De Vork", "horeca", "MKB-3009", "Vera Vork", "9401 KJ"),
    ("62000002", "Theater Kleinkunst Assen", "cultuur", "MKB-3010", "Kobus Klein", "9401 KK"),
    ("62000003", "Computerwinkel Bit", "retail", "MKB-3011", "Bas Bit", "9401 KL"),
    ("62000004", "Parfumerie Geurig", "retail", "MKB-3012", "Gea Geurts", "9401 KM"),
    ("62000005", "Vastgoedbeheer De Sleutel", "vastgoed", "MKB-3013", "Sietse Sleutel", "9401 KN"),
    ("62000006", "Huurpanden Noord-Nederland", "vastgoed", "MKB-3014", "Hilde Huur", "9401 KP"),
    ("62000007", "Fietstaxi Assen", "toerisme-leisure", "MKB-3015", "Fleur Fiets", "9401 KR"),
    ("62000008", "Minigolf De Vaart", "toerisme-leisure", "MKB-3016", "Menno Golf", "9401 KS"),
    ("62000009", "Chocolaterie Puur", "retail", "MKB-3017", "Paula Puur", "9401 KT"),
    ("62000010", "Yogastudio Adem", None, "MKB-3018", "Anne Adem", "9401 KV"),
    ("62000011", "Lunchcafé Het Kerkje", "horeca", "MKB-3019", "Kerst Kerkman", "9401 KW"),
    ("62000012", "Souvenirwinkel Assen Aan Zee", "toerisme-leisure", "MKB-3020", "Zoë Zee", "9401 KX"),
]

# Members that left MKB Assen (no longer in the CRM's file): (KvK, name, sector, number, ended days ago).
FORMER = [
    ("09123458", "Modezaak Vroeger", "retail", "MKB-0901", 40),
    ("63000001", "Café Het Afscheid", "horeca", "MKB-0902", 12),
]

# Which new organisations did what (indexes into ORGANISATIONS).
ENDORSE_RESPONSES = range(0, 48, 3)  # 16 organisations endorse a submitted or accepted response
ENDORSE_INITIATIVES = range(1, 48, 4)  # 12 endorse an initiative that is no draft
SIGN = (0, 2, 5, 8, 12, 15, 20, 23, 27, 34, 36, 40, 44)  # 13 sign the clean-streets commitment
CO_INITIATE = (4, 13, 30, 41)  # 4 took part in an initiative as co-initiator
REMINDED = {16: 20, 24: 3}  # not active; reminded that many days ago


def _email(name: str) -> str:
    local = "".join(ch for ch in name.lower() if ch.isalnum())[:30]
    return f"{local}@leden.mkbassen.example"


def _upsert_member(groups, kvk, name, sector, number, contact, postcode, organisation=None, **extra) -> MkbMember:
    member = db.session.scalar(sa.select(MkbMember).where(MkbMember.kvk_number == kvk))
    if member is None:
        member = MkbMember(
            kvk_number=kvk,
            name=name,
            member_number=number,
            sector_group=groups.get(sector),
            contact_name=contact,
            contact_email=_email(contact) if contact else "",
            postcode=postcode,
            member_since=date(2010 + int(kvk[-2:]) % 14, 1 + int(kvk[-1]) % 12, 1),
            organisation=organisation,
            **extra,
        )
        db.session.add(member)
    return member


def _code() -> str:
    from partner_portal.commitments.operations import _new_code

    return _new_code()


def _clean_streets(consultation, pm) -> Commitment:
    from partner_portal.commitments import operations

    commitment = db.session.scalar(
        sa.select(Commitment).where(Commitment.consultation_id == consultation.id, Commitment.title == CLEAN_STREETS)
    )
    if commitment is not None:
        return commitment
    fields = {
        "title": CLEAN_STREETS,
        "text": CLEAN_STREETS_TEXT,
        "themes": "",
        "invited": "all",
        "threshold_organisations": "25",
        "threshold": "",
        "allows_money": "1",
        "allows_hours": "1",
        "allows_in_kind": "1",
    }
    commitment = operations.create_commitment(pm, consultation, fields)
    operations.open_commitment(pm, commitment, version=commitment.version)
    db.session.flush()
    return commitment


def _activity(orgs: list[Organisation], consultation: Consultation, pm: User) -> int:
    """Endorsements, signatures and co-initiatorships of the new organisations; returns how many rows."""
    now = utcnow()
    added = 0
    responses = list(
        db.session.scalars(
            sa.select(FormalResponse)
            .join(SectorGroup, SectorGroup.id == FormalResponse.sector_group_id)
            .where(
                FormalResponse.consultation_id == consultation.id,
                FormalResponse.state.in_((ResponseState.submitted, ResponseState.accepted)),
                SectorGroup.slug != "vastgoed",  # the vastgoed response keeps its one endorsement
            )
            .order_by(FormalResponse.id)
        )
    )
    initiatives = list(
        db.session.scalars(
            sa.select(Initiative)
            .where(
                Initiative.consultation_id == consultation.id,
                Initiative.state != InitiativeState.draft,
                Initiative.submitted_at.is_not(None),
            )
            .order_by(Initiative.id)
        )
    )
    endorsed = {
        (e.organisation_id, e.formal_response_id, e.initiative_id)
        for e in db.session.scalars(sa.select(Endorsement).where(Endorsement.organisation_id.in_([o.id for o in orgs])))
    }
    for n, i in enumerate(ENDORSE_RESPONSES):
        if responses and (orgs[i].id, responses[n % len(responses)].id, None) not in endorsed:
            db.session.add(
                Endorsement(
                    organisation=orgs[i],
                    formal_response=responses[n % len(responses)],
                    endorsed_at=now - timedelta(days=40 - n),
                )
            )
            added += 1
    for n, i in enumerate(ENDORSE_INITIATIVES):
        if initiatives and (orgs[i].id, None, initiatives[n % len(initiatives)].id) not in endorsed:
            db.session.add(
                Endorsement(
                    organisation=orgs[i],
                    initiative=initiatives[n % len(initiatives)],
                    endorsed_at=now - timedelta(days=30 - n),
                )
            )
            added += 1

    commitment = _clean_streets(consultation, pm)
    private = next((s for s in consultation.funding_sources if s.name == "Private partijen"), None)
    signed = set(
        db.session.scalars(sa.select(Signature.organisation_id).where(Signature.commitment_id == commitment.id))
    )
    for n, i in enumerate(SIGN):
        org = orgs[i]
        if org.id in signed:
            continue
        member = ORGANISATIONS[i]
        pledge: dict = {"pledge_kind": PledgeKind.none}
        if n % 4 == 1 and private is not None:
            pledge = {"pledge_kind": PledgeKind.money, "pledge_cents": 25_000 * (n + 1), "funding_source": private}
        elif n % 4 == 2:
            pledge = {"pledge_kind": PledgeKind.hours, "pledge_hours": 8 * (n + 1)}
        elif n % 4 == 3:
            pledge = {"pledge_kind": PledgeKind.in_kind, "pledge_in_kind": "Twee opruimdagen: koffie en gereedschap."}
        signed_at = now - timedelta(days=20 - n)
        db.session.add(
            Signature(
                commitment=commitment,
                organisation=org,
                organisation_name=org.name,
                organisation_kvk=org.kvk_number,
                state=SignatureState.complete,
                signer_name=member[4],
                signer_function="Eigenaar",
                signed_at=signed_at,
                completed_at=signed_at,
                auth_method="password",
                version_number=commitment.current_version,
                version_hash=commitment.current_hash,
                verification_code=_code(),
                **pledge,
            )
        )
        db.session.flush()  # the next code is checked against this one
        added += 1

    targets = [
        i for i in initiatives if i.state in (InitiativeState.completed, InitiativeState.declined)
    ] or initiatives
    taken = {
        (c.initiative_id, c.organisation_id)
        for c in db.session.scalars(sa.select(CoInitiator).where(CoInitiator.organisation_id.in_([o.id for o in orgs])))
    }
    for n, i in enumerate(CO_INITIATE):
        if not targets:
            break
        initiative = targets[n % len(targets)]
        if (initiative.id, orgs[i].id) in taken or initiative.lead_organisation_id == orgs[i].id:
            continue
        db.session.add(
            CoInitiator(
                initiative=initiative,
                organisation=orgs[i],
                state=InvitationState.accepted,
                invited_at=initiative.submitted_at - timedelta(days=7),
                answered_at=initiative.submitted_at - timedelta(days=5),
            )
        )
        added += 1
    db.session.flush()
    return added


def seed_members() -> str:
    """The MKB demo: organisations, the registry, activity and reminders (idempotent)."""
    groups = {g.slug: g for g in db.session.scalars(sa.select(SectorGroup))}
    orgs = []
    for kvk, name, sector, _number, _contact, _postcode in ORGANISATIONS:
        org = db.session.scalar(sa.select(Organisation).where(Organisation.kvk_number == kvk))
        if org is None:
            org = Organisation(name=name, kvk_number=kvk, contact_email=_email(name))
            org.sectors.append(OrganisationSector(sector_group=groups[sector], is_primary=True))
            db.session.add(org)
        orgs.append(org)
    db.session.flush()
    for org, (kvk, name, sector, number, contact, postcode) in zip(orgs, ORGANISATIONS, strict=True):
        _upsert_member(groups, kvk, name, sector, number, contact, postcode, organisation=org)
    for kvk, name, sector, number, contact, postcode in NOT_ON_PLATFORM:
        _upsert_member(groups, kvk, name, sector, number, contact, postcode)
    today = utcnow().date()
    for kvk, name, sector, number, days in FORMER:
        _upsert_member(
            groups, kvk, name, sector, number, "Oud Contact", "9401 ZZ", ended_on=today - timedelta(days=days)
        )
    db.session.flush()

    consultation = db.session.scalar(sa.select(Consultation).where(Consultation.slug == SLUG))
    staff = db.session.scalar(sa.select(User).where(User.email == "mkb@example.org"))
    pm = db.session.scalar(sa.select(User).where(User.email == "procesmanager@example.org"))
    activity = _activity(orgs, consultation, pm) if consultation is not None and pm is not None else 0

    from partner_portal.mkb.operations import default_subject, default_text

    reminders = 0
    for i, days in REMINDED.items():
        member = db.session.scalar(sa.select(MkbMember).where(MkbMember.organisation_id == orgs[i].id))
        if member.reminders:
            continue
        db.session.add(
            MemberReminder(
                member=member,
                sent_at=utcnow() - timedelta(days=days),
                sent_by=staff,
                subject=default_subject(),
                text=default_text(),
                recipients=1,
            )
        )
        reminders += 1
    db.session.flush()
    total = db.session.scalar(sa.select(sa.func.count()).select_from(MkbMember))
    return (
        f"mkb: {len(orgs)} member organisations, {total} registry members, {activity} activities, {reminders} reminders"
    )
