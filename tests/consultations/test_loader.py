"""Loading a consultation from a data file: a new city is data, not code; bad files change nothing."""

import copy
import json

import pytest
import sqlalchemy as sa

from partner_portal.consultations.demo import DATA_FILE
from partner_portal.consultations.loader import InvalidConsultationData, load_consultation_data
from partner_portal.consultations.models import Consultation
from partner_portal.core.audit import AuditEvent, verify_chain
from partner_portal.extensions import db


def assen() -> dict:
    return json.loads(DATA_FILE.read_text(encoding="utf-8"))


def second_city() -> dict:
    data = copy.deepcopy(assen())
    data.update(slug="binnenstad-emmen", title="Emmen: een levendig centrum", city="Emmen")
    data["current_stage"] = data["stages"][0]["key"]
    return data


def _count() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(Consultation))


def test_assen_data_file_loads_with_its_structure(app):
    consultation = load_consultation_data(assen())
    db.session.commit()
    assert (len(consultation.pillars), len(consultation.themes), len(consultation.stages)) == (3, 6, 6)
    assert consultation.current_stage.key == "reactie-van-partners"
    assert sum(f.amount_euros for f in consultation.funding_sources) == 11_000_000
    assert consultation.is_featured
    assert verify_chain() is None


def test_a_second_city_is_a_new_consultation_and_the_first_stays_featured(app):
    load_consultation_data(assen())
    emmen = load_consultation_data(second_city())
    db.session.commit()
    assert not emmen.is_featured and emmen.current_stage.position == 0
    assert _count() == 2


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        (lambda d: d.pop("goal"), "'goal' must be a non-empty text"),
        (lambda d: d["themes"][0].update(pillar="bestaat-niet"), "is not one of the pillars"),
        (lambda d: d["stages"][1].update(starts_on=d["stages"][0]["starts_on"]), "may not overlap"),
        (lambda d: d["stages"][0].update(ends_on="2010-01-01"), "ends before it starts"),
        (lambda d: d["stages"][0].update(starts_on="11-04-2017"), "must be a date like"),
        (lambda d: d["stages"][0].update(opens=["everything"]), "unknown actions"),
        (lambda d: d.update(current_stage="nergens"), "is not one of the stage keys"),
        (lambda d: d["funding"][0].update(amount_euros="drie miljoen"), "whole, non-negative number"),
        (lambda d: d["pillars"].append(dict(d["pillars"][0])), "is used twice"),
    ],
)
@pytest.mark.sqlite_only
def test_bad_data_is_refused_with_every_problem_and_nothing_is_saved(app, change, problem):
    data = second_city()
    change(data)
    with pytest.raises(InvalidConsultationData) as raised:
        load_consultation_data(data)
    assert any(problem in line for line in raised.value.problems), raised.value.problems
    db.session.rollback()
    assert _count() == 0
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent)) == 0


def test_the_same_slug_twice_is_refused(app):
    load_consultation_data(assen())
    db.session.commit()
    with pytest.raises(InvalidConsultationData, match="exists already"):
        load_consultation_data(assen())


def test_cli_loads_a_file_and_reports_problems(app, tmp_path):
    good = tmp_path / "emmen.json"
    good.write_text(json.dumps(second_city()), encoding="utf-8")
    bad = tmp_path / "bad.json"
    bad.write_text("{not json", encoding="utf-8")
    runner = app.test_cli_runner()
    result = runner.invoke(args=["consultations", "load", str(good), "--featured"])
    assert result.exit_code == 0, result.output
    assert "/consultaties/binnenstad-emmen" in result.output
    assert db.session.scalar(sa.select(Consultation).filter_by(slug="binnenstad-emmen")).is_featured
    result = runner.invoke(args=["consultations", "load", str(bad)])
    assert result.exit_code != 0 and "not readable JSON" in result.output
    result = runner.invoke(args=["consultations", "load", str(good)])
    assert result.exit_code != 0 and "nothing was saved" in result.output
