"""The public side of initiatives: the list with its filters and the initiative's page."""

from partner_portal.initiatives.models import CoInitiator, InvitationState
from tests import factories
from tests.access import log_in
from tests.initiatives import factories as inf
from tests.initiatives.factories import S


def _world(w):
    c = w.consultation
    w.adopted = inf.initiative(c, w.lead, S.in_progress, title="Vernieuwing Koopmansplein", milestones=2)
    w.adopted.milestones[0].done_on = w.adopted.planned_start
    w.declined = inf.initiative(c, w.co, S.declined, title="Parkeerdek Mercurius")
    w.draft = inf.initiative(c, w.other, S.draft, title="Geheim concept Oudestraat")
    w.review = inf.initiative(c, w.other, S.in_review, title="Plan in behandeling")
    factories.commit()


def test_visitors_see_public_initiatives_only(client, world):
    _world(world)
    page = client.get(f"/consultaties/{world.consultation.slug}/initiatieven").get_data(as_text=True)
    assert "Vernieuwing Koopmansplein" in page and "Parkeerdek Mercurius" in page
    assert "Geheim concept Oudestraat" not in page and "Plan in behandeling" not in page
    assert client.get(f"/initiatieven/{world.draft.id}").status_code == 404
    assert client.get(f"/initiatieven/{world.review.id}").status_code == 404


def test_the_own_organisation_and_the_gemeente_see_more(client, world, login_as):
    _world(world)
    login_as(world.other_member)
    page = client.get(f"/consultaties/{world.consultation.slug}/initiatieven").get_data(as_text=True)
    assert "Geheim concept Oudestraat" in page and "Plan in behandeling" in page
    client.delete_cookie(client.application.config["SESSION_COOKIE_NAME"])
    login_as(world.moderator)
    page = client.get(f"/consultaties/{world.consultation.slug}/initiatieven").get_data(as_text=True)
    assert "Plan in behandeling" in page and "Geheim concept Oudestraat" not in page


def test_the_count_holds_each_visible_initiative_once(client, world, login_as):
    _world(world)
    inf.initiative(world.consultation, world.other, S.completed, title="Eigen en openbaar")
    factories.commit()
    url = f"/consultaties/{world.consultation.slug}/initiatieven"
    assert ">3 initiatieven<" in client.get(url).get_data(as_text=True)
    login_as(world.other_member)  # the public three, and the own draft and the one in review
    assert ">5 initiatieven<" in client.get(url).get_data(as_text=True)
    client.delete_cookie(client.application.config["SESSION_COOKIE_NAME"])
    login_as(world.moderator)  # all but the draft
    assert ">4 initiatieven<" in client.get(url).get_data(as_text=True)


def test_filters_by_state_theme_location_and_text(client, world):
    _world(world)
    url = f"/consultaties/{world.consultation.slug}/initiatieven"
    c = world.consultation

    def listed(**args):
        page = client.get(url, query_string=args).get_data(as_text=True)
        return {t for t in ("Vernieuwing Koopmansplein", "Parkeerdek Mercurius") if t in page}

    assert listed(status="declined") == {"Parkeerdek Mercurius"}
    assert listed(q="VERNIEUWING") == {"Vernieuwing Koopmansplein"}
    assert listed(q="%") == set()
    assert listed(thema=str(c.themes[1].id)) == set()
    assert listed(locatie=str(c.locations[0].id)) == {"Vernieuwing Koopmansplein", "Parkeerdek Mercurius"}
    assert listed(status="onzin", thema="x") == {"Vernieuwing Koopmansplein", "Parkeerdek Mercurius"}


def test_the_initiative_page_shows_money_progress_and_the_decline_reason(client, world):
    _world(world)
    page = client.get(f"/initiatieven/{world.adopted.id}").get_data(as_text=True)
    assert "€ 50.000" in page and "50% (1 van 2 mijlpalen)" in page
    assert "Grand Café De Brink" in page
    declined = client.get(f"/initiatieven/{world.declined.id}").get_data(as_text=True)
    assert "Past niet in het programma." in declined


