"""The gemeente's pages: the queue, reviewing, answers, and the Nota as HTML, PDF and CSV."""

import re
import subprocess

import pytest
import sqlalchemy as sa

from partner_portal.extensions import db
from partner_portal.responses.models import FormalResponse, ResponseState
from tests import factories
from tests.conftest import csrf_token, post_form
from tests.consultations import factories as cf
from tests.csvread import dutch_excel_rows
from tests.responses import factories as rf

S = ResponseState


def test_queue_lists_everything_submitted_oldest_first_with_counts_and_filters(client, world, login_as):
    old = rf.response(world.consultation, world.group, S.submitted)
    new = rf.response(world.consultation, world.other_group, S.accepted)
    old.submitted_at = new.submitted_at.replace(year=2017)
    db.session.commit()
    login_as(world.pm)
    page = client.get("/beheer/reacties").get_data(as_text=True)
    assert page.index("Horeca") < page.index("Retail")  # oldest first
    assert '<td class="number">1</td>' in page and "Totaal" in page
    filtered = client.get(f"/beheer/reacties?group={world.other_group.id}").get_data(as_text=True)
    assert "Retail" in filtered.split('<h2 class="utrecht-heading-2">Reacties</h2>')[1] and "Horeca</a>" not in filtered
    by_state = client.get("/beheer/reacties?state=accepted").get_data(as_text=True)
    assert "Horeca</a>" not in by_state and "Retail</a>" in by_state
    assert client.get("/beheer/reacties?state=nonsense").status_code == 400


def test_drafts_never_reach_the_queue_or_the_review_page(client, world, login_as):
    draft = rf.response(world.consultation, world.group, S.draft)
    db.session.commit()
    login_as(world.moderator)
    assert "Horeca</a>" not in client.get("/beheer/reacties").get_data(as_text=True)
    assert client.get(f"/beheer/reacties/{draft.id}").status_code == 404


def test_moderator_action_without_reason_is_refused_and_changes_nothing(client, world, login_as):
    r = rf.response(world.consultation, world.group, S.in_review)
    db.session.commit()
    login_as(world.moderator)
    url = f"/beheer/reacties/{r.id}"
    response = post_form(client, f"{url}/stap/reject", {"version": r.version, "reason": "  "}, form_url=url)
    assert response.status_code == 400 and "Geef een reden op" in response.get_data(as_text=True)
    assert db.session.get(FormalResponse, r.id).state == S.in_review
    response = post_form(
        client, f"{url}/stap/request_changes", {"version": r.version, "reason": "Licht toe."}, form_url=url
    )
    assert response.status_code == 302
    assert db.session.get(FormalResponse, r.id).state == S.changes_requested


def test_the_group_sees_the_rejection_reason(client, world, login_as):
    r = rf.response(world.consultation, world.group, S.in_review)
    db.session.commit()
    login_as(world.moderator)
    url = f"/beheer/reacties/{r.id}"
    post_form(client, f"{url}/stap/reject", {"version": r.version, "reason": "Na de sluitingsdatum."}, form_url=url)
    client.get("/logout")
    other = client.application.test_client()
    from tests.access import log_in

    log_in(other, world.member)
    page = other.get(f"/reacties/{r.id}").get_data(as_text=True)
    assert "Reden van de gemeente" in page and "Na de sluitingsdatum." in page


def test_process_manager_reads_but_does_not_act(client, world, login_as):
    r = rf.response(world.consultation, world.group, S.in_review)
    db.session.commit()
    login_as(world.pm)
    page = client.get(f"/beheer/reacties/{r.id}").get_data(as_text=True)
    assert "/stap/accept" not in page and "Antwoord opslaan" not in page


def _answer_all(client, world, r, verdict="adopted"):
    data = {}
    for t in world.consultation.themes:
        data[f"verdict_{t.id}"] = verdict
        data[f"answer_{t.id}"] = f"Antwoord op {t.title}."
    data["version"] = r.version
    return post_form(client, f"/beheer/reacties/{r.id}/antwoord", data, form_url=f"/beheer/reacties/{r.id}")


