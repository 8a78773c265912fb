"""Access rules for the site-wide pages."""

from tests.access import Rule, anonymous_redirect

RULES = [
    Rule("site.home", lambda w: "/"),
    Rule("site.dashboard", lambda w: "/mijn", anonymous_redirect()),
    Rule("site.healthz", lambda w: "/healthz"),
    # Without a valid form the language switch just goes home.
    Rule("site.set_language", lambda w: "/taal", default=302, method="POST"),
]
