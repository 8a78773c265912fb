"""Domain errors raised by operations and shown to the user as a Dutch message."""


class OperationError(Exception):
    """A state change that is refused; `message` is shown to the user as is."""

    status_code = 400

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class PermissionDenied(OperationError):
    status_code = 403


class Conflict(OperationError):
    """The object changed meanwhile (stale version) or would violate a uniqueness rule."""

    status_code = 409


def check_version(obj, submitted_version) -> None:
    """Refuse a change made on a stale copy of `obj` (someone else saved in between)."""
    from flask_babel import gettext as _

    try:
        submitted = int(submitted_version)
    except (TypeError, ValueError):
        submitted = -1
    if submitted != obj.version:
        raise Conflict(
            _("Dit item is intussen door iemand anders gewijzigd. Bekijk de nieuwe versie en probeer het opnieuw.")
        )


def flush_or_conflict(message: str) -> None:
    """Flush in a savepoint; a uniqueness violation becomes a Conflict and leaves the session usable."""
    from sqlalchemy.exc import IntegrityError

    from partner_portal.extensions import db

    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError as exc:
        raise Conflict(message) from exc
