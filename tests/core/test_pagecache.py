"""The cache of rendered public pages: served to visitors without an account, invalidated by writes.

Run against both stores: the in-process one and a real Redis on loopback (the production store).
"""

import os
import re

import pytest
import sqlalchemy as sa
from itsdangerous import URLSafeTimedSerializer

from partner_portal import demo
from partner_portal.auth.models import StaffRole
from partner_portal.consultations.models import Consultation
from partner_portal.core import pagecache
from partner_portal.core.models import utcnow
from partner_portal.extensions import db
from partner_portal.responses.models import ResponseState
from tests import factories
from tests.access import log_in
from tests.conftest import post_form
from tests.querycount import count_queries
from tests.responses import factories as rf

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
REQUIRE_REDIS = os.environ.get("REQUIRE_REDIS") == "1"
ASSEN = "/consultaties/binnenstad-assen"


def _redis_problem() -> str | None:
    try:
        import redis

        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
        return None
    except Exception as exc:
        return f"Redis at {REDIS_URL} is not reachable: {exc}".splitlines()[0]


@pytest.fixture(params=["memory", "redis"])
def cache_url(request):
    if request.param == "memory":
        return "memory://"
    problem = _redis_problem()
    if problem:
        if REQUIRE_REDIS:
            pytest.fail(f"REQUIRE_REDIS=1 but {problem}")
        pytest.skip(problem)
    return REDIS_URL


@pytest.fixture
def app(app, cache_url):
    """The usual app with the page cache on, holding nothing from an earlier test."""
    app.config["PAGE_CACHE_URL"] = cache_url
    pagecache.init_app(app)
    app.extensions["page_cache"].clear()
    return app


@pytest.fixture
def seeded(app):
    demo.seed()
    db.session.commit()
    return db.session.scalar(sa.select(Consultation).where(Consultation.slug == "binnenstad-assen"))


def _statements(client, url: str) -> tuple[int, str]:
    with count_queries() as log:
        response = client.get(url)
    assert response.status_code == 200
    return log.count, response.get_data(as_text=True)


def _logged_in(app, person):
    """A second browser with `person` logged in (the login form itself is tested elsewhere)."""
    other = app.test_client()
    log_in(other, person)
    return other


def _current_step(page: str) -> str:
    start = page.index('aria-current="step"')
    return page[start : page.index("</li>", start)]


CSRF_TOKEN = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


def _tokens_unsigned(app, page: str) -> str:
    """The page with each form token replaced by the session secret that it signs.

    A token carries the second it was signed in, so the same page rendered twice for the same
    visitor differs in its tokens whenever a second passes between the two. What must be equal
    is the rest of the page and whose session each token is for.
    """
    signer = URLSafeTimedSerializer(app.config.get("WTF_CSRF_SECRET_KEY") or app.secret_key, salt="wtf-csrf-token")
    tokens = set(CSRF_TOKEN.findall(page))
    assert tokens, "no form token on the page"
    for token in tokens:
        page = page.replace(token, f"<token for {signer.loads(token)}>")
    return page


def test_a_public_page_is_rendered_once_then_served_without_the_database(app, client, seeded):
    first, page = _statements(client, f"{ASSEN}/tijdlijn")
    again, cached = _statements(client, f"{ASSEN}/tijdlijn")
    assert first > 0 and again == 0
    assert _tokens_unsigned(app, cached) == _tokens_unsigned(app, page)


def test_a_committed_change_shows_at_once(app, client, login_as, seeded):
    visitor = app.test_client()
    assert "Reactie van partners" in _current_step(visitor.get(f"{ASSEN}/tijdlijn").get_data(as_text=True))
    pm = factories.user(role=StaffRole.process_manager)
    factories.commit()
    login_as(pm)
    manage = f"{ASSEN}/beheer"
    response = post_form(client, f"{manage}/fase/volgende", {"version": seeded.version, "reason": ""}, form_url=manage)
    assert response.status_code == 302
    page = visitor.get(f"{ASSEN}/tijdlijn").get_data(as_text=True)
    assert "Verwerking en besluitvorming" in _current_step(page)


def test_a_refused_change_keeps_the_cache(app, client, seeded):
    """A rolled-back transaction wrote nothing, so the stored page stays valid."""
    client.get("/")
    factories.sector_group("tijdelijk", "Tijdelijk")  # flushed, then rolled back
    db.session.rollback()
    assert _statements(client, "/")[0] == 0


def test_logged_in_users_never_get_a_stored_page(client, login_as, seeded):
    client.get("/")
    person = factories.user(role=StaffRole.moderator, name="Mark de Moderator")
    factories.commit()
    login_as(person)
    count, page = _statements(client, "/")
    assert count > 0 and "Uitloggen" in page and "Inloggen" not in page


