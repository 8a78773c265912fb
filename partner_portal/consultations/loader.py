"""Load a consultation from a data file, so that a new city or a new round is data, not code.

The file is JSON with the consultation's title, goal, vision, pillars, themes, stages, funding
and execution programme (see consultations/data/binnenstad-assen.json, the Assen example).
`load_consultation_data` checks the whole file first and refuses it with every problem listed;
nothing is written unless all of it is right. It flushes but does not commit.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import sqlalchemy as sa

from partner_portal.consultations.models import (
    Consultation,
    ConsultationStatus,
    FundingSource,
    FundingStatus,
    Location,
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

STAGE_ACTIONS = ("responses", "initiatives", "signing")


class InvalidConsultationData(ValueError):
    """The data file is not usable; `problems` lists every reason, one line each."""

    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems))
        self.problems = problems


def _text(item: dict, key: str, where: str, problems: list[str], *, required: bool = True, limit: int = 0) -> str:
    value = item.get(key, "")
    if not isinstance(value, str) or (required and not value.strip()):
        problems.append(f"{where}: '{key}' must be a non-empty text")
        return ""
    if limit and len(value) > limit:
        problems.append(f"{where}: '{key}' is longer than {limit} characters")
    return value.strip()


def _date(item: dict, key: str, where: str, problems: list[str]) -> date | None:
    try:
        return date.fromisoformat(item[key])
    except (KeyError, TypeError, ValueError):
        problems.append(f"{where}: '{key}' must be a date like 2017-04-11")
        return None


def _list(data: dict, key: str, problems: list[str]) -> list[dict]:
    value = data.get(key)
    if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
        problems.append(f"'{key}' must be a list of objects")
        return []
    return value


def check(data: Any) -> list[str]:
    """Every problem with the data, in English for the people who prepare such files."""
    if not isinstance(data, dict):
        return ["the file must hold one JSON object"]
    problems: list[str] = []
    slug = _text(data, "slug", "consultation", problems, limit=80)
    for key, limit in (("title", 200), ("goal", 2000), ("introduction", 0), ("change_note", 500)):
        _text(data, key, "consultation", problems, limit=limit)
    if slug and db.session.scalar(sa.select(Consultation.id).where(Consultation.slug == slug)):
        problems.append(f"a consultation with slug '{slug}' exists already")

    pillar_slugs = set()
    for n, pillar in enumerate(_list(data, "pillars", problems), 1):
        pillar_slug = _text(pillar, "slug", f"pillar {n}", problems)
        _text(pillar, "title", f"pillar {n}", problems)
        _text(pillar, "text", f"pillar {n}", problems)
        if pillar_slug in pillar_slugs:
            problems.append(f"pillar {n}: slug '{pillar_slug}' is used twice")
        pillar_slugs.add(pillar_slug)
    theme_slugs = set()
    for n, theme in enumerate(_list(data, "themes", problems), 1):
        theme_slug = _text(theme, "slug", f"theme {n}", problems)
        _text(theme, "title", f"theme {n}", problems)
        if theme_slug in theme_slugs:
            problems.append(f"theme {n}: slug '{theme_slug}' is used twice")
        theme_slugs.add(theme_slug)
        if theme.get("pillar") is not None and theme.get("pillar") not in pillar_slugs:
            problems.append(f"theme {n}: pillar '{theme.get('pillar')}' is not one of the pillars")

    stages = _list(data, "stages", problems)
    if not stages:
        problems.append("'stages' must list at least one stage")
    keys, previous_end = set(), None
    for n, stage in enumerate(stages, 1):
        key = _text(stage, "key", f"stage {n}", problems, limit=60)
        _text(stage, "title", f"stage {n}", problems, limit=120)
        if key in keys:
            problems.append(f"stage {n}: key '{key}' is used twice")
        keys.add(key)
        start, end = _date(stage, "starts_on", f"stage {n}", problems), _date(stage, "ends_on", f"stage {n}", problems)
        if start and end and end < start:
            problems.append(f"stage {n}: ends before it starts")
        if start and previous_end and start <= previous_end:
            problems.append(f"stage {n}: starts before the previous stage has ended (stages may not overlap)")
        previous_end = end or previous_end
        unknown = set(stage.get("opens", [])) - set(STAGE_ACTIONS)
        if unknown:
            problems.append(f"stage {n}: unknown actions {sorted(unknown)} (known: {', '.join(STAGE_ACTIONS)})")
    current = data.get("current_stage")
    if current is not None and current not in keys:
        problems.append(f"current_stage '{current}' is not one of the stage keys")

    for n, source in enumerate(_list(data, "funding", problems), 1):
        _text(source, "name", f"funding {n}", problems)
        if not isinstance(source.get("amount_euros"), int) or source["amount_euros"] < 0:
            problems.append(f"funding {n}: 'amount_euros' must be a whole, non-negative number")
        if source.get("status") not in {s.value for s in FundingStatus}:
            problems.append(f"funding {n}: 'status' must be one of {', '.join(s.value for s in FundingStatus)}")
    names = set()
    for n, location in enumerate(data.get("locations") or [], 1):
        if not isinstance(location, dict):
            problems.append(f"location {n}: must be an object")
            continue
        name = _text(location, "name", f"location {n}", problems, limit=120)
        if name in names:
            problems.append(f"location {n}: name '{name}' is used twice")
        names.add(name)
    for n, programme in enumerate(_list(data, "programmes", problems), 1):
        _text(programme, "title", f"programme {n}", problems)
        for m, project in enumerate(_list(programme, "projects", problems), 1):
            _text(project, "title", f"programme {n} project {m}", problems)
    return problems


def load_consultation_data(data: Any, actor=None, *, featured: bool | None = None) -> Consultation:
    """Create a published consultation from checked data; walk it to its current stage.

    Precondition: none (the data is checked first). Side effects: the consultation with its
    structure and first vision version, public audit events for each stage entered and for the
    vision, all in the current transaction. Raises InvalidConsultationData listing every problem.
    `featured`: put it on the home page (default: only when no consultation is featured yet).
    """
    problems = check(data)
    if problems:
        raise InvalidConsultationData(problems)
    now = utcnow()
    if featured is None:
        featured = not db.session.scalar(sa.select(Consultation.id).where(Consultation.is_featured))
    elif featured:
        db.session.execute(sa.update(Consultation).values(is_featured=False))
    consultation = Consultation(
        slug=data["slug"].strip(),
        title=data["title"].strip(),
        city=data.get("city", "").strip(),
        goal=data["goal"].strip(),
        status=ConsultationStatus.published,
        published_at=now,
        is_featured=featured,
    )
    pillars = {}
    for position, item in enumerate(data["pillars"]):
        pillars[item["slug"]] = Pillar(
            slug=item["slug"], title=item["title"], summary=item.get("summary", ""), position=position
        )
        consultation.pillars.append(pillars[item["slug"]])
    for position, item in enumerate(data["themes"]):
        consultation.themes.append(
            Theme(
                slug=item["slug"],
                title=item["title"],
                summary=item.get("summary", ""),
                position=position,
                pillar=pillars.get(item.get("pillar")),
            )
        )
    for position, item in enumerate(data["stages"]):
        opens = set(item.get("opens", []))
        consultation.stages.append(
            Stage(
                key=item["key"],
                title=item["title"],
                description=item.get("description", ""),
                position=position,
                starts_on=date.fromisoformat(item["starts_on"]),
                ends_on=date.fromisoformat(item["ends_on"]),
                opens_responses="responses" in opens,
                opens_initiatives="initiatives" in opens,
                opens_signing="signing" in opens,
            )
        )
    for position, item in enumerate(data["funding"]):
        consultation.funding_sources.append(
            FundingSource(
                name=item["name"],
                amount_euros=item["amount_euros"],
                status=FundingStatus(item["status"]),
                note=item.get("note", ""),
                position=position,
            )
        )
    for position, item in enumerate(data.get("locations") or []):
        consultation.locations.append(
            Location(name=item["name"].strip(), kind=item.get("kind", "").strip(), position=position)
        )
    for item in data["programmes"]:
        programme = Programme(
            title=item["title"],
            tagline=item.get("tagline", ""),
            period=item.get("period", ""),
            description=item.get("description", ""),
        )
        for position, project in enumerate(item.get("projects", [])):
            programme.projects.append(
                ProgrammeProject(
                    title=project["title"],
                    location=project.get("location", ""),
                    description=project.get("description", ""),
                    position=position,
                )
            )
        consultation.programmes.append(programme)
    db.session.add(consultation)
    db.session.flush()

    # Walk the stages up to the current one, so the timeline and procesverloop show real moves.
    previous = None
    for stage in consultation.stages if data.get("current_stage") else []:
        stage.entered_at = now
        if previous is not None:
            previous.completed_at = now
        consultation.current_position = stage.position
        audit.record(
            actor,
            "consultation.stage_advance",
            consultation,
            from_state=previous.key if previous else None,
            to_state=stage.key,
            is_public=True,
            consultation_id=consultation.id,
            details={"from_title": previous.title if previous else "", "to_title": stage.title},
        )
        previous = stage
        if stage.key == data["current_stage"]:
            break
    if previous is not None:
        consultation.stage_changed_at = now

    version = VisionVersion(
        consultation_id=consultation.id,
        number=1,
        introduction=data["introduction"],
        change_note=data["change_note"],
        published_at=now,
        published_by_id=actor.id if actor is not None else None,
    )
    texts = {item["slug"]: item["text"] for item in data["pillars"]}
    position = 0
    for pillar in consultation.pillars:
        version.sections.append(
            VisionSection(pillar_id=pillar.id, position=position, heading=pillar.title, body=texts[pillar.slug])
        )
        position += 1
    theme_texts = {item["slug"]: item.get("text") or item.get("summary", "") for item in data["themes"]}
    for theme in consultation.themes:
        version.sections.append(
            VisionSection(theme_id=theme.id, position=position, heading=theme.title, body=theme_texts[theme.slug])
        )
        position += 1
    db.session.add(version)
    db.session.flush()
    audit.record(
        actor,
        "vision.publish",
        version,
        to_state="v1",
        reason=version.change_note,
        is_public=True,
        consultation_id=consultation.id,
        details={"number": 1, "pdf": None},
    )
    return consultation
