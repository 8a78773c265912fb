"""Routes: see commitments/views.py."""

from partner_portal.commitments import bp  # noqa: F401
