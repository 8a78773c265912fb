"""Demo data: the Assen consultation "Samen naar een krachtige binnenstad" (idempotent, by slug and keys)."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from partner_portal.auth.models import User
from partner_portal.consultations.models import (
    Consultation,
    ConsultationStatus,
    FundingSource,
    FundingStatus,
    Pillar,
    Programme,
    ProgrammeProject,
    Stage,
    Theme,
    VisionSection,
    VisionVersion,
)
from partner_portal.core import audit
from partner_portal.core.models import utcnow
from partner_portal.extensions import db

SLUG = "binnenstad-assen"
GOAL = (
    "Een economisch krachtige, aantrekkelijke en vitale binnenstad, in de landelijke top 25 van "
    "binnensteden met een regionale betekenis."
)
INTRODUCTION = """In 2016 en 2017 hebben ondernemers, vastgoedeigenaren, culturele instellingen, MKB Assen
en de gemeente Assen samen deze visie op de binnenstad opgesteld, begeleid door een externe
procesmanager. Op 11 april 2017 is de visie aan de partners gepresenteerd; ruim 240 mensen
kwamen naar die avond.

Assen stond in 2017 op plaats 53 van de aantrekkelijkste binnensteden van Nederland. De visie
mikt op de **landelijke top 25** en ongeveer 1.200 extra banen, met een compact en goed
bereikbaar winkelhart en duidelijke looproutes ernaartoe.

