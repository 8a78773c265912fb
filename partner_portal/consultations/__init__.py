"""Consultations: the vision, its pillars and themes, the process stages, funding and the public pages."""

from flask import Blueprint

bp = Blueprint("consultations", __name__)
