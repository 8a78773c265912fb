"""The workflow core, on a small test-only table over the consultation's status column."""

import threading
import time

import pytest
import sqlalchemy as sa

from partner_portal.auth.models import OrgRole, StaffRole, User
from partner_portal.consultations.models import Consultation, ConsultationStatus
from partner_portal.consultations.stages import stage_open
from partner_portal.core import workflow
from partner_portal.core.audit import AuditEvent
from partner_portal.core.errors import Conflict, OperationError, PermissionDenied
from partner_portal.extensions import db
from partner_portal.notifications.models import DigestItem
from tests import factories
from tests.consultations import factories as cf

# The workflow core's logic, the same on any database; the concurrency test at the end is postgres_only.
pytestmark = pytest.mark.sqlite_only

S = ConsultationStatus


@workflow.rule("the administrator")
def _is_admin(user, obj) -> bool:
    return user.staff_role == StaffRole.administrator


TEST_WF = workflow.Workflow(
    name="test_consultation",
    label="Test",
    model=Consultation,
    states=ConsultationStatus,
    initial=S.draft,
    state_attr="status",
    consultation_of=lambda c: c,
    transitions=[
        workflow.Transition(
            "open",
            {S.draft},
            S.published,
            allowed={"process_manager"},
            label="Openen",
            timestamp="published_at",
            is_public=True,
            notify="stage_changed",
            recipients=lambda obj, actor: db.session.scalars(sa.select(User).where(User.org_role.is_not(None))).all(),
        ),
        workflow.Transition(
            "close",
            {S.published},
            S.closed,
            allowed=_is_admin,
            label="Sluiten",
            reason_required=True,
            guards=[stage_open("responses", lambda c: c)],
            timestamp="closed_at",
        ),
        workflow.Transition("withdraw", {S.published}, S.draft, allowed={"administrator"}, label="Intrekken"),
    ],
)


def _events():
    return db.session.scalars(sa.select(AuditEvent).order_by(AuditEvent.id)).all()


def test_allowed_transition_changes_state_sets_timestamp_audits_and_notifies(app):
    c = cf.consultation(status=S.draft, current=None)
    pm = factories.user(role=StaffRole.process_manager)
    partner = factories.user(role=OrgRole.member)
    event = workflow.apply_transition(pm, c, TEST_WF, "open", version=c.version)
    db.session.commit()
    assert c.status == S.published and c.published_at is not None and c.version == 2
    assert (event.action, event.from_state, event.to_state) == ("test_consultation.open", "draft", "published")
    assert event.is_public and event.consultation_id == c.id and event.actor_id == pm.id
    [item] = db.session.scalars(sa.select(DigestItem)).all()  # stage_changed defaults to the digest
    assert (item.user_id, item.kind) == (partner.id, "stage_changed")


def test_forbidden_transition_is_refused_and_changes_nothing(app):
    c = cf.consultation(status=S.draft, current=1)
    member = factories.user(role=OrgRole.member)
    db.session.commit()
    with pytest.raises(PermissionDenied):
        workflow.apply_transition(member, c, TEST_WF, "open", version=c.version)
    db.session.rollback()
    assert db.session.get(Consultation, c.id).status == S.draft
    assert _events() == []


def test_predicate_rule_decides_who_may_take_it(app):
    c = cf.consultation(status=S.published)
    pm = factories.user(role=StaffRole.process_manager)
    admin = factories.user(role=StaffRole.administrator)
    assert [t.name for t in workflow.available_transitions(pm, c, TEST_WF)] == []
    assert [t.name for t in workflow.available_transitions(admin, c, TEST_WF)] == ["close", "withdraw"]
    assert workflow.can(admin, c, TEST_WF, "close")
    assert not workflow.can(admin, c, TEST_WF, "open")  # wrong state
    assert not workflow.can(None, c, TEST_WF, "close")


def test_reason_required(app):
    c = cf.consultation(status=S.published)
    admin = factories.user(role=StaffRole.administrator)
    db.session.commit()
    with pytest.raises(OperationError, match="Geef een reden op"):
        workflow.apply_transition(admin, c, TEST_WF, "close", version=c.version, reason="   ")
    db.session.rollback()
    c = db.session.get(Consultation, c.id)
    event = workflow.apply_transition(admin, c, TEST_WF, "close", version=c.version, reason="  Afgerond.  ")
    assert c.status == S.closed and c.closed_at is not None
    assert event.reason == "Afgerond." and not event.is_public


def test_reason_too_long_is_refused(app):
    c = cf.consultation(status=S.published)
    admin = factories.user(role=StaffRole.administrator)
    with pytest.raises(OperationError, match="hoogstens 2000"):
        workflow.apply_transition(admin, c, TEST_WF, "close", version=c.version, reason="x" * 2001)


def test_wrong_state_names_the_state(app):
    c = cf.consultation(status=S.draft)
    admin = factories.user(role=StaffRole.administrator)
    with pytest.raises(OperationError, match="niet mogelijk vanuit de status 'concept'"):
        workflow.apply_transition(admin, c, TEST_WF, "close", version=c.version, reason="x")
    with pytest.raises(OperationError, match="niet mogelijk"):
        workflow.apply_transition(admin, c, TEST_WF, "does-not-exist", version=c.version)


