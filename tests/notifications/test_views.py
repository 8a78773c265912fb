"""Pages: own preferences, unsubscribe links (no login), the administrators' outbox."""

import sqlalchemy as sa

from partner_portal.auth.models import StaffRole
from partner_portal.extensions import db
from partner_portal.notifications import notify
from partner_portal.notifications.kinds import NotificationMode
from partner_portal.notifications.models import MailStatus, NotificationPreference, OutboxMessage
from partner_portal.notifications.operations import modes_for
from partner_portal.notifications.tokens import make_token
from tests import factories
from tests.conftest import csrf_token, post_form
from tests.notifications.factories import outbox_message


def unsubscribe_link(user, kind="response_rejected") -> str:
    notify(kind, [user], context={"title": "T", "url": "/t"})
    db.session.commit()
    message = db.session.scalars(sa.select(OutboxMessage).order_by(OutboxMessage.id.desc())).first()
    return message.unsubscribe_url.removeprefix("http://localhost")


# Unsubscribe --------------------------------------------------------------------------------


def test_get_shows_a_confirmation_and_changes_nothing(app, client):
    user = factories.user(email="rita@example.org")
    link = unsubscribe_link(user)
    page = client.get(link)
    assert page.status_code == 200
    body = page.get_data(as_text=True)
    assert "Uw reactie is afgewezen" in body and "rita@example.org" in body and "Ja, afmelden" in body
    assert modes_for(user)["response_rejected"] == NotificationMode.immediate


def test_post_with_the_form_unsubscribes_without_login(app, client):
    user = factories.user()
    link = unsubscribe_link(user)
    response = post_form(client, link, {})
    assert response.status_code == 200
    assert "U bent afgemeld" in response.get_data(as_text=True)
    assert modes_for(user)["response_rejected"] == NotificationMode.off
    # Afterwards that kind is no longer mailed.
    before = db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage))
    notify("response_rejected", [user], context={"title": "T", "url": "/t"})
    assert db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage)) == before


def test_one_click_post_per_rfc_8058_unsubscribes(app, client):
    user = factories.user()
    link = unsubscribe_link(user)
    response = client.post(link, data={"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    assert modes_for(user)["response_rejected"] == NotificationMode.off


def test_post_without_csrf_token_changes_nothing(app, client):
    user = factories.user()
    link = unsubscribe_link(user)
    response = client.post(link, data={})
    assert response.status_code == 400
    assert "Het formulier is verlopen" in response.get_data(as_text=True)
    assert modes_for(user)["response_rejected"] == NotificationMode.immediate


def test_tampered_or_security_tokens_are_refused(app, client):
    user = factories.user()
    link = unsubscribe_link(user)
    token = link.rsplit("/", 1)[1]
    tampered = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    for bad in (
        tampered,
        "ongeldig",
        make_token(user.id, "password_reset"),
        make_token(user.id + 99, "nota_published"),
    ):
        response = client.get(f"/afmelden/{bad}")
        assert response.status_code == 400
        assert "Deze afmeldlink werkt niet" in response.get_data(as_text=True)
        assert client.post(f"/afmelden/{bad}", data={"List-Unsubscribe": "One-Click"}).status_code == 400
    assert db.session.scalar(sa.select(sa.func.count()).select_from(NotificationPreference)) == 0


# Preferences ----------------------------------------------------------------------------------


def test_preferences_page_saves_choices(app, client, login_as):
    user = factories.user()
    factories.commit()
    login_as(user)
    page = client.get("/profiel/meldingen").get_data(as_text=True)
    assert '<label class="utrecht-form-label" for="response_rejected">Uw reactie is afgewezen</label>' in page
    assert "response_submitted" not in page  # a moderators' kind
    response = post_form(
        client,
        "/profiel/meldingen",
        {"response_rejected": "digest", "nota_published": "off", "changes_requested": "immediate"},
    )
    assert response.status_code == 302
    modes = modes_for(user)
    assert modes["response_rejected"] == NotificationMode.digest and modes["nota_published"] == NotificationMode.off
    assert "selected" in client.get("/profiel/meldingen").get_data(as_text=True)


def test_preferences_page_refuses_an_unknown_mode_with_a_dutch_summary(app, client, login_as):
    user = factories.user()
    factories.commit()
    login_as(user)
    response = post_form(client, "/profiel/meldingen", {"response_rejected": "soms"})
    assert response.status_code == 400
    body = response.get_data(as_text=True)
    assert "Er is iets niet goed ingevuld" in body
    assert db.session.scalar(sa.select(sa.func.count()).select_from(NotificationPreference)) == 0


# Outbox ----------------------------------------------------------------------------------------


def test_outbox_lists_newest_first_filters_and_says_no_server(app, client, login_as):
    admin = factories.user(role=StaffRole.administrator)
    outbox_message(status="sent", subject="Oud bericht")
    outbox_message(status="queued", subject="Nieuw bericht")
    outbox_message(status="failed", subject="Mislukt bericht")
    factories.commit()
    login_as(admin)
    page = client.get("/beheer/e-mail").get_data(as_text=True)
    assert "Er is geen mailserver ingesteld" in page
    assert page.index("Mislukt bericht") < page.index("Nieuw bericht") < page.index("Oud bericht")
    assert "1 bericht kon niet worden verzonden" in page
    filtered = client.get("/beheer/e-mail?status=sent").get_data(as_text=True)
    assert "Oud bericht" in filtered and "Nieuw bericht" not in filtered
    assert client.get("/beheer/e-mail?status=onzin").status_code == 200  # ignored, not a 500


def test_outbox_is_paginated(app, client, login_as):
    admin = factories.user(role=StaffRole.administrator)
    for _ in range(30):
        outbox_message()
    factories.commit()
    login_as(admin)
    assert "Pagina 1 van 2" in client.get("/beheer/e-mail").get_data(as_text=True)
    assert client.get("/beheer/e-mail?page=2").status_code == 200


def test_security_mail_body_is_hidden_from_administrators(app, client, login_as):
    admin = factories.user(role=StaffRole.administrator)
    notify("password_reset", [factories.user()], context={"url": "/wachtwoord-herstellen/geheim-token", "hours": 24})
    factories.commit()
    message = db.session.scalars(sa.select(OutboxMessage)).one()
    login_as(admin)
    page = client.get(f"/beheer/e-mail/{message.id}").get_data(as_text=True)
    assert "geheim-token" not in page
    assert "niet zichtbaar" in page


def test_retry_of_a_sent_message_is_refused_with_a_message(app, client, login_as):
    admin = factories.user(role=StaffRole.administrator)
    sent = outbox_message(status="sent")
    factories.commit()
    login_as(admin)
    token = csrf_token(client, f"/beheer/e-mail/{sent.id}")
    assert client.post(f"/beheer/e-mail/{sent.id}/opnieuw", data={"csrf_token": token}).status_code == 302
    assert "wacht niet op een nieuwe poging" in client.get(f"/beheer/e-mail/{sent.id}").get_data(as_text=True)
    db.session.refresh(sent)
    assert sent.status == MailStatus.sent
