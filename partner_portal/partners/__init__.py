"""The partner registry: sector groups, organisations and their people."""

from flask import Blueprint

bp = Blueprint("partners", __name__)
