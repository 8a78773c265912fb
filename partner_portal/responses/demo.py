"""Demo data: formal responses on the Assen consultation (idempotent, looked up by consultation and group).

Horeca's response is accepted and answered by the gemeente (the Nota is not yet published),
retail's is submitted and waits for review, cultuur's is still a draft.
"""

from __future__ import annotations

import sqlalchemy as sa

from partner_portal.auth.models import User
from partner_portal.consultations.models import Consultation
from partner_portal.endorsements import operations as endorsements
from partner_portal.extensions import db
from partner_portal.partners.models import SectorGroup
from partner_portal.responses import operations
from partner_portal.responses.models import FormalResponse

SLUG = "binnenstad-assen"

HORECA = {
    "statement": (
        "De horeca in de binnenstad steunt de visie. Een levendige binnenstad met terrassen, evenementen en "
        "ruimere openingstijden is goed voor iedereen. Wel vragen wij aandacht voor de bereikbaarheid 's avonds."
    ),
    "stance": ("joins_with_conditions", "Een eerlijke verdeling van de bijdrage naar omvang van het bedrijf."),
    "positions": {
        "compact-en-compleet": ("supports", "Een compact centrum brengt meer bezoekers langs onze zaken."),
        "prettig-en-comfortabel": ("supports", "Meer groen en zitplekken passen bij terrassen op de Brink."),
        "bereikbaar": (
            "supports_with_conditions",
            "Alleen als parkeren in Mercurius en Citadel ook 's avonds betaalbaar blijft.",
        ),
        "historisch-cultureel-actief": ("supports", "Evenementen op de Brink trekken gasten."),
        "gastvrij-en-ondernemend": ("supports", "Wij doen graag mee aan afspraken over openingstijden."),
        "goed-bekend": ("no_position", ""),
    },
    "answers": {
        "compact-en-compleet": ("adopted", "De gemeente neemt dit over in het uitvoeringsprogramma."),
        "prettig-en-comfortabel": ("adopted", "Het Koopmanskwartier krijgt meer groen en zitplekken."),
        "bereikbaar": ("partly_adopted", "Het avondtarief in Mercurius wordt onderzocht; Citadel blijft zoals het is."),
        "historisch-cultureel-actief": ("adopted", "De evenementenkalender wordt samen met de horeca opgesteld."),
        "gastvrij-en-ondernemend": ("adopted", "Afspraken over openingstijden komen in de samenwerking."),
        "goed-bekend": ("not_adopted", "Geen standpunt; de citymarketing loopt via de binnenstadsorganisatie."),
    },
}
RETAIL = {
    "statement": "De detailhandel steunt een compact kernwinkelgebied rond het Koopmansplein.",
    "stance": ("joins", ""),
    "positions": {
        "compact-en-compleet": ("supports", "Leegstand aan de randen moet worden omgevormd naar wonen."),
        "prettig-en-comfortabel": ("supports", ""),
        "bereikbaar": ("does_not_support", "Minder parkeerplekken aan de Oudestraat kost ons klanten."),
        "historisch-cultureel-actief": ("supports", ""),
        "gastvrij-en-ondernemend": ("supports_with_conditions", "Koopzondagen alleen op vrijwillige basis."),
        "goed-bekend": ("supports", ""),
    },
}
CULTUUR = {
    "statement": "Concept: de culturele instellingen werken nog aan hun gezamenlijke reactie.",
    "stance": (None, ""),
    "positions": {"historisch-cultureel-actief": ("supports", "Het Drents Museum en De Kolk als trekkers.")},
}


def _user(email: str) -> User:
    return db.session.scalar(sa.select(User).where(User.email == email))


def _draft(author: User, consultation, group, content) -> FormalResponse:
    response = operations.create_response(author, consultation, group)
    themes = {t.slug: t.id for t in consultation.themes}
    stance, conditions = content["stance"]
    operations.save_draft(
        author,
        response,
        version=response.version,
        statement=content["statement"],
        collaboration_stance=stance,
        collaboration_conditions=conditions,
        positions={themes[slug]: value for slug, value in content["positions"].items()},
    )
    return response


def seed_responses() -> str:
    consultation = db.session.scalar(sa.select(Consultation).where(Consultation.slug == SLUG))
    if consultation is None:
        return "responses: no Assen consultation"
    groups = {g.slug: g for g in db.session.scalars(sa.select(SectorGroup))}
    existing = set(
        db.session.scalars(
            sa.select(FormalResponse.sector_group_id).where(FormalResponse.consultation_id == consultation.id)
        )
    )
    created = []
    moderator = _user("moderator@example.org")
    themes = {t.slug: t.id for t in consultation.themes}
    if groups["horeca"].id not in existing:
        response = _draft(_user("lid.horeca@example.org"), consultation, groups["horeca"], HORECA)
        operations.submit_response(
            _user("horeca@example.org"), response, version=response.version, publication="public"
        )
        endorsements.endorse(_user("tekenbevoegd.horeca@example.org"), response)
        operations.take_step(moderator, response, "start_review", version=response.version)
        operations.take_step(moderator, response, "accept", version=response.version)
        operations.save_answers(moderator, response, {themes[slug]: value for slug, value in HORECA["answers"].items()})
        created.append("horeca (accepted, answered)")
    if groups["retail"].id not in existing:
        response = _draft(_user("retail@example.org"), consultation, groups["retail"], RETAIL)
        operations.submit_response(
            _user("retail@example.org"), response, version=response.version, publication="public"
        )
        created.append("retail (submitted)")
    if groups["cultuur"].id not in existing:
        _draft(_user("cultuur@example.org"), consultation, groups["cultuur"], CULTUUR)
        created.append("cultuur (draft)")
    return "responses: " + (", ".join(created) if created else "already present")
