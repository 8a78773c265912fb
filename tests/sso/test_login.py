"""Logging in through a real OpenID Connect provider on loopback: staff, partners and every refusal."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import sqlalchemy as sa

from partner_portal.auth.models import OrgRole, StaffRole, User
from partner_portal.core.audit import AuditEvent
from partner_portal.extensions import db
from partner_portal.sso.models import UserIdentity
from tests import factories
from tests.conftest import post_form
from tests.sso.conftest import approve, partner_provider, sso_login, staff_provider, to_provider


def _events(action: str) -> list[AuditEvent]:
    return list(db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)))


def _logged_in(client) -> bool:
    with client.session_transaction() as session:
        return "_user_id" in session


def test_staff_login_maps_roles_from_the_groups_claim_at_every_login(app, client, oidc_provider):
    provider = staff_provider(oidc_provider)
    person = factories.user(role=StaffRole.mkb_staff, email="jan@assen.nl", name="Jan")
    db.session.add(UserIdentity(provider=provider, user=person, issuer=oidc_provider.issuer, subject="jan-1"))
    db.session.commit()
    oidc_provider.set_user("jan-1", email="jan@assen.nl", email_verified=True, groups=["portaal-moderatoren"])

    response = sso_login(client, "gemeente", "jan-1")

    assert response.status_code == 302, response.get_data(as_text=True)
    assert _logged_in(client)
    db.session.refresh(person)
    assert person.staff_role == StaffRole.moderator
    role_event = _events("sso.role")[-1]
    assert (role_event.from_state, role_event.to_state) == ("mkb_staff", "moderator")
    login_event = _events("sso.login")[-1]
    assert login_event.details_dict["provider"] == "gemeente"
    with client.session_transaction() as session:
        assert session["sso"]["p"] == "gemeente"
        assert session["login_at"] and session["seen_at"]  # the ordinary session rules apply

    # The group changes at the provider: the role here follows at the next login.
    oidc_provider.set_user("jan-1", email="jan@assen.nl", email_verified=True, groups=["portaal-procesmanagers"])
    fresh = app.test_client()
    assert sso_login(fresh, "gemeente", "jan-1").status_code == 302
    db.session.refresh(person)
    assert person.staff_role == StaffRole.process_manager


def test_staff_without_any_mapped_group_is_refused(client, oidc_provider):
    provider = staff_provider(oidc_provider)
    person = factories.user(role=StaffRole.moderator, email="piet@assen.nl")
    db.session.add(UserIdentity(provider=provider, user=person, issuer=oidc_provider.issuer, subject="piet-1"))
    db.session.commit()
    oidc_provider.set_user("piet-1", email="piet@assen.nl", email_verified=True, groups=["iets-anders"])

    version = person.session_version

    response = sso_login(client, "gemeente", "piet-1")

    assert response.status_code == 403
    assert "geen rol" in response.get_data(as_text=True)
    db.session.refresh(person)
    assert person.session_version == version + 1  # removed in the IdP: every running session here ends
    assert not _logged_in(client)
    assert _events("sso.refused")[-1].reason == "no_role"


def test_unknown_person_gets_the_invitation_page_and_no_account(client, oidc_provider):
    staff_provider(oidc_provider)
    oidc_provider.set_user("nieuw-1", email="nieuw@assen.nl", email_verified=True, groups=["portaal-moderatoren"])
    users_before = db.session.scalar(sa.select(sa.func.count()).select_from(User))

    response = sso_login(client, "gemeente", "nieuw-1")

    assert response.status_code == 403
    assert "vraag uw organisatiebeheerder om een uitnodiging" in response.get_data(as_text=True).lower()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == users_before
    assert not _logged_in(client)


def test_verified_email_of_an_existing_account_links_only_after_the_password(client, oidc_provider):
    staff_provider(oidc_provider)
    person = factories.user(role=StaffRole.moderator, email="els@assen.nl")
    db.session.commit()
    oidc_provider.set_user("els-1", email="els@assen.nl", email_verified=True, groups=["portaal-moderatoren"])

    response = sso_login(client, "gemeente", "els-1")
    assert response.status_code == 302 and response.headers["Location"].endswith("/login/sso/gemeente/koppelen")
    assert not _logged_in(client)
    assert db.session.scalar(sa.select(UserIdentity)) is None

    wrong = post_form(client, "/login/sso/gemeente/koppelen", {"password": "niet-het-wachtwoord"})
    assert wrong.status_code == 400 and not _logged_in(client)

    right = post_form(client, "/login/sso/gemeente/koppelen", {"password": factories.PASSWORD})
    assert right.status_code == 302
    assert _logged_in(client)
    identity = db.session.scalar(sa.select(UserIdentity))
    assert (identity.user_id, identity.subject) == (person.id, "els-1")
    assert _events("sso.link")


def test_unverified_email_never_links(client, oidc_provider):
    staff_provider(oidc_provider)
    factories.user(role=StaffRole.moderator, email="kees@assen.nl")
    db.session.commit()
    oidc_provider.set_user("kees-1", email="kees@assen.nl", email_verified=False, groups=["portaal-moderatoren"])

    response = sso_login(client, "gemeente", "kees-1")

    assert response.status_code == 403
    assert "niet als bevestigd" in response.get_data(as_text=True)
    assert not _logged_in(client)
    assert _events("sso.refused")[-1].reason == "unverified_email"


def test_deactivated_user_is_refused(client, oidc_provider):
    provider = staff_provider(oidc_provider)
    person = factories.user(role=StaffRole.moderator, email="oud@assen.nl", is_active=False)
    db.session.add(UserIdentity(provider=provider, user=person, issuer=oidc_provider.issuer, subject="oud-1"))
    db.session.commit()
    oidc_provider.set_user("oud-1", email="oud@assen.nl", email_verified=True, groups=["portaal-moderatoren"])

    response = sso_login(client, "gemeente", "oud-1")

    assert response.status_code == 403
    assert "gedeactiveerd" in response.get_data(as_text=True)
    assert not _logged_in(client)
    event = _events("sso.refused")[-1]
    assert event.reason == "inactive" and event.details_dict["user_id"] == person.id


def test_wrong_state_is_refused(client, oidc_provider):
    staff_provider(oidc_provider)
    oidc_provider.set_user("s-1", email="s@assen.nl", email_verified=True)
    back = approve(to_provider(client, "gemeente"), "s-1")
    tampered = back.replace("state=", "state=x")

    response = client.get(tampered)

    assert response.status_code == 403
    assert "state" in response.get_data(as_text=True)
    assert _events("sso.refused")[-1].reason == "state"


def test_a_state_from_another_browser_is_refused(app, client, oidc_provider):
    staff_provider(oidc_provider)
    oidc_provider.set_user("s-2", email="s2@assen.nl", email_verified=True)
    back = approve(to_provider(client, "gemeente"), "s-2")
    response = app.test_client().get(back)  # an attacker's browser, without the login's session
    assert response.status_code == 403
    assert _events("sso.refused")[-1].reason == "state"


def test_a_replayed_code_is_refused(client, oidc_provider):
    provider = staff_provider(oidc_provider)
    person = factories.user(role=StaffRole.moderator, email="r@assen.nl")
    db.session.add(UserIdentity(provider=provider, user=person, issuer=oidc_provider.issuer, subject="r-1"))
    db.session.commit()
    oidc_provider.set_user("r-1", email="r@assen.nl", email_verified=True, groups=["portaal-moderatoren"])
    authorize = to_provider(client, "gemeente")
    with client.session_transaction() as session:
        saved = dict(session)  # the state data, as an attacker replaying the request would have it
    back = approve(authorize, "r-1")
    assert client.get(back).status_code == 302

    replay = client.application.test_client()
    with replay.session_transaction() as session:
        session.update(saved)
    response = replay.get(back)

    assert response.status_code == 403
    assert _events("sso.refused")[-1].reason == "token"


def test_a_wrong_nonce_is_refused(client, oidc_provider):
    provider = staff_provider(oidc_provider)
    person = factories.user(role=StaffRole.moderator, email="n@assen.nl")
    db.session.add(UserIdentity(provider=provider, user=person, issuer=oidc_provider.issuer, subject="n-1"))
    db.session.commit()
    oidc_provider.set_user("n-1", email="n@assen.nl", email_verified=True, groups=["portaal-moderatoren"])
    authorize = to_provider(client, "gemeente")
    state = parse_qs(urlsplit(authorize).query)["state"][0]
    with client.session_transaction() as session:
        key = f"_state_sso_gemeente_{state}"
        entry = session[key]
        entry["data"]["nonce"] = "een-andere-nonce"
        session[key] = entry

    response = client.get(approve(authorize, "n-1"))

    assert response.status_code == 403
    assert not _logged_in(client)
    assert _events("sso.refused")[-1].reason == "id_token"


def test_a_tampered_id_token_is_refused(client, oidc_provider, monkeypatch):
    """The provider's real token response, with one character of the ID token's signature changed."""
    from authlib.integrations.requests_client import OAuth2Session

    provider = staff_provider(oidc_provider)
    person = factories.user(role=StaffRole.moderator, email="t@assen.nl")
    db.session.add(UserIdentity(provider=provider, user=person, issuer=oidc_provider.issuer, subject="t-1"))
    db.session.commit()
    oidc_provider.set_user("t-1", email="t@assen.nl", email_verified=True, groups=["portaal-moderatoren"])
    real_fetch = OAuth2Session.fetch_token

    def tampering_fetch(self, *args, **kwargs):
        token = real_fetch(self, *args, **kwargs)
        head, payload, signature = token["id_token"].split(".")
        flipped = ("A" if signature[10] != "A" else "B").join((signature[:10], signature[11:]))
        token["id_token"] = f"{head}.{payload}.{flipped}"
        return token

    monkeypatch.setattr(OAuth2Session, "fetch_token", tampering_fetch)
    response = sso_login(client, "gemeente", "t-1")

    assert response.status_code == 403
    assert not _logged_in(client)
    assert _events("sso.refused")[-1].reason == "id_token"


def test_an_id_token_for_another_client_is_refused(client, oidc_provider, monkeypatch):
    """aud: the provider issued the token to another client id than the portal's."""
    from authlib.integrations.flask_client import FlaskOAuth2App

    provider = staff_provider(oidc_provider)
    person = factories.user(role=StaffRole.moderator, email="a@assen.nl")
    db.session.add(UserIdentity(provider=provider, user=person, issuer=oidc_provider.issuer, subject="a-1"))
    db.session.commit()
    oidc_provider.set_user("a-1", email="a@assen.nl", email_verified=True, groups=["portaal-moderatoren"])
    real_parse = FlaskOAuth2App.parse_id_token

    def parse_as_other_client(self, *args, **kwargs):
        self.client_id = "een-andere-client"
        return real_parse(self, *args, **kwargs)

    monkeypatch.setattr(FlaskOAuth2App, "parse_id_token", parse_as_other_client)
    response = sso_login(client, "gemeente", "a-1")
    assert response.status_code == 403
    assert _events("sso.refused")[-1].reason == "id_token"


