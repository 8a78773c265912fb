"""The funding ledger's running totals: what the operations keep equals what rebuild() computes from
the grants, the spending and the states, and the adoption reads them."""

import sqlalchemy as sa

from partner_portal.extensions import db
from partner_portal.initiatives import ledger, operations
from partner_portal.initiatives.models import ProgrammeLedger, SourceLedger
from tests.initiatives import factories as inf
from tests.initiatives.factories import S


def _totals():
    sources = {
        r.funding_source_id: (r.granted_cents, r.spent_cents) for r in db.session.scalars(sa.select(SourceLedger))
    }
    programmes = {r.consultation_id: r.initiatives for r in db.session.scalars(sa.select(ProgrammeLedger))}
    return {k: v for k, v in sources.items() if v != (0, 0)}, programmes


def test_the_operations_keep_the_totals_that_a_rebuild_computes(world):
    c = world.consultation
    first = inf.initiative(
        c, world.lead, S.in_review, requested={world.gemeente_source: 50_000, world.fonds_source: 20_000}
    )
    second = inf.initiative(c, world.other, S.in_review, requested={world.fonds_source: 30_000})
    db.session.commit()
    before_sources, before_programme = _totals()
    operations.adopt(world.pm, first, version=first.version, grants={world.gemeente_source.id: "45.000",
                     world.fonds_source.id: "20.000"}, answer="Ja.")  # fmt: skip
    operations.adopt(world.pm, second, version=second.version, grants={world.fonds_source.id: "10.000"}, answer="")
    operations.take_step(world.signatory, first, "start", version=first.version)
    operations.report_spending(world.signatory, first, {world.gemeente_source.id: "1.000"})
    operations.report_spending(world.signatory, first, {world.gemeente_source.id: "400"})  # corrected down
    db.session.commit()
    kept = _totals()
    granted, spent = before_sources.get(world.gemeente_source.id, (0, 0))
    assert kept[0][world.gemeente_source.id] == (granted + 4_500_000, spent + 40_000)
    assert kept[1][c.id] == before_programme.get(c.id, 0) + 2
    ledger.rebuild()
    db.session.commit()
    assert _totals() == kept


def test_the_adoption_reads_what_a_source_has_left_from_the_ledger(world):
    world.fonds_source.amount_euros = 70_000
    first = inf.initiative(world.consultation, world.lead, S.in_review, requested={world.fonds_source: 50_000})
    db.session.commit()
    operations.adopt(world.pm, first, version=first.version, grants={world.fonds_source.id: "50.000"}, answer="")
    db.session.commit()
    assert operations.remaining_per_source(world.consultation)[world.fonds_source.id] == 2_000_000
    row = db.session.get(SourceLedger, world.fonds_source.id)
    assert row.granted_cents == 5_000_000
