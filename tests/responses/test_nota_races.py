"""Publishing the Nota against a concurrent submission or answer, on PostgreSQL with two real connections.

Connection 1 (the test's session) takes a step and keeps its transaction open; the other step
runs in a thread with its own session and connection. The test checks that the thread waits
for the consultation's row lock, then commits or rolls back connection 1 and checks what the
waiting step did once it could read the outcome.
"""

import threading
import time

import pytest
import sqlalchemy as sa

from partner_portal.core.errors import OperationError
from partner_portal.extensions import db
from partner_portal.responses import operations
from partner_portal.responses.models import FormalResponse, Nota, ResponseState, ThemeAnswer
from tests.responses import factories as rf

S = ResponseState
pytestmark = pytest.mark.postgres_only


class Other:
    """Runs `step(session_objects)` in a thread with its own app context, session and connection."""

    def __init__(self, app, step):
        self.app, self.step = app, step
        self.result: object = None
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self):
        with self.app.app_context():
            try:
                self.result = self.step()
                db.session.commit()
            except OperationError as exc:
                db.session.rollback()
                self.result = exc
            except Exception as exc:  # a failure of the test, reported by `outcome`
                db.session.rollback()
                self.result = ("unexpected", repr(exc))
            finally:
                db.session.remove()

    def start(self) -> "Other":
        self.thread.start()
        return self

    def outcome(self):
        self.thread.join(20)
        assert not self.thread.is_alive(), "the other step never finished"
        return self.result


def wait_until_blocked(timeout: float = 30.0) -> None:
    """Wait until another backend waits for a row lock (the consultation's), else fail."""
    deadline = time.monotonic() + timeout
    with db.engine.connect() as probe:
        while time.monotonic() < deadline:
            waiting = probe.execute(
                sa.text(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                    "AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()"
                )
            ).scalar()
            # pg_stat_activity is a snapshot per transaction: end it, or every later read repeats
            # the first one (which, on a busy machine, may come before the other step waits).
            probe.rollback()
            if waiting:
                return
            time.sleep(0.05)
    pytest.fail("the other step did not wait for the consultation's lock")


def _late_draft(world):
    r = rf.response(world.consultation, world.group, S.draft)
    rf.response(world.consultation, world.other_group, S.accepted, answered=True)
    db.session.commit()
    return r.id, r.version


def _submit(app, world, response_id, version):
    coordinator_id = world.coordinator.id

    def step():
        from partner_portal.auth.models import User

        response = db.session.get(FormalResponse, response_id)
        return operations.submit_response(
            db.session.get(User, coordinator_id), response, version=version, publication="public"
        )

    return Other(app, step)


def _publish(app, world):
    moderator_id, consultation_id = world.moderator.id, world.consultation.id

    def step():
        from partner_portal.auth.models import User
        from partner_portal.consultations.models import Consultation

        return operations.publish_nota(
            db.session.get(User, moderator_id), db.session.get(Consultation, consultation_id), despite_open_stage=True
        )

    return Other(app, step)


def test_a_submission_during_publication_waits_and_is_refused(app, world):
    response_id, version = _late_draft(world)
    operations.publish_nota(world.moderator, world.consultation, despite_open_stage=True)  # connection 1, not committed

    other = _submit(app, world, response_id, version).start()
    wait_until_blocked()
    db.session.commit()

    result = other.outcome()
    assert isinstance(result, OperationError) and "al gepubliceerd" in result.message
    db.session.expire_all()
    assert db.session.get(FormalResponse, response_id).state == S.draft


def test_a_publication_during_a_submission_waits_and_names_the_pending_response(app, world):
    response_id, version = _late_draft(world)
    response = db.session.get(FormalResponse, response_id)
    operations.submit_response(world.coordinator, response, version=version, publication="public")

    other = _publish(app, world).start()
    wait_until_blocked()
    db.session.commit()

    result = other.outcome()
    assert isinstance(result, OperationError) and "nog open: Horeca" in result.message
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Nota)) == 0


def test_when_the_submission_rolls_back_the_waiting_publication_goes_ahead(app, world):
    response_id, version = _late_draft(world)
    response = db.session.get(FormalResponse, response_id)
    operations.submit_response(world.coordinator, response, version=version, publication="public")

    other = _publish(app, world).start()
    wait_until_blocked()
    db.session.rollback()

    assert isinstance(other.outcome(), Nota)


def test_an_answer_saved_during_publication_waits_and_is_refused(app, world):
    r = rf.response(world.consultation, world.group, S.accepted, answered=True)
    db.session.commit()
    response_id, moderator_id = r.id, world.moderator.id
    theme_id = world.consultation.themes[0].id
    operations.publish_nota(world.moderator, world.consultation, despite_open_stage=True)  # connection 1, not committed

    def answer():
        from partner_portal.auth.models import User

        response = db.session.get(FormalResponse, response_id)
        operations.save_answers(
            db.session.get(User, moderator_id),
            response,
            {theme_id: ("not_adopted", "Toch niet.")},
            version=response.version,
        )

    other = Other(app, answer).start()
    wait_until_blocked()
    db.session.commit()

    result = other.outcome()
    assert isinstance(result, OperationError) and "geen antwoord" in result.message
    explanations = db.session.scalars(sa.select(ThemeAnswer.explanation).where(ThemeAnswer.theme_id == theme_id))
    assert list(explanations) == ["Overgenomen."]


def test_a_publication_during_an_answer_edit_publishes_the_saved_answer(app, world):
    r = rf.response(world.consultation, world.group, S.accepted, answered=True)
    db.session.commit()
    theme_id = world.consultation.themes[0].id
    operations.save_answers(world.moderator, r, {theme_id: ("not_adopted", "Toch niet.")}, version=r.version)

    other = _publish(app, world).start()
    wait_until_blocked()
    db.session.commit()

    assert isinstance(other.outcome(), Nota)
    db.session.expire_all()
    published = db.session.get(FormalResponse, r.id)
    assert published.answer_published_at is not None
    assert published.answer_for(theme_id).explanation == "Toch niet."
