"""Stage moves, stage dates, the stage gate, vision versions and the featured consultation."""

import re
from datetime import date, timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from partner_portal.auth.models import StaffRole
from partner_portal.consultations import operations
from partner_portal.consultations.models import Consultation, ConsultationStatus, Stage, VisionVersion
from partner_portal.consultations.stages import stage_gate
from partner_portal.core.audit import AuditEvent
from partner_portal.core.errors import Conflict, OperationError, PermissionDenied
from partner_portal.extensions import db
from partner_portal.notifications.models import DigestItem
from tests import factories
from tests.consultations import factories as cf


@pytest.fixture
def pm(app):
    return factories.user(role=StaffRole.process_manager)


def _events(action=None):
    query = sa.select(AuditEvent).order_by(AuditEvent.id)
    if action:
        query = query.where(AuditEvent.action == action)
    return db.session.scalars(query).all()


def test_advance_moves_to_the_next_stage_publicly(app, pm):
    c = cf.consultation(current=1)
    partner = factories.user()  # a partner to tell
    new = operations.advance_stage(pm, c, version=c.version)
    db.session.commit()
    assert new.key == "verwerking" and c.current_position == 2 and c.stage_changed_at
    assert c.stages[1].completed_at is not None and c.stages[2].entered_at is not None
    (event,) = _events("consultation.stage_advance")
    assert (event.from_state, event.to_state, event.is_public, event.consultation_id) == (
        "reactie",
        "verwerking",
        True,
        c.id,
    )
    # stage_changed goes to the daily digest by default.
    assert db.session.scalar(sa.select(DigestItem).filter_by(user_id=partner.id, kind="stage_changed"))


def test_advance_starts_a_process_that_has_not_begun(app, pm):
    c = cf.consultation(current=None)
    assert operations.advance_stage(pm, c, version=c.version).position == 0


def test_revert_needs_a_reason_and_changes_nothing_without_one(app, pm):
    c = cf.consultation(current=2)
    db.session.commit()
    with pytest.raises(OperationError, match="Geef een reden op"):
        operations.revert_stage(pm, c, version=c.version, reason="  ")
    db.session.rollback()
    c = db.session.get(Consultation, c.id)
    assert c.current_position == 2 and _events() == []
    stage = operations.revert_stage(pm, c, version=c.version, reason="Te vroeg afgesloten.")
    assert stage.key == "reactie" and c.current_position == 1
    (event,) = _events("consultation.stage_revert")
    assert event.reason == "Te vroeg afgesloten." and event.is_public


def test_moving_past_the_last_or_before_the_first_stage_is_refused(app, pm):
    last = cf.consultation(current=3)
    with pytest.raises(OperationError, match="'Uitvoering' is de laatste fase"):
        operations.advance_stage(pm, last, version=last.version)
    first = cf.consultation(current=0)
    with pytest.raises(OperationError, match="'Visie opstellen' is de eerste fase"):
        operations.revert_stage(pm, first, version=first.version, reason="Terug")
    assert (last.current_position, first.current_position) == (3, 0)


def test_stage_move_with_a_stale_version_is_a_conflict(app, pm):
    c = cf.consultation(current=1)
    operations.advance_stage(pm, c, version=c.version)
    with pytest.raises(Conflict, match="intussen"):
        operations.advance_stage(pm, c, version=c.version - 1)
    assert c.current_position == 2


@pytest.mark.parametrize("role", [StaffRole.moderator, StaffRole.mkb_staff])
def test_only_process_managers_and_administrators_move_stages(app, role):
    c = cf.consultation(current=1)
    with pytest.raises(PermissionDenied):
        operations.advance_stage(factories.user(role=role), c, version=c.version)
    admin = factories.user(role=StaffRole.administrator)
    assert operations.advance_stage(admin, c, version=c.version).position == 2


REACTIE_START, REACTIE_END = cf.STAGES[1][2], cf.STAGES[1][3]


