"""The initiators' pages: drafting with money per source, merging concurrent edits, co-initiators,
attachments, submission, withdrawal and revisions."""

import html
import io
import re

from partner_portal.core.audit import AuditEvent
from partner_portal.extensions import db
from partner_portal.initiatives.models import Initiative, InitiativeState, InvitationState
from tests import factories
from tests.access import log_in
from tests.conftest import post_form
from tests.consultations import factories as cf
from tests.initiatives import factories as inf
from tests.initiatives.conftest import fields

S = InitiativeState


def _new_url(w) -> str:
    return f"/consultaties/{w.consultation.slug}/initiatieven/nieuw"


def _create(client, w, **overrides):
    return post_form(client, _new_url(w), _form_data(fields(w, **overrides)))


def _form_data(values: dict) -> dict:
    """The form as a browser posts it: one value per chosen checkbox."""
    data = {}
    for key, value in values.items():
        data[key] = [v for v in value.split(",") if v] if key in ("themes", "locations", "responses") else value
    return data


def _open_form(client, initiative) -> dict:
    """What a browser would post from the edit page as it was opened."""
    page = client.get(f"/initiatieven/{initiative.id}/bewerken").text
    data: dict = {}
    for tag in re.findall(r"<input[^>]*>", page):
        name = re.search(r'name="([^"]+)"', tag)
        if not name or name.group(1) in ("csrf_token", "file", "language"):
            continue
        value = re.search(r'value="([^"]*)"', tag)
        value = html.unescape(value.group(1)) if value else ""
        if 'type="checkbox"' in tag:
            if "checked" in tag:
                data.setdefault(name.group(1), []).append(value)
            else:
                data.setdefault(name.group(1), [])
        else:
            data[name.group(1)] = value
    for name, value in re.findall(r'<textarea[^>]*name="([^"]+)"[^>]*>\r?\n?(.*?)</textarea>', page, re.S):
        data[name] = html.unescape(value)
    return data


def _latest(w) -> Initiative:
    db.session.expire_all()
    return db.session.scalars(db.select(Initiative).order_by(Initiative.id.desc())).first()


def test_a_member_drafts_with_money_split_over_sources(client, world, login_as):
    login_as(world.member)
    assert "Nieuw initiatief" in client.get(f"/consultaties/{world.consultation.slug}/initiatieven").text
    response = _create(
        client,
        world,
        total_cost="€ 1.250.000",
        own_contribution="250.000,50",
        **{f"request_{world.gemeente_source.id}": "750.000", f"request_{world.fonds_source.id}": "249.999,50"},
    )
    assert response.status_code == 303
    i = _latest(world)
    assert i.state == S.draft and i.lead_organisation_id == world.lead.id
    assert i.total_cost_cents == 125_000_000 and i.own_contribution_cents == 25_000_050
    assert i.requested_for(world.gemeente_source.id) == 75_000_000
    assert i.requested_for(world.fonds_source.id) == 24_999_950
    page = client.get(f"/initiatieven/{i.id}").text
    assert "€ 1.250.000" in page and "€ 249.999,50" in page and "Uw concept" in page
    # Another organisation does not even learn that it exists, by URL or attachment link.
    other = client.application.test_client()
    log_in(other, world.other_member)
    assert other.get(f"/initiatieven/{i.id}").status_code == 404
    assert other.get(f"/initiatieven/{i.id}/bewerken").status_code == 404
    assert other.get(f"/initiatieven/{i.id}/bijlagen/1").status_code == 404


def test_bad_amounts_dates_and_choices_are_refused_per_field_and_nothing_is_saved(client, world, login_as):
    login_as(world.member)
    other = cf.consultation(slug="andere", title="Andere visie")
    factories.commit()
    before = db.session.scalar(db.select(db.func.count(Initiative.id)))
    cases = [
        ({"total_cost": "-5"}, "Totale kosten"),
        ({"total_cost": "veel"}, "Totale kosten"),
        ({"planned_end": "2027-01-01"}, "Het geplande einde ligt voor de geplande start."),
        ({"themes": str(other.themes[0].id)}, "Kies thema&#39;s van deze consultatie."),
        ({"locations": str(other.locations[0].id)}, "Kies locaties uit de lijst van deze consultatie."),
        ({"title": ""}, "Geef het initiatief een titel."),
    ]
    for override, message in cases:
        response = _create(client, world, **override)
        assert response.status_code == 400, override
        assert message in response.text and "error-summary" in response.text, override
    assert db.session.scalar(db.select(db.func.count(Initiative.id))) == before


