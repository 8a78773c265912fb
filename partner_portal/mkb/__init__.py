"""MKB Assen: the member registry (imported from the association's CRM) and the engagement dashboard."""

from flask import Blueprint

bp = Blueprint("mkb", __name__)
