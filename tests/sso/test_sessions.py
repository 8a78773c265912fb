"""SSO sessions: SSO required for staff, RP-initiated logout, the fresh login for step-up, linking by invitation."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import requests
import sqlalchemy as sa

from partner_portal.auth import links, tokens
from partner_portal.auth.models import OrgRole, StaffRole
from partner_portal.extensions import db
from partner_portal.sso.models import UserIdentity
from tests import factories
from tests.conftest import post_form
from tests.sso.conftest import approve, sso_login, staff_provider, to_provider


def _logged_in(client) -> bool:
    with client.session_transaction() as session:
        return "_user_id" in session


def _known_staff(provider, issuer, email="sam@assen.nl", sub="sam-1"):
    person = factories.user(role=StaffRole.moderator, email=email)
    db.session.add(UserIdentity(provider=provider, user=person, issuer=issuer, subject=sub))
    db.session.commit()
    return person


def test_sso_required_for_staff_refuses_their_password_and_reset_links(client, oidc_provider):
    staff_provider(oidc_provider, required_for_staff=True)
    moderator = factories.user(role=StaffRole.moderator, email="mod@assen.nl")
    partner = factories.user(factories.organisation(), OrgRole.member, email="lid@zaak.nl")
    db.session.commit()
    reset = links.reset_url(moderator)

    refused = post_form(client, "/login", {"email": moderator.email, "password": factories.PASSWORD})
    assert refused.status_code == 403
    assert "inlogdienst van hun organisatie" in refused.get_data(as_text=True)
    assert not _logged_in(client)
    page = client.get(urlsplit(reset).path)
    assert page.status_code == 400 and "een wachtwoord herstellen kan daarom niet" in page.get_data(as_text=True)
    try:
        tokens.user_for_token(urlsplit(reset).path.rsplit("/", 1)[1], "reset")
    except tokens.TokenError as error:
        assert error.reason == "sso"
    # Partners keep their password.
    assert post_form(client, "/login", {"email": partner.email, "password": factories.PASSWORD}).status_code == 302


def test_without_the_requirement_staff_keep_their_password(client, oidc_provider):
    staff_provider(oidc_provider)
    moderator = factories.user(role=StaffRole.moderator, email="mod2@assen.nl")
    db.session.commit()
    assert post_form(client, "/login", {"email": moderator.email, "password": factories.PASSWORD}).status_code == 302


def test_logout_ends_the_local_session_and_sends_the_person_to_the_provider(client, oidc_provider):
    provider = staff_provider(oidc_provider)
    person = _known_staff(provider, oidc_provider.issuer)
    oidc_provider.set_user("sam-1", email="sam@assen.nl", email_verified=True, groups=["portaal-moderatoren"])
    assert sso_login(client, "gemeente", "sam-1").status_code == 302
    with client.session_transaction() as session:
        id_token = session["sso"]["idt"]
    version = person.session_version

    response = post_form(client, "/logout", {}, form_url="/profiel")

    assert response.status_code == 302
    target = urlsplit(response.headers["Location"])
    assert f"{target.scheme}://{target.netloc}{target.path}" == f"{oidc_provider.issuer}/oauth2/end_session"
    query = parse_qs(target.query)
    assert query["id_token_hint"] == [id_token]
    assert query["post_logout_redirect_uri"] == ["http://localhost/uitgelogd"]
    assert not _logged_in(client)
    db.session.refresh(person)
    assert person.session_version == version + 1  # every other session of this person ends too
    # The provider's confirm step sends the person back to the portal's page.
    confirmed = requests.post(
        f"{oidc_provider.issuer}/oauth2/end_session/confirm",
        data={"redirect_uri": query["post_logout_redirect_uri"][0]},
        allow_redirects=False,
        timeout=5,
    )
    assert confirmed.headers["Location"] == "http://localhost/uitgelogd"
    assert client.get("/uitgelogd").status_code == 200


def test_a_password_login_logs_out_locally_only(client, login_as, oidc_provider):
    staff_provider(oidc_provider)
    person = factories.user(role=StaffRole.moderator, email="pw@assen.nl")
    db.session.commit()
    login_as(person)
    response = post_form(client, "/logout", {}, form_url="/profiel")
    assert response.headers["Location"] == "/"


def test_the_fresh_login_asks_the_provider_to_authenticate_again_and_records_the_time(app, client, oidc_provider):
    from partner_portal.sso import session as sso_session

    provider = staff_provider(oidc_provider)
    _known_staff(provider, oidc_provider.issuer)
    oidc_provider.set_user("sam-1", email="sam@assen.nl", email_verified=True, groups=["portaal-moderatoren"])
    assert sso_login(client, "gemeente", "sam-1").status_code == 302
    with client.session_transaction() as session:
        session["sso"] = {**session["sso"], "at": 1_000_000}  # a login long ago
        login_at = session["login_at"]

    with app.test_request_context():
        from flask import session as flask_session

        flask_session["sso"] = {"p": "gemeente", "at": 1_000_000}
        url = sso_session.fresh_login_url("/profiel")
        assert sso_session.last_fresh_login().year == 1970
    authorize = to_provider(client, "gemeente", url.removeprefix("/login/sso/gemeente"))
    query = parse_qs(urlsplit(authorize).query)
    assert query["prompt"] == ["login"] and query["max_age"] == ["0"]

    back = client.get(approve(authorize, "sam-1"))

    assert back.status_code == 302 and back.headers["Location"] == "/profiel"
    with client.session_transaction() as session:
        assert session["sso"]["at"] > 1_000_000
        assert session["login_at"] == login_at  # the same session, now with a fresh authentication


def test_a_fresh_login_as_someone_else_changes_nothing(client, oidc_provider):
    provider = staff_provider(oidc_provider)
    _known_staff(provider, oidc_provider.issuer)
    _known_staff(provider, oidc_provider.issuer, email="ander@assen.nl", sub="ander-1")
    oidc_provider.set_user("sam-1", email="sam@assen.nl", email_verified=True, groups=["portaal-moderatoren"])
    oidc_provider.set_user("ander-1", email="ander@assen.nl", email_verified=True, groups=["portaal-moderatoren"])
    assert sso_login(client, "gemeente", "sam-1").status_code == 302

    response = sso_login(client, "gemeente", "ander-1", "?opnieuw=1")

    assert response.status_code == 403
    with client.session_transaction() as session:
        assert session["sso"]["p"] == "gemeente"  # still Sam's session (the refusal page rolled nothing in)


def test_an_invited_person_links_through_the_invitation_link(client, oidc_provider):
    staff_provider(oidc_provider)
    admin = factories.user(role=StaffRole.administrator)
    invited = factories.user(role=StaffRole.moderator, email="nieuw@assen.nl", password=None)
    db.session.commit()
    invitation = links.invitation_url(invited)
    oidc_provider.set_user("nieuw-9", email="nieuw@assen.nl", email_verified=True, groups=["portaal-moderatoren"])
    assert admin

    response = sso_login(client, "gemeente", "nieuw-9")
    assert response.headers["Location"].endswith("/koppelen")
    page = client.get("/login/sso/gemeente/koppelen").get_data(as_text=True)
    assert "uitnodigingslink" in page

    path = urlsplit(invitation).path
    done = post_form(
        client, path, {"password": "een hele lange zin als wachtwoord", "confirm": "een hele lange zin als wachtwoord"}
    )
    assert done.status_code == 302
    identity = db.session.scalar(sa.select(UserIdentity))
    assert (identity.user_id, identity.subject) == (invited.id, "nieuw-9")
    assert sso_login(client, "gemeente", "nieuw-9").status_code == 302
    assert _logged_in(client)
