"""One member's page: link it by hand, unlink it, invite it onto the platform; each refusal changes nothing."""

from types import SimpleNamespace

import pytest
import sqlalchemy as sa

from partner_portal.auth.models import OrgRole, StaffRole, User
from partner_portal.core.audit import AuditEvent
from partner_portal.core.errors import Conflict, OperationError, PermissionDenied
from partner_portal.extensions import db
from partner_portal.mkb import operations
from partner_portal.mkb.models import MkbMember
from partner_portal.notifications.models import OutboxMessage
from partner_portal.partners.models import Organisation
from tests import factories
from tests.access import log_in
from tests.conftest import post_form


@pytest.fixture
def world(app):
    w = SimpleNamespace()
    w.horeca = factories.sector_group("horeca", "Horeca")
    w.org = factories.organisation(w.horeca, name="Grand Café De Brink", kvk="60000001", mkb=True)
    w.matched = w.org.mkb_member
    w.other_org = factories.organisation(w.horeca, name="Brasserie Holding Assen", kvk="60000099")
    w.unmatched = factories.mkb_member(
        "01234567",
        name="Bakkerij Bolhuis",
        sector=w.horeca,
        contact_name="Bea Bolhuis",
        contact_email="bea@bakkerijbolhuis.example",
    )
    w.staff = factories.user(role=StaffRole.mkb_staff, name="Maarten van MKB Assen")
    w.partner = factories.user(w.org, OrgRole.org_admin, name="Hanna Horeca")
    factories.commit()
    return w


def _count(model, *where) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model).where(*where))


def _audits(action: str) -> int:
    return _count(AuditEvent, AuditEvent.action == action)


def test_the_page_shows_the_member_and_its_organisation(client, world):
    log_in(client, world.staff)
    page = client.get(f"/mkb/leden/{world.matched.id}")
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Grand Café De Brink" in text and "60000001" in text and "gevonden op KvK-nummer" in text
    assert "nog niet actief" in text and "Nog geen herinnering" not in text
    text = client.get(f"/mkb/leden/{world.unmatched.id}").get_data(as_text=True)
    assert "nog niet op het platform" in text and "Bea Bolhuis" in text and "Uitnodigen voor het portaal" in text
    assert "Brasserie Holding Assen (KvK 60000099)" in text  # an organisation nobody is linked to, to choose
    assert client.get("/mkb/leden/999999").status_code == 404


def test_a_partner_gets_403_on_every_member_page_and_changes_nothing(app, client, world):
    app.config["WTF_CSRF_ENABLED"] = False  # a valid form: the refusal is the permission's
    log_in(client, world.partner)
    for url in (f"/mkb/leden/{world.unmatched.id}", f"/mkb/leden/{world.unmatched.id}/uitnodigen"):
        response = client.get(url)
        assert response.status_code == 403 and "Geen toegang" in response.get_data(as_text=True)
    assert client.post(f"/mkb/leden/{world.unmatched.id}/koppelen", data={"kvk": "60000099"}).status_code == 403
    assert db.session.get(MkbMember, world.unmatched.id).organisation_id is None


def test_staff_link_a_member_by_hand_with_the_kvk_number_typed(client, world):
    log_in(client, world.staff)
    url = f"/mkb/leden/{world.unmatched.id}"
    response = post_form(client, url + "/koppelen", {"kvk": "60000099"}, form_url=url)
    assert response.status_code == 302 and response.headers["Location"].endswith(url)
    member = db.session.get(MkbMember, world.unmatched.id)
    assert member.organisation_id == world.other_org.id and member.linked_by_hand
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "mkb_member.link"))
    assert event.object_id == member.id and event.details_dict["organisation_id"] == world.other_org.id
    text = client.get(url).get_data(as_text=True)
    assert "met de hand gekoppeld" in text and "is gekoppeld aan Brasserie Holding Assen" in text


def test_staff_link_a_member_by_choosing_the_organisation(client, world):
    log_in(client, world.staff)
    url = f"/mkb/leden/{world.unmatched.id}"
    response = post_form(client, url + "/koppelen", {"organisation": str(world.other_org.id)}, form_url=url)
    assert response.status_code == 302
    assert db.session.get(MkbMember, world.unmatched.id).organisation_id == world.other_org.id


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"kvk": "12345678"}, "Er is geen organisatie met KvK-nummer 12345678 op het platform."),
        ({"kvk": "1234"}, "Een KvK-nummer bestaat uit precies 8 cijfers."),
        ({}, "Typ het KvK-nummer van de organisatie of kies er een uit de lijst."),
        (
            {"organisation": "99999999999999999999"},
            "Typ het KvK-nummer van de organisatie of kies er een uit de lijst.",
        ),
        ({"kvk": "60000001"}, "Grand Café De Brink is al gekoppeld aan het lid Grand Café De Brink (KvK 60000001)."),
    ],
)
def test_a_refused_link_says_why_and_changes_nothing(client, world, data, message):
    log_in(client, world.staff)
    url = f"/mkb/leden/{world.unmatched.id}"
    response = post_form(client, url + "/koppelen", data, form_url=url)
    assert response.status_code in (400, 409)
    assert message in response.get_data(as_text=True)
    assert db.session.get(MkbMember, world.unmatched.id).organisation_id is None
    assert _audits("mkb_member.link") == 0


def test_an_archived_organisation_or_the_same_one_is_refused(app, world):
    world.other_org.is_active = False
    db.session.flush()
    with pytest.raises(OperationError, match="Brasserie Holding Assen is gearchiveerd"):
        operations.link_member(world.staff, world.unmatched, world.other_org)
    with pytest.raises(OperationError, match="al gekoppeld aan Grand Café De Brink"):
        operations.link_member(world.staff, world.matched, world.org)
    with pytest.raises(PermissionDenied):
        operations.link_member(world.partner, world.unmatched, world.org)
    assert world.unmatched.organisation_id is None and _audits("mkb_member.link") == 0