def test_acr_below_the_minimum_is_refused(client, oidc_provider):
    partner_provider(oidc_provider)
    factories.organisation(name="Café De Brink", kvk="12345678")
    db.session.commit()
    oidc_provider.set_user(
        "eh-laag",
        email="laag@brink.nl",
        email_verified=True,
        name="Lage Zekerheid",
        kvk="12345678",
        acr="urn:etoegang:core:assurance-class:loa2",
    )

    response = sso_login(client, "eherkenning", "eh-laag")

    assert response.status_code == 403
    assert "betrouwbaarheidsniveau" in response.get_data(as_text=True)
    assert not _logged_in(client)
    assert _events("sso.refused")[-1].reason == "acr"


def test_the_login_request_carries_pkce_state_nonce_and_acr_values(client, oidc_provider):
    partner_provider(oidc_provider)
    query = parse_qs(urlsplit(to_provider(client, "eherkenning")).query)
    assert query["code_challenge_method"] == ["S256"] and query["code_challenge"]
    assert len(query["state"][0]) >= 43 and len(query["nonce"][0]) >= 43  # 256 bits, url-safe base64
    assert query["acr_values"] == ["urn:etoegang:core:assurance-class:loa2 urn:etoegang:core:assurance-class:loa3"]
    assert query["scope"] == ["openid email profile"]


