"""The formal response's workflow table: every (state, transition) pair, with who may take it."""

import pytest
import sqlalchemy as sa

from partner_portal.core import workflow
from partner_portal.core.audit import AuditEvent
from partner_portal.core.errors import OperationError, PermissionDenied
from partner_portal.extensions import db
from partner_portal.notifications.models import OutboxMessage
from partner_portal.responses.models import ResponseState
from partner_portal.responses.workflow import RESPONSE
from tests.responses import factories as rf

pytestmark = pytest.mark.sqlite_only  # the workflow table: nothing here depends on the database

PAIRS = [(state, t.name) for state in ResponseState for t in RESPONSE.transitions]
COORDINATOR_STEPS = {"submit", "withdraw", "reopen"}
NOTIFIES = {
    "submit": "response_submitted",
    "request_changes": "changes_requested",
    "accept": "response_accepted",
    "reject": "response_rejected",
}


@pytest.mark.parametrize(("state", "name"), PAIRS, ids=[f"{s.value}-{n}" for s, n in PAIRS])
def test_every_state_and_transition(world, state, name):
    response = rf.response(world.consultation, world.group, state)
    response.publication = response.publication or "public"
    transition = RESPONSE.transition(name)
    actor = world.coordinator if name in COORDINATOR_STEPS else world.moderator
    wrong = world.moderator if name in COORDINATOR_STEPS else world.coordinator
    db.session.commit()
    if state not in transition.sources:
        with pytest.raises(OperationError, match="niet mogelijk vanuit de status"):
            workflow.apply_transition(actor, response, RESPONSE, name, version=response.version, reason="Omdat.")
        assert response.state == state
        return
    assert not workflow.can(wrong, response, RESPONSE, name)
    with pytest.raises(PermissionDenied):
        workflow.apply_transition(wrong, response, RESPONSE, name, version=response.version, reason="Omdat.")
    if transition.reason_required:
        with pytest.raises(OperationError, match="reden"):
            workflow.apply_transition(actor, response, RESPONSE, name, version=response.version, reason="  ")
    event = workflow.apply_transition(actor, response, RESPONSE, name, version=response.version, reason="Omdat.")
    db.session.commit()
    assert response.state == transition.target
    assert getattr(response, transition.timestamp) is not None
    assert (event.action, event.from_state, event.to_state) == (
        f"formal_response.{name}",
        state.value,
        transition.target.value,
    )
    assert event.is_public == (name == "accept")
    kinds = set(db.session.scalars(sa.select(OutboxMessage.kind)))
    assert kinds == ({NOTIFIES[name]} if name in NOTIFIES else set())


def test_the_table_has_the_agreed_shape():
    assert RESPONSE.initial == ResponseState.draft
    assert {t.name for t in RESPONSE.transitions if t.reason_required} == {"request_changes", "reject"}
    assert [g.name for g in RESPONSE.transition("submit").guards] == [
        "stage opens responses",
        "round open (no Nota yet)",
        "every theme has a position",
    ]
    assert RESPONSE.transition("withdraw").sources == {ResponseState.submitted, ResponseState.changes_requested}
    assert RESPONSE.transition("submit").sources == {ResponseState.draft, ResponseState.changes_requested}


def test_audit_events_have_readable_labels(world):
    assert workflow.action_label("formal_response.accept") == "Formele reactie: Accepteren"
    assert workflow.action_label("nota.publish") == "Nota van beantwoording gepubliceerd"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent)) == 0