def test_each_language_has_its_own_page(app, client, seeded):
    dutch = client.get("/").get_data(as_text=True)
    english_visitor = app.test_client()
    post_form(english_visitor, "/taal", {"locale": "en", "next": "/"}, form_url="/")
    english = english_visitor.get("/").get_data(as_text=True)
    assert '<html lang="nl" class="utrecht-root">' in dutch and '<html lang="en" class="utrecht-root">' in english
    assert '<html lang="nl" class="utrecht-root">' in client.get("/").get_data(as_text=True)


def test_every_visitor_gets_their_own_csrf_token_and_the_language_switch_works(app, seeded):
    first, second = app.test_client(), app.test_client()
    tokens = []
    for visitor in (first, second):
        page = visitor.get(ASSEN).get_data(as_text=True)
        tokens.append(re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1))
    assert tokens[0] != tokens[1] and "\x00" not in page
    response = second.post("/taal", data={"csrf_token": tokens[1], "locale": "en", "next": ASSEN})
    assert response.status_code == 302
    assert '<html lang="en" class="utrecht-root">' in second.get(ASSEN).get_data(as_text=True)


def test_flash_messages_are_shown_once_and_never_stored(app, client, login_as, seeded):
    person = factories.user(role=StaffRole.moderator)
    factories.commit()
    login_as(person)
    post_form(client, "/logout", {}, form_url="/mijn")  # flashes "U bent uitgelogd" on the next page
    with_flash = client.get("/").get_data(as_text=True)
    other = app.test_client().get("/").get_data(as_text=True)
    assert "flash" in with_flash and 'class="flash' not in other


def test_query_arguments_other_than_paging_are_not_stored(client, seeded):
    client.get("/?x=1")
    assert _statements(client, "/?x=1")[0] > 0
    client.get("/consultaties?page=1")
    assert _statements(client, "/consultaties?page=1")[0] == 0


def test_only_successful_pages_are_stored(client, seeded):
    client.get("/consultaties/bestaat-niet")
    with count_queries() as log:
        assert client.get("/consultaties/bestaat-niet").status_code == 404
    assert log.count > 0


@pytest.mark.sqlite_only
@pytest.mark.parametrize("cache_url", ["redis"], indirect=True)
def test_an_unreachable_store_leaves_the_site_working(app, client, caplog):
    app.extensions["page_cache"].store = type(app.extensions["page_cache"].store)("redis://127.0.0.1:1/0")
    assert client.get("/").status_code == 200
    assert "Page cache unreachable" in caplog.text


# The moderation queue's list: one cached piece shared by the gemeente users -------------------


def _queue_rows(page: str) -> str:
    return page.split('<h2 class="utrecht-heading-2">Reacties</h2>')[1]


def test_the_moderation_queue_is_shared_by_the_gemeente_and_current_after_every_step(app, client, login_as, world):
    r = rf.response(world.consultation, world.group, ResponseState.submitted)
    db.session.commit()
    login_as(world.moderator)
    pm = _logged_in(app, world.pm)
    first, page = _statements(client, "/beheer/reacties")
    assert "ingediend" in _queue_rows(page) and "Mark de Moderator" in page  # the layout stays personal
    count, pm_page = _statements(pm, "/beheer/reacties")
    assert count < first and _queue_rows(pm_page) == _queue_rows(page)
    url = f"/beheer/reacties/{r.id}"
    post_form(client, f"{url}/stap/start_review", {"version": r.version}, form_url=url)
    assert "in behandeling" in _queue_rows(pm.get("/beheer/reacties").get_data(as_text=True))


def test_a_stored_queue_is_never_shown_to_someone_without_the_right(app, client, login_as, world):
    rf.response(world.consultation, world.group, ResponseState.submitted)
    db.session.commit()
    login_as(world.moderator)
    client.get("/beheer/reacties")
    member = _logged_in(app, world.member)
    assert member.get("/beheer/reacties").status_code == 403


def test_the_organisation_list_is_shared_by_administrators_and_current_after_a_change(app, client, login_as):
    admin = factories.user(role=StaffRole.administrator)
    other_admin = factories.user(role=StaffRole.administrator)
    member = factories.user(factories.organisation(name="Stadsbakkerij"))
    factories.commit()
    login_as(admin)
    colleague, outsider = _logged_in(app, other_admin), _logged_in(app, member)
    first, page = _statements(client, "/beheer/organisaties")
    again, colleague_page = _statements(colleague, "/beheer/organisaties")
    assert (
        colleague_page.split('<h1 class="utrecht-heading-1">')[1] == page.split('<h1 class="utrecht-heading-1">')[1]
    )  # the same list, from the cache
    assert "Stadsbakkerij" in page and again < first
    assert outsider.get("/beheer/organisaties").status_code == 403
    factories.organisation(name="Fietsenmaker De Vaart")
    factories.commit()
    assert "Fietsenmaker De Vaart" in colleague.get("/beheer/organisaties").text