De partners geven nu hun standpunt over de visie *en* over de beoogde structurele samenwerking."""

PILLARS = [
    ("familiestad", "Comfortabele familiestad", "Een binnenstad waar gezinnen graag een dag doorbrengen.",
     "Assen is een stad voor gezinnen. De binnenstad biedt ruimte om te spelen, te zitten en elkaar te ontmoeten, "
     "met voorzieningen die een bezoek met kinderen makkelijk maken."),
    ("cultuurhistorische-hoofdstad", "Cultuurhistorische hoofdstad van Drenthe",
     "Erfgoed, musea en cultuur als trekpleister.",
     "Als hoofdstad van Drenthe heeft Assen een rijke geschiedenis. De Brink, het Drents Museum en de historische "
     "panden vormen samen een culturele as die bezoekers van ver trekt."),
    ("ondernemende-stad", "Ondernemende, innovatieve en toekomstbestendige stad",
     "Ruimte voor ondernemers en nieuwe concepten.",
     "De binnenstad verandert. Ondernemers krijgen ruimte om te vernieuwen, leegstand wordt aangepakt en nieuwe "
     "functies zoals wonen en werken krijgen een plek."),
]  # fmt: skip

# (slug, title, pillar slug or None, summary)
THEMES = [
    ("compact-en-compleet", "De compacte en complete binnenstad", "ondernemende-stad",
     "Een kleiner, aaneengesloten kernwinkelgebied met een compleet aanbod."),
    ("prettig-en-comfortabel", "De prettige en comfortabele binnenstad", "familiestad",
     "Aantrekkelijke openbare ruimte, groen, zitplekken en schone straten."),
    ("bereikbaar", "De bereikbare binnenstad", None,
     "Goed bereikbaar met auto, fiets en openbaar vervoer; parkeren in Mercurius, Triade en Citadel."),
    ("historisch-cultureel-actief", "De historische, culturele en actieve binnenstad", "cultuurhistorische-hoofdstad",
     "Erfgoed, cultuur en evenementen die de binnenstad levendig maken."),
    ("gastvrij-en-ondernemend", "De gastvrije en ondernemende binnenstad", "ondernemende-stad",
     "Gastvrije ondernemers, ruimere openingstijden en samenwerking."),
    ("goed-bekend", "De goed bekende binnenstad", None,
     "Samen werken aan de naam en bekendheid van de binnenstad in de regio."),
]  # fmt: skip

# (key, title, description, start, end, responses, initiatives, signing)
STAGES = [
    ("visie-opgesteld", "Visie opgesteld", "De partners stellen samen met de procesmanager de visie op.",
     date(2016, 9, 1), date(2017, 4, 10), False, False, False),
    ("visie-gepresenteerd", "Visie gepresenteerd", "Presentatie aan de partners op 11 april 2017.",
     date(2017, 4, 11), date(2017, 4, 30), False, False, False),
    ("reactie-van-partners", "Reactie van partners",
     "De sectorgroepen geven hun standpunt over de visie en over de beoogde structurele samenwerking.",
     date(2017, 5, 1), date(2017, 6, 30), True, False, False),
    ("verwerking-en-besluitvorming", "Verwerking en besluitvorming",
     "De gemeente verwerkt de reacties in een nota van beantwoording; de gemeenteraad besluit.",
     date(2017, 7, 1), date(2017, 12, 31), False, False, False),
    ("uitvoering", "Uitvoering 2018–2021",
     "Het uitvoeringsprogramma: partners dragen initiatieven aan en ondertekenen afspraken.",
     date(2018, 1, 1), date(2021, 12, 31), False, True, True),
    ("evaluatie", "Evaluatie", "Terugblik op de uitvoering en voorbereiding van een nieuwe visieronde.",
     date(2022, 1, 1), date(2022, 6, 30), False, False, False),
]  # fmt: skip
CURRENT_STAGE = "reactie-van-partners"

FUNDING = [
    ("Gemeente Assen", 3_000_000, FundingStatus.committed, "Bijdrage van de gemeente aan de uitvoering."),
    ("Provinciaal Binnenstadsfonds (Drenthe)", 3_000_000, FundingStatus.requested, "Aangevraagd bij de provincie."),
    ("Private partijen", 3_000_000, FundingStatus.committed, "Bijdragen van ondernemers en vastgoedeigenaren."),
    ("Gemeentelijke reservering 2017", 2_000_000, FundingStatus.reserved, "Door de gemeente in 2017 gereserveerd."),
]

PROGRAMME = (
    "Uitvoeringsprogramma Binnenstad 2018–2021",
    "Vernieuwing, versterking en verkleuring",
    "2018–2021",
    "Acties, projecten en maatregelen waarmee de partners de visie samen uitvoeren.",
)
PROJECTS = [
    ("Koopmansplein wordt het Koopmanskwartier", "Koopmansplein",
     "Het Koopmansplein wordt het nieuwe winkelhart, samen met vastgoedeigenaren en ondernemers aan de "
     "omliggende straten."),
    ("Looproutes naar het winkelhart", "Oudestraat, Ceresstraat, Weiersstraat",
     "Duidelijke en aantrekkelijke routes van de parkeergarages en het station naar het centrum."),
]  # fmt: skip


def seed_consultation() -> str:
    """Create the Assen consultation with its structure, stages, funding and first vision version."""
    consultation = db.session.scalar(sa.select(Consultation).where(Consultation.slug == SLUG))
    if consultation is not None:
        return f"consultation: {SLUG} already present"
    now = utcnow()
    consultation = Consultation(
        slug=SLUG,
        title="Samen naar een krachtige binnenstad",
        city="Assen",
        goal=GOAL,
        status=ConsultationStatus.published,
        published_at=now,
        is_featured=not db.session.scalar(sa.select(Consultation.id).where(Consultation.is_featured)),
    )
    pillars = {}
    for position, (slug, title, summary, _text) in enumerate(PILLARS):
        pillars[slug] = Pillar(slug=slug, title=title, summary=summary, position=position)
        consultation.pillars.append(pillars[slug])
    for position, (slug, title, pillar_slug, summary) in enumerate(THEMES):
        consultation.themes.append(
            Theme(
                slug=slug,
                title=title,
                summary=summary,
                position=position,
                pillar=pillars[pillar_slug] if pillar_slug else None,
            )
        )
    for position, (key, title, description, start, end, responses, initiatives, signing) in enumerate(STAGES):
        consultation.stages.append(
            Stage(
                key=key,
                title=title,
                description=description,
                position=position,
                starts_on=start,
                ends_on=end,
                opens_responses=responses,
                opens_initiatives=initiatives,
                opens_signing=signing,
            )
        )
    for position, (name, amount, status, note) in enumerate(FUNDING):
        consultation.funding_sources.append(
            FundingSource(name=name, amount_euros=amount, status=status, note=note, position=position)
        )
    title, tagline, period, description = PROGRAMME
    programme = Programme(title=title, tagline=tagline, period=period, description=description)
    for position, (project_title, location, project_description) in enumerate(PROJECTS):
        programme.projects.append(
            ProgrammeProject(title=project_title, location=location, description=project_description, position=position)
        )
    consultation.programmes.append(programme)
    db.session.add(consultation)
    db.session.flush()

    process_manager = db.session.scalar(sa.select(User).where(User.email == "procesmanager@example.org"))
    # Walk the stages up to the current one, so the timeline and procesverloop show real moves.
    previous = None
    for stage in consultation.stages:
        stage.entered_at = now
        if previous is not None:
            previous.completed_at = now
        consultation.current_position = stage.position
        audit.record(
            process_manager,
            "consultation.stage_advance",
            consultation,
            from_state=previous.key if previous else None,
            to_state=stage.key,
            is_public=True,
            consultation_id=consultation.id,
            details={"from_title": previous.title if previous else "", "to_title": stage.title},
        )
        previous = stage
        if stage.key == CURRENT_STAGE:
            break
    consultation.stage_changed_at = now

    version = VisionVersion(
        consultation_id=consultation.id,
        number=1,
        introduction=INTRODUCTION,
        change_note="Visie zoals gepresenteerd op 11 april 2017.",
        published_at=now,
        published_by_id=process_manager.id if process_manager else None,
    )
    position = 0
    for pillar, (_slug, _title, _summary, text) in zip(consultation.pillars, PILLARS, strict=True):
        version.sections.append(VisionSection(pillar_id=pillar.id, position=position, heading=pillar.title, body=text))
        position += 1
    for theme in consultation.themes:
        version.sections.append(
            VisionSection(theme_id=theme.id, position=position, heading=theme.title, body=theme.summary)
        )
        position += 1
    db.session.add(version)
    db.session.flush()
    audit.record(
        process_manager,
        "vision.publish",
        version,
        to_state="v1",
        reason=version.change_note,
        is_public=True,
        consultation_id=consultation.id,
        details={"number": 1, "pdf": None},
    )
    return f"consultation: {SLUG} with {len(consultation.stages)} stages, current stage {CURRENT_STAGE}"
