"""Demo data: formal responses on the Assen consultation (idempotent, looked up by consultation and group).

Every role's journey can be walked right after `make run` (the README's demo section):

- horeca has not started: its member drafts, its signatory endorses, its coordinator submits;
- cultuur has a draft, halfway (its coordinator goes on with it);
- retail submitted and waits for the moderator;
- vastgoed is accepted, endorsed and answered by the gemeente (the Nota is not yet published).
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

VASTGOED = {
    "statement": (
        "De pandeigenaren steunen de visie. Een compact kernwinkelgebied rond het Koopmansplein vraagt om "
        "samen investeren in panden, en om ruimte voor wonen boven en naast winkels aan de randen."
    ),
    "stance": ("joins_with_conditions", "Een bijdrage naar verhouding van de WOZ-waarde, met zeggenschap erbij."),
    "positions": {
        "compact-en-compleet": ("supports", "Leegstaande winkelpanden aan de randen ombouwen tot woningen."),
        "prettig-en-comfortabel": ("supports", "Een vernieuwd Koopmansplein maakt panden eromheen aantrekkelijker."),
        "bereikbaar": (
            "supports_with_conditions",
            "Alleen als laden en lossen in de Oudestraat en de Ceresstraat mogelijk blijft.",
        ),
        "historisch-cultureel-actief": ("supports", "Monumentale panden verdienen een gevelfonds."),
        "gastvrij-en-ondernemend": ("supports", "Wij denken mee over tijdelijke verhuur aan starters."),
        "goed-bekend": ("no_position", ""),
    },
    "answers": {
        "compact-en-compleet": ("adopted", "De gemeente neemt dit over in het uitvoeringsprogramma."),
        "prettig-en-comfortabel": ("adopted", "Het Koopmanskwartier wordt samen met de eigenaren ontworpen."),
        "bereikbaar": ("partly_adopted", "Laden en lossen blijft 's ochtends mogelijk; 's middags niet."),
        "historisch-cultureel-actief": ("adopted", "Een gevelfonds komt in de begroting van 2027."),
        "gastvrij-en-ondernemend": ("adopted", "Tijdelijke verhuur aan starters krijgt een regeling."),
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
    if groups["vastgoed"].id not in existing:
        response = _draft(_user("vastgoed@example.org"), consultation, groups["vastgoed"], VASTGOED)
        operations.submit_response(
            _user("vastgoed@example.org"), response, version=response.version, publication="public"
        )
        endorsements.endorse(_user("vastgoed@example.org"), response)
        operations.take_step(moderator, response, "start_review", version=response.version)
        operations.take_step(moderator, response, "accept", version=response.version)
        answers = {themes[slug]: value for slug, value in VASTGOED["answers"].items()}
        operations.save_answers(moderator, response, answers, version=response.version)
        created.append("vastgoed (accepted, endorsed, answered)")
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
