"""The execution pages: milestones with the derived progress, spending, news with a PDF or image,
hiding news, following, and the follower's mail."""

import io

import pytest
import sqlalchemy as sa
from werkzeug.datastructures import FileStorage

from partner_portal.core import uploads
from partner_portal.core.errors import OperationError
from partner_portal.extensions import db
from partner_portal.initiatives.models import Follower, Milestone, ProgressUpdate
from partner_portal.notifications.models import DigestItem
from tests import factories
from tests.conftest import post_form
from tests.initiatives import factories as inf
from tests.initiatives.factories import S
from tests.smtp import bodies, run_mail


def png_bytes(size=(4, 3), fmt="PNG") -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(out, format=fmt)
    return out.getvalue()


@pytest.fixture
def running(world):
    """The lead's initiative in progress, without milestones yet."""
    i = inf.initiative(world.consultation, world.lead, S.in_progress, title="Route Brink")
    factories.commit()
    return i


def _url(i, tail: str = "") -> str:
    return f"/initiatieven/{i.id}{tail}"


def _post(client, i, tail, data, **kwargs):
    return post_form(client, _url(i, tail), data, form_url=_url(i), **kwargs)


def _switch(client, login_as, user):
    client.delete_cookie(client.application.config["SESSION_COOKIE_NAME"])
    login_as(user)


def test_milestones_added_and_marked_done_give_the_weighted_progress(client, world, login_as, running):
    login_as(world.member)
    r = _post(client, running, "/mijlpalen", {"title": "Ontwerp klaar", "planned_on": "2027-03-01", "weight": "3"})
    assert r.status_code == 303 and r.headers["Location"].endswith(_url(running))
    _post(client, running, "/mijlpalen", {"title": "Plein open", "planned_on": "1-9-2027", "weight": "1"})
    design, opening = sorted(running.milestones, key=lambda m: m.weight, reverse=True)
    assert (design.weight, opening.planned_on.month) == (3, 9) and running.progress == 0

    r = _post(client, running, f"/mijlpalen/{design.id}", {"version": design.version, "done_on": "2027-03-04"})
    assert r.status_code == 303
    assert design.done_on.isoformat() == "2027-03-04" and running.progress == 75
    page = client.get(_url(running)).get_data(as_text=True)
    assert "is afgerond; de voortgang is nu 75%" in page and "75% (1 van 2 mijlpalen)" in page

    r = _post(client, running, f"/mijlpalen/{design.id}", {"version": design.version, "undo": "1"})
    assert r.status_code == 303 and design.done_on is None and running.progress == 0


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"planned_on": "31-31-2027"}, "Geplande datum: vul een datum in"),
        ({"planned_on": "morgen"}, "Geplande datum: vul een datum in"),
        ({"weight": "0"}, "heel getal van 1 tot en met 100"),
        ({"weight": "101"}, "heel getal van 1 tot en met 100"),
        ({"weight": "2,5"}, "heel getal van 1 tot en met 100"),
        ({"title": ""}, "Geef de mijlpaal een titel"),
    ],
)
def test_a_bad_milestone_is_refused_with_what_was_typed_and_nothing_changes(
    client, world, login_as, running, fields, message
):
    login_as(world.member)
    data = {"title": "Bestrating gelegd", "planned_on": "2027-05-01", "weight": "2", **fields}
    r = _post(client, running, "/mijlpalen", data)
    page = r.get_data(as_text=True)
    assert r.status_code == 400 and message in page
    assert f'value="{data["title"]}"' in page or not data["title"]  # what was typed is still there
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Milestone)) == 0