def test_draft_answers_stay_with_the_gemeente_even_once_their_view_is_stored(app, client, login_as, world):
    r = rf.response(world.consultation, world.group, ResponseState.accepted, answered=True)
    db.session.commit()
    partner, anonymous = _logged_in(app, world.other_member), app.test_client()
    login_as(world.moderator)
    assert "Overgenomen." in client.get(f"/reacties/{r.id}").text  # the gemeente sees its draft answers
    for visitor in (partner, anonymous):
        page = visitor.get(f"/reacties/{r.id}")
        assert page.status_code == 200 and "Overgenomen." not in page.text


def test_the_nota_concept_and_the_audit_log_follow_every_step(app, client, login_as, world):
    from tests.moderation.test_views import _answer_all

    r = rf.response(world.consultation, world.group, ResponseState.accepted)
    db.session.commit()
    login_as(world.moderator)
    reader = _logged_in(app, world.pm)
    nota = f"/consultaties/{world.consultation.slug}/nota"
    assert "Antwoord op" not in reader.get(nota).text
    audit_before = reader.get("/beheer/audittrail").text
    assert _answer_all(client, world, r).status_code == 302
    assert "Antwoord op De bereikbare binnenstad." in reader.get(nota).text
    audit_after = reader.get("/beheer/audittrail").text
    assert audit_after.count("<tr>") > audit_before.count("<tr>")
    assert _logged_in(app, world.member).get("/beheer/audittrail").status_code == 403


def test_the_process_managers_list_is_shared_and_current(app, client, login_as, world):
    from tests.consultations import factories as cf

    other_pm = factories.user(role=StaffRole.process_manager)
    factories.commit()
    login_as(world.pm)
    colleague = _logged_in(app, other_pm)
    first, _page = _statements(client, "/beheer/consultaties")
    again, page = _statements(colleague, "/beheer/consultaties")
    assert again < first and world.consultation.title in page
    cf.consultation(title="Binnenstad Emmen")
    factories.commit()
    assert "Binnenstad Emmen" in colleague.get("/beheer/consultaties").text
    assert _logged_in(app, world.moderator).get("/beheer/consultaties").status_code == 403


def test_a_page_life_below_one_second_stops_start_up_with_a_clear_message():
    from tests.conftest import make_app

    with pytest.raises(SystemExit, match="PAGE_CACHE_SECONDS must be at least 1"):
        make_app("sqlite://", PAGE_CACHE_URL="memory://", PAGE_CACHE_SECONDS=0)


def test_the_nota_pdf_is_made_once_per_change(app, client, login_as, world):
    from tests.moderation.test_views import _answer_all

    r = rf.response(world.consultation, world.group, ResponseState.accepted)
    db.session.commit()
    login_as(world.moderator)
    reader = _logged_in(app, world.pm)
    url = f"/consultaties/{world.consultation.slug}/nota.pdf"
    first = client.get(url)
    with count_queries() as log:
        again = reader.get(url)
    assert again.data == first.data and again.data.startswith(b"%PDF")
    assert log.count <= 3  # the user, the consultation and its Nota: no PDF made
    assert again.headers["Content-Disposition"].endswith('-concept.pdf"')
    assert _answer_all(client, world, r).status_code == 302
    assert reader.get(url).data != first.data


# Granularity: a write invalidates only the pages that show what it changed ---------------------


def _stored(client, *urls: str) -> dict[str, bool]:
    """Per URL: was it served from the cache (no SQL statement)?"""
    return {url: _statements(client, url)[0] == 0 for url in urls}


def _public_pages(world, response) -> list[str]:
    slug = world.consultation.slug
    return ["/", f"/consultaties/{slug}", f"/consultaties/{slug}/tijdlijn", f"/reacties/{response.id}"]


def test_a_login_a_sent_mail_and_a_preference_keep_every_page_stored_and_the_audit_log_current(
    app, client, login_as, world, smtp
):
    from partner_portal.notifications import notify
    from tests.smtp import run_mail

    r = rf.response(world.consultation, world.group, ResponseState.accepted)
    db.session.commit()
    visitor, pages = app.test_client(), _public_pages(world, r)
    for url in pages:
        visitor.get(url)
    assert all(_stored(visitor, *pages).values())

    reader = _logged_in(app, world.moderator)
    assert "Lars Lid" not in reader.get("/beheer/audittrail").text
    login_as(world.member)  # the user's last login
    # A preference: a row no cached page shows, and an audit event only the audit log shows.
    assert post_form(client, "/profiel/meldingen", {"nota_published": "off"}).status_code == 302
    notify("response_submitted", [world.moderator], obj=r, actor=world.coordinator, context={"group": "Horeca"})
    db.session.commit()  # an outbox message; the worker then marks it sent
    assert "sent 1" in run_mail(app, "send")
    assert _stored(visitor, *pages) == dict.fromkeys(pages, True)
    # The audit log shows the preference's event at once.
    assert "Lars Lid" in reader.get("/beheer/audittrail").text


