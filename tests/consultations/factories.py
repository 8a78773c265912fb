"""Factories for consultations: a small consultation with pillars, themes, stages and funding."""

import functools
import io
import itertools
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from werkzeug.datastructures import FileStorage

from partner_portal.consultations.models import (
    Consultation,
    ConsultationStatus,
    FundingSource,
    FundingStatus,
    Location,
    Pillar,
    Stage,
    Theme,
    VisionSection,
    VisionVersion,
)
from partner_portal.core import uploads
from partner_portal.core.models import utcnow
from partner_portal.extensions import db

_seq = itertools.count(1)

# (key, title, start, end, opens). Dates around today: the stage end date matters (a stage whose
# end has passed opens nothing), so the responses stage runs now, the others before and after it.
# "Today" in the gemeente's time zone (config.py's default), as the stage checks count it: between
# midnight there and midnight UTC, date.today() on a UTC machine is still yesterday.
TODAY = datetime.now(ZoneInfo("Europe/Amsterdam")).date()
STAGES = [
    ("opstellen", "Visie opstellen", TODAY - timedelta(days=400), TODAY - timedelta(days=61), ()),
    (
        "reactie",
        "Reactie van partners",
        TODAY - timedelta(days=30),
        TODAY + timedelta(days=30),
        ("responses", "initiatives"),
    ),
    ("verwerking", "Verwerking", TODAY + timedelta(days=31), TODAY + timedelta(days=120), ()),
    ("uitvoering", "Uitvoering", TODAY + timedelta(days=121), TODAY + timedelta(days=1500), ("initiatives", "signing")),
]


def period(key: str) -> str:
    """A stage's period as the pages and messages write it in Dutch ("1 mei 2026 – 30 juni 2026")."""
    from babel.dates import format_date

    _key, _title, start, end, _opens = next(stage for stage in STAGES if stage[0] == key)
    return f"{format_date(start, 'long', locale='nl')} – {format_date(end, 'long', locale='nl')}"


def consultation(
    slug: str | None = None,
    status: ConsultationStatus = ConsultationStatus.published,
    current: int | None = 1,
    featured: bool = False,
    **kwargs,
) -> Consultation:
    n = next(_seq)
    c = Consultation(
        slug=slug or f"consultatie-{n}",
        title=kwargs.pop("title", f"Consultatie {n}"),
        city="Assen",
        goal=kwargs.pop("goal", "Een krachtige binnenstad."),
        status=status,
        published_at=utcnow() if status != ConsultationStatus.draft else None,
        closed_at=utcnow() if status == ConsultationStatus.closed else None,
        is_featured=featured,
        current_position=current,
        **kwargs,
    )
    pillar = Pillar(slug="familiestad", title="Comfortabele familiestad", position=0)
    c.pillars.append(pillar)
    c.pillars.append(Pillar(slug="ondernemend", title="Ondernemende stad", position=1))
    c.themes.append(Theme(slug="bereikbaar", title="De bereikbare binnenstad", position=0, pillar=pillar))
    c.themes.append(Theme(slug="bekend", title="De goed bekende binnenstad", position=1))
    for position, (key, title, start, end, opens) in enumerate(STAGES):
        c.stages.append(
            Stage(
                key=key,
                title=title,
                position=position,
                starts_on=start,
                ends_on=end,
                opens_responses="responses" in opens,
                opens_initiatives="initiatives" in opens,
                opens_signing="signing" in opens,
            )
        )
    c.funding_sources.append(FundingSource(name="Gemeente", amount_euros=3_000_000, status=FundingStatus.committed))
    c.funding_sources.append(
        FundingSource(name="Binnenstadsfonds", amount_euros=3_000_000, status=FundingStatus.requested, position=1)
    )
    c.locations.append(Location(name="Koopmansplein", position=0))
    c.locations.append(Location(name="Brink", position=1))
    c.locations.append(Location(name="Mercurius", kind="parkeergarage", position=2))
    db.session.add(c)
    db.session.flush()
    return c


@functools.cache
def pdf_bytes(pages: int = 1, *, text: str = "") -> bytes:
    """A real (parseable) PDF of blank A4 pages; `text` goes into its metadata so files differ.
    The same arguments give the same bytes (a file uploaded twice is the same file)."""
    from pypdf import PdfWriter

    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=595, height=842)
    if text:
        writer.add_metadata({"/Title": text})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def pdf_upload(content: bytes | None = None, name: str = "visie.pdf") -> FileStorage:
    content = pdf_bytes() if content is None else content
    return FileStorage(stream=io.BytesIO(content), filename=name, content_type="application/pdf")


def vision_version(c: Consultation, number: int = 1, introduction: str = "Inleiding.", with_pdf: bool = False):
    version = VisionVersion(
        consultation_id=c.id,
        number=number,
        introduction=introduction,
        change_note=f"Versie {number}",
        published_at=utcnow(),
        pdf=uploads.save_pdf(pdf_upload()) if with_pdf else None,
    )
    for position, pillar in enumerate(c.pillars):
        version.sections.append(
            VisionSection(pillar_id=pillar.id, position=position, heading=pillar.title, body=f"Tekst {pillar.title}")
        )
    for position, theme in enumerate(c.themes, start=len(c.pillars)):
        version.sections.append(
            VisionSection(theme_id=theme.id, position=position, heading=theme.title, body=f"Tekst {theme.title}")
        )
    db.session.add(version)
    db.session.flush()
    return version
