"""Every real workflow table: each (state, transition) and (state, action) pair, and the README diagrams."""

import importlib
import re
from pathlib import Path

import pytest

from partner_portal.auth.models import OrgRole, StaffRole
from partner_portal.commitments.models import Commitment
from partner_portal.consultations.models import Consultation
from partner_portal.core import workflow
from partner_portal.core.errors import OperationError
from partner_portal.extensions import db
from partner_portal.initiatives.models import Initiative
from partner_portal.responses.models import FormalResponse
from tests import factories
from tests.consultations import factories as cf
from tests.responses import factories as rf

pytestmark = pytest.mark.sqlite_only  # workflow tables and their diagrams, the same on any database

README = Path(__file__).resolve().parents[2] / "README.md"


# Workflows whose transitions have their own parametrised test, which checks more (the audit
# action, who may not take a step, the queued mail): their (state, transition) pairs are tested
# there, and only there. Their actions are tested here like every other table's.
OWN_TABLE_TEST = {"formal_response": "tests.responses.test_workflow"}


def _response_in(state):
    consultation = cf.consultation()
    group = factories.sector_group()
    response = rf.response(consultation, group, state)
    response.publication = response.publication or "public"  # chosen at submission by the operation
    return response


def _initiative_in(state):
    from tests.initiatives import factories as inf

    consultation = cf.consultation()
    return inf.initiative(consultation, factories.organisation(), state)


def _initiative_actor(initiative, row):
    """A signatory of the lead; for answering an invitation, one of an organisation just invited."""
    from partner_portal.initiatives.models import CoInitiator

    if row.name == "answer_invitation":
        invited = factories.organisation()
        initiative.co_initiators.append(CoInitiator(organisation=invited))
        db.session.flush()
        return factories.user(invited, OrgRole.signatory)
    return factories.user(initiative.lead_organisation, OrgRole.signatory)


def _commitment_in(state):
    from tests.commitments import factories as cof

    return cof.commitment(cf.consultation(), state)


def _commitment_actor(commitment, row):
    """A signatory of a partner organisation (every one is invited); for revoking and giving notice,
    of an organisation that signed."""
    from tests.commitments import factories as cof

    signatory = factories.user(factories.organisation(), OrgRole.signatory)
    if row.name in ("revoke", "give_notice"):
        cof.signature(commitment, signatory)
    return signatory


# How to build an object of each workflow's model in a given state, with a stage that opens everything.
BUILDERS = {
    Consultation: lambda state: cf.consultation(status=state),
    FormalResponse: _response_in,
    Initiative: _initiative_in,
    Commitment: _commitment_in,
}


def _actor_for(obj, transition):
    """The administrator, or for a rule that only a group's coordinator meets, that coordinator."""
    admin = factories.user(role=StaffRole.administrator)
    if transition.permits(admin, obj):
        return admin
    if isinstance(obj, FormalResponse):
        return factories.coordinator(obj.sector_group)
    if isinstance(obj, Initiative):
        return _initiative_actor(obj, transition)
    if isinstance(obj, Commitment):
        return _commitment_actor(obj, transition)
    return admin


def _open_all_stages(consultation) -> None:
    for stage in consultation.stages:
        stage.opens_responses = stage.opens_initiatives = stage.opens_signing = True


def _pairs():
    import partner_portal.models  # noqa: F401  (registers every workflow)

    return [
        pytest.param(wf.name, state, t.name, id=f"{wf.name}-{state.value}-{t.name}")
        for wf in workflow.registered()
        if wf.name not in OWN_TABLE_TEST
        for state in wf.states
        for t in wf.transitions
    ]


def test_a_table_with_its_own_test_has_every_pair_tested_there():
    import partner_portal.models  # noqa: F401  (registers every workflow)

    for name, module_name in OWN_TABLE_TEST.items():
        wf = next(w for w in workflow.registered() if w.name == name)
        pairs = {(state, t.name) for state in wf.states for t in wf.transitions}
        assert set(importlib.import_module(module_name).PAIRS) == pairs, f"{module_name} misses pairs of {name}"


