"""Access rules: review (partner_portal/initiatives/review.py)."""

RULES = []
