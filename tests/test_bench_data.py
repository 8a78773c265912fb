"""The benchmark's data set and mixed workload stay in step with the app: `make bench` relies on both.

Seeded here at the size of `BENCH_SMOKE=1`, on both databases, so that a change to a model the
seeders write (a moved or renamed table or column), or to the login or draft form the mixed
workload fills in, fails here and not only when someone next runs the bench.
"""

import pytest
import sqlalchemy as sa

from partner_portal import demo
from partner_portal.consultations.models import FundingSource
from partner_portal.endorsements.models import Endorsement
from partner_portal.extensions import db
from partner_portal.initiatives.models import Grant, Initiative
from partner_portal.responses.models import FormalResponse


@pytest.fixture
def bench_data(app, monkeypatch):
    from bench import datasets

    for name, value in datasets.SMOKE_SIZES.items():
        monkeypatch.setattr(datasets, name, value)
    return datasets.seed(1)


def test_the_benchmark_data_set_seeds(bench_data):
    from bench import datasets

    assert len(bench_data) == len(datasets.SEEDERS)
    responses = db.session.scalar(sa.select(sa.func.count()).select_from(FormalResponse))
    assert responses >= datasets.CONSULTATIONS * 5
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Endorsement)) > 0
    # The bench's own initiatives, beside the demo's.
    bench_initiatives = sa.select(sa.func.count()).where(Initiative.title.like("%: initiatief %"))
    assert db.session.scalar(bench_initiatives) == datasets.INITIATIVES
    # The ledger holds: no source is granted more than it has.
    over = db.session.execute(
        sa.select(FundingSource.id)
        .join(Grant, Grant.funding_source_id == FundingSource.id)
        .group_by(FundingSource.id, FundingSource.amount_euros)
        .having(sa.func.sum(Grant.amount_cents) > FundingSource.amount_euros * 100)
    ).all()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Grant)) > 0 and not over
    # The bench's commitments: their signatures name a version of their own commitment, with its hash.
    from partner_portal.commitments import operations as commitment_ops
    from partner_portal.commitments.models import Commitment, CommitmentVersion, Signature

    bench_commitments = db.session.scalars(sa.select(Commitment).where(Commitment.title.like("Afspraken % %"))).all()
    assert len([c for c in bench_commitments if c.title[-1].isdigit()]) == datasets.COMMITMENTS
    mismatched = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(Signature)
        .join(
            CommitmentVersion,
            (CommitmentVersion.commitment_id == Signature.commitment_id)
            & (CommitmentVersion.number == Signature.version_number),
        )
        .where(CommitmentVersion.text_hash != Signature.version_hash)
    )
    assert mismatched == 0
    assert commitment_ops.totals(bench_commitments[-1]).organisations > 0


def test_the_mixed_workload_fills_in_the_login_and_draft_forms_as_a_browser_would(bench_data, client):
    from bench import mixed

    drafts = mixed.editable_drafts()
    assert len(drafts) >= mixed.WORKERS  # one draft per worker, so no worker saves over another's version
    email, response_id = drafts[0]

    form = mixed.form_with(client.get("/login").get_data(as_text=True), "password")
    response = client.post("/login", data=form | {"email": email, "password": demo.DEMO_PASSWORD})
    assert response.status_code == 302
    assert "/login" not in response.location

    path = f"/reacties/{response_id}/bewerken"
    before = db.session.get(FormalResponse, response_id)
    statement, positions = before.statement, {p.theme_id: p.position for p in before.positions}
    for n in (1, 2):
        form = mixed.form_with(client.get(path).get_data(as_text=True), "base")
        form["statement"] = mixed.changed_statement(form["statement"], 0, n)
        response = client.post(path, data=form)
        assert response.status_code == 302
        assert response.location.endswith(f"/reacties/{response_id}")
    db.session.expire_all()
    saved = db.session.get(FormalResponse, response_id)
    assert saved.statement == statement.strip() + " (bench save 0-2)"  # the form strips it
    assert {p.theme_id: p.position for p in saved.positions} == positions
