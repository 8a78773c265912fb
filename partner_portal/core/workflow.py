"""Declarative workflows: one table per workflow decides every state-gated step, and everything reads it.

A feature declares its table once, with two kinds of rows: transitions (state changes) and
actions (verbs that change no state but depend on it: edit, attach, endorse, answer, sign)::

    RESPONSE = workflow.register(workflow.Workflow(
        name="formal_response", label=_l("Formele reactie"), model=FormalResponse,
        states=ResponseState, initial=ResponseState.draft,
        transitions=[
            workflow.Transition("submit", {S.draft, S.changes_requested}, S.submitted,
                                allowed=is_coordinator_of, label=_l("Indienen"),
                                guards=[responses_stage_open, round_open, complete],
                                timestamp="submitted_at", notify="response_submitted",
                                recipients=moderators, success=_l("De reactie is ingediend.")),
            ...],
        actions=[
            workflow.Action("edit", {S.draft, S.changes_requested}, allowed=is_group_member_of,
                            label=_l("Bewerken"), audit_action="formal_response.save"),
            ...]))

Who may take a row is a set of role names (see `user_roles`) or a `rule`; when a row applies
is its states plus its `guard`s, each of which returns the Dutch reason it refuses. One pair
of questions serves pages and operations alike: `can(user, obj, table, name)` and
`why_not(...)`. Pages show a row's button, or the reason it is missing (`offered`);
operations call `require` (actions) or `apply_transition` (transitions), which raise the
same reasons. `flask workflows` prints every table as a diagram, and the database checks
that tie each state to its lifecycle timestamps are generated from the table.

This module imports no feature: the stage gate is a guard that the consultations feature
provides, and notifications reach the notifications feature through `set_notifier`.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, ClassVar

import sqlalchemy as sa
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


def _active(user) -> bool:
    return bool(user and getattr(user, "is_authenticated", False) and getattr(user, "is_active", False))


# Rules (who) and guards (when) --------------------------------------------------------------


def rule(name: str) -> Callable[[Predicate], Predicate]:
    """Name a predicate `(user, obj) -> bool` for the diagrams ("sector coordinator of the group")."""

    def decorate(fn: Predicate) -> Predicate:
        fn.rule_name = name
        return fn

    return decorate


@dataclass(frozen=True)
class Guard:
    """A condition a row needs besides who and which state: `reason(user, obj)` returns None when it
    holds, else the Dutch sentence shown to the user (on the page, and raised by the operation)."""

    name: str
    reason: Callable[[Any, Any], str | None]


def guard(name: str) -> Callable[[Callable[[Any, Any], str | None]], Guard]:
    """Decorator: turn `fn(user, obj) -> reason | None` into a named Guard."""

    def decorate(fn) -> Guard:
        return Guard(name, fn)

    return decorate


# Rows ---------------------------------------------------------------------------------------


@dataclass(frozen=True, init=False)
class Row:
    """What transitions and actions share: name, states, who, guards, audit, notification, button.

    `allowed` is a set of role names (see `user_roles`) or a `rule`. `guards` are checked in
    order after the state and the permission. `is_public` may be a predicate on the object.
    `recipients(obj, actor)` returns the users to notify with kind `notify`. `success` is the
    message shown after the step; `form` says how a page offers it ("button", "confirm" for a
    separate confirmation page that shows `explanation`: what the step means, or "own" when the
    feature has its own form); `side` says whose page offers it ("partner" or "gemeente").
    """

    name: str
    sources: frozenset
    allowed: frozenset[str] | Predicate
    label: Any
    guards: tuple[Guard, ...] = ()
    audit_action: str | None = None
    is_public: bool | Callable[[Any], bool] = False
    notify: str | None = None
    recipients: Callable[[Any, Any], Iterable] | None = None
    success: Any = None
    explanation: Any = None
    form: str = "button"
    side: str = "partner"
    style: str = "primary"  # or "danger", "secondary": the button's look

    FORMS: ClassVar[frozenset[str]] = frozenset({"button", "confirm", "own"})
    SIDES: ClassVar[frozenset[str]] = frozenset({"partner", "gemeente"})

    def _setup(self, name, sources, allowed, label, kwargs) -> None:
        object.__setattr__(self, "name", name)
        object.__setattr__(self, "sources", frozenset(sources))
        object.__setattr__(self, "allowed", allowed if callable(allowed) else frozenset(str(r) for r in allowed))
        object.__setattr__(self, "label", label)
        for key, value in kwargs.items():
            if key not in self.__dataclass_fields__:
                raise TypeError(f"unknown {type(self).__name__} option {key!r}")
            object.__setattr__(self, key, tuple(value) if key == "guards" else value)
        if self.form not in self.FORMS or self.side not in self.SIDES:
            raise ValueError(f"{name}: form must be one of {sorted(self.FORMS)}, side one of {sorted(self.SIDES)}")
        if self.form == "confirm" and not self.explanation:
            raise ValueError(f"{name}: a confirmation page needs an explanation of what the step means")

    @property
    def is_transition(self) -> bool:
        return False

    def permits(self, user, obj) -> bool:
        """Does the table let `user` take this row on `obj` (who only: no state, no guards)?"""
        if not _active(user):
            return False
        if callable(self.allowed):
            return bool(self.allowed(user, obj))
        return bool(self.allowed & user_roles(user))

    def refusal(self, user, obj) -> str | None:
        """The first guard's reason for refusing, or None when every guard holds."""
        for g in self.guards:
            reason = g.reason(user, obj)
            if reason:
                return str(reason)
        return None

    def public_for(self, obj) -> bool:
        return bool(self.is_public(obj)) if callable(self.is_public) else bool(self.is_public)

    def audit_name(self, workflow: Workflow) -> str:
        return self.audit_action or f"{workflow.name}.{self.name}"

    @property
    def who(self) -> str:
        """Who may take it, in words, for the diagram."""
        if callable(self.allowed):
            return getattr(self.allowed, "rule_name", None) or "rule"
        return ", ".join(sorted(self.allowed))


