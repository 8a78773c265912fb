"""The response pages through the test client: drafting together, conflicts, submission, abuse."""

import io
import re
import threading

import pytest
import sqlalchemy as sa

from partner_portal.extensions import db
from partner_portal.partners.models import SectorGroup as SectorGroupModel
from partner_portal.responses.models import FormalResponse, ResponseState
from tests.access import log_in
from tests.conftest import post_form
from tests.consultations import factories as cf
from tests.responses import factories as rf

S = ResponseState


def _theme_data(world, value="supports", text="Toelichting"):
    data = {}
    for t in world.consultation.themes:
        data[f"position_{t.id}"] = value
        data[f"explanation_{t.id}"] = f"{text} {t.title}"
    return data


def _start(client, login_as, world, user=None):
    login_as(user or world.member)
    url = f"/consultaties/{world.consultation.slug}/reacties"
    response = post_form(client, url, {"group_id": world.group.id})
    assert response.status_code == 302, response.status_code
    return db.session.scalar(sa.select(FormalResponse))


def _edit(client, r, data):
    return post_form(client, f"/reacties/{r.id}/bewerken", data)


def test_members_draft_together_and_a_stale_save_shows_both_versions(app, client, world, login_as):
    r = _start(client, login_as, world)
    assert r.state == S.draft
    page = client.get(f"/reacties/{r.id}/bewerken").get_data(as_text=True)
    assert page.count("<h1") == 1 and 'for="position_' in page and 'name="version" type="hidden" value="1"' in page
    # Member 2 opens the form (version 1), member 1 saves first.
    other = app.test_client()
    log_in(other, world.member2)
    assert other.get(f"/reacties/{r.id}/bewerken").status_code == 200
    response = _edit(client, r, {"version": 1, "statement": "Tekst van Lars.", **_theme_data(world)})
    assert response.status_code == 302
    stale = post_form(
        other,
        f"/reacties/{r.id}/bewerken",
        {"version": 1, "statement": "Tekst van Mila.", "collaboration_stance": "joins"},
    )
    page = stale.get_data(as_text=True)
    assert stale.status_code == 409
    assert "Iemand anders heeft deze reactie intussen gewijzigd" in page and "Intussen opgeslagen" in page
    assert "Tekst van Mila." in page and "Tekst van Lars." in page  # both, nothing lost
    assert 'name="version" type="hidden" value="2"' in page
    assert db.session.get(FormalResponse, r.id).statement == "Tekst van Lars."
    # Saving again, deliberately, after seeing both versions replaces the saved text.
    again = post_form(other, f"/reacties/{r.id}/bewerken", {"version": 2, "statement": "Samen.", **_theme_data(world)})
    assert again.status_code == 302 and db.session.get(FormalResponse, r.id).statement == "Samen."


def test_a_second_response_for_the_same_group_is_refused(client, world, login_as):
    _start(client, login_as, world)
    response = post_form(
        client, f"/consultaties/{world.consultation.slug}/reacties", {"group_id": world.group.id}, follow_redirects=True
    )
    assert "heeft al een formele reactie" in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(FormalResponse)) == 1


def test_another_groups_id_in_the_form_field_is_refused(client, world, login_as):
    login_as(world.member)
    url = f"/consultaties/{world.consultation.slug}/reacties"
    assert post_form(client, url, {"group_id": world.other_group.id}).status_code == 403
    assert post_form(client, url, {"group_id": "abc"}).status_code == 400
    assert db.session.scalar(sa.select(sa.func.count()).select_from(FormalResponse)) == 0


def test_a_partner_cannot_read_another_groups_draft(client, world, login_as):
    r = rf.response(world.consultation, world.group, S.draft, statement="Geheim concept.")
    from partner_portal.core import uploads
    from partner_portal.responses.models import ResponseAttachment

    r.attachments.append(ResponseAttachment(file=uploads.save_pdf(cf.pdf_upload())))
    db.session.commit()
    attachment_id = r.attachments[0].id
    public = rf.response(world.consultation, world.other_group, S.accepted)
    db.session.commit()
    login_as(world.other_member)
    for url in (
        f"/reacties/{r.id}",
        f"/reacties/{r.id}/bewerken",
        f"/reacties/{r.id}/bijlagen/{attachment_id}",
        f"/reacties/{public.id}/bijlagen/{attachment_id}",  # through a response the partner may see
        f"/reacties/{r.id}/revisies/1",
    ):
        response = client.get(url)
        assert response.status_code == 404, url
        assert "Geheim concept." not in response.get_data(as_text=True)