def test_nota_is_a_concept_for_the_gemeente_then_public_after_publication(client, world, login_as):
    public = rf.response(world.consultation, world.group, S.accepted, statement="Horeca steunt.")
    hidden = rf.response(world.consultation, world.other_group, S.accepted, publication="not_public")
    hidden.positions[0].explanation = "Geheime toelichting van retail."
    db.session.commit()
    slug = world.consultation.slug
    anonymous = client.application.test_client()
    assert anonymous.get(f"/consultaties/{slug}/nota").status_code == 404
    assert anonymous.get(f"/consultaties/{slug}/nota.pdf").status_code == 404
    login_as(world.moderator)
    page = client.get(f"/consultaties/{slug}/nota").get_data(as_text=True)
    assert "CONCEPT" in page and "Nota publiceren" in page
    refused = post_form(client, f"/consultaties/{slug}/nota/publiceren", {"despite_open_stage": "y"})
    assert refused.status_code == 400 and "Stel eerst bij elk thema een antwoord op" in refused.get_data(as_text=True)
    assert _answer_all(client, world, public).status_code == 302
    assert _answer_all(client, world, hidden, "not_adopted").status_code == 302
    # Answers stay internal until publication.
    assert "Antwoord op" not in anonymous.get(f"/reacties/{public.id}").get_data(as_text=True)
    response = post_form(client, f"/consultaties/{slug}/nota/publiceren", {"despite_open_stage": "y"})
    assert response.status_code == 302
    page = anonymous.get(f"/consultaties/{slug}/nota").get_data(as_text=True)
    assert page.count("<h1") == 1 and "CONCEPT" not in page and "Gepubliceerd op" in page
    assert "Toelichting bij De bereikbare binnenstad." in page and "Antwoord op De bereikbare binnenstad." in page
    assert "Niet-openbare reactie van deze sectorgroep" in page and "Geheime toelichting" not in page
    assert "Horeca steunt." in page and "Wij steunen de visie." not in page  # the hidden group's statement
    assert '<th scope="row">De bereikbare binnenstad</th>' in page  # the summary table
    shown = anonymous.get(f"/reacties/{public.id}").get_data(as_text=True)
    assert "Antwoord op De bereikbare binnenstad." in shown


