"""Routes: the public list per consultation, the initiative's page and following (see initiatives/views.py)."""

from __future__ import annotations

from flask import render_template

from partner_portal.initiatives import bp
from partner_portal.initiatives.loading import load_initiative


@bp.get("/initiatieven/<int:initiative_id>")
def show(initiative_id: int):
    initiative = load_initiative(initiative_id)
    return render_template("initiatives/show.html", initiative=initiative, consultation=initiative.consultation)