@dataclass(frozen=True, init=False)
class Transition(Row):
    """A state change: from `sources` to `target`, setting lifecycle column `timestamp`."""

    target: enum.Enum | None = None
    reason_required: bool = False
    reason_label: Any = None  # the reason field's own label (e.g. that it is mailed to the group)
    timestamp: str | None = None

    def __init__(self, name, sources, target, *, allowed, label, **kwargs):
        object.__setattr__(self, "target", target)
        self._setup(name, sources, allowed, label, kwargs)

    @property
    def is_transition(self) -> bool:
        return True


@dataclass(frozen=True, init=False)
class Action(Row):
    """A verb that changes no state but is allowed only in `states` (edit, attach, endorse, answer, sign)."""

    def __init__(self, name, states, *, allowed, label, **kwargs):
        self._setup(name, states, allowed, label, kwargs)


@dataclass
class Workflow:
    """A state machine over one model's state column: its transitions and its state-gated actions."""

    name: str
    label: Any
    model: type
    states: type[enum.Enum]
    initial: enum.Enum
    transitions: list[Transition]
    actions: list[Action] = field(default_factory=list)
    # Further states an object may be created in (a commitment proposed by a sector coordinator).
    entries: tuple = ()
    state_attr: str = "state"
    consultation_of: Callable[[Any], Any] | None = None
    _by_name: dict[str, Row] = field(init=False, repr=False)

    def __post_init__(self):
        self._by_name = {}
        for row in [*self.transitions, *self.actions]:
            if row.name in self._by_name:
                raise ValueError(f"workflow {self.name}: row {row.name!r} declared twice")
            if not row.sources <= set(self.states):
                raise ValueError(f"workflow {self.name}: row {row.name!r} uses an unknown state")
            if row.is_transition:
                if row.target not in self.states:
                    raise ValueError(f"workflow {self.name}: transition {row.name!r} uses an unknown state")
                if row.timestamp and not hasattr(self.model, row.timestamp):
                    raise ValueError(f"workflow {self.name}: {self.model.__name__} has no column {row.timestamp!r}")
            self._by_name[row.name] = row

    def row(self, name: str) -> Row | None:
        return self._by_name.get(name)

    def transition(self, name: str) -> Transition | None:
        row = self._by_name.get(name)
        return row if row is not None and row.is_transition else None

    def action(self, name: str) -> Action | None:
        row = self._by_name.get(name)
        return row if row is not None and not row.is_transition else None

    def state_of(self, obj) -> enum.Enum:
        return getattr(obj, self.state_attr)

    def from_state(self, state) -> list[Transition]:
        return [t for t in self.transitions if state in t.sources]

    def actions_in(self, state) -> list[Action]:
        return [a for a in self.actions if state in a.sources]

    def state_label(self, state) -> str:
        label = getattr(state, "label", None)
        return str(label) if label is not None else str(getattr(state, "value", state))

    # Lifecycle timestamps, derived from the table ------------------------------------------

    def timestamps(self) -> list[str]:
        """Every lifecycle column the table sets, in table order."""
        return list(dict.fromkeys(t.timestamp for t in self.transitions if t.timestamp))

    def states_without(self, timestamp: str) -> set:
        """States reachable from the initial state without taking a transition that sets `timestamp`:
        the states in which that column may be empty. In every other state it must be set."""
        starts = [self.initial, *self.entries]
        reached, todo = set(starts), list(starts)
        while todo:
            state = todo.pop()
            for t in self.from_state(state):
                if t.timestamp != timestamp and t.target not in reached:
                    reached.add(t.target)
                    todo.append(t.target)
        return reached

    def required_timestamps(self, state) -> list[str]:
        """The lifecycle columns that an object in `state` has set (for factories and seed data)."""
        return [column for column in self.timestamps() if state not in self.states_without(column)]

    def timestamp_checks(self) -> list[sa.CheckConstraint]:
        """One CHECK per lifecycle column: outside the states that may lack it, it is set."""
        checks = []
        for column in self.timestamps():
            optional = [s for s in self.states if s in self.states_without(column)]
            if len(optional) == len(self.states):
                continue  # e.g. a "reopened_at": no state needs it
            values = ", ".join(f"'{s.value}'" for s in optional)
            checks.append(
                sa.CheckConstraint(f"{self.state_attr} IN ({values}) OR {column} IS NOT NULL", name=f"{column}_set")
            )
        return checks


