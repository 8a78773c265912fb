"""Declarative workflows: one table of states and transitions drives checks, audit, mail, buttons and docs.

A feature declares its workflow once::

    RESPONSE = workflow.register(workflow.Workflow(
        name="formal_response", label=_l("Formele reactie"), model=FormalResponse,
        states=ResponseState, initial=ResponseState.draft,
        consultation_of=lambda r: r.consultation,
        transitions=[
            workflow.Transition("submit", {ResponseState.draft}, ResponseState.submitted,
                                allowed=can_edit_response, label=_l("Indienen"),
                                stage_action="responses", timestamp="submitted_at",
                                notify="response_submitted", recipients=moderators),
            ...
        ]))

and calls `apply_transition(actor, obj, RESPONSE, "submit", version=form.version.data)` from
its operation. Templates render `available_transitions(user, obj, RESPONSE)` as POST buttons
(templates/_macros/workflow.html), and `flask workflows` prints every table as a diagram.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from flask_babel import gettext as _
from sqlalchemy.orm.exc import StaleDataError

from partner_portal.core import audit
from partner_portal.core.errors import Conflict, OperationError, PermissionDenied, check_version
from partner_portal.core.models import utcnow
from partner_portal.extensions import db

REASON_MAX_LENGTH = 2000

Predicate = Callable[[Any, Any], bool]


def user_roles(user) -> set[str]:
    """The role names a user has: staff role, organisation role, and "coordinator" when they coordinate a group."""
    if not (user and getattr(user, "is_authenticated", False)):
        return set()
    roles = {str(r) for r in (user.staff_role, user.org_role) if r is not None}
    if user.organisation_id is not None and user.coordinated_groups:
        roles.add("coordinator")
    return roles


@dataclass(frozen=True, init=False)
class Transition:
    """One row of a workflow table: from which states, to which state, who, when and with what effects.

    `allowed` is a set of role names (see `user_roles`) or a predicate `(user, obj) -> bool`.
    `stage_action` names the action a stage must open (e.g. "responses"), checked with the
    consultation's current stage. `is_public` may be a predicate on the object (e.g. a group
    that chose a non-public response). `recipients(obj, actor)` returns the users to notify.
    """

    name: str
    sources: frozenset
    target: enum.Enum
    allowed: frozenset[str] | Predicate
    label: Any
    reason_required: bool = False
    stage_action: str | None = None
    audit_action: str | None = None
    is_public: bool | Callable[[Any], bool] = False
    notify: str | None = None
    recipients: Callable[[Any, Any], Iterable] | None = None
    timestamp: str | None = None
    style: str = "primary"  # or "danger", "secondary": the button's look

    def __init__(self, name, sources, target, *, allowed, label, **kwargs):
        object.__setattr__(self, "name", name)
        object.__setattr__(self, "sources", frozenset(sources))
        object.__setattr__(self, "target", target)
        object.__setattr__(self, "allowed", allowed if callable(allowed) else frozenset(str(r) for r in allowed))
        object.__setattr__(self, "label", label)
        for key, value in kwargs.items():
            if key not in self.__dataclass_fields__:
                raise TypeError(f"unknown Transition option {key!r}")
            object.__setattr__(self, key, value)

    def permits(self, user, obj) -> bool:
        """Does the table let `user` take this transition on `obj` (role or rule only, no state or stage)?"""
        if not (user and getattr(user, "is_authenticated", False) and getattr(user, "is_active", False)):
            return False
        if callable(self.allowed):
            return bool(self.allowed(user, obj))
        return bool(self.allowed & user_roles(user))

    def public_for(self, obj) -> bool:
        return bool(self.is_public(obj)) if callable(self.is_public) else bool(self.is_public)

    @property
    def who(self) -> str:
        """A short description of who may take it, for the diagram."""
        if callable(self.allowed):
            return getattr(self.allowed, "__name__", "rule")
        return ", ".join(sorted(self.allowed))


@dataclass
class Workflow:
    """A state machine over one model's state column, declared as a table of transitions."""

    name: str
    label: Any
    model: type
    states: type[enum.Enum]
    initial: enum.Enum
    transitions: list[Transition]
    state_attr: str = "state"
    consultation_of: Callable[[Any], Any] | None = None
    _by_name: dict[str, Transition] = field(init=False, repr=False)

    def __post_init__(self):
        self._by_name = {}
        for t in self.transitions:
            if t.name in self._by_name:
                raise ValueError(f"workflow {self.name}: transition {t.name!r} declared twice")
            if not t.sources <= set(self.states) or t.target not in self.states:
                raise ValueError(f"workflow {self.name}: transition {t.name!r} uses an unknown state")
            if t.timestamp and not hasattr(self.model, t.timestamp):
                raise ValueError(f"workflow {self.name}: {self.model.__name__} has no column {t.timestamp!r}")
            if t.stage_action and self.consultation_of is None:
                raise ValueError(f"workflow {self.name}: a stage gate needs consultation_of")
            self._by_name[t.name] = t

    def transition(self, name: str) -> Transition | None:
        return self._by_name.get(name)

    def state_of(self, obj) -> enum.Enum:
        return getattr(obj, self.state_attr)

    def from_state(self, state) -> list[Transition]:
        return [t for t in self.transitions if state in t.sources]

    def state_label(self, state) -> str:
        label = getattr(state, "label", None)
        return str(label) if label is not None else str(getattr(state, "value", state))


