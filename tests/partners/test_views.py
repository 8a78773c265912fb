"""The partner registry screens: bad input is refused in Dutch and changes nothing."""

import re

import sqlalchemy as sa

from partner_portal.auth.models import OrgRole, StaffRole, User
from partner_portal.core.audit import AuditEvent
from partner_portal.extensions import db
from partner_portal.partners.models import Organisation
from tests import factories
from tests.conftest import post_form


def _admin(login_as):
    admin = factories.user(role=StaffRole.administrator)
    factories.commit()
    login_as(admin)
    return admin


def _org_data(group, **overrides):
    data = {
        "name": "Café Het Vaartje",
        "kvk_number": "1234 5678",
        "primary_sector": str(group.id),
        "contact_email": "info@vaartje.example",
    }
    data.update(overrides)
    return data


def _count_orgs() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(Organisation))


def test_admin_creates_an_organisation(client, login_as):
    group = factories.sector_group()
    other = factories.sector_group()
    _admin(login_as)
    response = post_form(
        client,
        "/beheer/organisaties/nieuw",
        _org_data(group, other_sectors=str(other.id)),
    )
    assert response.status_code == 302
    org = db.session.scalar(sa.select(Organisation).filter_by(kvk_number="12345678"))
    assert org.primary_sector.id == group.id
    assert {g.id for g in org.sector_groups} == {group.id, other.id}
    assert db.session.scalar(sa.select(AuditEvent).filter_by(action="organisation.create", object_id=org.id))


def test_admin_marks_an_organisation_as_needing_two_signatories(client, login_as):
    group = factories.sector_group()
    _admin(login_as)
    post_form(client, "/beheer/organisaties/nieuw", _org_data(group, joint_authority="y"))
    org = db.session.scalar(sa.select(Organisation).filter_by(kvk_number="12345678"))
    assert org.joint_authority
    page = client.get(f"/beheer/organisaties/{org.id}").get_data(as_text=True)
    assert re.search(
        r'<input[^>]*\bchecked\b[^>]*name="joint_authority"|<input[^>]*name="joint_authority"[^>]*\bchecked', page
    )
    post_form(client, f"/beheer/organisaties/{org.id}", _org_data(group, version=str(org.version)))
    db.session.refresh(org)
    assert not org.joint_authority  # unticked: one signatory signs for it again


def test_bad_organisation_input_is_refused_and_nothing_is_saved(client, login_as):
    group = factories.sector_group()
    factories.organisation(group, kvk="87654321")
    _admin(login_as)
    before = _count_orgs()
    cases = [
        ({"kvk_number": "1234"}, "Een KvK-nummer bestaat uit precies 8 cijfers."),
        ({"kvk_number": "abcdefgh"}, "Een KvK-nummer bestaat uit precies 8 cijfers."),
        ({"kvk_number": "87654321"}, "Er is al een organisatie met dit KvK-nummer."),
        ({"name": "x" * 201}, "Gebruik hoogstens 200 tekens."),
        ({"name": "   "}, "Vul dit veld in."),
        ({"contact_email": "geen-adres"}, "Vul een geldig e-mailadres in"),
        ({"primary_sector": "0"}, "Kies een hoofdsector."),
        ({"primary_sector": "99999"}, "Ongeldige keuze."),
    ]
    for overrides, message in cases:
        response = post_form(client, "/beheer/organisaties/nieuw", _org_data(group, **overrides))
        assert response.status_code == 200, overrides
        page = response.get_data(as_text=True)
        assert "Er is iets niet goed ingevuld" in page, overrides
        assert message in page, (
            overrides,
            page[page.find("error-summary") : page.find("error-summary") + 600],
        )
    assert _count_orgs() == before


def test_form_posted_twice_creates_one_organisation(client, login_as):
    group = factories.sector_group()
    _admin(login_as)
    data = _org_data(group)
    from tests.conftest import csrf_token

    token = csrf_token(client, "/beheer/organisaties/nieuw")
    first = client.post("/beheer/organisaties/nieuw", data={"csrf_token": token, **data})
    second = client.post("/beheer/organisaties/nieuw", data={"csrf_token": token, **data})
    assert first.status_code == 302
    assert second.status_code == 200
    assert "Er is al een organisatie met dit KvK-nummer." in second.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Organisation).filter_by(kvk_number="12345678")) == 1


def test_stale_edit_gets_changed_meanwhile_message(client, login_as):
    group = factories.sector_group()
    org = factories.organisation(group, name="Oude naam")
    _admin(login_as)
    stale_version = org.version
    ok = post_form(
        client,
        f"/beheer/organisaties/{org.id}",
        _org_data(group, name="Naam van collega", kvk_number=org.kvk_number, version=stale_version),
    )
    assert ok.status_code == 302
    late = post_form(
        client,
        f"/beheer/organisaties/{org.id}",
        _org_data(group, name="Mijn naam", kvk_number=org.kvk_number, version=stale_version),
    )
    assert late.status_code == 200
    assert "intussen door iemand anders gewijzigd" in late.get_data(as_text=True)
    assert db.session.get(Organisation, org.id).name == "Naam van collega"


def test_changing_primary_sector_keeps_one_primary(client, login_as):
    a, b = factories.sector_group(), factories.sector_group()
    org = factories.organisation(a)
    _admin(login_as)
    response = post_form(
        client,
        f"/beheer/organisaties/{org.id}",
        _org_data(b, kvk_number=org.kvk_number, other_sectors=str(a.id), version=org.version),
    )
    assert response.status_code == 302
    org = db.session.get(Organisation, org.id)
    assert org.primary_sector.id == b.id
    assert sorted((m.sector_group_id, m.is_primary) for m in org.sectors) == sorted([(a.id, False), (b.id, True)])


