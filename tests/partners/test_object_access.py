"""Object-level access: a partner of organisation A can never read or change anything of organisation B,
whether by changing an id in the URL or by adding a field to a form."""

import pytest
import sqlalchemy as sa

from partner_portal.auth.models import OrgRole, StaffRole, User
from partner_portal.core.audit import AuditEvent
from partner_portal.extensions import db
from tests import factories
from tests.conftest import post_form


@pytest.fixture
def world(app):
    w = type("World", (), {})()
    w.group = factories.sector_group()
    w.org_a = factories.organisation(w.group, name="Organisatie A")
    w.org_b = factories.organisation(factories.sector_group(), name="Organisatie B")
    # C shares A's sector group: a coordinator of that group still has no say over C's people.
    w.org_c = factories.organisation(w.group, name="Organisatie C")
    w.admin_a = factories.user(w.org_a, OrgRole.org_admin, email="beheer@a.example")
    w.group.coordinators.append(w.admin_a)
    w.member_a = factories.user(w.org_a, OrgRole.member, email="lid@a.example")
    w.colleague_a = factories.user(w.org_a, OrgRole.member, email="collega@a.example")
    w.member_b = factories.user(w.org_b, OrgRole.member, name="Geheim Lid B", email="lid@b.example")
    w.invited_b = factories.user(w.org_b, OrgRole.member, email="uitgenodigd@b.example", password=None)
    w.member_c = factories.user(w.org_c, OrgRole.member, email="lid@c.example")
    w.staff = factories.user(role=StaffRole.administrator, email="beheerder@example.org")
    factories.commit()
    return w


def snapshot() -> tuple:
    """Everything a refused attempt might have changed."""
    db.session.expire_all()
    users = db.session.execute(
        sa.select(
            User.id,
            User.email,
            User.organisation_id,
            User.org_role,
            User.staff_role,
            User.is_active,
            User.session_version,
            User.password_hash,
        ).order_by(User.id)
    ).all()
    events = db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent))
    return tuple(users), events


def logged_in(app, user):
    client = app.test_client()
    response = post_form(client, "/login", {"email": user.email, "password": factories.PASSWORD})
    assert response.status_code == 302
    return client


def test_org_admin_cannot_see_or_invite_into_another_organisation(app, world):
    client = logged_in(app, world.admin_a)
    before = snapshot()
    for org in (world.org_b, world.org_c):
        url = f"/organisaties/{org.id}/mensen"
        page = client.get(url)
        assert page.status_code == 404
        assert "Geheim Lid B" not in page.get_data(as_text=True)
        # The CSRF token comes from the own page; only the id in the URL is changed.
        response = post_form(
            client,
            url,
            {"name": "Indringer", "email": "indringer@example.org", "org_role": "org_admin"},
            form_url=f"/organisaties/{world.org_a.id}/mensen",
        )
        assert response.status_code == 404
    assert snapshot() == before


@pytest.mark.parametrize(
    ("path", "data"),
    [
        ("/mensen/{id}", {"role": "org_admin"}),
        ("/mensen/{id}/status", {"reason": "weg"}),
        ("/mensen/{id}/uitnodiging", {}),
    ],
)
def test_org_admin_cannot_change_people_of_another_organisation_by_id(app, world, path, data):
    client = logged_in(app, world.admin_a)
    own_form = f"/mensen/{world.colleague_a.id}"
    before = snapshot()
    for target in (world.member_b, world.invited_b, world.member_c, world.staff):
        url = path.format(id=target.id)
        if path == "/mensen/{id}":
            assert client.get(url).status_code == 404
        response = post_form(client, url, data, form_url=own_form)
        assert response.status_code == 404, f"{url} gave {response.status_code}"
    assert snapshot() == before


def test_extra_form_fields_cannot_move_an_invitation_to_another_organisation_or_role(app, world):
    client = logged_in(app, world.admin_a)
    response = post_form(
        client,
        f"/organisaties/{world.org_a.id}/mensen",
        {
            "name": "Nieuwe Collega",
            "email": "nieuw@a.example",
            "org_role": "member",
            # Fields the form does not have: ignored, never trusted.
            "organisation_id": str(world.org_b.id),
            "org_id": str(world.org_b.id),
            "staff_role": "administrator",
        },
    )
    assert response.status_code == 200
    invitee = db.session.scalar(sa.select(User).where(User.email == "nieuw@a.example"))
    assert invitee.organisation_id == world.org_a.id
    assert invitee.org_role == OrgRole.member and invitee.staff_role is None


@pytest.mark.parametrize("value", ["administrator", "moderator", "superuser", ""])
def test_a_role_outside_the_choices_is_refused(app, world, value):
    client = logged_in(app, world.admin_a)
    url = f"/mensen/{world.colleague_a.id}"
    before = snapshot()
    response = post_form(client, url, {"role": value})
    assert response.status_code == 200
    assert "Er is iets niet goed ingevuld" in response.get_data(as_text=True)
    assert snapshot() == before


def test_org_admin_cannot_raise_or_lock_out_themselves(app, world):
    client = logged_in(app, world.admin_a)
    before = snapshot()
    url = f"/mensen/{world.admin_a.id}"
    post_form(client, url, {"role": "member"}, form_url=f"/mensen/{world.colleague_a.id}")
    post_form(client, url + "/status", {"reason": "x"}, form_url=f"/mensen/{world.colleague_a.id}")
    assert snapshot() == before


def test_member_cannot_manage_colleagues_or_strangers(app, world):
    client = logged_in(app, world.member_a)
    before = snapshot()
    assert client.get(f"/mensen/{world.colleague_a.id}").status_code == 403
    assert client.get(f"/mensen/{world.member_b.id}").status_code == 404
    assert client.get(f"/organisaties/{world.org_b.id}/mensen").status_code == 404
    own = f"/organisaties/{world.org_a.id}/mensen"
    invite = {"name": "X", "email": "x@a.example", "org_role": "member"}
    assert post_form(client, own, invite).status_code == 403
    assert post_form(client, f"/mensen/{world.colleague_a.id}/status", {}, form_url=own).status_code == 403
    assert post_form(client, f"/mensen/{world.member_b.id}/status", {}, form_url=own).status_code == 404
    assert snapshot() == before


def test_own_people_page_lists_only_own_organisation(app, world):
    client = logged_in(app, world.member_a)
    html = client.get(f"/organisaties/{world.org_a.id}/mensen").get_data(as_text=True)
    assert world.colleague_a.email in html
    assert world.member_b.email not in html and world.member_c.email not in html


def test_ids_that_do_not_exist_are_404_not_500(app, world):
    client = logged_in(app, world.admin_a)
    for url in ("/mensen/999999", "/organisaties/999999/mensen", "/mensen/0"):
        assert client.get(url).status_code == 404