def _update(pm, stage, start, end, **kwargs):
    values = {"opens_responses": False, "opens_initiatives": False, "opens_signing": False, **kwargs}
    operations.update_stage(pm, stage, version=stage.version, starts_on=start, ends_on=end, **values)


def test_update_stage_dates_and_actions(app, pm):
    c = cf.consultation()
    stage = c.stages[1]
    start, end = REACTIE_START - timedelta(days=10), REACTIE_END - timedelta(days=15)
    _update(pm, stage, start, end, opens_responses=True, opens_signing=True)
    assert (stage.starts_on, stage.ends_on, stage.opened_actions) == (start, end, ["responses", "signing"])
    (event,) = _events("stage.update")
    assert not event.is_public and event.details_dict["before"]["starts_on"] == REACTIE_START.isoformat()


def test_overlapping_stage_dates_are_refused(app, pm):
    c = cf.consultation()
    stage = c.stages[1]
    with pytest.raises(
        OperationError, match=re.escape(f"overlappen met de fase 'Verwerking' ({cf.period('verwerking')})")
    ):
        _update(pm, stage, REACTIE_START, REACTIE_END + timedelta(days=15))
    with pytest.raises(OperationError, match="overlappen met de fase 'Visie opstellen'"):
        _update(pm, stage, cf.STAGES[0][3] - timedelta(days=10), REACTIE_END)
    assert (stage.starts_on, stage.ends_on) == (REACTIE_START, REACTIE_END)


def test_stage_dates_must_keep_the_order_and_end_after_start(app, pm):
    c = cf.consultation()
    with pytest.raises(OperationError, match="in volgorde blijven: 'Visie opstellen'"):
        _update(pm, c.stages[1], date(2015, 1, 1), date(2015, 2, 1))
    with pytest.raises(OperationError, match="einddatum moet op of na de begindatum"):
        _update(pm, c.stages[1], REACTIE_START + timedelta(days=30), REACTIE_START)


def test_stale_stage_version_is_a_conflict(app, pm):
    c = cf.consultation()
    stage = c.stages[1]
    with pytest.raises(Conflict):
        operations.update_stage(
            pm,
            stage,
            version=stage.version + 1,
            starts_on=stage.starts_on,
            ends_on=stage.ends_on,
            opens_responses=True,
            opens_initiatives=False,
            opens_signing=False,
        )


def test_a_database_constraint_refuses_an_end_before_the_start(app):
    c = cf.consultation()
    db.session.commit()
    with pytest.raises(IntegrityError):
        db.session.execute(sa.update(Stage).where(Stage.id == c.stages[0].id).values(ends_on=date(2000, 1, 1)))
    db.session.rollback()


@pytest.mark.sqlite_only
def test_stage_gate(app):
    assert stage_gate(cf.consultation(current=1), "responses") is None
    with pytest.raises(OperationError) as early:
        stage_gate(cf.consultation(current=0), "responses")
    assert early.value.message == (
        f"Reacties indienen kan alleen in de fase 'Reactie van partners' ({cf.period('reactie')}); "
        "die fase is nog niet begonnen."
    )
    with pytest.raises(OperationError, match=r"Reacties indienen kon alleen .* die fase is voorbij"):
        stage_gate(cf.consultation(current=3), "responses")
    with pytest.raises(OperationError, match="Afspraken ondertekenen kan alleen in de fase 'Uitvoering'"):
        stage_gate(cf.consultation(current=1), "signing")
    with pytest.raises(OperationError, match="loopt niet"):
        stage_gate(cf.consultation(status=ConsultationStatus.closed, current=1), "responses")
    with pytest.raises(ValueError, match="unknown stage action"):
        stage_gate(cf.consultation(), "dancing")


