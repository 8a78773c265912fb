"""The gemeente's pages for initiatives: the review page, its steps, adoption with grants, the queue."""

import sqlalchemy as sa

from partner_portal.extensions import db
from partner_portal.initiatives.models import Grant, Initiative
from tests import factories
from tests.conftest import post_form
from tests.initiatives import factories as inf
from tests.initiatives.factories import S


def _fresh(initiative_id: int) -> Initiative:
    db.session.expire_all()
    return db.session.get(Initiative, initiative_id)


def _grants() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(Grant))


def test_the_moderator_takes_the_initiative_in_review(client, world, login_as):
    i = inf.initiative(world.consultation, world.lead, S.submitted, title="Route Brink")
    factories.commit()
    login_as(world.moderator)
    url = f"/beheer/initiatieven/{i.id}"
    page = client.get(url).text
    assert "In behandeling nemen" in page and "Grand Café De Brink" in page and "€ 50.000" in page
    response = post_form(client, f"{url}/stap/start_review", {"version": i.version}, form_url=url)
    assert response.status_code == 303 and response.location.endswith(url)
    assert _fresh(i.id).state == S.in_review
    assert "Het initiatief is in behandeling genomen." in client.get(url).text


def test_asking_for_changes_needs_a_reason_and_changes_nothing_without_one(client, world, login_as):
    i = inf.initiative(world.consultation, world.lead, S.in_review)
    factories.commit()
    login_as(world.moderator)
    url = f"/beheer/initiatieven/{i.id}/stap/request_changes"
    confirm = client.get(url)
    assert confirm.status_code == 200 and "Welke wijzigingen vraagt u?" in confirm.text
    response = post_form(client, url, {"version": i.version, "reason": "   "})
    assert response.status_code == 400 and "Geef een reden op" in response.text
    assert 'aria-invalid="true"' in response.text
    assert _fresh(i.id).state == S.in_review
    response = post_form(client, url, {"version": i.version, "reason": "Voeg een begroting toe."})
    assert response.status_code == 303
    assert _fresh(i.id).state == S.changes_requested


def test_the_process_manager_declines_with_a_public_reason(client, world, login_as):
    i = inf.initiative(world.consultation, world.lead, S.in_review)
    factories.commit()
    login_as(world.pm)
    url = f"/beheer/initiatieven/{i.id}"
    assert "Wijzigingen vragen" not in client.get(url).text  # the moderator's step
    response = post_form(client, f"{url}/stap/decline", {"version": i.version, "reason": "Past niet in de visie."})
    assert response.status_code == 303
    stored = _fresh(i.id)
    assert stored.state == S.declined and stored.closing_reason == stored.answer == "Past niet in de visie."
    client.delete_cookie(client.application.config["SESSION_COOKIE_NAME"])
    assert "Past niet in de visie." in client.get(f"/initiatieven/{i.id}").text


def test_a_stale_version_is_refused_with_409_and_the_current_page(client, world, login_as):
    i = inf.initiative(world.consultation, world.lead, S.in_review)
    factories.commit()
    login_as(world.pm)
    url = f"/beheer/initiatieven/{i.id}"
    stale = i.version - 1
    response = post_form(client, f"{url}/stap/decline", {"version": stale, "reason": "Nee."}, form_url=url)
    assert response.status_code == 409 and "intussen behandeld of gewijzigd" in response.text
    assert _fresh(i.id).state == S.in_review
    adopt = f"{url}/opnemen"
    response = post_form(client, adopt, {"version": stale, f"grant_{world.gemeente_source.id}": "1.000"})
    assert response.status_code == 409 and "intussen behandeld of gewijzigd" in response.text
    assert _fresh(i.id).state == S.in_review and _grants() == 0


def test_adoption_form_shows_requested_and_left_and_grants(client, world, login_as):
    i = inf.initiative(world.consultation, world.lead, S.in_review, requested={world.gemeente_source: 50_000})
    factories.commit()
    login_as(world.pm)
    url = f"/beheer/initiatieven/{i.id}/opnemen"
    page = client.get(url).text
    assert 'value="50.000"' in page and "€ 3.000.000" in page
    response = post_form(
        client, url, {"version": i.version, f"grant_{world.gemeente_source.id}": "12.500,50", "answer": "Mooi plan."}
    )
    assert response.status_code == 303 and response.location.endswith(f"/initiatieven/{i.id}")
    stored = _fresh(i.id)
    assert stored.state == S.adopted and stored.granted_for(world.gemeente_source.id) == 1_250_050
    assert stored.answer == "Mooi plan."