def test_submit_outside_the_stage_and_with_open_themes_is_refused_with_a_message(client, world, login_as):
    r = _start(client, login_as, world, world.coordinator)
    page = client.get(f"/reacties/{r.id}").get_data(as_text=True)
    assert "Indienen kan nog niet" in page and "De bereikbare binnenstad" in page
    response = post_form(client, f"/reacties/{r.id}/indienen", {"version": r.version, "publication": "public"})
    assert response.status_code == 400 and "Kies een standpunt bij het thema" in response.get_data(as_text=True)
    _edit(client, r, {"version": r.version, "collaboration_stance": "joins", **_theme_data(world)})
    world.consultation.current_position = 2
    db.session.commit()
    response = post_form(
        client,
        f"/reacties/{r.id}/indienen",
        {"version": r.version, "publication": "public"},
        form_url=f"/reacties/{r.id}",
    )
    assert response.status_code == 400 and "die fase is voorbij" in response.get_data(as_text=True)
    assert db.session.get(FormalResponse, r.id).state == S.draft


def test_coordinator_submits_then_editing_is_refused(client, world, login_as):
    r = _start(client, login_as, world, world.coordinator)
    _edit(client, r, {"version": r.version, "collaboration_stance": "joins", **_theme_data(world)})
    missing = post_form(client, f"/reacties/{r.id}/indienen", {"version": r.version, "publication": ""})
    assert missing.status_code == 400 and "openbaar wordt of niet" in missing.get_data(as_text=True)
    response = post_form(client, f"/reacties/{r.id}/indienen", {"version": r.version, "publication": "not_public"})
    assert response.status_code == 302
    r = db.session.get(FormalResponse, r.id)
    assert r.state == S.submitted and r.publication == "not_public" and len(r.revisions) == 1
    edit = client.get(f"/reacties/{r.id}/bewerken", follow_redirects=True)
    assert "kan niet meer worden gewijzigd" in edit.get_data(as_text=True)
    before = r.version
    response = client.post(f"/reacties/{r.id}/bewerken", data={"statement": "Stiekem"})
    assert response.status_code in (302, 400)
    assert db.session.get(FormalResponse, r.id).version == before
    revision = client.get(f"/reacties/{r.id}/revisies/1").get_data(as_text=True)
    assert "Eerste revisie" in revision and "Toelichting De bereikbare binnenstad" in revision


