"""Signing through the pages: the form shows the exact text and its hash, a signature with a pledge
ends on its receipt, and every refusal of the issue's "Bad input and abuse" is a clear Dutch
message that changes nothing: a member, another organisation's signatory, the same person
co-signing twice, a commitment that is not open or outside the signing stage, a wrong password,
a negative pledge or one toward another consultation's source, a text changed meanwhile (with the
diff). Then a changed text makes a signature stale, re-signing, co-signing, revoking and notice."""

import re
import time

import sqlalchemy as sa

from partner_portal.commitments import operations as ops
from partner_portal.commitments.models import CommitmentState, PledgeKind, Signature, SignatureState
from partner_portal.extensions import db
from tests import factories
from tests.access import log_in
from tests.commitments import factories as cof
from tests.commitments.conftest import fields
from tests.conftest import post_form
from tests.consultations import factories as cf
from tests.sso.conftest import oidc_provider  # noqa: F401  (the loopback provider fixture)

S = CommitmentState
SS = SignatureState
PASSWORD = factories.PASSWORD


def _signatures() -> list[Signature]:
    db.session.expire_all()
    return db.session.scalars(sa.select(Signature).order_by(Signature.id)).all()


def _form(world, c, **overrides) -> dict[str, str]:
    data = {
        "version_hash": c.current_hash,
        "signer_name": "Tamara Tekenbevoegd",
        "function": "Eigenaar",
        "pledge_kind": "none",
        "password": PASSWORD,
    }
    data.update(overrides)
    return data


def _open(world, **kwargs):
    c = cof.commitment(world.consultation, S.open, **kwargs)
    factories.commit()
    return c


def _url(c) -> str:
    return f"/convenanten/{c.id}/ondertekenen"


def test_the_form_shows_the_exact_text_its_hash_and_the_pledge_kinds(client, world, login_as):
    c = _open(world, hours=False)
    login_as(world.signatory)
    page = client.get(_url(c)).text
    assert c.current_hash in page and f'name="version_hash" value="{c.current_hash}"' in page
    assert "<strong>binnenstadsorganisatie</strong>" in page
    assert 'value="Tamara Tekenbevoegd"' in page and 'autocomplete="current-password"' in page
    assert "<legend" in page and "geld per jaar" in page and "in natura" in page and "uren per jaar" not in page
    assert world.gemeente_source.name in page


def test_a_signatory_signs_with_a_money_pledge_and_lands_on_the_receipt(client, world, login_as):
    c = _open(world)
    login_as(world.signatory)
    data = _form(world, c, pledge_kind="money", amount="€ 2.500", funding_source_id=str(world.fonds_source.id))
    response = post_form(client, _url(c), data)
    assert response.status_code == 303
    (s,) = _signatures()
    assert response.location.endswith(f"/convenanten/{c.id}/ondertekeningen/{s.id}/bewijs")
    assert (s.pledge_kind, s.pledge_cents, s.funding_source_id) == (PledgeKind.money, 250_000, world.fonds_source.id)
    assert (s.signer_name, s.signer_function, s.version_hash, s.state) == (
        "Tamara Tekenbevoegd",
        "Eigenaar",
        c.current_hash,
        SS.complete,
    )


def test_a_member_may_not_sign(client, world, login_as):
    c = _open(world)
    login_as(world.member)
    page = client.get(_url(c))
    assert page.status_code == 403 and "Alleen een tekenbevoegde of beheerder" in page.text
    response = post_form(client, _url(c), _form(world, c), form_url="/")
    assert response.status_code == 403 and not _signatures()


def test_another_organisations_signatory_may_not_act_on_its_signature(client, world, login_as):
    c = _open(world)
    s = cof.signature(c, world.signatory)
    factories.commit()
    login_as(world.museum_signatory)
    base = f"/convenanten/{c.id}/ondertekeningen/{s.id}"
    for action in ("intrekken", "opnieuw", "medeondertekenen"):
        assert client.get(f"{base}/{action}").status_code == 403
    assert post_form(client, f"{base}/intrekken", {"reason": "Weg ermee"}, form_url="/").status_code == 403
    assert _signatures()[0].state == SS.complete
    assert client.get(f"/convenanten/{c.id}/ondertekeningen/999999/intrekken").status_code == 404