def test_parts_that_do_not_add_up_are_saved_as_draft_but_block_submission(client, world, login_as):
    login_as(world.signatory)
    assert _create(client, world, own_contribution="10.000").status_code == 303
    i = _latest(world)
    page = client.get(f"/initiatieven/{i.id}/stap/submit").text
    assert "tellen niet op tot de totale kosten" in page and 'action="/initiatieven/' not in page
    refused = post_form(
        client, f"/initiatieven/{i.id}/stap/submit", {"version": i.version}, form_url=f"/initiatieven/{i.id}"
    )
    assert refused.status_code == 400 and "tellen niet op tot de totale kosten" in refused.text
    assert _latest(world).state == S.draft


def test_concurrent_edits_are_merged_and_only_real_conflicts_shown(app, client, world, login_as):
    i = inf.initiative(world.consultation, world.lead, S.draft, title="Samen plannen")
    factories.commit()
    login_as(world.member)
    other = app.test_client()
    log_in(other, world.signatory)
    a, b = _open_form(client, i), _open_form(other, i)
    a["summary"] = "Samenvatting van A."
    a["themes"] = [str(t.id) for t in world.consultation.themes]
    assert post_form(client, f"/initiatieven/{i.id}/bewerken", a).status_code == 303
    b["description"] = "Beschrijving van B."
    assert post_form(other, f"/initiatieven/{i.id}/bewerken", b).status_code == 303
    i = _latest(world)
    assert i.summary == "Samenvatting van A." and i.description == "Beschrijving van B."
    assert len(i.themes) == len(world.consultation.themes)
    # Both change the total cost differently: only that field is shown, with both values.
    a, b = _open_form(client, i), _open_form(other, i)
    a["total_cost"], a["own_contribution"] = "120.000", "70.000"
    assert post_form(client, f"/initiatieven/{i.id}/bewerken", a).status_code == 303
    b["total_cost"], b["title"] = "90.000", "Samen plannen en doen"
    conflict = post_form(other, f"/initiatieven/{i.id}/bewerken", b)
    assert conflict.status_code == 409
    assert conflict.text.count('class="conflict-field"') == 1 and 'href="#total_cost"' in conflict.text
    assert "120.000" in conflict.text and "90.000" in conflict.text
    assert "Samen plannen en doen" in conflict.text  # what B typed elsewhere stays in the form
    assert _latest(world).total_cost_cents == 12_000_000


def test_attachments_are_saved_with_the_typed_text(client, world, login_as):
    i = inf.initiative(world.consultation, world.lead, S.draft)
    factories.commit()
    login_as(world.member)
    data = _open_form(client, i)
    data.update(summary="Getypt voor de bijlage.", file=(io.BytesIO(cf.pdf_bytes(text="Brief")), "brief.pdf"))
    response = post_form(
        client,
        f"/initiatieven/{i.id}/bijlagen",
        data,
        form_url=f"/initiatieven/{i.id}/bewerken",
        content_type="multipart/form-data",
    )
    assert response.status_code == 303
    i = _latest(world)
    assert i.summary == "Getypt voor de bijlage." and i.attachments[0].file.original_name == "brief.pdf"
    assert client.get(f"/initiatieven/{i.id}/bijlagen/{i.attachments[0].id}").status_code == 200
    not_pdf = post_form(
        client,
        f"/initiatieven/{i.id}/bijlagen",
        {**_open_form(client, i), "file": (io.BytesIO(b"GIF89a"), "foto.pdf")},
        form_url=f"/initiatieven/{i.id}/bewerken",
        content_type="multipart/form-data",
    )
    assert not_pdf.status_code == 400 and len(_latest(world).attachments) == 1


