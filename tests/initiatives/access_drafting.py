"""Access rules: drafting (partner_portal/initiatives/drafting.py)."""

RULES = []