def test_an_organisation_signs_once(client, world, login_as):
    c = _open(world)
    cof.signature(c, world.brink_admin)
    factories.commit()
    login_as(world.signatory)
    page = client.get(_url(c))
    assert page.status_code == 409 and "al ondertekend" in page.text and 'name="password"' not in page.text
    response = post_form(client, _url(c), _form(world, c), form_url="/")
    assert response.status_code == 409 and "al ondertekend" in response.text
    assert len(_signatures()) == 1


def test_the_same_person_cannot_cosign_twice_and_a_second_signatory_completes_it(app, client, world, login_as):
    c = _open(world)
    login_as(world.joint_first)
    response = post_form(client, _url(c), _form(world, c, signer_name="Eva Eerste"))
    assert response.status_code == 303
    (s,) = _signatures()
    assert s.state == SS.pending_second
    cosign = f"/convenanten/{c.id}/ondertekeningen/{s.id}/medeondertekenen"
    data = {"version_hash": c.current_hash, "signer_name": "Eva Eerste", "function": "Directeur", "password": PASSWORD}
    page = client.get(cosign)
    assert page.status_code == 400 and "U hebt zelf al getekend" in page.text and 'name="password"' not in page.text
    response = post_form(client, cosign, data, form_url="/")
    assert response.status_code == 400 and "U hebt zelf al getekend" in response.text
    assert _signatures()[0].state == SS.pending_second
    client = app.test_client()
    log_in(client, world.joint_second)
    page = client.get(cosign)
    assert page.status_code == 200 and "Eva Eerste" in page.text
    response = post_form(client, cosign, {**data, "signer_name": "Tom Tweede"})
    assert response.status_code == 303 and response.location.endswith(f"/ondertekeningen/{s.id}/bewijs")
    s = _signatures()[0]
    assert s.state == SS.complete and s.cosigner_name == "Tom Tweede" and s.counts


def test_a_draft_is_not_found_and_a_withdrawn_or_closed_one_is_not_open(client, world, login_as):
    draft = cof.commitment(world.consultation, S.draft)
    withdrawn = cof.commitment(world.consultation, S.withdrawn)
    closed = cof.commitment(world.consultation, S.closed)
    factories.commit()
    login_as(world.signatory)
    assert client.get(_url(draft)).status_code == 404
    for c in (withdrawn, closed):
        response = post_form(client, _url(c), _form(world, c), form_url="/")
        assert response.status_code == 400 and "staat niet open voor ondertekening" in response.text
    assert not _signatures()


def test_signing_outside_the_signing_stage_is_refused(client, world, login_as):
    early = cf.consultation(current=1)
    c = cof.commitment(early, S.open)
    factories.commit()
    login_as(world.signatory)
    page = client.get(_url(c))
    assert page.status_code == 400 and "Dit kan niet" in page.text
    assert post_form(client, _url(c), _form(world, c), form_url="/").status_code == 400
    assert not _signatures()


def test_a_wrong_password_is_marked_at_its_field_and_saves_nothing(client, world, login_as):
    c = _open(world)
    login_as(world.signatory)
    response = post_form(client, _url(c), _form(world, c, password="fout-wachtwoord"))
    assert response.status_code == 400 and "Het wachtwoord klopt niet" in response.text
    assert 'href="#password"' in response.text and 'id="password-error"' in response.text
    assert 'value="Eigenaar"' in response.text and "fout-wachtwoord" not in response.text
    assert not _signatures()


def test_repeated_wrong_passwords_are_throttled(client, world, login_as, app):
    c = _open(world)
    app.config["LOGIN_LIMIT_PER_DEVICE"] = "2 per 15 minutes"
    app.config["LOGIN_LIMIT_PER_ACCOUNT"] = "2 per 15 minutes"
    login_as(world.signatory)
    for _ in range(4):
        post_form(client, _url(c), _form(world, c, password="fout"))
    response = post_form(client, _url(c), _form(world, c))
    assert response.status_code == 400 and "Te veel onjuiste wachtwoorden" in response.text
    assert not _signatures()