def test_filter_by_the_initiators_sector_group_counts_accepted_co_initiators(client, world):
    c = world.consultation
    led_by_horeca = inf.initiative(c, world.lead, S.in_progress, title="Horeca leidt")
    inf.initiative(c, world.other, S.adopted, title="Cultuur doet mee", co_initiators=[world.co])
    invited_only = inf.initiative(c, world.other, S.adopted, title="Cultuur alleen uitgenodigd")
    invited_only.co_initiators.append(CoInitiator(organisation=world.co, state=InvitationState.invited))
    factories.commit()
    url = f"/consultaties/{c.slug}/initiatieven"
    page = client.get(url, query_string={"sector": str(world.culture.id)}).text
    assert "Cultuur doet mee" in page
    assert "Horeca leidt" not in page and "Cultuur alleen uitgenodigd" not in page
    page = client.get(url, query_string={"sector": str(world.group.id)}).text
    assert led_by_horeca.title in page and "Cultuur doet mee" in page  # its lead is horeca too


def test_a_themes_page_shows_what_was_done_about_it(client, world):
    """We asked, you said, we did: the theme's page lists the adopted initiatives for it."""
    _world(world)
    c = world.consultation
    theme = c.themes[0]
    page = client.get(f"/consultaties/{c.slug}/visie/themas/{theme.slug}").text
    assert "Vernieuwing Koopmansplein" in page and "50% klaar" in page
    assert "Parkeerdek Mercurius" not in page and "Geheim concept Oudestraat" not in page
    other = client.get(f"/consultaties/{c.slug}/visie/themas/{c.themes[1].slug}").text
    assert "Nog geen initiatieven in het uitvoeringsprogramma voor dit thema." in other


def test_the_initiative_page_and_the_list_run_a_fixed_number_of_statements(client, world):
    """However many milestones, updates, co-initiators and initiatives: the same statements, at most 10."""
    from datetime import date

    from partner_portal.initiatives.models import ProgressUpdate
    from tests.querycount import count_queries

    c = world.consultation
    small = inf.initiative(c, world.lead, S.in_progress, title="Klein", milestones=1)
    large = inf.initiative(
        c, world.lead, S.in_progress, title="Groot", milestones=12, co_initiators=[world.co, world.other]
    )
    for n in range(15):
        large.updates.append(ProgressUpdate(body=f"Nieuws {n}", happened_on=date(2027, 1, n + 1)))
    inf.spent(large, world.gemeente_source, 100)
    factories.commit()

    def statements(url, browser=client):
        browser.get(url)
        with count_queries() as log:
            assert browser.get(url).status_code == 200
        return log.count

    for who in (None, world.member, world.moderator):
        browser = client.application.test_client()
        if who is not None:
            log_in(browser, who)
        counts = {statements(f"/initiatieven/{i.id}", browser) for i in (small, large)}
        assert len(counts) == 1 and counts.pop() <= 10, who
    url = f"/consultaties/{c.slug}/initiatieven"
    few = statements(url)
    for n in range(30):
        inf.initiative(c, world.co if n % 2 else world.other, S.adopted, title=f"Initiatief {n}")
    factories.commit()
    assert statements(url) == few <= 10


def test_the_search_matches_word_beginnings_without_accents_and_never_a_tag(client, world):
    c = world.consultation
    inf.initiative(c, world.lead, S.completed, title="Terras aan de Brinkstraat", summary="Café-terras")
    inf.initiative(c, world.lead, S.completed, title="Groen plein")
    factories.commit()
    url = f"/consultaties/{c.slug}/initiatieven"

    def listed(**args):
        page = client.get(url, query_string=args).get_data(as_text=True)
        return {t for t in ("Terras aan de Brinkstraat", "Groen plein") if t in page}

    assert listed(q="brink") == {"Terras aan de Brinkstraat"}  # the word's beginning
    assert listed(q="cafe terras") == {"Terras aan de Brinkstraat"}  # without the accent, every word
    assert listed(q="straat") == set()  # not the middle of a word
    assert listed(q="thema") == listed(q="locatie") == set()  # the tags are not words
    theme = c.themes[0].id
    assert listed(q="groen", thema=str(theme)) == {"Groen plein"}
