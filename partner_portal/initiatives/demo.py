"""Demo data: initiatives on the Assen consultation in every state (idempotent, looked up by title).

All made through the operations, as people would: the Koopmanskwartier (adopted, funded by three
sources, in progress with milestones and news), a horeca-and-cultuur route (submitted, two
co-initiators), a vacancy approach for the Oudestraat (draft, invitation pending), a completed
one and a declined one with the gemeente's reason.
"""

from __future__ import annotations

import sqlalchemy as sa

from partner_portal.auth.models import User
from partner_portal.consultations.models import Consultation
from partner_portal.extensions import db
from partner_portal.initiatives import operations
from partner_portal.initiatives.models import Initiative
from partner_portal.partners.models import Organisation

SLUG = "binnenstad-assen"


def _user(email: str) -> User:
    return db.session.scalar(sa.select(User).where(User.email == email))


def _org(kvk: str) -> Organisation:
    return db.session.scalar(sa.select(Organisation).where(Organisation.kvk_number == kvk))


def _fields(consultation, *, title, summary, description, themes, locations, total, own, requests, start, end):
    theme_ids = {t.slug: t.id for t in consultation.themes}
    location_ids = {loc.name: loc.id for loc in consultation.locations}
    sources = consultation.funding_sources
    fields = {
        "title": title,
        "summary": summary,
        "description": description,
        "expected_effect": "Meer bezoekers, die langer blijven, en minder leegstand.",
        "planned_start": start,
        "planned_end": end,
        "total_cost": total,
        "own_contribution": own,
        "themes": ",".join(str(theme_ids[s]) for s in themes),
        "locations": ",".join(str(location_ids[n]) for n in locations),
        "responses": "",
    }
    for n, source in enumerate(sources):
        fields[f"request_{source.id}"] = requests[n] if n < len(requests) else ""
    return fields


def _step(actor, initiative, name, reason=""):
    operations.take_step(actor, initiative, name, version=initiative.version, reason=reason)


