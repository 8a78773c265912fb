"""Access rules for the engagement dashboard, its exports, the per-sector view and the old overview's redirect."""

from tests.access import Rule, only

MKB = ("mkb_staff", "administrator")

RULES = [
    Rule("mkb.dashboard", lambda w: "/mkb/dashboard", only(*MKB)),
    Rule("mkb.dashboard_csv", lambda w: "/mkb/dashboard.csv", only(*MKB)),
    Rule("mkb.dashboard_xlsx", lambda w: "/mkb/dashboard.xlsx", only(*MKB)),
    Rule("mkb.sectors", lambda w: "/mkb/sectoren", only(*MKB)),
    Rule("mkb.endorsements_redirect", lambda w: "/mkb/onderschrijvingen", only(*MKB, allowed=301)),
]
