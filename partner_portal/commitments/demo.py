"""Demo data: two commitments on the Assen consultation (idempotent, looked up by title).

All made through the operations, as people would:
- "Intentieverklaring oprichting binnenstadsorganisatie": open for signing on version 2, binding
  at five organisations. Binnenstad Vastgoed signed version 1 only (shown as the earlier text);
  a horeca, a cultuur and a retail organisation signed version 2 with yearly contributions; Hotel
  De Vaart (joint authority) has one of its two signatures. Eetcafé Het Koopmanshuis has not
  signed: `tekenbevoegd.horeca@example.org` can.
- "Afspraken openingstijden binnenstad": binding, its threshold of three organisations reached.
- "Terrassen en uitstallingen rond de Brink": proposed by the horeca coordinator
  (`horeca@example.org`), waiting in the moderation queue for the gemeente's answer.
"""

from __future__ import annotations

import sqlalchemy as sa

from partner_portal.auth.models import User
from partner_portal.commitments import operations
from partner_portal.commitments.models import Commitment
from partner_portal.consultations.models import Consultation
from partner_portal.demo import DEMO_PASSWORD
from partner_portal.extensions import db

SLUG = "binnenstad-assen"
FOUNDATION = "Intentieverklaring oprichting binnenstadsorganisatie"
OPENING_HOURS = "Afspraken openingstijden binnenstad"

FOUNDATION_V1 = """De ondertekenende partners spreken de intentie uit om samen één binnenstadsorganisatie op te
richten, die de visie "Samen naar een krachtige binnenstad" uitvoert.

## Wat de organisatie doet
- Zij voert het uitvoeringsprogramma binnenstad uit, samen met de gemeente Assen.
- Zij spreekt namens de ondernemers, de culturele instellingen en de eigenaren van vastgoed.

## Hoe zij wordt betaald
De gemeente en een ondernemersfonds dragen samen bij. Iedere partner draagt naar vermogen bij.
"""

FOUNDATION_V2 = FOUNDATION_V1.replace(
    "Iedere partner draagt naar vermogen bij.",
    "Iedere partner draagt naar vermogen bij, met geld, uren of in natura, voor ten minste drie jaar.\n\n"
    "## Bestuur\nHet bestuur bestaat uit een vertegenwoordiger van elke sectorgroep en een onafhankelijk voorzitter.",
)

TERRACES = "Terrassen en uitstallingen rond de Brink"
TERRACES_TEXT = """De ondertekenende horecaondernemers aan de Brink spreken af:

- terrassen en uitstallingen laten een looppad van ten minste 1,80 meter vrij;
- terrasmeubilair is na sluitingstijd binnen of vastgezet;
- zij stemmen de opbouw af op de markt en de evenementen op de Brink.

De gemeente houdt hierover elk voorjaar een schouw met de ondernemers.
"""

OPENING_HOURS_TEXT = """De ondertekenende ondernemers houden hun zaak in de binnenstad open:

- op koopavond (donderdag) tot 21.00 uur;
- op de eerste zondag van de maand van 12.00 tot 17.00 uur;
- tijdens de TT-week en de Drentse Dagen volgens het evenementenrooster.

De gemeente zorgt op die momenten voor schoonmaak, verlichting en de bereikbaarheid van de binnenstad.
"""


def _user(email: str) -> User:
    return db.session.scalar(sa.select(User).where(User.email == email))


def _fields(consultation, *, title, text, threshold_organisations, themes=()):
    theme_ids = {t.slug: t.id for t in consultation.themes}
    return {
        "title": title,
        "text": text,
        "themes": ",".join(str(theme_ids[s]) for s in themes if s in theme_ids),
        "invited": "all",
        "threshold_organisations": str(threshold_organisations),
        "threshold": "",
        "allows_money": "1",
        "allows_hours": "1",
        "allows_in_kind": "1",
    }


def _sign(email: str, commitment: Commitment, function: str, **pledge):
    user = _user(email)
    return operations.sign(
        user,
        commitment,
        password=DEMO_PASSWORD,
        version_hash=commitment.current_hash,
        signer_name=user.name,
        function=function,
        **pledge,
    )


def seed_commitments() -> str:
    consultation = db.session.scalar(sa.select(Consultation).where(Consultation.slug == SLUG))
    if consultation is None:
        return "commitments: no Assen consultation"
    existing = set(db.session.scalars(sa.select(Commitment.title).where(Commitment.consultation_id == consultation.id)))
    if FOUNDATION in existing:
        return "commitments: already present"
    pm = _user("procesmanager@example.org")
    private = next(s for s in consultation.funding_sources if s.name == "Private partijen")

    foundation = operations.create_commitment(
        pm,
        consultation,
        _fields(consultation, title=FOUNDATION, text=FOUNDATION_V1, threshold_organisations=5),
    )
    operations.open_commitment(pm, foundation, version=foundation.version)
    _sign("vastgoed@example.org", foundation, "Directeur", pledge_kind="money", amount="5.000",
          funding_source_id=private.id)  # fmt: skip
    fields = _fields(consultation, title=FOUNDATION, text=FOUNDATION_V2, threshold_organisations=5)
    operations.save_commitment(pm, foundation, fields, version=foundation.version)  # version 2: the first is stale
    _sign("horeca@example.org", foundation, "Eigenaar", pledge_kind="money", amount="2.500",
          funding_source_id=private.id)  # fmt: skip
    _sign("cultuur@example.org", foundation, "Directeur", pledge_kind="hours", hours="120")
    _sign("retail@example.org", foundation, "Bedrijfsleider", pledge_kind="money", amount="1.500",
          funding_source_id=private.id)  # fmt: skip
    _sign("directie.hoteldevaart@example.org", foundation, "Directeur", pledge_kind="in_kind",
          in_kind="Vergaderruimte voor het bestuur, vier keer per jaar.")  # fmt: skip

    hours = operations.create_commitment(
        pm,
        consultation,
        _fields(consultation, title=OPENING_HOURS, text=OPENING_HOURS_TEXT, threshold_organisations=3),
    )
    operations.open_commitment(pm, hours, version=hours.version)
    _sign("horeca@example.org", hours, "Eigenaar")
    _sign("retail@example.org", hours, "Bedrijfsleider")
    _sign("toerisme@example.org", hours, "Coördinator")  # the third: binding
    terraces = operations.create_commitment(
        _user("horeca@example.org"),
        consultation,
        _fields(consultation, title=TERRACES, text=TERRACES_TEXT, threshold_organisations=3),
    )
    db.session.flush()
    return (
        f"commitments: {FOUNDATION} (open, version {foundation.current_version}), "
        f"{OPENING_HOURS} ({hours.state.value}), {TERRACES} ({terraces.state.value})"
    )
