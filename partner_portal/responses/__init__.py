"""Formal responses: a sector group's position on the vision, drafted together and submitted by its coordinator."""

from flask import Blueprint

bp = Blueprint("responses", __name__)