def test_marking_done_needs_a_readable_date_and_the_current_version(client, world, login_as):
    i = inf.initiative(world.consultation, world.lead, S.in_progress, milestones=2)
    factories.commit()
    first = i.milestones[0]
    login_as(world.signatory)
    r = _post(client, i, f"/mijlpalen/{first.id}", {"version": first.version, "done_on": "32-1-2027"})
    assert r.status_code == 400 and "Afgerond op: vul een datum in" in r.get_data(as_text=True)
    r = _post(client, i, f"/mijlpalen/{first.id}", {"version": first.version, "done_on": ""})
    assert r.status_code == 400 and first.done_on is None

    stale = first.version
    assert _post(client, i, f"/mijlpalen/{first.id}", {"version": stale, "done_on": "2027-02-01"}).status_code == 303
    r = _post(client, i, f"/mijlpalen/{first.id}", {"version": stale, "undo": "1"})
    assert r.status_code == 409 and "intussen door iemand anders gewijzigd" in r.get_data(as_text=True)
    assert first.done_on is not None and i.progress == 50

    other = inf.initiative(world.consultation, world.lead, S.in_progress, milestones=1)
    factories.commit()
    # Another initiative's milestone through this initiative's URL: 404.
    r = _post(client, i, f"/mijlpalen/{other.milestones[0].id}", {"version": 1, "done_on": "2027-02-01"})
    assert r.status_code == 404


def test_others_may_not_update_the_progress(client, world, login_as, running):
    login_as(world.other_signatory)
    page = client.get(_url(running)).get_data(as_text=True)
    assert "Mijlpaal toevoegen" not in page and "Nieuws plaatsen" not in page
    data = {"title": "X", "planned_on": "2027-01-01", "weight": "1"}
    assert _post(client, running, "/mijlpalen", data).status_code == 403
    assert _post(client, running, "/nieuws", {"body": "Hallo"}).status_code == 403
    assert running.milestones == [] and running.updates == []


def test_spending_per_source_in_dutch_amounts(client, world, login_as, running):
    login_as(world.member)
    gemeente, fonds = world.gemeente_source, world.fonds_source
    r = _post(client, running, "/uitgaven", {f"spent_{gemeente.id}": "12.500,50", f"spent_{fonds.id}": ""})
    assert r.status_code == 303
    assert running.spent_for(gemeente.id) == 1_250_050 and running.spent_for(fonds.id) == 0
    assert "€ 12.500,50" in client.get(_url(running)).get_data(as_text=True)

    r = _post(client, running, "/uitgaven", {f"spent_{gemeente.id}": "twaalfduizend"})
    page = r.get_data(as_text=True)
    assert r.status_code == 400 and 'value="twaalfduizend"' in page
    assert running.spent_for(gemeente.id) == 1_250_050


def test_news_with_a_pdf_and_with_a_png_and_their_files(client, world, login_as, running):
    from tests.consultations.factories import pdf_bytes

    login_as(world.member)
    r = _post(
        client,
        running,
        "/nieuws",
        {"body": "De bouw is begonnen.", "happened_on": "2027-04-01", "file": (io.BytesIO(pdf_bytes()), "plan.pdf")},
        content_type="multipart/form-data",
    )
    assert r.status_code == 303
    r = _post(
        client,
        running,
        "/nieuws",
        {
            "body": "Zo ziet het eruit.",
            "happened_on": "",
            "file": (io.BytesIO(png_bytes()), "foto.png"),
            "image_text": "De nieuwe bankjes op het Koopmansplein",
        },
        content_type="multipart/form-data",
    )
    assert r.status_code == 303
    photo, plan = running.updates  # newest first
    assert plan.file.content_type == "application/pdf" and photo.file.content_type == "image/png"
    page = client.get(_url(running)).get_data(as_text=True)
    assert "De bouw is begonnen." in page and "plan.pdf" in page and "Afbeelding downloaden: foto.png" in page
    image_url = _url(running, f"/nieuws/{photo.id}/afbeelding")
    assert f'<img class="news-image" src="{image_url}" alt="De nieuwe bankjes op het Koopmansplein"' in page
    shown = client.get(image_url)
    assert shown.status_code == 200 and shown.headers["Content-Disposition"].startswith("inline;")
    assert client.get(_url(running, f"/nieuws/{plan.id}/afbeelding")).status_code == 404  # a PDF is not shown

    client.delete_cookie(client.application.config["SESSION_COOKIE_NAME"])  # a visitor downloads both
    got = client.get(_url(running, f"/nieuws/{photo.id}/bestand"))
    assert got.status_code == 200 and got.mimetype == "image/png" and got.data == png_bytes()
    assert got.headers["X-Content-Type-Options"] == "nosniff"
    assert client.get(_url(running, f"/nieuws/{plan.id}/bestand")).mimetype == "application/pdf"