def test_publish_vision_creates_immutable_versions(app, pm):
    c = cf.consultation()
    pillar, theme = c.pillars[0], c.themes[0]
    v1 = operations.publish_vision(
        pm,
        c,
        based_on=0,
        introduction="Eerste inleiding.",
        pillar_texts={pillar.id: "Gezinnen."},
        theme_texts={theme.id: "Parkeren."},
        change_note="Eerste versie",
    )
    v2 = operations.publish_vision(
        pm,
        c,
        based_on=1,
        introduction="Tweede inleiding.",
        pillar_texts={pillar.id: "Gezinnen en kinderen."},
        theme_texts={},
        change_note="Pijler aangescherpt",
        pdf=cf.pdf_upload(),
    )
    db.session.commit()
    assert (v1.number, v2.number) == (1, 2)
    assert db.session.get(VisionVersion, v1.id).introduction == "Eerste inleiding."
    assert v1.section_for(pillar_id=pillar.id).body == "Gezinnen."
    assert v2.section_for(pillar_id=pillar.id).body == "Gezinnen en kinderen."
    assert len(v2.sections) == len(c.pillars) + len(c.themes)
    assert v2.pdf is not None and v1.pdf is None
    events = _events("vision.publish")
    assert [e.to_state for e in events] == ["v1", "v2"] and all(e.is_public for e in events)
    # The next version keeps the PDF unless it is removed.
    v3 = operations.publish_vision(
        pm, c, based_on=2, introduction="x", pillar_texts={}, theme_texts={}, change_note="Kleine wijziging"
    )
    assert v3.pdf_id == v2.pdf_id
    v4 = operations.publish_vision(
        pm, c, based_on=3, introduction="x", pillar_texts={}, theme_texts={}, change_note="Zonder PDF", remove_pdf=True
    )
    assert v4.pdf is None


def test_publish_vision_refusals_change_nothing(app, pm):
    c = cf.consultation()
    cf.vision_version(c)
    db.session.commit()
    kwargs = {"introduction": "x", "pillar_texts": {}, "theme_texts": {}}
    with pytest.raises(Conflict, match="intussen een nieuwe versie"):
        operations.publish_vision(pm, c, based_on=0, change_note="oud", **kwargs)
    with pytest.raises(OperationError, match="Beschrijf kort"):
        operations.publish_vision(pm, c, based_on=1, change_note=" ", **kwargs)
    with pytest.raises(OperationError, match="geen PDF"):
        operations.publish_vision(pm, c, based_on=1, change_note="pdf", pdf=cf.pdf_upload(b"<html>"), **kwargs)
    with pytest.raises(PermissionDenied):
        operations.publish_vision(factories.user(role=StaffRole.moderator), c, based_on=1, change_note="x", **kwargs)
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(VisionVersion)) == 1


def test_only_one_consultation_is_featured(app, pm):
    a = cf.consultation(featured=True)
    b = cf.consultation()
    operations.set_featured(pm, b)
    db.session.commit()
    assert (a.is_featured, b.is_featured) == (False, True)
    draft = cf.consultation(status=ConsultationStatus.draft, current=None)
    with pytest.raises(OperationError, match="Alleen een gepubliceerde"):
        operations.set_featured(pm, draft)
    db.session.rollback()
    with pytest.raises(IntegrityError):
        db.session.execute(sa.update(Consultation).where(Consultation.id == a.id).values(is_featured=True))
    db.session.rollback()


def test_a_stage_whose_end_date_passed_opens_nothing(app):
    """Issue 11.7: a stage that ended years ago still accepted submissions."""
    c = cf.consultation(current=1)
    c.stages[1].ends_on = cf.TODAY - timedelta(days=1)
    with pytest.raises(OperationError) as ended:
        stage_gate(c, "responses")
    assert ended.value.message.startswith("Reacties indienen kon tot en met ")
    assert "toen is de fase 'Reactie van partners' geëindigd" in ended.value.message
    c.stages[1].ends_on = cf.TODAY  # open all of its last day
    assert stage_gate(c, "responses") is None