def test_co_initiators_are_invited_answer_and_then_edit(app, client, world, login_as):
    i = inf.initiative(world.consultation, world.lead, S.draft, title="Route Brink – Drents Museum")
    factories.commit()
    login_as(world.member)
    url = f"/initiatieven/{i.id}/initiatiefnemers"
    own = post_form(client, url, {"organisation_id": str(world.lead.id)})
    assert own.status_code == 400 and "Uw eigen organisatie is al initiatiefnemer." in own.text
    archived = post_form(client, url, {"organisation_id": str(world.archived.id)})
    assert archived.status_code == 400 and "Oud Café is gearchiveerd" in archived.text
    assert post_form(client, url, {"organisation_id": "abc"}).status_code == 400
    assert post_form(client, url, {"organisation_id": str(world.co.id)}).status_code == 303
    i = _latest(world)
    assert [c.state for c in i.co_initiators] == [InvitationState.invited]
    # Submitting with the invitation open is refused with the organisation's name.
    signatory = app.test_client()
    log_in(signatory, world.signatory)
    page = signatory.get(f"/initiatieven/{i.id}/stap/submit").text
    assert "Drents Museum" in page and "Nog niet alle uitgenodigde organisaties" in page
    # The invited organisation's member sees it but cannot answer; its signatory accepts.
    co_member = app.test_client()
    log_in(co_member, world.co_member)
    assert co_member.get(f"/initiatieven/{i.id}").status_code == 200
    assert co_member.get(f"/initiatieven/{i.id}/uitnodiging").status_code == 403
    co = app.test_client()
    log_in(co, world.co_signatory)
    assert post_form(co, f"/initiatieven/{i.id}/uitnodiging", {"answer": "maybe"}).status_code == 400
    assert post_form(co, f"/initiatieven/{i.id}/uitnodiging", {"answer": "accept"}).status_code == 303
    assert _latest(world).co_initiators[0].state == InvitationState.accepted
    assert co_member.get(f"/initiatieven/{i.id}/bewerken").status_code == 200
    actions = set(db.session.scalars(db.select(AuditEvent.action).where(AuditEvent.object_id == i.id)))
    assert {"initiative.invite", "initiative.invitation_accepted"} <= actions


def test_the_signatory_submits_a_revision_and_editing_is_then_refused_keeping_the_text(client, world, login_as):
    i = inf.initiative(world.consultation, world.lead, S.draft)
    factories.commit()
    login_as(world.member)
    typed = _open_form(client, i)
    member_step = post_form(
        client, f"/initiatieven/{i.id}/stap/submit", {"version": i.version}, form_url=f"/initiatieven/{i.id}"
    )
    assert member_step.status_code == 403
    signatory = client.application.test_client()
    log_in(signatory, world.signatory)
    assert "Wat dit betekent" in signatory.get(f"/initiatieven/{i.id}/stap/submit").text
    done = post_form(signatory, f"/initiatieven/{i.id}/stap/submit", {"version": i.version})
    assert done.status_code == 303
    i = _latest(world)
    assert i.state == S.submitted and [r.number for r in i.revisions] == [1]
    assert signatory.get(f"/initiatieven/{i.id}/revisies/1").status_code == 200
    typed["summary"] = "Te laat getypt."
    late = post_form(client, f"/initiatieven/{i.id}/bewerken", typed, form_url=f"/initiatieven/{i.id}")
    assert late.status_code == 409 and "Te laat getypt." in late.text
    assert _latest(world).summary != "Te laat getypt."
    # The lead withdraws after confirming.
    assert "Wat dit betekent" in signatory.get(f"/initiatieven/{i.id}/stap/withdraw").text
    assert post_form(signatory, f"/initiatieven/{i.id}/stap/withdraw", {"version": i.version}).status_code == 303
    assert _latest(world).state == S.withdrawn


def test_gemeente_steps_are_not_taken_through_the_initiators_step_route(client, world, login_as):
    i = inf.initiative(world.consultation, world.lead, S.submitted)
    factories.commit()
    login_as(world.moderator)
    assert client.get(f"/initiatieven/{i.id}/stap/start_review").status_code == 404
    assert client.get(f"/initiatieven/{i.id}/stap/onzin").status_code == 404
    assert client.get(f"/initiatieven/{i.id}/stap/withdraw").status_code == 403
