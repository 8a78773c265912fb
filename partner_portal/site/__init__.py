"""Site-wide pages: home, personal start page, language switch and the health check."""

from flask import Blueprint

bp = Blueprint("site", __name__)