def test_a_negative_pledge_and_a_source_of_another_consultation_are_refused(client, world, login_as):
    c = _open(world)
    login_as(world.signatory)
    negative = _form(world, c, pledge_kind="money", amount="-500", funding_source_id=str(world.fonds_source.id))
    response = post_form(client, _url(c), negative)
    assert response.status_code == 400 and 'id="amount-error"' in response.text
    other = world.other_consultation.funding_sources[0]
    foreign = _form(world, c, pledge_kind="money", amount="500", funding_source_id=str(other.id))
    response = post_form(client, _url(c), foreign)
    assert response.status_code == 400 and "financieringsbron van deze consultatie" in response.text
    assert 'id="funding_source_id-error"' in response.text
    hours = _form(world, c, pledge_kind="hours", hours="-3")
    assert post_form(client, _url(c), hours).status_code == 400
    assert not _signatures()


def test_a_text_changed_meanwhile_shows_the_diff_and_the_new_hash(client, world, login_as):
    c = _open(world)
    seen = c.current_hash
    login_as(world.signatory)
    client.get(_url(c))
    ops.save_commitment(world.pm, c, fields(world, text="Een geheel nieuwe zin."), version=c.version)
    factories.commit()
    response = post_form(client, _url(c), _form(world, c, version_hash=seen))
    assert response.status_code == 409 and "De tekst is gewijzigd" in response.text
    assert "Toegevoegd:" in response.text and "Een geheel nieuwe zin." in response.text
    assert f'value="{c.current_hash}"' in response.text and not _signatures()
    response = post_form(client, _url(c), _form(world, c, version_hash=c.current_hash))
    assert response.status_code == 303 and _signatures()[0].version_number == 2


def test_a_stale_signature_is_signed_again_with_one_click_and_the_password(client, world, login_as):
    c = _open(world)
    s = cof.signature(c, world.signatory)
    factories.commit()
    ops.save_commitment(world.pm, c, fields(world, text="Versie twee."), version=c.version)
    factories.commit()
    login_as(world.signatory)
    url = f"/convenanten/{c.id}/ondertekeningen/{s.id}/opnieuw"
    page = client.get(url)
    assert page.status_code == 200 and "Versie twee." in page.text and "Verwijderd:" in page.text
    response = post_form(client, url, {"version_hash": c.current_hash, "password": "fout"})
    assert response.status_code == 400 and _signatures()[0].version_number == 1
    response = post_form(client, url, {"version_hash": c.current_hash, "password": PASSWORD})
    assert response.status_code == 303 and response.location.endswith(f"/ondertekeningen/{s.id}/bewijs")
    s = _signatures()[0]
    assert s.version_number == 2 and s.counts
    again = client.get(url)
    assert again.status_code == 400 and "huidige versie al ondertekend" in again.text


def test_revoking_needs_a_reason_and_then_ends_the_signature(client, world, login_as):
    c = _open(world)
    s = cof.signature(c, world.signatory)
    factories.commit()
    login_as(world.brink_admin)  # the organisation's admin may revoke what its signatory signed
    url = f"/convenanten/{c.id}/ondertekeningen/{s.id}/intrekken"
    assert client.get(url).status_code == 200
    response = post_form(client, url, {"reason": " "})
    assert response.status_code == 400 and "Geef een reden op" in response.text and 'id="reason-error"' in response.text
    assert _signatures()[0].state == SS.complete
    response = post_form(client, url, {"reason": "Ons bestuur is gewijzigd."})
    assert response.status_code == 303
    s = _signatures()[0]
    assert s.state == SS.revoked and s.ended_reason == "Ons bestuur is gewijzigd."


