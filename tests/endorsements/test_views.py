"""Endorsement pages through the test client: confirm, endorse, withdraw, endorse again; what MKB staff see."""

import threading

import pytest
import sqlalchemy as sa

from partner_portal.endorsements import operations
from partner_portal.endorsements.models import Endorsement
from partner_portal.extensions import db
from partner_portal.responses.models import ResponseState
from tests.access import log_in
from tests.conftest import post_form
from tests.responses import factories as rf

S = ResponseState


def test_endorsements_show_on_the_response(client, world, login_as):
    r = rf.response(world.consultation, world.group, S.submitted)
    db.session.commit()
    login_as(world.signatory)
    page = client.get(f"/reacties/{r.id}").get_data(as_text=True)
    assert "Onderschrijven namens Eetcafé Het Koopmanshuis" in page
    url = f"/reacties/{r.id}/onderschrijven"
    assert f'href="{url}"' in page  # a link to the confirmation, not the step itself
    response = post_form(client, url, {})
    assert response.status_code == 302
    page = client.get(f"/reacties/{r.id}").get_data(as_text=True)
    assert "<li>Eetcafé Het Koopmanshuis</li>" in page and "Onderschrijven namens" not in page
    assert "Onderschrijving intrekken" in page


def test_the_confirmation_says_what_endorsing_means(client, world, login_as):
    r = rf.response(world.consultation, world.group, S.accepted)
    db.session.commit()
    login_as(world.signatory)
    page = client.get(f"/reacties/{r.id}/onderschrijven")
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert '<h1 class="utrecht-heading-1">Onderschrijven namens Eetcafé Het Koopmanshuis</h1>' in text
    assert "namens uw hele organisatie" in text and "openbaar" in text and "één keer" in text
    assert "Ja, onderschrijven namens Eetcafé Het Koopmanshuis" in text
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Endorsement)) == 0  # a GET changes nothing


def test_the_confirmation_shows_why_not(client, world, login_as):
    r = rf.response(world.consultation, world.group, S.submitted)
    operations.endorse(world.signatory, r)
    db.session.commit()
    login_as(world.signatory)
    page = client.get(f"/reacties/{r.id}/onderschrijven")
    assert page.status_code == 409 and "al onderschreven" in page.get_data(as_text=True)
    member = client.application.test_client()
    log_in(member, world.member)
    page = member.get(f"/reacties/{r.id}/onderschrijven")
    assert page.status_code == 403 and "Alleen tekenbevoegden" in page.get_data(as_text=True)


def test_a_second_endorse_post_is_a_conflict_that_changes_nothing(client, world, login_as):
    r = rf.response(world.consultation, world.group, S.submitted)
    db.session.commit()
    login_as(world.signatory)
    url = f"/reacties/{r.id}/onderschrijven"
    token_page = f"/reacties/{r.id}"
    assert post_form(client, url, {}, form_url=token_page).status_code == 302
    again = post_form(client, url, {}, form_url=token_page, follow_redirects=True)
    assert "Uw organisatie heeft dit al onderschreven." in again.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Endorsement)) == 1


def test_withdraw_with_confirmation_then_endorse_again(client, world, login_as):
    r = rf.response(world.consultation, world.group, S.submitted)
    e = operations.endorse(world.signatory, r)
    db.session.commit()
    login_as(world.signatory)
    url = f"/onderschrijvingen/{e.id}/intrekken"
    confirm = client.get(url).get_data(as_text=True)
    assert (
        '<h1 class="utrecht-heading-1">Onderschrijving intrekken</h1>' in confirm
        and "Toelichting (niet verplicht)" in confirm
    )
    done = post_form(client, url, {"reason": "Wij trekken ons terug."})
    assert done.status_code == 302 and done.headers["Location"].endswith(f"/reacties/{r.id}")
    db.session.expire_all()
    assert e.withdrawn_at is not None and e.withdrawal_reason == "Wij trekken ons terug."
    page = client.get(f"/reacties/{r.id}").get_data(as_text=True)
    assert "<li>Eetcafé Het Koopmanshuis</li>" not in page and "Onderschrijven namens Eetcafé" in page
    # A withdrawn endorsement cannot be withdrawn again; its page says so.
    again = client.get(url, follow_redirects=True).get_data(as_text=True)
    assert "al ingetrokken" in again
    assert post_form(client, f"/reacties/{r.id}/onderschrijven", {}).status_code == 302
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Endorsement)) == 2