_REGISTRY: dict[str, Workflow] = {}


def register(workflow: Workflow) -> Workflow:
    """Make a workflow known to `flask workflows` and the README, and give its model's table the
    generated timestamp checks; returns it for module-level use."""
    if workflow.name in _REGISTRY:
        raise ValueError(f"workflow {workflow.name!r} registered twice")
    _REGISTRY[workflow.name] = workflow
    for check in workflow.timestamp_checks():
        workflow.model.__table__.append_constraint(check)
    return workflow


def registered() -> list[Workflow]:
    return [_REGISTRY[name] for name in sorted(_REGISTRY)]


# Notifications are a feature: it registers how to queue them -------------------------------

_notifier: Callable[..., None] | None = None


def set_notifier(fn: Callable[..., None]) -> None:
    """Called once by the notifications feature: `fn(kind, recipients, obj=, actor=, context=)`."""
    global _notifier
    _notifier = fn


def _notify(row: Row, obj, actor, context: dict) -> None:
    if not row.notify:
        return
    if _notifier is None:
        raise RuntimeError("no notifier registered (import partner_portal.notifications)")
    recipients = list(row.recipients(obj, actor)) if row.recipients else []
    _notifier(row.notify, recipients, obj=obj, actor=actor, context=context)


# The questions -------------------------------------------------------------------------------


def _refusal(user, obj, workflow: Workflow, name: str) -> OperationError | None:
    """Why `user` may not take row `name` on `obj` now, as the error the operation raises."""
    row = workflow.row(name)
    current = workflow.state_of(obj)
    if row is None or current not in row.sources:
        return OperationError(
            _("Deze stap is niet mogelijk vanuit de status '%(state)s'.", state=workflow.state_label(current))
        )
    if not row.permits(user, obj):
        return PermissionDenied(_("U mag deze stap niet zetten."))
    reason = row.refusal(user, obj)
    return OperationError(reason) if reason else None