def test_archiving_an_organisation_logs_its_people_out(app, client, login_as):
    org = factories.organisation()
    person = factories.user(org)
    factories.commit()
    their_client = app.test_client()
    post_form(their_client, "/login", {"email": person.email, "password": factories.PASSWORD})
    _admin(login_as)
    assert (
        post_form(
            client, f"/beheer/organisaties/{org.id}/archiveren", {}, form_url=f"/beheer/organisaties/{org.id}"
        ).status_code
        == 302
    )
    assert not db.session.get(Organisation, org.id).is_active
    assert their_client.get("/profiel").status_code == 302


def test_unknown_ids_give_404(client, login_as):
    _admin(login_as)
    for url in (
        "/beheer/organisaties/999999",
        "/beheer/sectorgroepen/999999",
        "/mensen/999999",
        "/organisaties/999999/mensen",
    ):
        assert client.get(url).status_code == 404, url


def test_org_admin_invites_and_manages_own_people_only(client, login_as):
    org = factories.organisation()
    other_org = factories.organisation()
    admin = factories.user(org, OrgRole.org_admin)
    colleague = factories.user(org, OrgRole.member)
    stranger = factories.user(other_org, OrgRole.member)
    factories.commit()
    login_as(admin)
    # Role change of a colleague.
    response = post_form(client, f"/mensen/{colleague.id}", {"role": "signatory"})
    assert response.status_code == 302
    assert db.session.get(User, colleague.id).org_role == OrgRole.signatory
    # Another organisation's person: invisible, by URL and by form.
    assert client.get(f"/mensen/{stranger.id}").status_code == 404
    assert post_form(client, f"/mensen/{stranger.id}/status", {}, form_url=f"/mensen/{colleague.id}").status_code == 404
    assert db.session.get(User, stranger.id).is_active
    # Inviting into another organisation by changing the id in the URL.
    response = post_form(
        client,
        f"/organisaties/{other_org.id}/mensen",
        {"name": "Indringer", "email": "indringer@example.org", "org_role": "org_admin"},
        form_url=f"/organisaties/{org.id}/mensen",
    )
    assert response.status_code == 404
    assert db.session.scalar(sa.select(User).filter_by(email="indringer@example.org")) is None
    # No self-lockout: own person page is not manageable.
    assert client.get(f"/mensen/{admin.id}").status_code == 200
    assert post_form(client, f"/mensen/{admin.id}/status", {}, form_url=f"/mensen/{colleague.id}").status_code == 302
    assert db.session.get(User, admin.id).is_active


def test_invite_refuses_duplicate_email_and_bad_role(client, login_as):
    org = factories.organisation()
    admin = factories.user(org, OrgRole.org_admin)
    existing = factories.user(org, email="bestaat@example.org")
    factories.commit()
    login_as(admin)
    dup = post_form(
        client, f"/organisaties/{org.id}/mensen", {"name": "X", "email": "BESTAAT@example.org", "org_role": "member"}
    )
    assert "Er bestaat al een account met dit e-mailadres." in dup.get_data(as_text=True)
    bad = post_form(
        client, f"/organisaties/{org.id}/mensen", {"name": "X", "email": "x@example.org", "org_role": "administrator"}
    )
    assert bad.status_code == 200
    assert db.session.scalar(sa.select(User).filter_by(email="x@example.org")) is None
    assert existing.is_active


def test_admin_sets_sector_coordinators_only_from_that_sector(client, login_as):
    group, other = factories.sector_group(), factories.sector_group()
    insider = factories.user(factories.organisation(group))
    outsider = factories.user(factories.organisation(other))
    _admin(login_as)
    ok = post_form(
        client,
        f"/beheer/sectorgroepen/{group.id}",
        {"name": group.name, "description": "", "coordinators": str(insider.id), "version": group.version},
    )
    assert ok.status_code == 302
    assert [u.id for u in group.coordinators] == [insider.id]
    refused = post_form(
        client,
        f"/beheer/sectorgroepen/{group.id}",
        {"name": group.name, "description": "", "coordinators": str(outsider.id), "version": group.version},
    )
    assert refused.status_code == 200
    assert [u.id for u in group.coordinators] == [insider.id]


def test_staff_invitation_by_admin(client, login_as):
    _admin(login_as)
    response = post_form(
        client,
        "/beheer/medewerkers/uitnodigen",
        {"name": "Mo de Rator", "email": "mo@example.org", "staff_role": "moderator"},
    )
    assert response.status_code == 200
    assert "/uitnodiging/" in response.get_data(as_text=True)
    person = db.session.scalar(sa.select(User).filter_by(email="mo@example.org"))
    assert person.staff_role == StaffRole.moderator and person.organisation_id is None


def test_user_list_search_and_pagination(client, login_as):
    for n in range(30):
        factories.user(name=f"Zoekbaar {n:02d}")
    _admin(login_as)
    page = client.get("/beheer/gebruikers?q=zoekbaar").get_data(as_text=True)
    assert "30 gebruikers" in page and "Zoekbaar 00" in page and "Pagina 1 van 2" in page
    assert "Zoekbaar 29" in client.get("/beheer/gebruikers?q=zoekbaar&page=2").get_data(as_text=True)
    assert client.get("/beheer/gebruikers?page=999").status_code == 200
    assert client.get("/beheer/gebruikers?page=abc").status_code == 200
    assert client.get("/beheer/organisaties?q=" + "x" * 500).status_code == 200
