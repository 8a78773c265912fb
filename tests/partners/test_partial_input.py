"""Views of the partner registry: bad or partial input gives a page, never a 500."""

import sqlalchemy as sa

from partner_portal.auth.models import OrgRole, StaffRole, User
from partner_portal.extensions import db
from tests import factories
from tests.conftest import post_form


def test_invite_without_the_optional_function_field_works(app, client, login_as):
    # A browser always sends every field, but a script or an old form may leave one out.
    org = factories.organisation()
    admin = factories.user(org, OrgRole.org_admin)
    factories.commit()
    login_as(admin)
    response = post_form(
        client,
        f"/organisaties/{org.id}/mensen",
        {"name": "Zonder Functie", "email": "zf@example.org", "org_role": "member"},
    )
    assert response.status_code == 200
    invitee = db.session.scalar(sa.select(User).where(User.email == "zf@example.org"))
    assert invitee.function_title == ""


def test_staff_invite_without_the_optional_function_field_works(app, client, login_as):
    admin = factories.user(role=StaffRole.administrator)
    factories.commit()
    login_as(admin)
    response = post_form(
        client,
        "/beheer/medewerkers/uitnodigen",
        {"name": "Staf", "email": "staf@example.org", "staff_role": "moderator"},
    )
    assert response.status_code == 200
    assert db.session.scalar(sa.select(User).where(User.email == "staf@example.org")).function_title == ""


def test_people_and_sector_group_lists_are_paginated(app, client, login_as):
    org = factories.organisation()
    # Named apart from the people listed: the page greets the admin by name, and a factory name
    # ("Persoon 2914" once other tests made that many users) would contain "Persoon 29".
    admin = factories.user(role=StaffRole.administrator, name="Beheerder")
    for n in range(30):
        factories.user(org, OrgRole.member, name=f"Persoon {n:02d}")
        factories.sector_group(name=f"Groep {n:02d}")
    factories.commit()
    login_as(admin)
    first = client.get(f"/organisaties/{org.id}/mensen").get_data(as_text=True)
    second = client.get(f"/organisaties/{org.id}/mensen?page=2").get_data(as_text=True)
    assert "Persoon 00" in first and "Persoon 29" not in first and "Pagina 1 van 2" in first
    assert "Persoon 29" in second
    groups = client.get("/beheer/sectorgroepen").get_data(as_text=True)
    assert "Pagina 1 van 2" in groups and "Groep 29" not in groups
