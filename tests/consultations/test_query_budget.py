"""Query budget of the consultation page: a fixed number of statements, however many responses there are.

The page is measured with 10 and with 500 accepted responses (public and not) of as many sector
groups, for an anonymous visitor, a partner coordinator and member (whose group has a draft, so
their next step is shown) and a moderator; a lazy load per response or group would show up as
extra statements.
"""

from types import SimpleNamespace

import pytest

from partner_portal.auth.models import OrgRole, StaffRole
from partner_portal.consultations.models import Programme, ProgrammeProject
from partner_portal.extensions import db
from partner_portal.responses.models import Publication, ResponseState
from tests import factories
from tests.access import log_in
from tests.consultations import factories as cf
from tests.querycount import count_queries
from tests.responses import factories as rf

SMALL, LARGE = 10, 500
CEILING = 6
URL = "/consultaties/budget"


@pytest.fixture
def world(app):
    w = SimpleNamespace(size=0)
    w.consultation = cf.consultation(slug="budget")
    programme = Programme(title="Programma", description="Uitvoering.")
    programme.projects.append(ProgrammeProject(title="Project A", description="Eerste."))
    programme.projects.append(ProgrammeProject(title="Project B", description="Tweede.", position=1))
    w.consultation.programmes.append(programme)
    cf.vision_version(w.consultation)
    w.group = factories.sector_group("horeca", "Horeca")
    w.org = factories.organisation(w.group)
    rf.response(w.consultation, w.group)  # a draft: the group's next step is "Verder bewerken"
    w.users = {
        "anonymous": None,
        "coordinator": factories.coordinator(w.group, w.org),
        "member": factories.user(w.org, OrgRole.member),
        "moderator": factories.user(role=StaffRole.moderator),
    }
    factories.commit()
    return w


def grow(world, n: int) -> None:
    """n more sector groups, each with an accepted response; every third one not public."""
    for _ in range(n):
        group = factories.sector_group()
        factories.organisation(group)
        publication = Publication.not_public if world.size % 3 == 0 else Publication.public
        rf.response(world.consultation, group, ResponseState.accepted, publication=publication)
        world.size += 1
    db.session.commit()


def measure(app, user):
    client = app.test_client()
    if user is not None:
        log_in(client, user)
    client.get(URL)  # warm-up: first-request work (e.g. loading translations) is not per-request cost
    with count_queries() as log:
        response = client.get(URL)
    assert response.status_code == 200
    return log, response.text


def test_consultation_page_has_a_fixed_query_count_at_10_and_500_responses(app, world):
    grow(world, SMALL)
    small = {role: measure(app, user) for role, user in world.users.items()}
    assert "Verder bewerken" in small["coordinator"][1] and "Verder bewerken" in small["member"][1]
    assert 'id="heatmap-caption"' in small["anonymous"][1] and "Lees de visie (versie 1)" in small["anonymous"][1]
    grow(world, LARGE - SMALL)
    failures = []
    for role, user in world.users.items():
        large, _html = measure(app, user)
        if large.count != small[role][0].count:
            failures.append(f"{role}: {small[role][0].count} statements at {SMALL}, {large.count} at {LARGE}:\n{large}")
        if large.count > CEILING:
            failures.append(f"{role}: {large.count} statements, ceiling {CEILING}:\n{large}")
    assert not failures, "\n\n".join(failures)