def test_nota_pdf_has_cover_contents_sections_and_page_numbers(client, world, login_as, tmp_path):
    r = rf.response(world.consultation, world.group, S.accepted, answered=True)
    r.positions[0].explanation = "Parkeren in Mercurius blijft betaalbaar, € 1 per uur."
    r.statement = "Horeca steunt de visie, met een levendige Brink."
    db.session.commit()
    login_as(world.moderator)
    response = client.get(f"/consultaties/{world.consultation.slug}/nota.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    pdf = tmp_path / "nota.pdf"
    pdf.write_bytes(response.data)
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    for expected in (
        "Nota van beantwoording",
        "CONCEPT",
        "Inhoud",
        "Algemene standpunten van de sectorgroepen",
        "Horeca steunt de visie, met een levendige Brink.",  # each group's overall statement (issue 11.13)
        "Reacties en antwoorden per thema",
        "Standpunten over de structurele samenwerking",
        "Samenvatting",
        "Sectorgroep Horeca",
        "€ 1 per uur",
        f"Reactie van partners: {cf.period('reactie')}",
        "Pagina 2 van",
    ):
        assert expected in text, expected


def test_nota_csv_has_a_row_per_response_and_theme_and_is_formula_safe(client, world, login_as):
    r = rf.response(world.consultation, world.group, S.accepted, answered=True)
    r.positions[0].explanation = '=HYPERLINK("http://evil")'
    hidden = rf.response(world.consultation, world.other_group, S.accepted, publication="not_public", answered=True)
    hidden.positions[0].explanation = "Geheim."
    db.session.commit()
    login_as(world.moderator)
    response = client.get(f"/consultaties/{world.consultation.slug}/nota.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    header, *lines = dutch_excel_rows(response.data)
    rows = [dict(zip(header, line, strict=True)) for line in lines]
    assert len(rows) == 4  # two responses × two themes
    assert {row["toelichting"] for row in rows if row["sectorgroep"] == "Horeca"} >= {'\'=HYPERLINK("http://evil")'}
    assert all(row["toelichting"] == "(niet openbaar)" for row in rows if row["sectorgroep"] == "Retail")
    assert "Geheim." not in response.get_data(as_text=True)


@pytest.mark.parametrize("path", ["nota", "nota.pdf", "nota.csv"])
def test_partners_and_mkb_get_404_before_publication(client, world, login_as, path):
    login_as(world.coordinator)
    assert client.get(f"/consultaties/{world.consultation.slug}/{path}").status_code == 404


def test_the_consultation_filter_lists_the_newest_and_the_chosen_one(client, world, login_as):
    """The filter stays short however many consultations there are; older ones are reached from
    their own pages, whose Moderatie link filters the queue on them."""
    from partner_portal.moderation.views import FILTER_CONSULTATIONS
    from tests.consultations import factories as cf

    newer = [cf.consultation(title=f"Nieuwere consultatie {n}") for n in range(FILTER_CONSULTATIONS)]
    db.session.commit()
    login_as(world.moderator)
    select = re.search(r'<select[^>]*name="consultation".*?</select>', client.get("/beheer/reacties").text, re.S)
    options = re.findall(r'<option value="(\d+)"', select.group(0))
    assert len(options) == FILTER_CONSULTATIONS
    assert str(newer[-1].id) in options and str(world.consultation.id) not in options
    own_page = client.get(f"/consultaties/{world.consultation.slug}").get_data(as_text=True)
    link = f'href="/beheer/reacties?consultation={world.consultation.id}"'
    assert link in own_page
    chosen = client.get(f"/beheer/reacties?consultation={world.consultation.id}").get_data(as_text=True)
    assert f'<option value="{world.consultation.id}" selected>' in chosen
    client.post("/logout", data={"csrf_token": csrf_token(client, "/mijn")})
    assert link not in client.get(f"/consultaties/{world.consultation.slug}").get_data(as_text=True)


def test_publishing_the_nota_is_confirmed_on_a_page_that_says_what_it_does_and_what_is_open(client, world, login_as):
    """Issue 11.6: "Nota publiceren" closed the round for everyone with one click, while the
    responses stage was still current and a group had an unsubmitted draft."""
    from partner_portal.responses.models import Nota

    accepted = rf.response(world.consultation, world.group, S.accepted, answered=True)
    rf.response(world.consultation, world.other_group, S.draft)
    cultuur = factories.sector_group("cultuur", "Cultuur")
    db.session.commit()
    slug = world.consultation.slug
    login_as(world.moderator)
    nota = client.get(f"/consultaties/{slug}/nota").text
    assert f'href="/consultaties/{slug}/nota/publiceren"' in nota and 'method="post"' not in nota.split("<main")[1]
    page = client.get(f"/consultaties/{slug}/nota/publiceren").text
    assert "definitief" in page and "Alle partners krijgen bericht" in page and "De ronde sluit" in page
    assert "Reactie van partners" in page and "In deze fase kunnen sectorgroepen nog reageren" in page
    drafts, without = page.split("nog niet is ingediend")[1].split("zonder reactie")
    assert world.other_group.name in drafts and cultuur.name in without
    assert 'for="despite_open_stage"' in page
    # Without the extra confirmation, nothing happens while the stage still opens responses.
    refused = post_form(client, f"/consultaties/{slug}/nota/publiceren", {})
    assert refused.status_code == 400 and "staat nog open voor reacties" in refused.text
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Nota)) == 0
    assert db.session.get(type(accepted), accepted.id).answer_published_at is None
    done = post_form(client, f"/consultaties/{slug}/nota/publiceren", {"despite_open_stage": "y"})
    assert done.status_code == 302
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Nota)) == 1
    # A second click (or a colleague) meanwhile: shown the published Nota, not an error page.
    again = post_form(client, f"/consultaties/{slug}/nota/publiceren", {}, form_url=f"/consultaties/{slug}/nota")
    assert again.status_code == 303 and again.headers["Location"].endswith(f"/consultaties/{slug}/nota")