def why_not(user, obj, workflow: Workflow, name: str) -> str | None:
    """The Dutch reason why `user` may not take row `name` on `obj` now, or None when they may."""
    error = _refusal(user, obj, workflow, name)
    return error.message if error else None


def can(user, obj, workflow: Workflow, name: str) -> bool:
    """May `user` take row `name` (transition or action) on `obj` now: state, who and every guard."""
    return _refusal(user, obj, workflow, name) is None


def require(actor, obj, workflow: Workflow, name: str) -> Row:
    """Raise the refusal (OperationError for state and guards, PermissionDenied for who) or return the row."""
    error = _refusal(actor, obj, workflow, name)
    if error:
        raise error
    return workflow.row(name)


@dataclass(frozen=True)
class Offer:
    """A row a page offers: its button, or (`reason`) why the button is not there now."""

    row: Row
    reason: str | None

    @property
    def open(self) -> bool:
        return self.reason is None


def offered(user, obj, workflow: Workflow, *, side: str | None = None) -> list[Offer]:
    """The rows of the object's current state that `user` may take by role, each with the reason a
    guard refuses it now (or None). Rows the user may not take at all are left out: no hint."""
    state = workflow.state_of(obj)
    rows = [*workflow.from_state(state), *workflow.actions_in(state)]
    return [
        Offer(row, row.refusal(user, obj))
        for row in rows
        if (side is None or row.side == side) and row.permits(user, obj)
    ]


def available_transitions(user, obj, workflow: Workflow) -> list[Transition]:
    """Exactly the transitions `user` may take on `obj` now, in table order (for the buttons)."""
    return [t for t in workflow.from_state(workflow.state_of(obj)) if can(user, obj, workflow, t.name)]