def test_partner_with_a_kvk_claim_joins_that_organisation_as_member(client, oidc_provider):
    partner_provider(oidc_provider, vestiging_claim="vestiging")
    brink = factories.organisation(name="Café De Brink", kvk="12345678")
    admin = factories.user(brink, OrgRole.org_admin, email="beheer@brink.nl")
    factories.organisation(name="Ander Bedrijf", kvk="87654321")
    db.session.commit()
    oidc_provider.set_user(
        "eh-anna",
        email="anna@brink.nl",
        email_verified=True,
        name="Anna de Vries",
        kvk="12345678",
        vestiging="000012345678",
        acr="urn:etoegang:core:assurance-class:loa3",
    )

    response = sso_login(client, "eherkenning", "eh-anna")

    assert response.status_code == 302, response.get_data(as_text=True)
    anna = db.session.scalar(sa.select(User).where(User.email == "anna@brink.nl"))
    assert (anna.organisation_id, anna.org_role) == (brink.id, OrgRole.member)
    assert db.session.scalar(sa.select(UserIdentity.subject).where(UserIdentity.user_id == anna.id)) == "eh-anna"
    join = _events("sso.join")[-1]
    assert join.details_dict["acr"] == "urn:etoegang:core:assurance-class:loa3"
    assert join.details_dict["vestiging"] == "000012345678"
    with client.session_transaction() as session:
        assert session["sso"]["acr"] == "urn:etoegang:core:assurance-class:loa3"
    from partner_portal.notifications.models import OutboxMessage

    mail = db.session.scalar(sa.select(OutboxMessage).where(OutboxMessage.user_id == admin.id))
    assert mail is not None and "Anna de Vries" in mail.subject

    # The next login is the same account, by (issuer, subject): no second person.
    again = client.application.test_client()
    assert sso_login(again, "eherkenning", "eh-anna").status_code == 302
    assert db.session.scalar(sa.select(sa.func.count()).select_from(User).where(User.email == "anna@brink.nl")) == 1