def test_member_cannot_submit(client, world, login_as):
    r = _start(client, login_as, world)
    _edit(client, r, {"version": r.version, "collaboration_stance": "joins", **_theme_data(world)})
    page = client.get(f"/reacties/{r.id}").get_data(as_text=True)
    assert "/indienen" not in page
    response = post_form(
        client,
        f"/reacties/{r.id}/indienen",
        {"version": r.version, "publication": "public"},
        form_url=f"/reacties/{r.id}",
    )
    assert response.status_code == 403
    assert db.session.get(FormalResponse, r.id).state == S.draft


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (b"GIF89a not a pdf", "brief.pdf", "geen PDF"),
        (b"", "leeg.pdf", "leeg"),
        (b"%PDF-" + b"0" * 5000, "groot.pdf", "te groot"),
    ],
    ids=["not-pdf", "empty", "too-large"],
)
@pytest.mark.app_config(RESPONSE_ATTACHMENT_MAX_BYTES=4096)  # small, so the test body stays in memory
def test_bad_uploads_are_refused_with_a_message(client, world, login_as, content, name, message):
    r = _start(client, login_as, world)
    token_page = f"/reacties/{r.id}/bewerken"
    response = post_form(
        client,
        f"/reacties/{r.id}/bijlagen",
        {"file": (io.BytesIO(content), name)},
        form_url=token_page,
        content_type="multipart/form-data",
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and message in page and "error-summary" in page
    assert db.session.get(FormalResponse, r.id).attachments == []


def test_a_pdf_attachment_is_served_as_a_download_to_those_who_may_see_it(client, world, login_as):
    r = _start(client, login_as, world)
    letter = cf.pdf_bytes(text="Getekende brief")
    response = post_form(
        client,
        f"/reacties/{r.id}/bijlagen",
        {"file": (io.BytesIO(letter), "getekende brief.pdf")},
        form_url=f"/reacties/{r.id}/bewerken",
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    attachment = db.session.get(FormalResponse, r.id).attachments[0]
    download = client.get(f"/reacties/{r.id}/bijlagen/{attachment.id}")
    assert download.status_code == 200 and download.data == letter
    assert download.headers["Content-Disposition"].startswith("attachment;")
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    anonymous = client.application.test_client()
    assert anonymous.get(f"/reacties/{r.id}/bijlagen/{attachment.id}").status_code == 404


def test_public_index_and_heat_map_show_only_accepted_public_responses(client, world):
    rf.response(world.consultation, world.group, S.accepted)
    rf.response(world.consultation, world.other_group, S.accepted, publication="not_public")
    db.session.commit()
    page = client.get(f"/consultaties/{world.consultation.slug}").get_data(as_text=True)
    heatmap = re.search(r'<table class="[^"]*heatmap">.*?</table>', page, re.S).group(0)
    assert '<th scope="col"><a href="/reacties/' in heatmap and "Horeca" in heatmap and "Retail" not in heatmap
    assert '<th scope="row">De bereikbare binnenstad</th>' in heatmap
    assert '<td class="pos-supports">steunt</td>' in heatmap  # colour and text
    assert "Legenda" in page and "steunt onder voorwaarden" in page
    assert "1 reactie verwerkt die niet openbaar is, van: Retail" in page
    index = client.get(f"/consultaties/{world.consultation.slug}/reacties").get_data(as_text=True)
    assert "Horeca" in index and "Retail" not in index


def test_after_the_nota_the_pages_say_the_round_is_over(client, world, login_as):
    from partner_portal.responses import operations

    r = _start(client, login_as, world, world.coordinator)
    _edit(client, r, {"version": r.version, "collaboration_stance": "joins", **_theme_data(world)})
    operations.publish_nota(world.moderator, world.consultation, despite_open_stage=True)
    db.session.commit()
    page = client.get(f"/reacties/{r.id}").text
    assert "Indienen kan nog niet: De Nota van beantwoording is al gepubliceerd" in page
    partner = client.application.test_client()
    log_in(partner, world.other_member)
    index = partner.get(f"/consultaties/{world.consultation.slug}/reacties").text
    assert "Reactie beginnen" not in index and "geen reactie" in index
    assert "geen reactie</span>: De Nota van beantwoording is al gepubliceerd" in index  # and why (issue 11.12)
    for url in ("/", f"/consultaties/{world.consultation.slug}"):
        summary = partner.get(url).text
        assert "De ronde is beantwoord" in summary, url
        assert f'href="/consultaties/{world.consultation.slug}/nota"' in summary, url


def test_withdrawing_asks_for_confirmation_and_can_be_undone_while_the_round_is_open(client, world, login_as):
    """Issue 11.5: "Intrekken" was one click and final; the group could never respond again."""
    from partner_portal.core.audit import AuditEvent

    r = rf.response(world.consultation, world.group, S.submitted)
    db.session.commit()
    login_as(world.coordinator)
    page = client.get(f"/reacties/{r.id}").text
    # The response page links to a confirmation page instead of withdrawing at once.
    assert f'href="/reacties/{r.id}/stap/withdraw"' in page
    assert f'action="/reacties/{r.id}/stap/withdraw"' not in page
    confirm = client.get(f"/reacties/{r.id}/stap/withdraw")
    assert confirm.status_code == 200
    assert "Wat dit betekent" in confirm.text and "weer openen als concept" in confirm.text
    assert db.session.get(FormalResponse, r.id).state == S.submitted  # looking changes nothing
    done = post_form(client, f"/reacties/{r.id}/stap/withdraw", {"version": r.version})
    assert done.status_code == 302
    r = db.session.get(FormalResponse, r.id)
    assert r.state == S.withdrawn
    # Started again as a draft: history kept, audited, editable again.
    page = client.get(f"/reacties/{r.id}").text
    assert "Weer openen als concept" in page
    again = post_form(client, f"/reacties/{r.id}/stap/reopen", {"version": r.version}, form_url=f"/reacties/{r.id}")
    assert again.status_code == 302
    r = db.session.get(FormalResponse, r.id)
    assert r.state == S.draft and r.reopened_at is not None and r.withdrawn_at is not None
    actions = list(db.session.scalars(sa.select(AuditEvent.action).order_by(AuditEvent.id)))
    assert actions[-2:] == ["formal_response.withdraw", "formal_response.reopen"]
    assert client.get(f"/reacties/{r.id}/bewerken").status_code == 200


def test_a_withdrawn_response_cannot_be_reopened_after_the_nota(client, world, login_as):
    from partner_portal.responses import operations

    r = rf.response(world.consultation, world.group, S.withdrawn)
    db.session.commit()
    operations.publish_nota(world.moderator, world.consultation, despite_open_stage=True)
    db.session.commit()
    login_as(world.coordinator)
    page = client.get(f"/reacties/{r.id}").text
    assert "Weer openen als concept" not in page
    refused = post_form(client, f"/reacties/{r.id}/stap/reopen", {"version": r.version}, form_url="/profiel")
    assert refused.status_code == 400 and "Nota van beantwoording is al gepubliceerd" in refused.text
    assert db.session.get(FormalResponse, r.id).state == S.withdrawn


def test_a_step_without_a_confirmation_page_has_no_get(client, world, login_as):
    r = rf.response(world.consultation, world.group, S.withdrawn)
    db.session.commit()
    login_as(world.coordinator)
    assert client.get(f"/reacties/{r.id}/stap/reopen").status_code == 405
    assert client.get(f"/reacties/{r.id}/stap/submit").status_code == 404
    assert client.get(f"/reacties/{r.id}/stap/accept").status_code == 404


def test_after_the_nota_a_draft_is_no_longer_offered_for_editing_and_says_why(client, world, login_as):
    """Issue 11.6: a draft that can never be submitted was still offered for editing."""
    from partner_portal.responses import operations

    r = rf.response(world.consultation, world.group, S.draft)
    db.session.commit()
    operations.publish_nota(world.moderator, world.consultation, despite_open_stage=True)
    db.session.commit()
    login_as(world.member)
    page = client.get(f"/reacties/{r.id}").text
    assert "Reactie bewerken" not in page
    edit = client.get(f"/reacties/{r.id}/bewerken", follow_redirects=True)
    assert "Nota van beantwoording is al gepubliceerd" in edit.text
    refused = post_form(
        client, f"/reacties/{r.id}/bewerken", {"version": r.version, "statement": "Nog iets."}, form_url="/profiel"
    )
    # Refused with the reason, and the typed text stays on the page.
    assert refused.status_code == 400 and "Nota van beantwoording is al gepubliceerd" in refused.text
    assert "Nog iets." in refused.text
    assert db.session.get(FormalResponse, r.id).statement == "Wij steunen de visie."


def _open_form(client, r) -> dict:
    """The edit form's fields as a browser would send them back unchanged (with version and base)."""
    return _open_form_from(client.get(f"/reacties/{r.id}/bewerken").text)


def test_non_overlapping_concurrent_edits_are_merged_and_only_real_conflicts_shown(app, client, world, login_as):
    """Issue 11.2: B's second save reverted A's changes in fields B never touched."""
    r = rf.response(world.consultation, world.group, S.draft)
    db.session.commit()
    t1, t2 = (theme.id for theme in world.consultation.themes[:2])
    login_as(world.member)
    a = _open_form(client, r)
    b_client = app.test_client()
    log_in(b_client, world.member2)
    b = _open_form(b_client, r)
    # A changes theme 1's position and explanation and the stance, and saves first.
    a.update({f"position_{t1}": "does_not_support", f"explanation_{t1}": "Uitleg van A.", "collaboration_stance": ""})
    assert post_form(client, f"/reacties/{r.id}/bewerken", a).status_code == 302
    # B, who opened the form before, changed only theme 2's explanation: merged without asking.
    b[f"explanation_{t2}"] = "Uitleg van B."
    saved = post_form(b_client, f"/reacties/{r.id}/bewerken", b)
    assert saved.status_code == 302
    r = db.session.get(FormalResponse, r.id)
    assert r.position_for(t1).position.value == "does_not_support"
    assert r.position_for(t1).explanation == "Uitleg van A." and r.collaboration_stance is None
    assert r.position_for(t2).explanation == "Uitleg van B."
    # Both change theme 2's explanation differently: only that field is a conflict.
    a = _open_form(client, r)
    b = _open_form(b_client, r)
    a[f"explanation_{t2}"] = "A schrijft dit."
    assert post_form(client, f"/reacties/{r.id}/bewerken", a).status_code == 302
    b.update({f"explanation_{t2}": "B schrijft dat.", "statement": "B's algemene standpunt."})
    conflict = post_form(b_client, f"/reacties/{r.id}/bewerken", b)
    page = conflict.text
    assert conflict.status_code == 409
    assert "Iemand anders heeft deze reactie intussen gewijzigd" in page
    assert "Er is iets niet goed ingevuld" not in page
    assert page.count('class="conflict-field"') == 1 and f'href="#explanation_{t2}"' in page
    assert "<del>dit.</del>" in page and "<ins>dat.</ins>" in page  # the difference is marked
    assert "A schrijft dit." in page and "B schrijft dat." in page
    assert db.session.get(FormalResponse, r.id).position_for(t2).explanation == "A schrijft dit."
    # Saving again from the conflict page keeps B's choice and the statement only B changed.
    again = _open_form_from(page)
    assert post_form(b_client, f"/reacties/{r.id}/bewerken", again).status_code == 302
    r = db.session.get(FormalResponse, r.id)
    assert r.position_for(t2).explanation == "B schrijft dat." and r.statement == "B's algemene standpunt."


def _open_form_from(page: str) -> dict:
    import html

    data = {}
    for name, value in re.findall(r'<input[^>]*name="(version|base)"[^>]*value="([^"]*)"', page):
        data[name] = html.unescape(value)
    for name, value in re.findall(r'<textarea[^>]*name="([^"]+)"[^>]*>\r?\n?(.*?)</textarea>', page, re.S):
        data[name] = html.unescape(value)
    for name, options in re.findall(r'<select[^>]*name="([^"]+)"[^>]*>(.*?)</select>', page, re.S):
        chosen = [
            re.search(r'value="([^"]*)"', o).group(1) for o in re.findall(r"<option[^>]*>", options) if "selected" in o
        ]
        data[name] = chosen[0] if chosen else ""
    return data


def test_the_same_person_in_two_windows_is_told_so(client, world, login_as):
    r = rf.response(world.consultation, world.group, S.draft)
    db.session.commit()
    login_as(world.member)
    first, second = _open_form(client, r), _open_form(client, r)
    first["statement"] = "Venster 1."
    assert post_form(client, f"/reacties/{r.id}/bewerken", first).status_code == 302
    second["statement"] = "Venster 2."
    page = post_form(client, f"/reacties/{r.id}/bewerken", second).text
    assert "U hebt deze reactie in een ander venster gewijzigd" in page


def test_a_member_s_edit_is_shown_back_when_the_coordinator_submitted_meanwhile(app, client, world, login_as):
    """Issue 11.3: the typed text was dropped with only "kan niet meer worden gewijzigd"."""
    from partner_portal.responses import operations

    r = rf.response(world.consultation, world.group, S.draft)
    db.session.commit()
    login_as(world.member)
    typed = _open_form(client, r)
    typed["statement"] = "Een lange, zorgvuldig getypte toelichting van het café."
    operations.submit_response(world.coordinator, r, version=r.version, publication="public")
    db.session.commit()
    page = post_form(client, f"/reacties/{r.id}/bewerken", typed, form_url=f"/reacties/{r.id}")
    assert page.status_code == 409
    assert "Uw wijzigingen zijn niet opgeslagen" in page.text and "ingediend" in page.text
    assert "Een lange, zorgvuldig getypte toelichting van het café." in page.text
    assert "readonly" in page.text and f'href="/reacties/{r.id}"' in page.text
    assert db.session.get(FormalResponse, r.id).statement == "Wij steunen de visie."


def test_adding_an_attachment_keeps_the_unsaved_text_whether_refused_or_accepted(client, world, login_as):
    """Issue 11.1: the upload reloaded the page with the last saved text."""
    r = rf.response(world.consultation, world.group, S.draft)
    db.session.commit()
    login_as(world.member)
    page = client.get(f"/reacties/{r.id}/bewerken").text
    assert f'formaction="/reacties/{r.id}/bijlagen"' in page and 'enctype="multipart/form-data"' in page
    typed = _open_form(client, r)
    typed["statement"] = "Nog niet opgeslagen tekst."
    bad = post_form(
        client,
        f"/reacties/{r.id}/bijlagen",
        {**typed, "file": (io.BytesIO(b"not a pdf"), "brief.pdf")},
        form_url=f"/reacties/{r.id}/bewerken",
        content_type="multipart/form-data",
    )
    assert bad.status_code == 400 and "Nog niet opgeslagen tekst." in bad.text
    assert db.session.get(FormalResponse, r.id).statement == "Wij steunen de visie."  # nothing half-saved
    good = post_form(
        client,
        f"/reacties/{r.id}/bijlagen",
        {**typed, "file": (io.BytesIO(cf.pdf_bytes()), "brief.pdf")},
        form_url=f"/reacties/{r.id}/bewerken",
        content_type="multipart/form-data",
    )
    assert good.status_code == 302
    r = db.session.get(FormalResponse, r.id)
    assert r.statement == "Nog niet opgeslagen tekst." and [a.file.original_name for a in r.attachments] == [
        "brief.pdf"
    ]


@pytest.mark.postgres_only
@pytest.mark.app_config(WTF_CSRF_ENABLED=False)
def test_a_double_click_on_bijlage_toevoegen_stores_the_file_once_and_says_it_is_there(app, client, world):
    """Issue 11.4: two clicks 50 ms apart stored the file once, then showed "Kies een PDF-bestand"."""
    r = rf.response(world.consultation, world.group, S.draft)
    db.session.commit()
    log_in(client, world.member)
    typed = {**_open_form(client, r), "statement": "Getypt voor de upload."}
    url = f"/reacties/{r.id}"
    clients = []
    for _ in range(2):
        c = app.test_client()
        log_in(c, world.member)
        clients.append(c)
    barrier = threading.Barrier(2)
    results = []

    def post(c):
        barrier.wait(timeout=10)
        data = {**typed, "file": (io.BytesIO(cf.pdf_bytes(text="brief")), "brief.pdf")}
        response = c.post(f"{url}/bijlagen", data=data, content_type="multipart/form-data")
        results.append((response.status_code, c.get(f"{url}/bewerken").text))

    threads = [threading.Thread(target=post, args=(c,)) for c in clients]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert [status for status, _page in results] == [302, 302]
    assert any("was al toegevoegd" in page for _status, page in results)
    assert not any("Kies een PDF-bestand" in page for _status, page in results)
    db.session.expire_all()  # the requests ran in other threads
    r = db.session.get(FormalResponse, r.id)
    assert [a.file.original_name for a in r.attachments] == ["brief.pdf"]
    assert r.statement == "Getypt voor de upload."


def test_the_revision_diff_shows_the_words_people_wrote_and_no_empty_lines(client, world, login_as):
    """Issue 11.13: the diff showed raw Markdown ("##", "**") and empty "Verwijderd:" lines."""
    from partner_portal.responses import operations

    r = rf.response(world.consultation, world.group, S.draft)
    r.statement = "**Vet** begin.\n\n- punt een"
    db.session.commit()
    operations.submit_response(world.coordinator, r, version=r.version, publication="public")
    operations.take_step(world.moderator, r, "start_review", version=r.version)
    operations.take_step(world.moderator, r, "request_changes", version=r.version, reason="Graag aanvullen.")
    r.statement = "**Vet** begin.\n\n- punt twee"
    r.positions[0].explanation = ""
    db.session.commit()
    operations.submit_response(world.coordinator, r, version=r.version, publication="public")
    db.session.commit()
    login_as(world.coordinator)
    page = client.get(f"/reacties/{r.id}/revisies/2").text
    assert "**" not in page and "## " not in page
    assert "punt een" in page and "punt twee" in page and "Vet begin." in page
    assert not re.search(r"Verwijderd:</span>\s*</del>", page) and not re.search(r"Toegevoegd:</span>\s*</ins>", page)


def test_resubmission_preselects_the_earlier_publication_choice(client, world, login_as):
    r = rf.response(world.consultation, world.group, S.changes_requested, publication="not_public")
    db.session.commit()
    login_as(world.coordinator)
    page = client.get(f"/reacties/{r.id}").text
    assert re.search(r'<option selected value="not_public">|<option value="not_public" selected', page)


def test_the_procesverloop_says_in_words_what_happened_to_which_group(client, world):
    """Issue 11.10: the public procesverloop showed codes (in_review, accepted) and no group."""
    from partner_portal.responses import operations

    r = rf.response(world.consultation, world.group, S.in_review)
    db.session.commit()
    operations.take_step(world.moderator, r, "accept", version=r.version)
    db.session.commit()
    page = client.get(f"/consultaties/{world.consultation.slug}/procesverloop").text
    row = page[page.index("Formele reactie: Accepteren") :].split("</tr>")[0]
    assert "Reactie van sectorgroep Horeca" in row and "in behandeling" in row and "geaccepteerd" in row
    assert "in_review" not in row and "accepted" not in row


def test_mijn_shows_each_group_s_response_and_the_next_step(client, world, login_as):
    """Issue 11.9: partners did not see where to start."""
    login_as(world.coordinator)
    page = client.get("/mijn").text
    slug = world.consultation.slug
    row = page[page.index(">Horeca</th>") :].split("</tr>")[0]
    assert "nog geen reactie" in row and f'href="/consultaties/{slug}/reacties">Reactie beginnen' in row
    cta = client.get(f"/consultaties/{slug}").text
    assert "Uw sectorgroep kan reageren" in cta and "Reactie beginnen" in cta
    r = rf.response(world.consultation, world.group, S.draft)
    db.session.commit()
    assert f'href="/reacties/{r.id}/bewerken">Verder bewerken' in client.get("/mijn").text
    r.state, r.submitted_at, r.publication = S.submitted, r.created_at, "public"
    db.session.commit()
    page = client.get("/mijn").text
    assert "ingediend op" in page and "Uw sectorgroep kan reageren" not in client.get(f"/consultaties/{slug}").text
    r.state, r.review_started_at, r.changes_requested_at = S.changes_requested, r.created_at, r.created_at
    db.session.commit()
    assert "wijzigingen gevraagd" in client.get("/mijn").text


def test_the_public_and_staff_see_no_call_to_action(client, world, login_as):
    slug = world.consultation.slug
    assert "Uw sectorgroep kan reageren" not in client.get(f"/consultaties/{slug}").text
    login_as(world.moderator)
    assert "Uw sectorgroep kan reageren" not in client.get(f"/consultaties/{slug}").text


def test_the_demo_lets_every_role_walk_its_journey(app, client, login_as):
    """Issue 11.8: the seeded horeca response was already answered, so the member and signatory
    accounts the README lists could never draft or submit."""
    from partner_portal import demo

    demo.seed()
    db.session.commit()
    states = dict(
        db.session.execute(
            sa.select(SectorGroupModel.slug, FormalResponse.state).join(FormalResponse.sector_group)
        ).all()
    )
    assert states == {"cultuur": S.draft, "retail": S.submitted, "vastgoed": S.accepted}
    vastgoed = db.session.scalar(
        sa.select(FormalResponse).join(FormalResponse.sector_group).where(SectorGroupModel.slug == "vastgoed")
    )
    assert vastgoed.answered_at is not None and len(vastgoed.endorsements) == 1
    login_as("lid.horeca@example.org", password=demo.DEMO_PASSWORD)
    page = client.get("/mijn").text
    assert "Reactie beginnen" in page  # horeca starts fresh