def test_after_the_responses_stage_publishing_needs_no_extra_confirmation(client, world, login_as):
    rf.response(world.consultation, world.group, S.accepted, answered=True)
    world.consultation.current_position = 2  # "Verwerking": responses closed
    db.session.commit()
    slug = world.consultation.slug
    login_as(world.moderator)
    page = client.get(f"/consultaties/{slug}/nota/publiceren").text
    assert 'for="despite_open_stage"' not in page and "nog reageren" not in page
    assert post_form(client, f"/consultaties/{slug}/nota/publiceren", {}).status_code == 302


def test_each_step_has_its_own_labelled_reason_field_and_an_empty_one_is_marked(client, world, login_as):
    """Issue 11.11: two reason fields with the same label; an empty reason was not tied to its field."""
    r = rf.response(world.consultation, world.group, S.in_review)
    db.session.commit()
    login_as(world.moderator)
    page = client.get(f"/beheer/reacties/{r.id}").text
    assert 'for="reason-request_changes">Welke wijzigingen vraagt u?' in page
    assert 'for="reason-reject">Waarom is de reactie niet-ontvankelijk?' in page
    assert page.count('rows="6"') >= 2
    refused = post_form(client, f"/beheer/reacties/{r.id}/stap/reject", {"version": r.version, "reason": "   "})
    assert refused.status_code == 400
    invalid_field = r'<div class="[^"]*utrecht-form-field--invalid">\s*<label class="[^"]*" for="reason-(\w+)"'
    marked = re.search(invalid_field, refused.text)
    assert marked and marked.group(1) == "reject"
    # The field is described by its error first, then by its character count.
    assert 'aria-invalid="true" aria-describedby="reason-reject-error reason-reject-count"' in refused.text
    # A refusal for another cause keeps what was typed in that field.
    stale = post_form(
        client,
        f"/beheer/reacties/{r.id}/stap/request_changes",
        {"version": r.version - 1, "reason": "Graag aanvullen."},
    )
    assert stale.status_code == 409 and ">Graag aanvullen.</textarea>" in stale.text


def test_the_publish_page_links_the_responses_that_block_the_nota(client, world, login_as):
    waiting = rf.response(world.consultation, world.group, S.submitted)
    unanswered = rf.response(world.consultation, world.other_group, S.accepted)
    db.session.commit()
    login_as(world.moderator)
    slug = world.consultation.slug
    page = client.get(f"/consultaties/{slug}/nota/publiceren").text
    assert f'href="/beheer/reacties/{waiting.id}"' in page and f'href="/beheer/reacties/{unanswered.id}"' in page
    refused = post_form(client, f"/consultaties/{slug}/nota/publiceren", {"despite_open_stage": "y"})
    assert refused.status_code == 400 and f'href="/beheer/reacties/{waiting.id}"' in refused.text


def test_the_nota_is_reachable_from_the_moderators_start_page(client, world, login_as):
    login_as(world.moderator)
    page = client.get("/beheer/reacties").text
    assert f'href="/consultaties/{world.consultation.slug}/nota"' in page