def test_a_person_representing_two_organisations_chooses_one(client, oidc_provider):
    partner_provider(oidc_provider)
    factories.organisation(name="Boekhandel Het Forum", kvk="11111111")
    second = factories.organisation(name="Vastgoed Assen BV", kvk="22222222")
    db.session.commit()
    oidc_provider.set_user(
        "eh-bram",
        email="bram@forum.nl",
        email_verified=True,
        name="Bram",
        kvk=["11111111", "22222222"],
        acr="urn:etoegang:core:assurance-class:loa3",
    )

    response = sso_login(client, "eherkenning", "eh-bram")
    assert response.headers["Location"].endswith("/login/sso/eherkenning/organisatie")
    page = client.get("/login/sso/eherkenning/organisatie").get_data(as_text=True)
    assert "Boekhandel Het Forum" in page and "Vastgoed Assen BV" in page
    assert not _logged_in(client)

    chosen = post_form(client, "/login/sso/eherkenning/organisatie", {"organisation": str(second.id)})

    assert chosen.status_code == 302
    bram = db.session.scalar(sa.select(User).where(User.email == "bram@forum.nl"))
    assert bram.organisation_id == second.id
    assert _logged_in(client)


def test_an_archived_organisation_is_refused(client, oidc_provider):
    partner_provider(oidc_provider)
    factories.organisation(name="Gesloten Zaak", kvk="33333333", is_active=False)
    db.session.commit()
    oidc_provider.set_user(
        "eh-dicht",
        email="dicht@zaak.nl",
        email_verified=True,
        kvk="33333333",
        acr="urn:etoegang:core:assurance-class:loa3",
    )
    response = sso_login(client, "eherkenning", "eh-dicht")
    assert response.status_code == 403
    assert "gearchiveerd" in response.get_data(as_text=True)
    assert _events("sso.refused")[-1].reason == "archived"


def test_a_disabled_provider_is_not_offered_and_not_accepted(client, oidc_provider):
    from partner_portal.sso import operations

    provider = staff_provider(oidc_provider)
    assert "Inloggen met Gemeente Assen" in client.get("/login").get_data(as_text=True)
    operations.set_provider_enabled(None, provider, False)
    db.session.commit()
    assert "Inloggen met Gemeente Assen" not in client.get("/login").get_data(as_text=True)
    assert client.get("/login/sso/gemeente").status_code == 404
