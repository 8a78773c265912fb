"""Invitation and password-reset links: end to end, expired, reused, tampered; password policy."""

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from partner_portal.auth import tokens
from partner_portal.auth.models import OrgRole, User
from partner_portal.core.audit import AuditEvent
from partner_portal.extensions import db
from partner_portal.notifications.models import OutboxMessage
from tests import factories
from tests.conftest import csrf_token, post_form

NEW_PASSWORD = "mijn-nieuwe-zin-als-wachtwoord"


def _invite(client, login_as, org, email="nieuw@example.org") -> str:
    admin = factories.user(org, OrgRole.org_admin)
    factories.commit()
    login_as(admin)
    response = post_form(
        client,
        f"/organisaties/{org.id}/mensen",
        {"name": "Nieuwe Collega", "email": email, "function_title": "Chef-kok", "org_role": "member"},
    )
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Nieuwe Collega is uitgenodigd." in page
    link = re.search(r"http://localhost(/uitnodiging/[^<\s]+)", page).group(1)
    client.post(
        "/logout", data={"csrf_token": re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)}
    )
    return link


def test_invitation_flow_end_to_end(client, login_as):
    org = factories.organisation()
    link = _invite(client, login_as, org)
    invited = db.session.scalar(db.select(User).filter_by(email="nieuw@example.org"))
    assert invited.organisation_id == org.id and invited.org_role == OrgRole.member and not invited.has_password

    page = client.get(link).get_data(as_text=True)
    assert "nieuw@example.org" in page
    response = post_form(client, link, {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert response.status_code == 302 and response.headers["Location"] == "/login"
    assert post_form(client, "/login", {"email": "nieuw@example.org", "password": NEW_PASSWORD}).status_code == 302
    assert invited.activated_at is not None
    actions = db.session.scalars(db.select(AuditEvent.action).where(AuditEvent.object_id == invited.id)).all()
    assert "user.invite" in actions and "user.activate" in actions


def test_invitation_link_works_only_once(client, login_as):
    link = _invite(client, login_as, factories.organisation())
    post_form(client, link, {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    again = client.get(link)
    assert again.status_code == 400
    assert "al gebruikt" in again.get_data(as_text=True)


@pytest.mark.app_config(INVITATION_MAX_AGE=timedelta(seconds=-1))
def test_expired_invitation_link_is_refused(client, login_as):
    link = _invite(client, login_as, factories.organisation())
    response = client.get(link)
    assert response.status_code == 400
    assert "verlopen" in response.get_data(as_text=True)
    assert (
        post_form(client, link, {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD}, form_url="/login").status_code
        == 400
    )


def test_tampered_link_is_refused(client, login_as):
    link = _invite(client, login_as, factories.organisation())
    tampered = link[:-3] + ("aaa" if not link.endswith("aaa") else "bbb")
    assert client.get(tampered).status_code == 400
    # A token made for a reset does not work as an invitation (and vice versa).
    person = factories.user()
    factories.commit()
    reset_token = tokens.make_token(person, "reset")
    assert client.get(f"/uitnodiging/{reset_token}").status_code == 400


def test_weak_password_is_refused_and_link_stays_usable(client, login_as):
    link = _invite(client, login_as, factories.organisation())
    for weak, message in [
        ("kort", "minstens 12 tekens"),
        ("wachtwoord123", "te bekend"),
        ("aaaaaaaaaaaaaaaa", "te bekend"),
        ("abcabcabcabc", "te bekend"),
        ("assen2026assen", "lijkt te veel op"),
        ("nieuw-nieuw-2026", "lijkt te veel op"),  # the address's local part
        ("nieuw@example.org", "gelijk zijn aan uw e-mailadres"),
    ]:
        response = post_form(client, link, {"password": weak, "confirm": weak})
        assert response.status_code == 200
        assert message in response.get_data(as_text=True), weak
    mismatch = post_form(client, link, {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD + "x"})
    assert "niet gelijk" in mismatch.get_data(as_text=True)
    assert post_form(client, link, {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD}).status_code == 302


def _queued_reset_mails(email: str) -> list[OutboxMessage]:
    return db.session.scalars(sa.select(OutboxMessage).filter_by(kind="password_reset", recipient_email=email)).all()


def test_password_reset_flow(app, client):
    person = factories.user()
    factories.commit()
    response = post_form(client, "/wachtwoord-vergeten", {"email": person.email}, buffered=True)
    assert response.status_code == 302
    [mail] = _queued_reset_mails(person.email)
    link = re.search(r"http://localhost(/wachtwoord-herstellen/[A-Za-z0-9._-]+)", mail.body_text).group(1)
    assert post_form(client, link, {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD}).status_code == 302
    assert client.get(link).status_code == 400  # used
    assert post_form(client, "/login", {"email": person.email, "password": NEW_PASSWORD}).status_code == 302


def test_reset_request_gives_the_same_answer_for_unknown_addresses(client):
    known = factories.user()
    factories.commit()
    answers = []
    for email in (known.email, "onbekend@example.org"):
        response = post_form(client, "/wachtwoord-vergeten", {"email": email}, follow_redirects=True, buffered=True)
        answers.append(re.sub(r"\s+", " ", response.get_data(as_text=True)).split("Als dit e-mailadres")[1][:80])
    assert answers[0] == answers[1]
    assert len(_queued_reset_mails(known.email)) == 1
    assert _queued_reset_mails("onbekend@example.org") == []


def test_reset_link_of_deactivated_user_is_refused(client):
    person = factories.user()
    factories.commit()
    token = tokens.make_token(person, "reset")
    person.is_active = False
    factories.commit()
    assert client.get(f"/wachtwoord-herstellen/{token}").status_code == 400


@pytest.mark.sqlite_only
def test_resending_an_invitation_is_audited_and_queues_a_mail(client, login_as):
    org = factories.organisation()
    admin = factories.user(org, OrgRole.org_admin)
    invited = factories.user(org, OrgRole.member, password=None)
    factories.commit()
    login_as(admin)
    response = post_form(client, f"/mensen/{invited.id}/uitnodiging", {}, form_url=f"/mensen/{invited.id}")
    assert response.status_code == 200
    assert "opnieuw verstuurd" in response.get_data(as_text=True)
    event = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "user.resend_invitation")).one()
    assert (event.actor_id, event.object_id, event.organisation_id) == (admin.id, invited.id, org.id)
    mails = db.session.scalars(sa.select(OutboxMessage).filter_by(kind="invitation", recipient_email=invited.email))
    assert len(mails.all()) == 1


@pytest.mark.sqlite_only
def test_reset_request_does_the_same_work_for_known_and_unknown_addresses(app, client):
    """Not a timing test: the request's SQL and templates are the same; the mail comes after the answer."""
    from flask import template_rendered

    from tests.querycount import count_queries

    known = factories.user()
    factories.commit()
    work = {}
    responses = {}
    for label, email in (("known", known.email), ("unknown", "onbekend@example.org")):
        token = csrf_token(client, "/wachtwoord-vergeten")
        rendered = []

        def record(sender, template, context, **extra):
            rendered.append(template.name)  # noqa: B023 (used within this iteration only)

        template_rendered.connect(record, app)
        try:
            with count_queries() as queries:
                responses[label] = client.post("/wachtwoord-vergeten", data={"csrf_token": token, "email": email})
        finally:
            template_rendered.disconnect(record, app)
        assert responses[label].status_code == 302
        work[label] = (queries.statements, rendered)
        assert _queued_reset_mails(email) == []  # nothing queued while the answer is being made
    assert work["known"] == work["unknown"]
    for response in responses.values():
        response.close()  # the server has sent the answer
    db.session.expire_all()
    assert len(_queued_reset_mails(known.email)) == 1
    assert _queued_reset_mails("onbekend@example.org") == []