@pytest.mark.parametrize(
    ("content", "name"),
    [
        (b"Dit is gewoon tekst, geen plaatje.", "foto.png"),
        (b"\x89PNG\r\n\x1a\n" + b"kapot" * 20, "kapot.png"),  # the right first bytes, but no picture
        (png_bytes()[:40], "afgebroken.png"),
        (b"<html><script>alert(1)</script>", "foto.jpg"),
    ],
)
def test_a_fake_or_broken_image_is_refused_and_nothing_is_posted(client, world, login_as, running, content, name):
    login_as(world.member)
    r = _post(
        client,
        running,
        "/nieuws",
        {"body": "Met een plaatje.", "file": (io.BytesIO(content), name), "image_text": "Het plein"},
        content_type="multipart/form-data",
    )
    page = r.get_data(as_text=True)
    assert r.status_code == 400
    assert "geen PDF en geen PNG- of JPEG-afbeelding" in page or "kan niet worden gelezen" in page
    assert 'id="file-error"' in page  # said at the file field too
    assert "Met een plaatje." in page  # the text typed is kept
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ProgressUpdate)) == 0


def test_an_image_without_words_for_what_it_shows_is_refused_and_nothing_is_posted(client, world, login_as, running):
    login_as(world.member)
    r = _post(
        client,
        running,
        "/nieuws",
        {"body": "Kijk eens.", "file": (io.BytesIO(png_bytes()), "foto.png"), "image_text": "  "},
        content_type="multipart/form-data",
    )
    page = r.get_data(as_text=True)
    assert r.status_code == 400
    assert "Schrijf in een paar woorden wat er op de afbeelding staat." in page
    assert 'id="image_text-error"' in page and "Kijk eens." in page
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ProgressUpdate)) == 0


def test_images_are_recognised_by_content_and_limited_in_size(app, tmp_path):
    jpeg = uploads.save_pdf_or_image(FileStorage(io.BytesIO(png_bytes(fmt="JPEG")), filename="x.png"))
    assert jpeg.content_type == "image/jpeg" and jpeg.stored_name.endswith(".jpg") and uploads.is_image(jpeg)
    with pytest.raises(OperationError, match="te groot"):
        uploads.save_image(FileStorage(io.BytesIO(png_bytes((400, 400))), filename="groot.png"), max_bytes=100)
    with pytest.raises(OperationError, match="leeg"):
        uploads.save_pdf_or_image(FileStorage(io.BytesIO(b""), filename="leeg.png"))
    assert sorted(p.name for p in uploads.upload_folder().iterdir()) == [jpeg.stored_name]  # nothing left behind


