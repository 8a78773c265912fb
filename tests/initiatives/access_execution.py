"""Access rules: execution (partner_portal/initiatives/execution.py)."""

RULES = []