def test_adoption_refuses_each_wrong_amount_at_its_field_and_saves_nothing(client, world, login_as):
    i = inf.initiative(
        world.consultation,
        world.lead,
        S.in_review,
        requested={world.gemeente_source: 50_000, world.fonds_source: 10_000},
    )
    # The fund has granted all but 5.000 to another initiative.
    inf.initiative(
        world.consultation, world.other, S.adopted, total_euros=2_995_000, requested={world.fonds_source: 2_995_000}
    )
    factories.commit()
    login_as(world.pm)
    url = f"/beheer/initiatieven/{i.id}/opnemen"
    g, f = f"grant_{world.gemeente_source.id}", f"grant_{world.fonds_source.id}"
    before = _grants()
    cases = [
        ({g: "60.000"}, "hoogstens het gevraagde bedrag"),
        ({f: "10.000"}, "heeft nog € 5.000 over"),
        ({g: "-5"}, "niet negatief"),
        ({g: "abc"}, "is geen bedrag"),
    ]
    for values, message in cases:
        response = post_form(client, url, {"version": i.version, "answer": "Ja.", **values})
        assert response.status_code == 400, values
        assert message in response.text and 'aria-invalid="true"' in response.text
        assert _fresh(i.id).state == S.in_review and _grants() == before
    # Both wrong at once: both marked.
    response = post_form(client, url, {"version": i.version, g: "abc", f: "10.000"})
    assert "is geen bedrag" in response.text and "heeft nog € 5.000 over" in response.text
    assert 'value="abc"' in response.text  # what was typed stays


def test_partners_get_403_and_drafts_404(client, world, login_as):
    draft = inf.initiative(world.consultation, world.lead, S.draft)
    review = inf.initiative(world.consultation, world.lead, S.in_review)
    factories.commit()
    login_as(world.signatory)
    for url in (f"/beheer/initiatieven/{review.id}", f"/beheer/initiatieven/{review.id}/opnemen"):
        assert client.get(url).status_code == 403
    assert "Behandelen" not in client.get(f"/initiatieven/{review.id}").text
    client.delete_cookie(client.application.config["SESSION_COOKIE_NAME"])
    login_as(world.pm)
    assert client.get(f"/beheer/initiatieven/{draft.id}").status_code == 404
    assert client.get(f"/beheer/initiatieven/{review.id}/stap/submit").status_code == 404
    assert client.get(f"/beheer/initiatieven/{review.id}/stap/adopt").status_code == 404
    assert client.get(f"/beheer/initiatieven/{review.id}/stap/onzin").status_code == 404
    assert client.get(f"/beheer/initiatieven/{review.id}/stap/request_changes").status_code == 403
    assert "Behandelen" in client.get(f"/initiatieven/{review.id}").text


def test_steps_not_possible_now_say_why(client, world, login_as):
    i = inf.initiative(world.consultation, world.lead, S.submitted)
    factories.commit()
    login_as(world.pm)
    response = client.get(f"/beheer/initiatieven/{i.id}/opnemen")
    assert response.status_code == 400 and "Dit kan niet" in response.text


def test_the_queue_lists_initiatives_by_kind_with_counts(client, world, login_as):
    inf.initiative(world.consultation, world.lead, S.submitted, title="Route Brink")
    inf.initiative(world.consultation, world.co, S.in_review, title="Museumnacht")
    inf.initiative(world.consultation, world.other, S.draft, title="Geheim concept")
    factories.commit()
    login_as(world.moderator)
    page = client.get("/beheer/reacties").text
    assert "Route Brink" in page and "Museumnacht" in page and "Geheim concept" not in page
    assert "Reacties" in page
    only = client.get("/beheer/reacties?kind=initiatieven").text
    assert "Route Brink" in only and "Geen reacties gevonden" not in only
    assert 'id="initiative-counts"' in only
    responses = client.get("/beheer/reacties?kind=reacties").text
    assert "Route Brink" not in responses
    in_review = client.get("/beheer/reacties?kind=initiatieven&initiative_state=in_review").text
    assert "Museumnacht" in in_review and "Route Brink" not in in_review
    assert client.get("/beheer/reacties?kind=onzin").status_code == 400


def test_the_queue_and_the_review_page_have_a_fixed_query_count(app, world):
    from tests.access import log_in
    from tests.querycount import count_queries

    def grow(n):
        for k in range(n):
            org = factories.organisation(world.group, name=f"Organisatie {world.size + k}")
            inf.initiative(world.consultation, org, S.in_review, title=f"Plan {world.size + k}")
        world.size += n
        factories.commit()

    def measure(url):
        client = app.test_client()
        log_in(client, world.moderator)
        client.get(url)
        with count_queries() as log:
            assert client.get(url).status_code == 200
        return log.count

    world.size = 0
    grow(2)
    first = db.session.scalar(sa.select(sa.func.min(Initiative.id)))
    urls = ["/beheer/reacties", "/beheer/reacties?kind=initiatieven", f"/beheer/initiatieven/{first}"]
    small = [measure(url) for url in urls]
    grow(25)
    assert [measure(url) for url in urls] == small
    assert max(small) <= 10  # the moderation pages' ceiling (tests/moderation/test_query_budget.py)


def test_the_moderator_cannot_adopt_or_decline(client, world, login_as):
    i = inf.initiative(world.consultation, world.lead, S.in_review)
    factories.commit()
    login_as(world.moderator)
    url = f"/beheer/initiatieven/{i.id}"
    page = client.get(url).text
    assert "Opnemen in het uitvoeringsprogramma" not in page and "Niet opnemen" not in page
    response = post_form(client, f"{url}/opnemen", {"version": i.version}, form_url=url)
    assert response.status_code == 403 and "Opnemen en toekennen" not in response.text
    response = post_form(client, f"{url}/stap/decline", {"version": i.version, "reason": "Nee."}, form_url=url)
    assert response.status_code == 403
    assert _fresh(i.id).state == S.in_review and _grants() == 0
