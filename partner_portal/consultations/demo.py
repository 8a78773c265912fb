"""Demo data: the Assen consultation "Samen naar een krachtige binnenstad", loaded from its data file."""

from __future__ import annotations

import json
from pathlib import Path

import sqlalchemy as sa

from partner_portal.auth.models import User
from partner_portal.consultations.loader import load_consultation_data
from partner_portal.consultations.models import Consultation
from partner_portal.extensions import db

DATA_FILE = Path(__file__).with_name("data") / "binnenstad-assen.json"
SLUG = "binnenstad-assen"


def seed_consultation() -> str:
    """Load the Assen consultation unless it is there already (idempotent, by slug)."""
    if db.session.scalar(sa.select(Consultation.id).where(Consultation.slug == SLUG)):
        return f"consultation: {SLUG} already present"
    data = json.loads(DATA_FILE.read_text(encoding="utf-8"))
    process_manager = db.session.scalar(sa.select(User).where(User.email == "procesmanager@example.org"))
    consultation = load_consultation_data(data, process_manager)
    return f"consultation: {SLUG} with {len(consultation.stages)} stages, current stage {data['current_stage']}"