# Applying ------------------------------------------------------------------------------------


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
    (OperationError), the actor's permission (PermissionDenied), the row's guards in table
    order (OperationError with the guard's reason) and the reason (OperationError).
    Then sets the state and the lifecycle timestamp, writes the audit event and queues the
    notification (its context holds the transition, both states, the reason as `reason` and
    `message`, and `notify_context`). A concurrent write between the check and the UPDATE is
    caught by the version column and also becomes a Conflict. Returns the audit event.
    """
    check_version(obj, version)
    current = workflow.state_of(obj)
    if workflow.transition(name) is None:
        raise OperationError(
            _("Deze stap is niet mogelijk vanuit de status '%(state)s'.", state=workflow.state_label(current))
        )
    transition = require(actor, obj, workflow, name)
    reason = (reason or "").strip()
    if transition.reason_required and not reason:
        raise OperationError(_("Geef een reden op voor deze stap."))
    if len(reason) > REASON_MAX_LENGTH:
        raise OperationError(_("Gebruik hoogstens %(max)d tekens voor de reden.", max=REASON_MAX_LENGTH))

    setattr(obj, workflow.state_attr, transition.target)
    if transition.timestamp:
        setattr(obj, transition.timestamp, utcnow())
    flush_versioned()
    event = audit.record(
        actor,
        transition.audit_name(workflow),
        obj,
        from_state=current.value,
        to_state=transition.target.value,
        reason=reason,
        is_public=transition.public_for(obj),
        consultation_id=_consultation_id(workflow, obj),
        details=details,
    )
    _notify(
        transition,
        obj,
        actor,
        {
            "transition": transition.name,
            "from_state": current.value,
            "to_state": transition.target.value,
            "reason": reason,
            "message": reason,
            **(notify_context or {}),
        },
    )
    return event


def record_action(
    actor, obj, workflow: Workflow, name: str, *, details: dict | None = None, notify_context: dict | None = None
) -> audit.AuditEvent:
    """The audit event (and notification) of action `name`, after the operation did its change.

    The operation calls `require(actor, obj, workflow, name)` first; this writes what the row
    declares: its audit action, whether the event is public, the notification.
    """
    row = workflow.action(name)
    if row is None:
        raise ValueError(f"workflow {workflow.name} has no action {name!r}")
    event = audit.record(
        actor,
        row.audit_name(workflow),
        obj,
        is_public=row.public_for(obj),
        consultation_id=_consultation_id(workflow, obj),
        details=details,
    )
    _notify(row, obj, actor, {"action": row.name, **(notify_context or {})})
    return event


def _consultation_id(workflow: Workflow, obj) -> int | None:
    consultation = workflow.consultation_of(obj) if workflow.consultation_of else None
    return consultation.id if consultation is not None else None


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
    """Give an audit action that is not a row of a table (e.g. a stage move) a readable label."""
    _ACTION_LABELS[action] = label


def action_label(action: str) -> str:
    """A readable label of an audit action: registered ones, then "<workflow>: <row>", else the name."""
    if action in _ACTION_LABELS:
        return str(_ACTION_LABELS[action])
    for wf in _REGISTRY.values():
        for row in [*wf.transitions, *wf.actions]:
            if row.audit_name(wf) == action:
                return f"{wf.label}: {row.label}"
    return action


def action_choices() -> list[tuple[str, str]]:
    """(audit action, label) of every action the tables and the features name, by label."""
    actions = dict.fromkeys(_ACTION_LABELS)
    for wf in _REGISTRY.values():
        actions.update(dict.fromkeys(row.audit_name(wf) for row in [*wf.transitions, *wf.actions]))
    return sorted(((a, action_label(a)) for a in actions), key=lambda c: c[1])


# States in words, for the audit views and the public procesverloop ---------------------------

_STATE_TEXTS: dict[str, Callable[[str], Any]] = {}


def label_states(object_type: str, text: Callable[[str], Any]) -> None:
    """Words for the states that events of `object_type` record outside a workflow table
    (e.g. "archived" for an organisation): `text(value)` returns a label or None."""
    _STATE_TEXTS[object_type] = text


def state_text(object_type: str, value: str | None) -> str:
    """A recorded state in words: the feature's own labels, then the workflow table's, else as is."""
    if not value:
        return ""
    text = _STATE_TEXTS.get(object_type)
    if text is not None and (label := text(value)) is not None:
        return str(label)
    for wf in _REGISTRY.values():
        if wf.model.__tablename__ == object_type:
            try:
                return wf.state_label(wf.states(value))
            except ValueError:
                break
    return value


# Documentation -----------------------------------------------------------------------------


def _notes(row: Row) -> list[str]:
    notes = [g.name for g in row.guards]
    if getattr(row, "reason_required", False):
        notes.append("reason")
    return notes


def _mermaid_label(row: Row) -> str:
    notes = _notes(row)
    label = row.name + (f" [{', '.join(notes)}]" if notes else "") + f" by {row.who}"
    return label.replace(":", " ")


def to_mermaid(workflow: Workflow) -> str:
    """The workflow as a Mermaid stateDiagram-v2: transitions as arrows, each state's actions as a note."""
    order = list(workflow.states)
    lines = ["stateDiagram-v2", *(f"    [*] --> {s.value}" for s in (workflow.initial, *workflow.entries))]
    for transition in workflow.transitions:
        for source in sorted(transition.sources, key=order.index):
            lines.append(f"    {source.value} --> {transition.target.value}: {_mermaid_label(transition)}")
    for state in order:
        actions = workflow.actions_in(state)
        if actions:
            lines.append(f"    note right of {state.value}")
            lines.extend(f"        {_mermaid_label(a)}" for a in actions)
            lines.append("    end note")
    return "\n".join(lines)


def workflows_markdown() -> str:
    """Every registered workflow as a Markdown section with a Mermaid block (README and `flask workflows`)."""
    blocks = []
    for workflow in registered():
        blocks.append(f"#### {workflow.name}\n\n```mermaid\n{to_mermaid(workflow)}\n```")
    return "\n\n".join(blocks)
