"""Two adoptions racing for a funding source's last money, on PostgreSQL with two real connections.

The source has 100.000 left; two initiatives in review each ask 60.000 of it. Each adoption runs
in its own app context, session and connection. The sources are locked before what is left is
read (operations.lock_sources), so the second adoption waits for the first, then sees what it
granted: exactly one succeeds, and the source is never granted more than it has.
"""

import threading

import pytest
import sqlalchemy as sa

from partner_portal.core.errors import OperationError
from partner_portal.extensions import db
from partner_portal.initiatives import operations
from partner_portal.initiatives.models import Grant, Initiative
from tests import factories
from tests.initiatives import factories as inf
from tests.initiatives.factories import S
from tests.responses.test_nota_races import Other, wait_until_blocked

pytestmark = pytest.mark.postgres_only


def _setup(world):
    source = world.gemeente_source
    # Everything but 100.000 already went to an initiative in the programme.
    inf.initiative(world.consultation, world.other, S.adopted, total_euros=2_900_000, requested={source: 2_900_000})
    first = inf.initiative(world.consultation, world.lead, S.in_review, title="Eerste", requested={source: 60_000})
    second = inf.initiative(world.consultation, world.co, S.in_review, title="Tweede", requested={source: 60_000})
    factories.commit()
    return source.id, [(first.id, first.version), (second.id, second.version)]


def _granted(source_id: int) -> int:
    db.session.expire_all()
    return db.session.scalar(
        sa.select(sa.func.coalesce(sa.func.sum(Grant.amount_cents), 0)).where(Grant.funding_source_id == source_id)
    )


def _adoption(app, pm_id: int, source_id: int, initiative_id: int, version: int, barrier=None) -> Other:
    def step():
        from partner_portal.auth.models import User

        initiative = db.session.get(Initiative, initiative_id)
        actor = db.session.get(User, pm_id)
        if barrier is not None:
            barrier.wait(timeout=20)
        return operations.adopt(actor, initiative, version=version, grants={source_id: "60.000"}, answer="Ja.")

    return Other(app, step)


def test_the_second_adoption_waits_for_the_first_and_is_refused(app, world):
    source_id, [(first_id, first_version), (second_id, second_version)] = _setup(world)
    first = db.session.get(Initiative, first_id)
    operations.adopt(world.pm, first, version=first_version, grants={source_id: "60.000"}, answer="Ja.")  # open

    other = _adoption(app, world.pm.id, source_id, second_id, second_version).start()
    wait_until_blocked()
    db.session.commit()

    result = other.outcome()
    assert isinstance(result, operations.InvalidFields), result
    assert f"grant_{source_id}" in result.errors and "€ 40.000 over" in result.errors[f"grant_{source_id}"]
    assert _granted(source_id) == 296_000_000
    assert db.session.get(Initiative, second_id).state == S.in_review


def test_when_the_first_rolls_back_the_waiting_adoption_goes_ahead(app, world):
    source_id, [(first_id, first_version), (second_id, second_version)] = _setup(world)
    first = db.session.get(Initiative, first_id)
    operations.adopt(world.pm, first, version=first_version, grants={source_id: "60.000"}, answer="Ja.")

    other = _adoption(app, world.pm.id, source_id, second_id, second_version).start()
    wait_until_blocked()
    db.session.rollback()

    result = other.outcome()
    assert not isinstance(result, (OperationError, tuple)), result
    assert _granted(source_id) == 296_000_000
    assert db.session.get(Initiative, second_id).state == S.adopted
    assert db.session.get(Initiative, first_id).state == S.in_review


def test_two_adoptions_at_once_exactly_one_succeeds(app, world):
    source_id, initiatives = _setup(world)
    barrier = threading.Barrier(2)
    others = [_adoption(app, world.pm.id, source_id, i, v, barrier).start() for i, v in initiatives]
    results = [o.outcome() for o in others]
    refused = [r for r in results if isinstance(r, operations.InvalidFields)]
    assert len(refused) == 1 and not any(isinstance(r, tuple) for r in results), results
    assert _granted(source_id) == 296_000_000 <= 3_000_000 * 100
    states = sorted(db.session.get(Initiative, i).state.value for i, _v in initiatives)
    assert states == ["adopted", "in_review"]
