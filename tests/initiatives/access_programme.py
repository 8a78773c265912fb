"""Access rules: programme (partner_portal/initiatives/programme.py)."""

RULES = []
