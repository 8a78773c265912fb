"""Query budgets of the moderation pages: a fixed number of statements, however many responses there are."""

from partner_portal.endorsements.models import Endorsement
from partner_portal.extensions import db
from partner_portal.responses.models import ResponseRevision, ResponseState
from tests import factories
from tests.access import log_in
from tests.consultations import factories as cf
from tests.querycount import count_queries
from tests.responses import factories as rf

CEILING = 10


def grow(world, n: int) -> None:
    """n more sector groups, each with an accepted, answered, endorsed response with two revisions."""
    for _ in range(n):
        group = factories.sector_group()
        org = factories.organisation(group)
        r = rf.response(world.consultation, group, ResponseState.accepted, answered=True)
        db.session.add(Endorsement(formal_response=r, organisation=org))
        for number in (1, 2):
            r.revisions.append(ResponseRevision(number=number, content="{}", submitted_by_id=world.coordinator.id))
    db.session.commit()


def measure(app, user, url: str):
    client = app.test_client()
    log_in(client, user)
    client.get(url)  # warm-up
    with count_queries() as log:
        response = client.get(url)
    assert response.status_code == 200, url
    return log


def test_moderation_pages_have_a_fixed_query_count(app, world):
    world.consultation = cf.consultation(slug="budget")
    db.session.commit()
    grow(world, 2)
    first = world.consultation.id
    pages = {
        "queue": ("/beheer/reacties", world.moderator),
        "queue filtered": (f"/beheer/reacties?consultation={first}&state=accepted", world.moderator),
        "nota": ("/consultaties/budget/nota", world.moderator),
        "response (moderator)": ("/reacties/1", world.moderator),
        "review": ("/beheer/reacties/1", world.moderator),
        "response (public)": ("/reacties/1", world.other_member),
        "heat map page list": ("/consultaties/budget/reacties", world.member),
    }
    small = {name: measure(app, user, url) for name, (url, user) in pages.items()}
    grow(world, 20)
    failures = []
    for name, (url, user) in pages.items():
        large = measure(app, user, url)
        if large.count != small[name].count or large.count > CEILING:
            failures.append(f"{name}: {small[name].count} then {large.count} statements:\n{large}")
    assert not failures, "\n\n".join(failures)