_REGISTRY: dict[str, Workflow] = {}


def register(workflow: Workflow) -> Workflow:
    """Make a workflow known to `flask workflows` and the README; returns it for module-level use."""
    _REGISTRY[workflow.name] = workflow
    return workflow


def registered() -> list[Workflow]:
    return [_REGISTRY[name] for name in sorted(_REGISTRY)]


# Checks ------------------------------------------------------------------------------------


def _stage_error(workflow: Workflow, transition: Transition, obj) -> OperationError | None:
    if not transition.stage_action:
        return None
    from partner_portal.consultations.stages import stage_gate

    try:
        stage_gate(workflow.consultation_of(obj), transition.stage_action)
    except OperationError as exc:
        return exc
    return None


def can_take(user, obj, workflow: Workflow, name: str, *, check_stage: bool = True) -> bool:
    """The generic permission predicate: may `user` take transition `name` on `obj` right now?"""
    transition = workflow.transition(name)
    if transition is None or workflow.state_of(obj) not in transition.sources:
        return False
    if not transition.permits(user, obj):
        return False
    return not (check_stage and _stage_error(workflow, transition, obj))


def available_transitions(user, obj, workflow: Workflow) -> list[Transition]:
    """Exactly the transitions `user` may take on `obj` now, in table order (for the buttons)."""
    return [t for t in workflow.from_state(workflow.state_of(obj)) if can_take(user, obj, workflow, t.name)]