def test_notice_only_once_binding(client, world, login_as):
    c = _open(world)
    s = cof.signature(c, world.signatory)
    factories.commit()
    login_as(world.signatory)
    url = f"/convenanten/{c.id}/ondertekeningen/{s.id}/opzeggen"
    assert client.get(url).status_code == 400  # still open: revoke instead
    c.state, c.bound_at = S.binding, c.opened_at
    factories.commit()
    assert client.get(f"/convenanten/{c.id}/ondertekeningen/{s.id}/intrekken").status_code == 400
    response = post_form(client, url, {"reason": "Wij stoppen met de zaak."})
    assert response.status_code == 303
    assert _signatures()[0].state == SS.noticed


def test_the_actions_partial_offers_what_the_user_may_do(app, world):
    c = _open(world)
    s = cof.signature(c, world.signatory)
    factories.commit()
    ops.save_commitment(world.pm, c, fields(world, text="Versie twee."), version=c.version)
    factories.commit()
    from flask import render_template
    from flask_login import login_user

    with app.test_request_context():
        login_user(world.signatory)
        html = render_template("commitments/_actions.html", commitment=c)
        assert f"/ondertekeningen/{s.id}/opnieuw" in html and "versie 1 (eerdere tekst)" in html
    with app.test_request_context():
        login_user(world.museum_signatory)
        assert f"/convenanten/{c.id}/ondertekenen" in render_template("commitments/_actions.html", commitment=c)
    with app.test_request_context():
        login_user(world.pm)
        html = render_template("commitments/_actions.html", commitment=c)
        assert f"/convenanten/{c.id}/bewerken" in html and f"/convenanten/{c.id}/stap/close" in html


def test_an_organisation_that_is_not_invited_may_not_sign(client, world, login_as):
    from partner_portal.commitments.models import CommitmentOrganisation, InvitedParties

    c = cof.commitment(world.consultation, S.open, invited=InvitedParties.organisations)
    c.invited_organisations.append(CommitmentOrganisation(organisation_id=world.museum.id))
    factories.commit()
    login_as(world.signatory)
    page = client.get(_url(c))
    assert page.status_code == 403 and "niet uitgenodigd" in page.text
    assert not _signatures()


def test_a_signatory_who_came_through_eherkenning_signs_after_a_fresh_login_without_a_password(
    client,
    world,
    oidc_provider,  # noqa: F811  (the fixture imported above)
):
    from partner_portal.sso.models import UserIdentity
    from tests.sso.conftest import approve, partner_provider, sso_login, to_provider

    provider = partner_provider(oidc_provider)
    world.signatory.password_hash = None  # has only ever logged in through the provider
    db.session.add(UserIdentity(provider=provider, user=world.signatory, issuer=oidc_provider.issuer, subject="eh-t"))
    c = _open(world)
    oidc_provider.set_user("eh-t", email=world.signatory.email, email_verified=True, name="Tamara",
                           kvk=world.brink.kvk_number, acr="urn:etoegang:core:assurance-class:loa3")  # fmt: skip
    assert sso_login(client, "eherkenning", "eh-t").status_code == 302
    with client.session_transaction() as session:
        session["sso"] = {**session["sso"], "at": int(time.time()) - 3600}  # logged in an hour ago

    page = client.get(_url(c)).get_data(as_text=True)
    assert "opnieuw inloggen bij uw organisatie" in page and 'name="password"' not in page
    refused = post_form(client, _url(c), {**_form(world, c), "password": ""})
    assert refused.status_code in (400, 403) and "te lang geleden" in refused.get_data(as_text=True)
    assert not _signatures()

    link = re.search(r'href="([^"]*opnieuw=1[^"]*)"', page).group(1).replace("&amp;", "&")
    back = client.get(approve(to_provider(client, "eherkenning", link.removeprefix("/login/sso/eherkenning")), "eh-t"))
    assert back.status_code == 302 and back.headers["Location"] == _url(c)
    page = client.get(_url(c)).get_data(as_text=True)
    assert "Een wachtwoord is niet nodig" in page
    response = post_form(client, _url(c), {**_form(world, c), "password": ""})
    assert response.status_code == 303
    (s,) = _signatures()
    assert s.auth_method == "sso:urn:etoegang:core:assurance-class:loa3"
