"""Query budgets: every list page runs a fixed number of SQL statements, however many rows there are.

Each page is measured with 10 rows and again with 500 rows spread over many organisations and
sector groups (so that a lazy load per row would show up as extra statements).
"""

import itertools

import pytest

from partner_portal.auth.models import OrgRole, StaffRole
from partner_portal.extensions import db
from partner_portal.partners.models import Organisation, OrganisationSector, SectorGroup
from tests import factories
from tests.access import log_in
from tests.querycount import count_queries

SMALL, LARGE = 10, 500

# (page, url builder, who looks, ceiling on statements for one request). The ceilings are today's
# counts: a feature that needs more raises them here, on purpose and visibly in review.
LIST_PAGES = [
    ("admin organisations", lambda w: "/beheer/organisaties", "admin", 4),
    ("admin organisations search", lambda w: "/beheer/organisaties?q=organisatie", "admin", 4),
    ("admin users", lambda w: "/beheer/gebruikers", "admin", 4),
    ("admin sector groups", lambda w: "/beheer/sectorgroepen", "admin", 5),
    # 6: the organisation's page also lists the commitments it signed (one statement).
    ("people of an organisation", lambda w: f"/organisaties/{w.org.id}/mensen", "org_admin", 6),
    ("people of an organisation (administrator)", lambda w: f"/organisaties/{w.org.id}/mensen", "admin", 6),
    # 5: the partner's round overview asks for the running consultations (with none, nothing more).
    ("start page", lambda w: "/mijn", "org_admin", 5),
]

_kvk = itertools.count(10_000_000)


def grow(world, n: int) -> None:
    """Add n organisations (each with its own sector group, coordinator and member) and n people to world.org."""
    for i in range(n):
        group = SectorGroup(slug=f"groep-{world.size + i}", name=f"Groep {world.size + i}", position=100 + i)
        org = Organisation(name=f"Organisatie {world.size + i:04d}", kvk_number=str(next(_kvk)))
        org.sectors.append(OrganisationSector(sector_group=group, is_primary=True))
        org.sectors.append(OrganisationSector(sector_group=world.group, is_primary=False))
        db.session.add_all([group, org])
        coordinator = factories.user(org, OrgRole.org_admin)
        group.coordinators.append(coordinator)
        factories.user(org, OrgRole.member)
        factories.user(world.org, OrgRole.member, function_title=f"Functie {i}")
    world.size += n
    db.session.commit()


@pytest.fixture
def world(app):
    w = type("World", (), {"size": 0})()
    w.group = factories.sector_group()
    w.org = factories.organisation(w.group)
    w.users = {
        "admin": factories.user(role=StaffRole.administrator),
        "org_admin": factories.coordinator(w.group, w.org),
    }
    factories.commit()
    return w


def measure(app, world, url: str, role: str):
    client = app.test_client()
    log_in(client, world.users[role])
    client.get(url)  # warm-up: first-request work (e.g. loading translations) is not per-request cost
    with count_queries() as log:
        response = client.get(url)
    assert response.status_code == 200, url
    return log


def test_list_pages_have_a_fixed_query_count_at_10_and_500_rows(app, world):
    grow(world, SMALL)
    small = {name: measure(app, world, url(world), role) for name, url, role, _ in LIST_PAGES}
    grow(world, LARGE - SMALL)
    failures = []
    for name, url, role, ceiling in LIST_PAGES:
        large = measure(app, world, url(world), role)
        if large.count != small[name].count:
            failures.append(
                f"{name}: {small[name].count} statements at {SMALL} rows, {large.count} at {LARGE}:\n{large}"
            )
        if large.count > ceiling:
            failures.append(f"{name}: {large.count} statements, ceiling {ceiling}:\n{large}")
    assert not failures, "\n\n".join(failures)


def test_count_queries_counts_one_request_only(app, world):
    client = app.test_client()
    log_in(client, world.users["admin"])
    client.get("/beheer/organisaties")
    with count_queries() as log:
        pass
    assert log.count == 0
    with count_queries() as first:
        client.get("/healthz")
    with count_queries() as second:
        client.get("/healthz")
    assert first.count == second.count >= 1


# The MKB dashboard and the per-sector view, for MKB staff: (page, url, ceiling). The dashboard: the
# user, the sector and consultation choices, the count, the page of members, their organisations'
# sector groups, and one statement each for their endorsements, signatures, initiatives led or
# co-initiated, and their sector groups' responses.
MKB_PAGES = [
    ("MKB dashboard", "/mkb/dashboard", 10),
    ("MKB dashboard filtered and sorted", "/mkb/dashboard?sector=groep-mkb-1&sorteer=laatste-activiteit", 10),
    ("MKB per sector", "/mkb/sectoren", 5),
]


@pytest.fixture
def mkb_world(app):
    from tests.commitments import factories as comf
    from tests.consultations import factories as cf
    from tests.initiatives import factories as inf
    from tests.responses import factories as rf

    w = type("MkbWorld", (), {"size": 0})()
    w.consultation = cf.consultation()
    w.group = factories.sector_group("groep-mkb-0", "Groep MKB 0")
    w.org = factories.organisation(w.group, mkb=True)
    w.response = rf.response(w.consultation, w.group, rf.S.accepted)
    w.initiative = inf.initiative(w.consultation, w.org, inf.S.adopted)
    w.commitment = comf.commitment(w.consultation)
    w.signer = factories.user(w.org, OrgRole.signatory)
    w.users = {"mkb": factories.user(role=StaffRole.mkb_staff)}
    factories.commit()
    return w


def grow_members(world, n: int) -> None:
    """Add n member organisations, each in its own sector group, that endorse, sign and co-initiate."""
    from partner_portal.commitments.models import PledgeKind
    from partner_portal.core.models import utcnow
    from partner_portal.endorsements.models import Endorsement
    from partner_portal.initiatives.models import CoInitiator, InvitationState
    from partner_portal.responses.models import ResponseState
    from tests.commitments import factories as comf
    from tests.responses import factories as rf

    source = world.consultation.funding_sources[0]
    for i in range(n):
        group = factories.sector_group(f"groep-mkb-{world.size + i + 1}", f"Groep MKB {world.size + i + 1}")
        org = factories.organisation(group, mkb=True)
        response = rf.response(world.consultation, group, ResponseState.submitted)
        db.session.add_all(
            [
                Endorsement(formal_response=response if i % 2 else world.response, organisation=org),
                Endorsement(initiative=world.initiative, organisation=org),
                CoInitiator(
                    initiative=world.initiative, organisation=org, state=InvitationState.accepted, answered_at=utcnow()
                ),
            ]
        )
        signer = factories.user(org, OrgRole.signatory)
        comf.signature(
            world.commitment, signer, pledge_kind=PledgeKind.money, pledge_cents=100_00, funding_source_id=source.id
        )
    world.size += n
    db.session.commit()


def test_mkb_pages_have_a_fixed_query_count(app, mkb_world):
    grow_members(mkb_world, SMALL)
    small = {name: measure(app, mkb_world, url, "mkb") for name, url, _ in MKB_PAGES}
    grow_members(mkb_world, 60)  # more than two pages of members, each with its own group and response
    failures = []
    for name, url, ceiling in MKB_PAGES:
        large = measure(app, mkb_world, url, "mkb")
        if large.count != small[name].count:
            failures.append(
                f"{name}: {small[name].count} statements with few members, {large.count} with more:\n{large}"
            )
        if large.count > ceiling:
            failures.append(f"{name}: {large.count} statements, ceiling {ceiling}:\n{large}")
    assert not failures, "\n\n".join(failures)
