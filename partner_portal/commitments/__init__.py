"""Commitments (convenanten): texts that partner organisations co-sign, every signature bound to the
SHA-256 hash of the exact version it signed, with optional pledges and a threshold that makes the
commitment binding once."""

from flask import Blueprint

bp = Blueprint("commitments", __name__)
