"""The process manager's pages for commitments: creating, editing (a new version once open, the
field-by-field merge of concurrent saves), opening, withdrawing with a reason, and the refusals:
partners, a binding commitment, a missing reason. Each refusal changes nothing."""

import re

import sqlalchemy as sa

from partner_portal.commitments import operations as ops
from partner_portal.commitments.models import Commitment, CommitmentState, SignatureState
from partner_portal.core import merge
from partner_portal.extensions import db
from partner_portal.notifications.models import OutboxMessage
from tests import factories
from tests.commitments import factories as cof
from tests.commitments.conftest import fields
from tests.conftest import post_form

S = CommitmentState
NEW = "/consultaties/{slug}/convenanten/nieuw"


def _fresh(commitment_id: int) -> Commitment:
    db.session.expire_all()
    return db.session.get(Commitment, commitment_id)


def _form_data(page: str) -> dict[str, str]:
    """The hidden version and base of an edit page, as a browser would send them back."""
    version = re.search(r'name="version" type="hidden" value="(\d+)"', page) or re.search(
        r'type="hidden" name="version" value="(\d+)"', page
    )
    base = re.search(r'name="base" type="hidden" value="([^"]*)"', page)
    import html

    return {"version": version.group(1), "base": html.unescape(base.group(1))}


def test_the_process_manager_creates_a_draft(client, world, login_as):
    login_as(world.pm)
    url = NEW.format(slug=world.consultation.slug)
    page = client.get(url)
    assert page.status_code == 200 and "Nieuwe afspraak" in page.text and 'type="radio"' in page.text
    data = fields(world, themes=str(world.consultation.themes[0].id))
    data["themes"] = [data["themes"]]
    response = post_form(client, url, data)
    assert response.status_code == 303
    c = db.session.scalar(sa.select(Commitment))
    assert response.location.endswith(f"/convenanten/{c.id}")
    assert c.state == S.draft and c.title.startswith("Intentieverklaring") and c.allows_money
    assert c.theme_ids == [world.consultation.themes[0].id]


def test_a_commitment_without_title_is_refused_with_the_field_marked(client, world, login_as):
    login_as(world.pm)
    url = NEW.format(slug=world.consultation.slug)
    response = post_form(client, url, fields(world, title=""))
    assert response.status_code == 400 and "Geef de afspraak een titel." in response.text
    assert 'href="#title"' in response.text
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Commitment)) == 0


def test_partners_may_not_create_or_edit(client, world, login_as):
    c = cof.commitment(world.consultation, S.open)
    factories.commit()
    login_as(world.signatory)
    assert client.get(NEW.format(slug=world.consultation.slug)).status_code == 403
    assert client.get(f"/convenanten/{c.id}/bewerken").status_code == 403
    assert client.get(f"/convenanten/{c.id}/stap/close").status_code == 403


def test_opening_a_draft_through_its_confirmation_page(client, world, login_as):
    c = cof.commitment(world.consultation, S.draft)
    factories.commit()
    login_as(world.pm)
    url = f"/convenanten/{c.id}/stap/open"
    page = client.get(url)
    assert page.status_code == 200 and "Wat dit betekent" in page.text and "nieuwe versie" in page.text
    response = post_form(client, url, {"version": c.version})
    assert response.status_code == 303 and response.location.endswith(f"/convenanten/{c.id}")
    assert _fresh(c.id).state == S.open


def test_withdrawing_needs_a_reason_and_changes_nothing_without_one(client, world, login_as):
    c = cof.commitment(world.consultation, S.open)
    factories.commit()
    login_as(world.pm)
    url = f"/convenanten/{c.id}/stap/withdraw"
    assert 'name="reason"' in client.get(url).text
    response = post_form(client, url, {"version": c.version, "reason": "  "})
    assert response.status_code == 400 and "Geef een reden op" in response.text
    assert 'aria-invalid="true"' in response.text
    assert _fresh(c.id).state == S.open
    response = post_form(client, url, {"version": c.version, "reason": "De gemeente kiest een andere aanpak."})
    assert response.status_code == 303
    stored = _fresh(c.id)
    assert stored.state == S.withdrawn and stored.closing_reason == "De gemeente kiest een andere aanpak."


def test_a_step_on_a_stale_version_is_refused(client, world, login_as):
    c = cof.commitment(world.consultation, S.open)
    factories.commit()
    login_as(world.pm)
    response = post_form(client, f"/convenanten/{c.id}/stap/close", {"version": c.version + 5})
    assert response.status_code == 409 and "intussen gewijzigd" in response.text
    assert _fresh(c.id).state == S.open