def test_staff_unlink_a_member(client, world):
    log_in(client, world.staff)
    url = f"/mkb/leden/{world.matched.id}"
    response = post_form(client, url + "/ontkoppelen", {}, form_url=url)
    assert response.status_code == 302
    member = db.session.get(MkbMember, world.matched.id)
    assert member.organisation_id is None and not member.linked_by_hand
    assert _audits("mkb_member.unlink") == 1
    with pytest.raises(OperationError, match="aan geen organisatie gekoppeld"):
        operations.unlink_member(world.staff, member)


def test_staff_invite_an_unmatched_member_onto_the_platform(client, world):
    log_in(client, world.staff)
    url = f"/mkb/leden/{world.unmatched.id}/uitnodigen"
    page = client.get(url).get_data(as_text=True)
    assert 'value="bea@bakkerijbolhuis.example"' in page and 'value="Bea Bolhuis"' in page
    response = post_form(
        client, url, {"name": "Bea Bolhuis", "email": "Bea@BakkerijBolhuis.example", "function_title": "Eigenaar"}
    )
    assert response.status_code == 302
    org = db.session.scalar(sa.select(Organisation).where(Organisation.kvk_number == "01234567"))
    assert org.name == "Bakkerij Bolhuis" and org.primary_sector.slug == "horeca"
    person = db.session.scalar(sa.select(User).where(User.email == "bea@bakkerijbolhuis.example"))
    assert person.organisation_id == org.id and person.org_role == OrgRole.org_admin and not person.has_password
    member = db.session.get(MkbMember, world.unmatched.id)
    assert member.organisation_id == org.id
    mail = db.session.scalar(sa.select(OutboxMessage).where(OutboxMessage.kind == "invitation"))
    assert mail.recipient_email == "bea@bakkerijbolhuis.example" and "Maarten van MKB Assen" in mail.body_text
    assert _audits("mkb_member.invite") == 1 and _audits("organisation.create") == 1 and _audits("user.invite") == 1
    text = client.get(f"/mkb/leden/{member.id}").get_data(as_text=True)
    assert "Bakkerij Bolhuis staat nu op het platform. Bea Bolhuis krijgt een uitnodiging per e-mail." in text


def test_an_invite_when_the_kvk_number_or_the_address_is_taken_is_refused(client, world):
    log_in(client, world.staff)
    factories.user(world.other_org, OrgRole.member, email="bea@bakkerijbolhuis.example")
    taken = factories.mkb_member("60000099", name="Brasserie", sector=world.horeca)
    factories.commit()
    cases = [
        (taken, "Er is al een organisatie met KvK-nummer 60000099: Brasserie Holding Assen. Koppel het lid daaraan"),
        (world.unmatched, "Er bestaat al een account met dit e-mailadres."),
    ]
    for member, message in cases:
        url = f"/mkb/leden/{member.id}/uitnodigen"
        response = post_form(client, url, {"name": "Bea Bolhuis", "email": "bea@bakkerijbolhuis.example"})
        assert response.status_code == 409 and message in response.get_data(as_text=True)
    assert _count(Organisation) == 2 and _count(User) == 3 and _count(OutboxMessage) == 0
    assert _audits("mkb_member.invite") == 0


def test_a_member_without_a_sector_needs_one_chosen(client, world):
    member = factories.mkb_member("02345678", name="Zonder Sector")
    factories.commit()
    log_in(client, world.staff)
    url = f"/mkb/leden/{member.id}/uitnodigen"
    assert "Sectorgroep van de organisatie" in client.get(url).get_data(as_text=True)
    response = post_form(client, url, {"name": "Zus Zonder", "email": "zus@zonder.example"})
    assert response.status_code == 400 and "Kies de sectorgroep van de organisatie." in response.get_data(as_text=True)
    assert _count(Organisation) == 2
    response = post_form(client, url, {"name": "Zus Zonder", "email": "zus@zonder.example", "sector": world.horeca.id})
    assert response.status_code == 302
    assert db.session.get(MkbMember, member.id).organisation.primary_sector.slug == "horeca"


def test_an_ended_or_linked_member_is_not_invited(app, world):
    world.unmatched.ended_on = world.unmatched.member_since
    with pytest.raises(OperationError, match="geen lid meer"):
        operations.invite_member(world.staff, world.unmatched, email="x@y.example", name="X")
    with pytest.raises(OperationError, match="al gekoppeld"):
        operations.invite_member(world.staff, world.matched, email="x@y.example", name="X")
    with pytest.raises(PermissionDenied):
        operations.invite_member(world.partner, world.matched, email="x@y.example", name="X")
    assert _count(Organisation) == 2 and _count(OutboxMessage) == 0


def test_a_post_without_a_csrf_token_is_refused(app, world):
    app.config["WTF_CSRF_ENABLED"] = True
    client = app.test_client()
    log_in(client, world.staff)
    response = client.post(f"/mkb/leden/{world.unmatched.id}/koppelen", data={"kvk": "60000099"})
    assert response.status_code == 400 and "verlopen" in response.get_data(as_text=True)
    assert db.session.get(MkbMember, world.unmatched.id).organisation_id is None


def test_the_conflict_names_the_other_member(app, world):
    with pytest.raises(Conflict, match=r"al gekoppeld aan het lid Grand Café De Brink \(KvK 60000001\)"):
        operations.link_member(world.staff, world.unmatched, world.org)
