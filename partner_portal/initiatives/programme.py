"""Routes: programme (see initiatives/views.py)."""

from partner_portal.initiatives import bp  # noqa: F401
