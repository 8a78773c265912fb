"""Endorsements: an organisation's public support for an item (a formal response; later initiatives and commitments)."""

from flask import Blueprint

bp = Blueprint("endorsements", __name__)
