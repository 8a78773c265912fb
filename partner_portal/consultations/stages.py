"""What each stage opens, and the stage gate that actions of later features call."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import format_date
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from partner_portal.core import workflow
from partner_portal.core.errors import OperationError

# The actions a stage can open, with the label used in messages ("Reacties indienen kan ...").
ACTIONS = {
    "responses": _l("Reacties indienen"),
    "initiatives": _l("Initiatieven indienen"),
    "signing": _l("Afspraken ondertekenen"),
}


def period_text(starts_on: date, ends_on: date) -> str:
    """ "1 mei 2017 – 30 juni 2017" in the user's language."""
    return f"{format_date(starts_on, 'long')} – {format_date(ends_on, 'long')}"


def local_today() -> date:
    """Today in the gemeente's time zone: a stage that ends on 30 June is open all that day there."""
    return datetime.now(ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])).date()


def is_open(consultation, action: str) -> bool:
    """The consultation runs, and its current stage opens `action` and has not passed its end date."""
    stage = consultation.current_stage
    return bool(
        consultation.status == "published" and stage is not None and stage.opens(action) and not stage.has_ended
    )


def stage_gate(consultation, action: str) -> None:
    """Refuse `action` unless the consultation runs and its current stage opens it.

    Raises OperationError with a Dutch message that says in which stage (and period) the
    action opens, or that the stage that opened it has passed.
    """
    if action not in ACTIONS:
        raise ValueError(f"unknown stage action {action!r}")
    label = str(ACTIONS[action])
    if consultation.status != "published":
        raise OperationError(_("%(action)s kan niet: deze consultatie loopt niet.", action=label))
    if is_open(consultation, action):
        return
    stage = consultation.current_stage
    if stage is not None and stage.opens(action) and stage.has_ended:
        raise OperationError(
            _(
                "%(action)s kon tot en met %(date)s; toen is de fase '%(stage)s' geëindigd.",
                action=label,
                date=format_date(stage.ends_on, "long"),
                stage=stage.title,
            )
        )
    current = consultation.current_position if consultation.current_position is not None else -1
    opening = [s for s in consultation.stages if s.opens(action)]
    coming = [s for s in opening if s.position > current]
    if coming:
        stage = coming[0]
        raise OperationError(
            _(
                "%(action)s kan alleen in de fase '%(stage)s' (%(period)s); die fase is nog niet begonnen.",
                action=label,
                stage=stage.title,
                period=period_text(stage.starts_on, stage.ends_on),
            )
        )
    if opening:
        stage = opening[-1]
        raise OperationError(
            _(
                "%(action)s kon alleen in de fase '%(stage)s' (%(period)s); die fase is voorbij.",
                action=label,
                stage=stage.title,
                period=period_text(stage.starts_on, stage.ends_on),
            )
        )
    raise OperationError(_("%(action)s is in deze consultatie niet mogelijk.", action=label))


def stage_open(action: str, consultation_of) -> workflow.Guard:
    """A workflow guard: the consultation of the object (`consultation_of(obj)`) runs, and its
    current stage opens `action`; its reason says when that stage opens or that it has passed."""
    if action not in ACTIONS:
        raise ValueError(f"unknown stage action {action!r}")

    def reason(user, obj) -> str | None:
        try:
            stage_gate(consultation_of(obj), action)
        except OperationError as exc:
            return exc.message
        return None

    return workflow.Guard(f"stage opens {action}", reason)
