"""The one commit point: a request commits once after it succeeded and rolls back on anything else.

Operations flush but never commit, and views do not commit either. After every request:

- a response below 400 (a page, a redirect after a POST) commits the session, when anything
  was written (a request that only read ends its transaction at teardown, and its loaded
  objects stay usable for the hooks that run after the view, such as the request log);
- a response of 400 and above, and any exception, rolls it back (the error handlers roll back
  too, and the session is removed at the end of the request in any case);
- a commit that the database refuses (a uniqueness rule or a version that changed at the last
  moment) is rolled back and answered with 409 and the "changed meanwhile" page, never a 500.

Views that show a refused operation on their own page use `refused`: it rolls back (so the
re-rendered page reads what is really stored) and gives the view the error to show. Commands
and workers outside a request commit themselves.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable

import sqlalchemy as sa
from flask import Flask, Response, make_response, render_template
from sqlalchemy import orm as so
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from partner_portal.core.errors import OperationError
from partner_portal.extensions import db

log = logging.getLogger(__name__)
_WROTE = "transaction.wrote"


@sa.event.listens_for(so.Session, "after_flush")
def _flushed(session, flush_context) -> None:
    session.info[_WROTE] = True


@sa.event.listens_for(so.Session, "do_orm_execute")
def _executed(state) -> None:
    if state.is_insert or state.is_update or state.is_delete:
        state.session.info[_WROTE] = True


# A savepoint's release or rollback also fires these; only the end of the whole transaction
# forgets the writes (a request whose only write was flushed in a savepoint still commits it).
@sa.event.listens_for(so.Session, "after_commit")
def _committed(session) -> None:
    if not session.in_transaction():
        session.info.pop(_WROTE, None)


@sa.event.listens_for(so.Session, "after_rollback")
def _rolled_back(session) -> None:
    if not session.in_transaction():
        session.info.pop(_WROTE, None)


def has_writes() -> bool:
    """Did this request's session write anything (flushed, executed or pending) since its last commit?"""
    if not db.session.registry.has():  # a request that never touched the database: nothing to ask
        return False
    session = db.session
    return bool(session.info.get(_WROTE) or session.new or session.dirty or session.deleted)


def init_app(app: Flask) -> None:
    # Registered after the other after-request hooks so that it runs first (Flask runs them in
    # reverse): the page cache, the headers and the request log see the final status.
    @app.after_request
    def commit_or_roll_back(response: Response) -> Response:
        if response.status_code >= 400:
            db.session.rollback()
            return response
        if not has_writes():
            return response
        try:
            db.session.commit()
        except (IntegrityError, StaleDataError):
            db.session.rollback()
            log.warning("Commit refused by the database; answered 409", exc_info=True)
            from flask_babel import gettext as _

            return make_response(
                render_template(
                    "errors/operation.html",
                    message=_(
                        "Dit item is intussen door iemand anders gewijzigd. "
                        "Bekijk de nieuwe versie en probeer het opnieuw."
                    ),
                ),
                409,
            )
        return response


def refused(error: OperationError) -> OperationError:
    """Roll back what the refused operation did, so the page shown next reads what is stored."""
    db.session.rollback()
    return error


def show_refusal(render: Callable[..., object]):
    """Decorator: an OperationError raised by the view is rolled back and shown by `render`.

    `render(error, **view_args)` returns the page to show (typically the form page with
    `error.message` and `error.status_code`). The view itself only calls the operation, as if
    it always succeeded::

        @bp.post("/reacties/<int:response_id>/indienen")
        @show_refusal(lambda error, response_id: _show_page(load_response(response_id), error=error))
        def submit(response_id): ...
    """

    def decorate(view):
        @functools.wraps(view)
        def wrapper(*args, **kwargs):
            try:
                return view(*args, **kwargs)
            except OperationError as error:
                return render(refused(error), *args, **kwargs)

        return wrapper

    return decorate
