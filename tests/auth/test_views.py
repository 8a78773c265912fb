"""Invitation and password-reset links arrive by e-mail and work end to end; tokens never reach the log."""

import logging
import re

import pytest

from partner_portal.auth.models import StaffRole
from partner_portal.extensions import db
from tests import factories
from tests.conftest import post_form
from tests.smtp import bodies, run_mail

NEW_PASSWORD = "een-heel-nieuw-wachtwoord"


def link_in(message, path: str) -> str:
    text, html = bodies(message)
    match = re.search(rf"http://localhost({re.escape(path)}[A-Za-z0-9._-]+)", text)
    assert match, text
    assert match.group(0) in html
    return match.group(1)


def test_invitation_arrives_by_mail_and_its_link_activates_the_account(app, smtp, client, login_as, caplog):
    caplog.set_level(logging.INFO)
    admin = factories.user(role=StaffRole.administrator, name="Anne Beheerder")
    factories.commit()
    login_as(admin)
    response = post_form(
        client,
        "/beheer/medewerkers/uitnodigen",
        {"email": "nieuw@example.org", "name": "Nina Nieuw", "function_title": "", "staff_role": "moderator"},
    )
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    shown = re.search(r"http://localhost(/uitnodiging/[A-Za-z0-9._-]+)", page).group(1)

    run_mail(app, "send")
    [message] = smtp.messages
    assert message["To"] == "Nina Nieuw <nieuw@example.org>"
    assert message["Subject"] == "Uitnodiging voor het Partnerportaal Binnenstad"
    assert message["List-Unsubscribe"] is None  # security mail cannot be turned off
    text, _ = bodies(message)
    assert "Anne Beheerder nodigt u uit" in text
    link = link_in(message, "/uitnodiging/")
    assert link == shown  # the admin sees the same link

    client.post("/logout", data={"csrf_token": re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)[1]})
    assert client.get(link).status_code == 200
    response = post_form(client, link, {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert response.status_code == 302
    login_as("nieuw@example.org", NEW_PASSWORD)

    token = link.rsplit("/", 1)[1]
    assert token not in caplog.text
    assert "invitation queued for user" in caplog.text


def test_reset_link_arrives_by_mail_and_works(app, smtp, client, login_as, caplog):
    caplog.set_level(logging.INFO)
    user = factories.user(email="rita@example.org", locale="en", name="Rita")
    factories.commit()
    response = post_form(client, "/wachtwoord-vergeten", {"email": "Rita@example.org"}, buffered=True)
    assert response.status_code == 302

    run_mail(app, "send")
    [message] = smtp.messages
    assert message["Subject"] == "Reset your password"  # in the person's own language
    link = link_in(message, "/wachtwoord-herstellen/")
    assert client.get(link).status_code == 200
    assert post_form(client, link, {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD}).status_code == 302
    login_as(user, NEW_PASSWORD)
    # The link works once.
    assert client.get(link).status_code == 400

    token = link.rsplit("/", 1)[1]
    assert token not in caplog.text, "a reset token reached the log"


@pytest.mark.parametrize("who", ["unknown", "inactive", "invited"])
def test_no_reset_mail_but_the_same_answer_for_unknown_inactive_or_invited(app, smtp, client, who):
    email = f"{who}@example.org"
    if who == "inactive":
        factories.user(email=email, is_active=False)
    elif who == "invited":
        factories.user(email=email, password=None)
    factories.commit()
    assert post_form(client, "/wachtwoord-vergeten", {"email": email}, buffered=True).status_code == 302
    assert "Als dit e-mailadres bij ons bekend is" in client.get("/login").get_data(as_text=True)
    run_mail(app, "send")
    assert smtp.messages == []
    db.session.rollback()