def test_a_moderator_hides_news_with_a_reason_and_its_file_is_gone(client, world, login_as, running):
    login_as(world.member)
    _post(
        client,
        running,
        "/nieuws",
        {
            "body": "Onjuiste bewering over de buren.",
            "file": (io.BytesIO(png_bytes()), "buren.png"),
            "image_text": "De buren",
        },
        content_type="multipart/form-data",
    )
    [update] = running.updates
    file_url = _url(running, f"/nieuws/{update.id}/bestand")
    assert client.get(file_url).status_code == 200
    assert "/verbergen" not in client.get(_url(running)).get_data(as_text=True)  # initiators cannot hide
    assert client.get(_url(running, f"/nieuws/{update.id}/verbergen")).status_code == 403

    _switch(client, login_as, world.moderator)
    hide = _url(running, f"/nieuws/{update.id}/verbergen")
    assert hide in client.get(_url(running)).get_data(as_text=True)
    confirm = client.get(hide)
    assert confirm.status_code == 200 and "Onjuiste bewering" in confirm.get_data(as_text=True)
    r = post_form(client, hide, {"reason": "  "})
    assert r.status_code == 400 and "Geef een reden op" in r.get_data(as_text=True) and update.hidden_at is None

    r = post_form(client, hide, {"reason": "Bevat persoonlijke gegevens."})
    assert r.status_code == 303 and update.hidden_at is not None
    page = client.get(_url(running)).get_data(as_text=True)
    assert "Verborgen door de gemeente: Bevat persoonlijke gegevens." in page
    assert "Onjuiste bewering" not in page and "buren.png" not in page
    assert client.get(file_url).status_code == 404
    assert client.get(hide).status_code == 303  # already hidden: back to the page
    _switch(client, login_as, world.member)
    refused = client.get(hide)
    assert refused.status_code == 403 and "Onjuiste bewering" not in refused.get_data(as_text=True)
    client.delete_cookie(client.application.config["SESSION_COOKIE_NAME"])
    assert client.get(file_url).status_code == 404


def test_a_file_through_another_initiative_is_not_found(client, world, login_as, running):
    login_as(world.member)
    _post(
        client,
        running,
        "/nieuws",
        {"body": "Foto.", "file": (io.BytesIO(png_bytes()), "foto.png"), "image_text": "Het plein"},
        content_type="multipart/form-data",
    )
    other = inf.initiative(world.consultation, world.co, S.in_progress)
    factories.commit()
    [update] = running.updates
    assert client.get(_url(other, f"/nieuws/{update.id}/bestand")).status_code == 404


def test_following_and_unfollowing_are_idempotent(client, world, login_as, running):
    assert _post(client, running, "/volgen", {}).status_code == 302  # to the login page
    page = client.get(_url(running)).get_data(as_text=True)
    assert "Inloggen om te volgen" in page

    login_as(world.other_member)
    for _ in range(2):
        assert _post(client, running, "/volgen", {}).status_code == 303
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Follower)) == 1
    page = client.get(_url(running)).get_data(as_text=True)
    assert "U volgt dit initiatief" in page and "Niet meer volgen" in page
    for _ in range(2):
        assert _post(client, running, "/ontvolgen", {}).status_code == 303
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Follower)) == 0
    assert "Niet meer volgen" not in client.get(_url(running)).get_data(as_text=True)


def test_a_draft_cannot_be_followed_and_another_organisations_draft_is_not_found(client, world, login_as, running):
    draft = inf.initiative(world.consultation, world.lead, S.draft)
    factories.commit()
    login_as(world.member)
    r = _post(client, draft, "/volgen", {})
    assert r.status_code == 400 and "niet mogelijk vanuit de status" in r.get_data(as_text=True)
    _switch(client, login_as, world.other_member)
    assert post_form(client, _url(draft, "/volgen"), {}, form_url=_url(running)).status_code == 404


def test_a_follower_gets_the_news_by_mail(app, smtp, client, world, login_as, running):
    follower = world.mkb  # not of an initiating or endorsing organisation: mail only because they follow
    login_as(follower)
    assert _post(client, running, "/volgen", {}).status_code == 303
    _switch(client, login_as, world.member)
    r = _post(client, running, "/nieuws", {"body": "Het plein is open!", "happened_on": "2027-09-01"})
    assert r.status_code == 303

    # News arrives in the daily digest by default.
    assert db.session.scalars(sa.select(DigestItem).where(DigestItem.user_id == follower.id)).all()
    run_mail(app, "digest")
    run_mail(app, "send")
    [mail] = [m for m in smtp.messages if follower.email in str(m["To"])]
    text, _html = bodies(mail)
    assert "Route Brink" in text and f"http://localhost/initiatieven/{running.id}" in text
