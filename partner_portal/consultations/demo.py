"""Demo data: the Assen consultation "Samen naar een krachtige binnenstad", loaded from its data file."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import sqlalchemy as sa
from babel.dates import format_date

from partner_portal.auth.models import User
from partner_portal.consultations.loader import load_consultation_data
from partner_portal.consultations.models import Consultation
from partner_portal.extensions import db

DATA_FILE = Path(__file__).with_name("data") / "binnenstad-assen.json"
SLUG = "binnenstad-assen"


# The demo's current stage started this many days before the day the demo is loaded.
CURRENT_STAGE_STARTED_DAYS_AGO = 21


def shift_stages(data: dict, today: date) -> dict:
    """The data with its stages moved in time so that the current stage runs today, every stage
    keeping its length and order; each description keeps the real dates of Assen's round as history.

    Assen's real round ran in 2017: loaded as it is, its current stage would have ended years ago,
    and an ended stage opens nothing. A demo must work on the day it is run.
    """
    current = next(s for s in data["stages"] if s["key"] == data["current_stage"])
    offset = (today - timedelta(days=CURRENT_STAGE_STARTED_DAYS_AGO)) - date.fromisoformat(current["starts_on"])
    for stage in data["stages"]:
        start, end = date.fromisoformat(stage["starts_on"]), date.fromisoformat(stage["ends_on"])
        real = f"{format_date(start, 'long', locale='nl')} – {format_date(end, 'long', locale='nl')}"
        history = f"In de ronde van Assen: {real}."
        stage["description"] = f"{stage.get('description', '')} {history}".strip()
        stage["starts_on"], stage["ends_on"] = (start + offset).isoformat(), (end + offset).isoformat()
    return data


def seed_consultation(today: date | None = None) -> str:
    """Load the Assen consultation unless it is there already (idempotent, by slug), its stages
    moved so that the current one runs today (see shift_stages)."""
    if db.session.scalar(sa.select(Consultation.id).where(Consultation.slug == SLUG)):
        return f"consultation: {SLUG} already present"
    data = shift_stages(json.loads(DATA_FILE.read_text(encoding="utf-8")), today or date.today())
    process_manager = db.session.scalar(sa.select(User).where(User.email == "procesmanager@example.org"))
    consultation = load_consultation_data(data, process_manager)
    return f"consultation: {SLUG} with {len(consultation.stages)} stages, current stage {data['current_stage']}"