def test_binding_by_hand_only_without_a_threshold(client, world, login_as):
    c = cof.commitment(world.consultation, S.open, threshold_organisations=3)
    factories.commit()
    login_as(world.pm)
    page = client.get(f"/convenanten/{c.id}/stap/bind")
    assert "vanzelf bindend" in page.text and "Ja, bindend verklaren" not in page.text
    response = post_form(
        client, f"/convenanten/{c.id}/stap/bind", {"version": c.version}, form_url=f"/convenanten/{c.id}/stap/close"
    )
    assert response.status_code == 400 and _fresh(c.id).state == S.open


def test_a_text_change_while_open_makes_a_new_version_and_the_signature_stale(client, world, login_as):
    c = cof.commitment(world.consultation, S.open)
    signature = cof.signature(c, world.signatory)
    factories.commit()
    login_as(world.pm)
    url = f"/convenanten/{c.id}/bewerken"
    page = client.get(url).text
    assert "wordt dat een nieuwe versie" in page and "opnieuw te ondertekenen" in page
    data = {**fields(world), **_form_data(page), "text": "De partners richten samen een stichting op."}
    data["themes"] = [data["themes"]]
    response = post_form(client, url, data)
    assert response.status_code == 303, response.text
    stored = _fresh(c.id)
    assert stored.current_version == 2 and stored.text == "De partners richten samen een stichting op."
    signature = db.session.get(type(signature), signature.id)
    assert signature.is_stale and signature.state == SignatureState.complete and not signature.counts
    mails = db.session.scalars(sa.select(OutboxMessage).where(OutboxMessage.kind == "commitment_text_changed")).all()
    assert [m.recipient_email for m in mails] == [world.signatory.email]


def test_editing_a_binding_commitment_is_refused_with_a_clear_message(client, world, login_as):
    c = cof.commitment(world.consultation, S.binding)
    factories.commit()
    login_as(world.pm)
    url = f"/convenanten/{c.id}/bewerken"
    response = client.get(url)
    assert response.status_code == 302
    data = {**fields(world, text="Nieuwe tekst."), "version": c.version, "base": ""}
    response = post_form(client, url, data, form_url=f"/convenanten/{c.id}/stap/close")
    assert response.status_code == 409 and "Deze afspraak is bindend" in response.text
    assert _fresh(c.id).text == cof.TEXT and _fresh(c.id).current_version == 1


def test_concurrent_saves_merge_field_by_field_and_conflicts_show_both_texts(client, world, login_as):
    c = cof.commitment(world.consultation, S.draft)
    factories.commit()
    login_as(world.pm)
    url = f"/convenanten/{c.id}/bewerken"
    shown = _form_data(client.get(url).text)
    base = merge.decode(shown["base"])
    # Someone else changes the title meanwhile.
    other = factories.user(role=world.pm.staff_role, name="Karin Collega")
    ops.save_commitment(other, c, {**base, "title": "Titel van Karin"}, version=c.version)
    factories.commit()
    # This person changed only the text: merged, Karin's title kept.
    data = {**base, **shown, "text": "Mijn tekst."}
    data["themes"] = [t for t in base["themes"].split(",") if t]
    response = post_form(client, url, data)
    assert response.status_code == 303
    stored = _fresh(c.id)
    assert (stored.title, stored.text) == ("Titel van Karin", "Mijn tekst.")
    # A second stale save that changes the title differently: the conflict panel, nothing saved.
    data = {**base, **shown, "title": "Mijn titel"}
    data["themes"] = [t for t in base["themes"].split(",") if t]
    response = post_form(client, url, data)
    assert response.status_code == 409
    assert "Titel van Karin" in response.text and "Mijn titel" in response.text and "has-conflict" in response.text
    assert _fresh(c.id).title == "Titel van Karin"


def test_a_commitment_without_threshold_is_declared_binding_by_hand(client, world, login_as):
    c = cof.commitment(world.consultation, S.open)
    factories.commit()
    login_as(world.pm)
    url = f"/convenanten/{c.id}/stap/bind"
    assert "Ja, bindend verklaren" in client.get(url).text
    response = post_form(client, url, {"version": c.version})
    assert response.status_code == 303 and _fresh(c.id).state == S.binding


def test_the_threshold_and_pledge_kinds_stay_fixed_once_open(client, world, login_as):
    c = cof.commitment(world.consultation, S.open)
    factories.commit()
    login_as(world.pm)
    url = f"/convenanten/{c.id}/bewerken"
    data = {**fields(world), **_form_data(client.get(url).text), "threshold_organisations": "3"}
    data["themes"] = [data["themes"]]
    response = post_form(client, url, data)
    assert response.status_code == 400 and "liggen vast" in response.text
    assert _fresh(c.id).threshold_organisations is None
