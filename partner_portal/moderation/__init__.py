"""Moderation by the gemeente: the queue, reviews, answers and the Nota van beantwoording (owns no models)."""

from flask import Blueprint

bp = Blueprint("moderation", __name__)