@pytest.mark.parametrize(("workflow_name", "state", "transition_name"), _pairs())
def test_every_state_transition_pair(app, workflow_name, state, transition_name):
    wf = next(w for w in workflow.registered() if w.name == workflow_name)
    transition = wf.transition(transition_name)
    obj = BUILDERS[wf.model](state)
    consultation = wf.consultation_of(obj) if wf.consultation_of else None
    if consultation is not None:
        _open_all_stages(consultation)
    admin = _actor_for(obj, transition)
    db.session.flush()
    if state in transition.sources:
        # Stage-gated transitions need a running consultation; skip pairs the gate forbids by design.
        if transition.guards and consultation is not None and consultation.status != "published":
            with pytest.raises(OperationError):
                workflow.apply_transition(admin, obj, wf, transition_name, version=obj.version, reason="Test")
            return
        event = workflow.apply_transition(admin, obj, wf, transition_name, version=obj.version, reason="Test")
        assert wf.state_of(obj) == transition.target
        assert (event.from_state, event.to_state) == (state.value, transition.target.value)
        if transition.timestamp:
            assert getattr(obj, transition.timestamp) is not None
    else:
        with pytest.raises(OperationError, match="niet mogelijk vanuit de status"):
            workflow.apply_transition(admin, obj, wf, transition_name, version=obj.version, reason="Test")
        assert wf.state_of(obj) == state


def _readme_block() -> str:
    text = README.read_text(encoding="utf-8")
    match = re.search(r"<!-- workflows:start -->\n(.*?)\n<!-- workflows:end -->", text, re.S)
    assert match, "README.md has no <!-- workflows:start --> ... <!-- workflows:end --> section"
    return match.group(1)


def test_readme_embeds_exactly_what_flask_workflows_prints(app):
    result = app.test_cli_runner().invoke(args=["workflows"])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == workflow.workflows_markdown().strip()
    assert _readme_block().strip() == result.output.strip(), (
        "README workflow diagrams are out of date: paste the output of `flask --app partner_portal workflows`"
    )
    assert "stateDiagram-v2" in result.output


def _action_pairs():
    import partner_portal.models  # noqa: F401  (registers every workflow)

    return [
        pytest.param(wf.name, state, a.name, id=f"{wf.name}-{state.value}-{a.name}")
        for wf in workflow.registered()
        for state in wf.states
        for a in wf.actions
    ]


@pytest.mark.parametrize(("workflow_name", "state", "action_name"), _action_pairs())
def test_every_state_action_pair(app, workflow_name, state, action_name):
    """An action is refused outside its states with the state named, and offered in them."""
    wf = next(w for w in workflow.registered() if w.name == workflow_name)
    action = wf.action(action_name)
    obj = BUILDERS[wf.model](state)
    consultation = wf.consultation_of(obj) if wf.consultation_of else None
    if consultation is not None:
        _open_all_stages(consultation)
    actor = _actor_for(obj, action)
    if not action.permits(actor, obj) and isinstance(obj, FormalResponse):
        actor = factories.user(obj.sector_group and factories.organisation(obj.sector_group), OrgRole.signatory)
    db.session.flush()
    if state not in action.sources:
        assert "niet mogelijk vanuit de status" in workflow.why_not(actor, obj, wf, action_name)
        with pytest.raises(OperationError, match="niet mogelijk vanuit de status"):
            workflow.require(actor, obj, wf, action_name)
        assert action_name not in {o.row.name for o in workflow.offered(actor, obj, wf)}
        return
    assert action.permits(actor, obj)
    assert action_name in {o.row.name for o in workflow.offered(actor, obj, wf)}
    assert workflow.can(actor, obj, wf, action_name) == (action.refusal(actor, obj) is None)


def test_every_rule_and_guard_has_a_readable_name():
    import partner_portal.models  # noqa: F401  (registers every workflow)

    for wf in workflow.registered():
        for row in [*wf.transitions, *wf.actions]:
            assert row.who != "rule", f"{wf.name}.{row.name}: name its rule with @workflow.rule(...)"
            assert all(g.name and "_" not in g.name for g in row.guards), f"{wf.name}.{row.name}"
            assert row.success is not None or row.form != "button", f"{wf.name}.{row.name}: no success message"


def test_every_audit_action_in_the_code_has_words():
    """Issue 11.10: the audit views showed codes such as `organisation.archive`."""
    import partner_portal.models  # noqa: F401  (registers every workflow and label)

    package = Path(__file__).resolve().parents[2] / "partner_portal"
    literal = re.compile(r'"([a-z_]+\.[a-z_]+)"')
    actions = set()
    for path in package.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        for call in re.finditer(r"audit\.record\((.{0,200})", text, re.S):
            actions.update(literal.findall(call.group(1)[: call.group(1).find(")") + 1 or None]))
        actions.update(re.findall(r'action = "([a-z_]+\.[a-z_]+)"', text))
        actions.update(re.findall(r'action = "([a-z_]+\.[a-z_]+)" if', text))
        actions.update(re.findall(r'else "([a-z_]+\.[a-z_]+)"', text))
    assert "organisation.archive" in actions and "user.reset_password" in actions
    unlabelled = sorted(a for a in actions if workflow.action_label(a) == a)
    assert not unlabelled, "give these audit actions words with workflow.label_action(...): " + ", ".join(unlabelled)
