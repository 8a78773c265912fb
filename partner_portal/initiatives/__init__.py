"""Initiatives: projects and measures that partner organisations propose together, which the
gemeente adopts into the execution programme with money per funding source, followed to completion."""

from flask import Blueprint

bp = Blueprint("initiatives", __name__)
