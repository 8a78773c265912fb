"""Access rules for logging in, links and the own profile."""

from tests.access import Rule, anonymous_redirect

RULES = [
    # Logged-in people are sent on to their start page.
    Rule("auth.login", lambda w: "/login", {"anonymous": 200}, default=302),
    Rule("auth.login", lambda w: "/login", {"anonymous": 200}, default=302, method="POST"),
    Rule("auth.logout", lambda w: "/logout", default=302, method="POST"),
    # A tampered token is refused for everyone with the "link does not work" page.
    Rule("auth.accept_invitation", lambda w: "/uitnodiging/ongeldig", default=400),
    Rule("auth.accept_invitation", lambda w: "/uitnodiging/ongeldig", default=400, method="POST"),
    Rule("auth.reset_password", lambda w: "/wachtwoord-herstellen/ongeldig", default=400),
    Rule("auth.reset_password", lambda w: "/wachtwoord-herstellen/ongeldig", default=400, method="POST"),
    Rule("auth.forgot_password", lambda w: "/wachtwoord-vergeten"),
    Rule("auth.forgot_password", lambda w: "/wachtwoord-vergeten", method="POST"),
    Rule("auth.profile", lambda w: "/profiel", anonymous_redirect()),
    Rule("auth.profile", lambda w: "/profiel", anonymous_redirect(), method="POST"),
    Rule("auth.change_password", lambda w: "/profiel/wachtwoord", anonymous_redirect(), default=400, method="POST"),
]
