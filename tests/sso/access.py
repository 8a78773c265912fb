"""Access rules for single sign-on: the provider's round trip (everyone), and the provider pages (administrators only).

The world has two providers whose issuer nobody answers at (a closed loopback port): an enabled
one, whose callback without a login attempt is refused (403) without calling the provider, and
a disabled one, whose login start is 404 for everyone. The round trip itself is tested against
a real provider in tests/sso/test_login.py.
"""

from partner_portal.sso import operations
from partner_portal.sso.models import ProviderKind
from tests.access import ROLES, WORLD_BUILDERS, Rule, only

CLOSED = "http://localhost:9"  # the discard port: refused at once, no waiting


def _providers(w) -> None:
    w.provider = operations.add_provider(
        None,
        slug="wereld",
        name="Wereld-IdP",
        kind=ProviderKind.staff,
        issuer=CLOSED,
        client_id="portaal",
        client_secret="geheim",
    )
    w.provider_off = operations.add_provider(
        None,
        slug="uit",
        name="Uitgezette IdP",
        kind=ProviderKind.partner,
        issuer=CLOSED,
        client_id="portaal",
        private_key_jwt=True,
    )
    operations.set_provider_enabled(None, w.provider_off, False)


WORLD_BUILDERS.append(_providers)

ADMIN = ("administrator",)
EVERYONE_404 = dict.fromkeys(ROLES, 404)


def edit(w) -> str:
    return f"/beheer/inloggen/{w.provider.id}"


RULES = [
    Rule("sso.start", lambda w: "/login/sso/uit", EVERYONE_404, name="disabled provider"),
    Rule("sso.start", lambda w: "/login/sso/onbekend", EVERYONE_404, name="unknown provider"),
    # Without a login attempt of this browser the state cannot match: refused, for everyone.
    Rule("sso.callback", lambda w: "/login/sso/wereld/terug?code=x&state=y", default=403),
    Rule("sso.callback", lambda w: "/login/sso/uit/terug?code=x&state=y", EVERYONE_404, name="disabled provider"),
    # The steps after the provider need a pending login of this browser: without one, "begin again".
    Rule("sso.choose", lambda w: "/login/sso/wereld/organisatie", default=400),
    Rule("sso.choose", lambda w: "/login/sso/wereld/organisatie", default=400, method="POST"),
    Rule("sso.link", lambda w: "/login/sso/wereld/koppelen", default=400),
    Rule("sso.link", lambda w: "/login/sso/wereld/koppelen", default=400, method="POST"),
    Rule("sso.jwks", lambda w: "/sso/jwks.json"),
    Rule("sso.logged_out", lambda w: "/uitgelogd"),
    Rule("sso.providers", lambda w: "/beheer/inloggen", only(*ADMIN)),
    Rule("sso.new_provider", lambda w: "/beheer/inloggen/nieuw", only(*ADMIN)),
    Rule("sso.new_provider", lambda w: "/beheer/inloggen/nieuw", only(*ADMIN), method="POST"),
    Rule("sso.edit_provider", edit, only(*ADMIN)),
    # An empty POST leaves every stored value as it is: saved unchanged, back to the page.
    Rule("sso.edit_provider", edit, only(*ADMIN, allowed=302), method="POST"),
    Rule("sso.toggle_provider", lambda w: edit(w) + "/aan-uit", only(*ADMIN, allowed=302), method="POST"),
    Rule("sso.test_provider", lambda w: edit(w) + "/testen", only(*ADMIN), method="POST"),
]
