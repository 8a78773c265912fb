"""The pure rules of single sign-on: the acr order, the issuer check, role precedence, claim parsing."""

import pytest

from partner_portal.auth.models import StaffRole
from partner_portal.sso import operations
from partner_portal.sso.forms import parse_role_rules
from partner_portal.sso.models import IdentityProvider, ProviderKind

pytestmark = pytest.mark.sqlite_only

LOA2, LOA3, LOA4 = (f"urn:etoegang:core:assurance-class:loa{n}" for n in (2, 3, 4))


def _provider(**values) -> IdentityProvider:
    defaults = {"slug": "p", "kind": ProviderKind.partner, "issuer": "https://idp.example/", "acr_values": ""}
    provider = IdentityProvider(**{**defaults, **values})
    provider.min_acr = values.get("min_acr", "")
    return provider


@pytest.mark.parametrize(
    ("acr", "accepted"), [(LOA2, False), (LOA3, True), (LOA4, True), ("", False), ("iets-anders", False)]
)
def test_acr_levels_are_ordered_as_listed_lowest_first(acr, accepted):
    provider = _provider(acr_values=f"{LOA2} {LOA3} {LOA4}", min_acr=LOA3)
    assert provider.acr_acceptable(acr) is accepted


def test_without_a_minimum_any_acr_is_accepted():
    assert _provider().acr_acceptable("") and _provider().acr_acceptable(LOA2)


def test_the_discovery_url_and_the_expected_issuer_follow_from_either_form():
    for issuer in (
        "https://idp.example/realms/assen",
        "https://idp.example/realms/assen/.well-known/openid-configuration",
    ):
        provider = _provider(issuer=issuer)
        assert provider.expected_issuer == "https://idp.example/realms/assen"
        assert provider.discovery_url == "https://idp.example/realms/assen/.well-known/openid-configuration"


def test_an_id_token_of_another_issuer_is_refused(app):
    provider = _provider(issuer="https://idp.example")
    login = operations.Login(issuer="https://evil.example", subject="x", email="a@b.nl")
    with pytest.raises(operations.LoginRefused) as refused:
        operations.identify(provider, login)
    assert refused.value.code == "issuer"


def test_the_strongest_matching_role_wins():
    provider = _provider(kind=ProviderKind.staff, role_claim="roles")
    provider.rules = {"mkb": StaffRole.mkb_staff, "beheer": StaffRole.administrator, "mod": StaffRole.moderator}
    login = operations.Login(issuer="i", subject="s", claims={"roles": ["mod", "beheer", "mkb"]})
    assert operations._staff_role_from_rules(provider, login) == StaffRole.administrator


def test_kvk_numbers_are_read_from_a_string_or_a_list_and_must_have_eight_digits():
    provider = _provider(kvk_claim="kvk")
    as_list = operations.Login(issuer="i", subject="s", claims={"kvk": ["12345678", "1234", "87654321"]})
    assert operations.kvk_numbers(provider, as_list) == ["12345678", "87654321"]
    assert operations.kvk_numbers(provider, operations.Login(issuer="i", subject="s", claims={"kvk": "12345678"})) == [
        "12345678"
    ]


def test_role_rules_are_parsed_and_bad_lines_named():
    rules, bad = parse_role_rules("a = moderator\n\nb=administrator\nc = koning\nzonder\n")
    assert rules == {"a": "moderator", "b": "administrator"}
    assert bad == ["c = koning", "zonder"]


def test_only_a_verified_email_counts():
    assert operations.Login.from_claims({"sub": "s", "email": "A@B.nl", "email_verified": True}).email == "a@b.nl"
    unverified = operations.Login.from_claims({"sub": "s", "email": "a@b.nl", "email_verified": "true"})
    assert unverified.email is None and unverified.email_claimed


@pytest.mark.app_config(ENV_NAME="production", SSO_ENCRYPTION_KEY="")
def test_production_without_the_encryption_key_refuses_to_store_a_secret(app):
    from partner_portal.sso import crypto

    with pytest.raises(crypto.EncryptionKeyMissing) as missing:
        crypto.encrypt("geheim")
    assert "SSO_ENCRYPTION_KEY" in missing.value.message


@pytest.mark.app_config(SSO_ENCRYPTION_KEY="nieuwe-sleutel,oude-sleutel")
def test_a_secret_encrypted_under_the_old_key_still_decrypts_after_rotation(app):
    from partner_portal.sso import crypto

    app.config["SSO_ENCRYPTION_KEY"] = "oude-sleutel"
    old = crypto.encrypt("geheim")
    app.config["SSO_ENCRYPTION_KEY"] = "nieuwe-sleutel,oude-sleutel"
    assert crypto.decrypt(old) == "geheim"
    app.config["SSO_ENCRYPTION_KEY"] = "een-andere-sleutel"
    with pytest.raises(ValueError):
        crypto.decrypt(old)