def test_stage_gate_says_when_the_stage_opens_or_closed(app):
    admin = factories.user(role=StaffRole.administrator)
    early = cf.consultation(status=S.published, current=0)
    with pytest.raises(OperationError) as excinfo:
        workflow.apply_transition(admin, early, TEST_WF, "close", version=early.version, reason="x")
    assert excinfo.value.message == (
        f"Reacties indienen kan alleen in de fase 'Reactie van partners' ({cf.period('reactie')}); "
        "die fase is nog niet begonnen."
    )
    late = cf.consultation(status=S.published, current=2)
    with pytest.raises(OperationError, match=r"kon alleen in de fase 'Reactie van partners'.*voorbij"):
        workflow.apply_transition(admin, late, TEST_WF, "close", version=late.version, reason="x")
    assert not workflow.can(admin, late, TEST_WF, "close")
    assert "voorbij" in workflow.why_not(admin, late, TEST_WF, "close")
    assert [(o.row.name, o.open) for o in workflow.offered(admin, late, TEST_WF)] == [
        ("close", False),
        ("withdraw", True),
    ]
    assert [t.name for t in workflow.available_transitions(admin, late, TEST_WF)] == ["withdraw"]
    assert early.status == late.status == S.published


def test_stale_version_is_a_conflict(app):
    c = cf.consultation(status=S.published)
    admin = factories.user(role=StaffRole.administrator)
    with pytest.raises(Conflict, match="intussen"):
        workflow.apply_transition(admin, c, TEST_WF, "withdraw", version=c.version - 1)
    with pytest.raises(Conflict):
        workflow.apply_transition(admin, c, TEST_WF, "withdraw", version="not a number")
    assert c.status == S.published


def test_table_declarations_are_checked():
    with pytest.raises(ValueError, match="twice"):
        workflow.Workflow(
            name="x",
            label="x",
            model=Consultation,
            states=S,
            initial=S.draft,
            state_attr="status",
            transitions=[
                workflow.Transition("a", {S.draft}, S.published, allowed={"administrator"}, label="a"),
                workflow.Transition("a", {S.draft}, S.closed, allowed={"administrator"}, label="a"),
            ],
        )
    with pytest.raises(ValueError, match="no column"):
        workflow.Workflow(
            name="x",
            label="x",
            model=Consultation,
            states=S,
            initial=S.draft,
            transitions=[
                workflow.Transition("a", {S.draft}, S.closed, allowed={"administrator"}, label="a", timestamp="nope")
            ],
        )
    with pytest.raises(ValueError, match="unknown stage action"):
        stage_open("x", lambda c: c)
    with pytest.raises(ValueError, match="form must be"):
        workflow.Action("a", {S.draft}, allowed={"administrator"}, label="a", form="dialog")
    with pytest.raises(TypeError):
        workflow.Transition("a", {S.draft}, S.closed, allowed={"administrator"}, label="a", colour="red")


def test_mermaid_diagram():
    diagram = workflow.to_mermaid(TEST_WF)
    assert diagram.splitlines()[0] == "stateDiagram-v2"
    assert "    [*] --> draft" in diagram
    assert "    draft --> published: open by process_manager" in diagram
    assert "    published --> closed: close [stage opens responses, reason] by the administrator" in diagram


def test_inactive_user_may_take_nothing(app):
    c = cf.consultation(status=S.published)
    admin = factories.user(role=StaffRole.administrator, is_active=False)
    assert workflow.available_transitions(admin, c, TEST_WF) == []


@pytest.mark.postgres_only  # needs two concurrent connections with row locks
def test_concurrent_conflicting_transitions_one_wins(app):
    """Two people, two real connections, the same object at the same moment: one wins, one gets Conflict."""
    c = cf.consultation(status=S.published)
    admin_1 = factories.user(role=StaffRole.administrator)
    admin_2 = factories.user(role=StaffRole.administrator)
    db.session.commit()
    consultation_id, actors = c.id, {"close": admin_1.id, "withdraw": admin_2.id}
    barrier = threading.Barrier(2, timeout=10)
    results: dict[str, str] = {}

    def take(name: str) -> None:
        with app.app_context():
            try:
                obj = db.session.get(Consultation, consultation_id)
                actor = db.session.get(User, actors[name])
                seen_version = obj.version
                barrier.wait()  # both have read version 1 and passed nothing yet
                workflow.apply_transition(actor, obj, TEST_WF, name, version=seen_version, reason="gelijktijdig")
                time.sleep(0.3)  # keep the row locked so that the other one has to wait for this commit
                db.session.commit()
                results[name] = "ok"
            except Conflict as exc:
                db.session.rollback()
                results[name] = exc.message
            finally:
                db.session.remove()

    threads = [threading.Thread(target=take, args=(name,)) for name in ("close", "withdraw")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(20)
    assert sorted(results) == ["close", "withdraw"]
    winners = [name for name, result in results.items() if result == "ok"]
    assert len(winners) == 1, results
    loser = next(name for name in results if name not in winners)
    assert "intussen door iemand anders gewijzigd" in results[loser]
    db.session.expire_all()
    final = db.session.get(Consultation, consultation_id)
    assert final.status == TEST_WF.transition(winners[0]).target
    assert final.version == 2
    events = _events()
    assert [(e.action, e.from_state) for e in events] == [(f"test_consultation.{winners[0]}", "published")]