def seed_initiatives() -> str:
    consultation = db.session.scalar(sa.select(Consultation).where(Consultation.slug == SLUG))
    if consultation is None:
        return "initiatives: no Assen consultation"
    existing = set(db.session.scalars(sa.select(Initiative.title).where(Initiative.consultation_id == consultation.id)))
    vastgoed, horeca, cultuur = _user("vastgoed@example.org"), _user("horeca@example.org"), _user("cultuur@example.org")
    retail, pm = _user("retail@example.org"), _user("procesmanager@example.org")
    moderator = _user("moderator@example.org")
    sources = consultation.funding_sources
    created = []

    def review(initiative, lead_speaker):
        operations.submit(lead_speaker, initiative, version=initiative.version)
        _step(moderator, initiative, "start_review")

    title = "Vernieuwing Koopmansplein tot Koopmanskwartier"
    if title not in existing:
        amounts = ["2.000.000", "1.500.000", "500.000"]  # asked of and granted by the first three sources
        i = operations.create_initiative(vastgoed, consultation, _fields(
            consultation, title=title,
            summary="Het Koopmansplein wordt het nieuwe winkelhart: het Koopmanskwartier, samen met de eigenaren.",
            description="Een vernieuwd plein met **groen**, terrassen en ruimte voor markten; de gevels van de "
            "omliggende panden worden samen met de eigenaren opgeknapt.",
            themes=["compact-en-compleet", "prettig-en-comfortabel"], locations=["Koopmansplein"],
            total="4.500.000", own="500.000", requests=amounts,
            start="2018-09-01", end="2021-06-30"))  # fmt: skip
        review(i, vastgoed)
        grants = {s.id: v for s, v in zip(sources[:3], amounts, strict=True)}
        operations.adopt(
            pm, i, version=i.version, answer="Het Koopmanskwartier is het hart van het programma.", grants=grants
        )
        _step(vastgoed, i, "start")
        milestones = [("Ontwerp vastgesteld", "2019-03-01"), ("Bestek en aanbesteding", "2019-09-01"),
                      ("Aanleg plein", "2020-09-01"), ("Gevels opgeknapt", "2021-06-01")]  # fmt: skip
        for n, (name, planned) in enumerate(milestones):
            m = operations.add_milestone(vastgoed, i, title=name, planned_on=planned, weight=str(n + 1))
            if n < 2:
                operations.set_milestone_done(vastgoed, i, m, done_on=planned, version=m.version)
        operations.report_spending(vastgoed, i, {sources[0].id: "650.000", sources[1].id: "300.000"})
        operations.post_update(vastgoed, i, body="Het ontwerp is vastgesteld na drie inloopavonden.",
                               happened_on="2019-03-01")  # fmt: skip
        operations.post_update(vastgoed, i, body="De aanbesteding is gegund; de aanleg begint na de zomer.",
                               happened_on="2019-09-15")  # fmt: skip
        created.append("Koopmanskwartier (in progress)")

    title = "Horeca- en cultuurroute Brink – Drents Museum"
    if title not in existing:
        i = operations.create_initiative(horeca, consultation, _fields(
            consultation, title=title,
            summary="Een wandelroute van de Brink naar het Drents Museum, met horeca en cultuur langs de weg.",
            description="Bebording, verlichting en een gezamenlijk programma van horeca en musea.",
            themes=["historisch-cultureel-actief", "gastvrij-en-ondernemend"], locations=["Brink"],
            total="120.000", own="40.000", requests=["80.000"], start="2019-04-01", end="2019-12-31"))  # fmt: skip
        for kvk in ("60000011", "60000002"):
            operations.invite(horeca, i, _org(kvk))
        operations.answer_invitation(cultuur, i, accept=True)
        operations.answer_invitation(_user("tekenbevoegd.horeca@example.org"), i, accept=True)
        operations.submit(horeca, i, version=i.version)
        created.append("route (submitted)")

    title = "Aanpak leegstand Oudestraat"
    if title not in existing:
        i = operations.create_initiative(retail, consultation, _fields(
            consultation, title=title, summary="Lege winkelpanden in de Oudestraat tijdelijk verhuren aan starters.",
            description="", themes=["compact-en-compleet"], locations=["Oudestraat"],
            total="", own="", requests=[], start="", end=""))  # fmt: skip
        operations.invite(retail, i, _org("60000031"))
        created.append("Oudestraat (draft, invitation pending)")

    title = "Fietsenstalling Kop van de Vaart"
    if title not in existing:
        toerisme = _user("toerisme@example.org")
        i = operations.create_initiative(toerisme, consultation, _fields(
            consultation, title=title, summary="Een bewaakte fietsenstalling bij de Kop van de Vaart.",
            description="Tweehonderd plekken, bewaakt tijdens winkeltijden.", themes=["bereikbaar"],
            locations=["Kop van de Vaart"], total="60.000", own="10.000", requests=["50.000"],
            start="2018-06-01", end="2018-12-31"))  # fmt: skip
        review(i, toerisme)
        operations.adopt(pm, i, version=i.version, answer="Past bij de bereikbare binnenstad.",
                         grants={sources[0].id: "50.000"})  # fmt: skip
        _step(toerisme, i, "start")
        m = operations.add_milestone(toerisme, i, title="Stalling open", planned_on="2018-11-01")
        operations.set_milestone_done(toerisme, i, m, done_on="2018-11-15", version=m.version)
        _step(toerisme, i, "complete")
        created.append("fietsenstalling (completed)")

    title = "Extra parkeerdek op garage Mercurius"
    if title not in existing:
        i = operations.create_initiative(retail, consultation, _fields(
            consultation, title=title, summary="Een extra parkeerlaag op parkeergarage Mercurius.",
            description="Tweehonderd extra parkeerplaatsen dicht bij het kernwinkelgebied.", themes=["bereikbaar"],
            locations=["Mercurius"], total="2.000.000", own="0", requests=["2.000.000"],
            start="2019-01-01", end="2020-12-31"))  # fmt: skip
        review(i, retail)
        reason = "De bezettingsgraad van de garages is lager dan 70 %; eerst de bewegwijzering verbeteren."
        _step(pm, i, "decline", reason)
        created.append("parkeerdek (declined)")
    return "initiatives: " + (", ".join(created) if created else "already present")