def test_a_partial_answer_says_how_many_themes_are_answered(client, world, login_as):
    """Issue 11.13: "nog niet opgesteld" was shown while some themes had an answer."""
    from partner_portal.responses.models import ThemeAnswer, Verdict

    r = rf.response(world.consultation, world.group, S.accepted)
    r.answers.append(ThemeAnswer(theme_id=world.consultation.themes[0].id, verdict=Verdict.adopted, explanation=""))
    db.session.commit()
    login_as(world.moderator)
    page = client.get(f"/beheer/reacties/{r.id}").text
    assert "1 van 2 thema's beantwoord" in page and "nog niet opgesteld" not in page


def test_the_shared_nota_pdf_resolves_links_against_base_url_not_the_host_header(app, client, world, monkeypatch):
    import weasyprint

    from partner_portal.responses import operations

    rf.response(world.consultation, world.group, S.accepted, answered=True)
    operations.publish_nota(world.moderator, world.consultation, despite_open_stage=True)
    db.session.commit()
    base_urls = []
    real_html = weasyprint.HTML

    def recording_html(*args, **kwargs):
        base_urls.append(kwargs.get("base_url"))
        return real_html(*args, **kwargs)

    monkeypatch.setattr(weasyprint, "HTML", recording_html)
    response = client.get(f"/consultaties/{world.consultation.slug}/nota.pdf", headers={"Host": "evil.example"})
    assert response.status_code == 200
    assert base_urls == [app.config["BASE_URL"].rstrip("/") + "/"]


def test_two_moderators_answer_at_once_and_the_later_one_sees_both_texts(app, client, world, login_as):
    """Issue 12.3: the answer saved last from an old review page replaced the other moderator's text."""
    from partner_portal.auth.models import StaffRole
    from tests.access import log_in
    from tests.responses.test_views import _open_form_from

    other = factories.user(role=StaffRole.moderator, name="Mia de Moderator")
    r = rf.response(world.consultation, world.group, S.accepted)
    db.session.commit()
    t1, t2 = (t.id for t in world.consultation.themes[:2])
    url = f"/beheer/reacties/{r.id}"
    login_as(world.moderator)
    mark = _open_form_from(client.get(url).text)
    mia_client = app.test_client()
    log_in(mia_client, other)
    mia = _open_form_from(mia_client.get(url).text)
    mia.update({f"verdict_{t1}": "adopted", f"answer_{t1}": "Mia schrijft dit."})
    assert post_form(mia_client, f"{url}/antwoord", mia, form_url=url).status_code == 302
    # Mark, on the page he opened before, answers theme 1 differently and theme 2 too.
    mark.update({f"verdict_{t1}": "adopted", f"answer_{t1}": "Mark schrijft dat."})
    mark.update({f"verdict_{t2}": "not_adopted", f"answer_{t2}": "Alleen Mark."})
    refused = post_form(client, f"{url}/antwoord", mark, form_url=url)
    page = refused.text
    assert refused.status_code == 409
    assert "Iemand anders heeft het antwoord intussen gewijzigd" in page and "Mia de Moderator" in page
    assert page.count('class="conflict-field"') == 1 and f'href="#answer_{t1}"' in page
    assert "Mia schrijft dit." in page and "Mark schrijft dat." in page
    assert "<del>dit.</del>" in page and "<ins>dat.</ins>" in page
    stored = db.session.get(FormalResponse, r.id)
    assert stored.answer_for(t1).explanation == "Mia schrijft dit." and stored.answer_for(t2) is None
    # Saving again from the conflict page keeps Mark's choice on theme 1 and his answer on theme 2.
    again = _open_form_from(page)
    assert again[f"answer_{t2}"] == "Alleen Mark."
    assert post_form(client, f"{url}/antwoord", again, form_url=url).status_code == 302
    stored = db.session.get(FormalResponse, r.id)
    assert (
        stored.answer_for(t1).explanation == "Mark schrijft dat."
        and stored.answer_for(t2).explanation == "Alleen Mark."
    )
