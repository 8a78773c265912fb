"""The benchmark's data set stays in step with the models: `make bench` seeds it before it measures.

Seeded here at a small size, on both databases, so that a change to a model the seeders write
(a moved or renamed table or column) fails here and not only when someone next runs the bench.
"""

import sqlalchemy as sa

from partner_portal.endorsements.models import Endorsement
from partner_portal.extensions import db
from partner_portal.responses.models import FormalResponse


def test_the_benchmark_data_set_seeds(app, monkeypatch):
    from bench import datasets

    monkeypatch.setattr(datasets, "ORGANISATIONS", 60)
    monkeypatch.setattr(datasets, "USERS", 150)
    monkeypatch.setattr(datasets, "AUDIT_EVENTS", 100)
    monkeypatch.setattr(datasets, "CONSULTATIONS", 4)
    lines = datasets.seed(1)
    assert len(lines) == len(datasets.SEEDERS)
    responses = db.session.scalar(sa.select(sa.func.count()).select_from(FormalResponse))
    assert responses >= 4 * 5
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Endorsement)) > 0
