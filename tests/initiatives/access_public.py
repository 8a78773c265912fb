"""Access rules: the public list, the initiative's page, following (partner_portal/initiatives/public.py)."""

from tests.access import ROLES, Rule
from tests.initiatives.access import GEMEENTE, a, b, b_review, own_org

RULES = [
    Rule("initiatives.show", a, own_org(200, anonymous=404), name="own draft"),
    Rule("initiatives.show", b, name="in progress, public"),
    Rule(
        "initiatives.show",
        b_review,
        {**dict.fromkeys(ROLES, 404), **dict.fromkeys(GEMEENTE, 200)},
        name="another organisation's, in review",
    ),
]

RULES += [
    Rule("initiatives.index", lambda w: "/consultaties/binnenstad-test/initiatieven"),
]