def apply_transition(
    actor,
    obj,
    workflow: Workflow,
    name: str,
    *,
    version,
    reason: str = "",
    details: dict | None = None,
    notify_context: dict | None = None,
) -> audit.AuditEvent:
    """Take transition `name` on `obj` for `actor`, in the current transaction (flushes, never commits).

    Precondition: `version` is the version the actor saw. Checks, in this order: the version
    (Conflict "changed meanwhile"), that the transition exists from the current state
    (OperationError), the actor's permission (PermissionDenied), the stage gate
    (OperationError saying when the stage opens or closed) and the reason (OperationError).
    Then sets the state and the lifecycle timestamp, writes the audit event and queues the
    notification (its context holds the transition, both states, the reason as `reason` and
    `message`, and `notify_context`). A concurrent write between the check and the UPDATE is caught by the
    version column and also becomes a Conflict. Returns the audit event.
    """
    check_version(obj, version)
    current = workflow.state_of(obj)
    transition = workflow.transition(name)
    if transition is None or current not in transition.sources:
        raise OperationError(
            _(
                "Deze stap is niet mogelijk vanuit de status '%(state)s'.",
                state=workflow.state_label(current),
            )
        )
    if not transition.permits(actor, obj):
        raise PermissionDenied(_("U mag deze stap niet zetten."))
    stage_error = _stage_error(workflow, transition, obj)
    if stage_error:
        raise stage_error
    reason = (reason or "").strip()
    if transition.reason_required and not reason:
        raise OperationError(_("Geef een reden op voor deze stap."))
    if len(reason) > REASON_MAX_LENGTH:
        raise OperationError(_("Gebruik hoogstens %(max)d tekens voor de reden.", max=REASON_MAX_LENGTH))

    setattr(obj, workflow.state_attr, transition.target)
    if transition.timestamp:
        setattr(obj, transition.timestamp, utcnow())
    flush_versioned()
    consultation = workflow.consultation_of(obj) if workflow.consultation_of else None
    event = audit.record(
        actor,
        transition.audit_action or f"{workflow.name}.{transition.name}",
        obj,
        from_state=current.value,
        to_state=transition.target.value,
        reason=reason,
        is_public=transition.public_for(obj),
        consultation_id=consultation.id if consultation is not None else None,
        details=details,
    )
    if transition.notify:
        from partner_portal import notifications

        recipients = list(transition.recipients(obj, actor)) if transition.recipients else []
        notifications.notify(
            transition.notify,
            recipients,
            obj=obj,
            actor=actor,
            context={
                "transition": transition.name,
                "from_state": current.value,
                "to_state": transition.target.value,
                "reason": reason,
                "message": reason,
                **(notify_context or {}),
            },
        )
    return event


def flush_versioned() -> None:
    """Flush; a row that another transaction changed meanwhile (version mismatch) becomes a Conflict."""
    try:
        db.session.flush()
    except StaleDataError as exc:
        raise Conflict(
            _("Dit item is intussen door iemand anders gewijzigd. Bekijk de nieuwe versie en probeer het opnieuw.")
        ) from exc


# Labels of audit actions, for the audit log and the public procesverloop -----------------------

_ACTION_LABELS: dict[str, Any] = {}


def label_action(action: str, label) -> None:
    """Give an audit action that is not a workflow transition (e.g. a stage move) a readable label."""
    _ACTION_LABELS[action] = label


def action_label(action: str) -> str:
    """A readable label of an audit action: registered ones, then "<workflow>: <transition>", else the name."""
    if action in _ACTION_LABELS:
        return str(_ACTION_LABELS[action])
    for wf in _REGISTRY.values():
        for t in wf.transitions:
            if (t.audit_action or f"{wf.name}.{t.name}") == action:
                return f"{wf.label}: {t.label}"
    return action


# Documentation -----------------------------------------------------------------------------


def _mermaid_label(transition: Transition) -> str:
    parts = [transition.name]
    notes = []
    if transition.stage_action:
        notes.append(f"stage {transition.stage_action}")
    if transition.reason_required:
        notes.append("reason")
    if notes:
        parts.append(f"({', '.join(notes)})")
    parts.append(f"by {transition.who}")
    return " ".join(parts).replace(":", " ")


def to_mermaid(workflow: Workflow) -> str:
    """The workflow as a Mermaid stateDiagram-v2."""
    lines = ["stateDiagram-v2", f"    [*] --> {workflow.initial.value}"]
    for transition in workflow.transitions:
        for source in sorted(transition.sources, key=lambda s: list(workflow.states).index(s)):
            lines.append(f"    {source.value} --> {transition.target.value}: {_mermaid_label(transition)}")
    return "\n".join(lines)


def workflows_markdown() -> str:
    """Every registered workflow as a Markdown section with a Mermaid block (README and `flask workflows`)."""
    blocks = []
    for workflow in registered():
        blocks.append(f"#### {workflow.name}\n\n```mermaid\n{to_mermaid(workflow)}\n```")
    return "\n\n".join(blocks)