def test_a_write_to_one_consultation_keeps_the_other_consultations_pages_stored(app, client, login_as, world):
    from tests.consultations import factories as cf

    other = cf.consultation(title="Binnenstad Emmen")
    here = rf.response(world.consultation, world.group, ResponseState.accepted)
    there = rf.response(other, world.group, ResponseState.accepted)
    db.session.commit()
    visitor = app.test_client()
    mine, theirs = _public_pages(world, here)[1:], [f"/consultaties/{other.slug}", f"/reacties/{there.id}"]
    for url in ["/", *mine, *theirs]:
        visitor.get(url)

    login_as(world.signatory)  # endorses the response in the world's consultation
    page = f"/reacties/{here.id}"
    assert post_form(client, f"{page}/onderschrijven", {}).status_code == 302
    assert _stored(visitor, *theirs) == dict.fromkeys(theirs, True)
    stored = _stored(visitor, "/", f"/consultaties/{world.consultation.slug}", page)
    assert not any(stored.values()), stored  # the lists across consultations and the changed consultation's pages
    assert "Eetcafé Het Koopmanshuis" in visitor.get(page).text


def test_editing_a_draft_keeps_the_public_pages_stored_but_not_the_drafts_own_page(app, client, world):
    draft = rf.response(world.consultation, world.group, ResponseState.draft)
    shown = rf.response(world.consultation, world.other_group, ResponseState.accepted)
    db.session.commit()
    visitor, pages = app.test_client(), _public_pages(world, shown)
    for url in pages:
        visitor.get(url)
    member = _logged_in(app, world.member)
    assert "Concepttekst" not in member.get(f"/reacties/{draft.id}").text

    draft.statement = "Concepttekst van de horeca."
    db.session.commit()
    assert _stored(visitor, *pages) == dict.fromkeys(pages, True)
    assert "Concepttekst van de horeca." in member.get(f"/reacties/{draft.id}").text

    draft.state = ResponseState.submitted  # leaving the draft state shows in the moderation queue
    draft.publication = "public"
    draft.submitted_at = utcnow()
    db.session.commit()
    assert not _stored(visitor, "/")["/"]


def test_a_change_to_what_every_page_shows_still_invalidates_them_all(app, world):
    r = rf.response(world.consultation, world.group, ResponseState.accepted)
    db.session.commit()
    visitor, pages = app.test_client(), _public_pages(world, r)
    for url in pages:
        visitor.get(url)
    world.group.name = "Horeca en evenementen"  # a sector group's name shows on every page about its responses
    db.session.commit()
    assert _stored(visitor, *pages) == dict.fromkeys(pages, False)
    assert "Horeca en evenementen" in visitor.get(f"/reacties/{r.id}").text


def test_publishing_the_nota_and_withdrawing_an_endorsement_show_on_the_stored_public_pages(
    app, client, login_as, world
):
    from partner_portal.endorsements import operations as endorsements
    from tests.moderation.test_views import _answer_all

    r = rf.response(world.consultation, world.group, ResponseState.accepted, statement="Horeca steunt.")
    endorsement = endorsements.endorse(world.signatory, r)
    db.session.commit()
    slug, visitor = world.consultation.slug, app.test_client()
    login_as(world.moderator)
    assert _answer_all(client, world, r).status_code == 302
    pages = [f"/reacties/{r.id}", f"/consultaties/{slug}", "/"]
    for url in pages:
        assert "Antwoord op De bereikbare binnenstad." not in visitor.get(url).text
    assert visitor.get(f"/consultaties/{slug}/nota").status_code == 404
    assert all(_stored(visitor, *pages).values())

    published = post_form(client, f"/consultaties/{slug}/nota/publiceren", {"despite_open_stage": "y"})
    assert published.status_code == 302
    assert "Antwoord op De bereikbare binnenstad." in visitor.get(f"/reacties/{r.id}").text
    assert "Gepubliceerd op" in visitor.get(f"/consultaties/{slug}/nota").text

    signatory = _logged_in(app, world.signatory)
    url = f"/onderschrijvingen/{endorsement.id}/intrekken"
    assert "<li>Eetcafé Het Koopmanshuis</li>" in visitor.get(f"/reacties/{r.id}").text
    assert post_form(signatory, url, {"reason": "Wij trekken ons terug."}).status_code == 302
    assert "<li>Eetcafé Het Koopmanshuis</li>" not in visitor.get(f"/reacties/{r.id}").text