def test_others_cannot_withdraw(client, world, login_as):
    r = rf.response(world.consultation, world.group, S.submitted)
    e = operations.endorse(world.signatory, r)
    db.session.commit()
    login_as(world.member2)  # a member of the endorsing organisation, not a signatory
    assert client.get(f"/onderschrijvingen/{e.id}/intrekken").status_code == 403
    page = client.get(f"/reacties/{r.id}").get_data(as_text=True)
    assert "Onderschrijving intrekken" not in page


@pytest.mark.postgres_only
@pytest.mark.app_config(WTF_CSRF_ENABLED=False)
def test_twenty_parallel_endorse_requests_leave_exactly_one(app, world):
    r = rf.response(world.consultation, world.group, S.submitted)
    db.session.commit()
    clients = []
    for _ in range(20):
        c = app.test_client()
        log_in(c, world.signatory)
        clients.append(c)
    url = f"/reacties/{r.id}/onderschrijven"
    barrier = threading.Barrier(20)
    statuses = []

    def post(c):
        barrier.wait(timeout=10)
        statuses.append(c.post(url).status_code)

    threads = [threading.Thread(target=post, args=(c,)) for c in clients]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert sorted(statuses) == [302] + [303] * 19
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Endorsement)) == 1


def test_mkb_staff_see_which_members_endorsed_on_the_dashboard(client, world, login_as):
    r = rf.response(world.consultation, world.group, S.accepted)
    db.session.add(Endorsement(formal_response=r, organisation=world.org))  # an MKB member
    db.session.add(Endorsement(formal_response=r, organisation=world.org2))  # not a member
    db.session.commit()
    login_as(world.mkb)
    page = client.get("/mkb/dashboard").get_data(as_text=True)
    assert "Grand Café De Brink" in page and "Het Koopmanshuis" not in page
    assert f'Reactie: <a href="/reacties/{r.id}">Horeca: {world.consultation.title}</a>' in page


def test_a_withdrawn_endorsement_leaves_the_dashboard_and_the_old_overview_redirects(client, world, login_as):
    r = rf.response(world.consultation, world.group, S.accepted)
    e = operations.endorse(world.coordinator, r)  # Grand Café De Brink, an MKB member
    db.session.commit()
    operations.withdraw_endorsement(world.coordinator, e)
    db.session.commit()
    login_as(world.mkb)
    page = client.get("/mkb/dashboard").get_data(as_text=True)
    assert "Reactie: <a" not in page and "nog niet actief</td>" in page
    old = client.get("/mkb/onderschrijvingen")
    assert old.status_code == 301 and old.headers["Location"].endswith("/mkb/dashboard")


def test_the_nota_names_the_endorsing_organisations_of_public_responses(client, world, login_as):
    r = rf.response(world.consultation, world.group, S.accepted)
    hidden = rf.response(world.consultation, world.other_group, S.accepted, publication="not_public")
    operations.endorse(world.signatory, r)
    withdrawn = operations.endorse(world.coordinator, r)
    operations.withdraw_endorsement(world.coordinator, withdrawn)
    operations.endorse(world.other_signatory, hidden)
    db.session.commit()
    login_as(world.moderator)
    page = client.get(f"/consultaties/{world.consultation.slug}/nota").get_data(as_text=True)
    assert "<strong>Onderschreven door:</strong> Eetcafé Het Koopmanshuis</p>" in page  # active only
    assert "Grand Café De Brink" not in page and "Boekhandel Het Forum" not in page
