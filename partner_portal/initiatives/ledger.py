"""The funding ledger's running totals: per source what was granted and spent, per consultation
how many initiatives its execution programme holds.

The operations keep them (adopt adds its grants and one initiative, set_spending the change in
spending), each as an atomic `UPDATE … SET x = x + change` (after an `INSERT … ON CONFLICT DO
NOTHING` for a first write), so two requests adding at once both count. Pages and the adoption read
these rows instead of summing every grant, which keeps the programme page's cost the same however
large the programme grows. `rebuild` recomputes them from the grants, the spending and the
initiatives' states (data loaded behind the operations' back: the bench, test factories);
`tests/initiatives/test_ledger.py` checks that the operations' totals equal the rebuilt ones.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from partner_portal.consultations.models import FundingSource
from partner_portal.extensions import db
from partner_portal.initiatives.models import (
    PROGRAMME_STATES,
    Grant,
    Initiative,
    ProgrammeLedger,
    SourceLedger,
    Spending,
)


def _add(model, key: dict[str, int], changes: dict[str, int]) -> None:
    """Make sure the row exists (a first write), then add the changes in one atomic UPDATE."""
    insert = (postgresql.insert if db.session.get_bind().dialect.name == "postgresql" else sqlite.insert)(model)
    db.session.execute(insert.values(**key).on_conflict_do_nothing(index_elements=list(key)))
    db.session.execute(
        sa.update(model)
        .where(*(getattr(model, column) == value for column, value in key.items()))
        .values({column: getattr(model, column) + change for column, change in changes.items()})
    )


def add_to_source(source_id: int, *, granted: int = 0, spent: int = 0) -> None:
    """Add cents granted and/or spent (a change: may be negative for spending) to a source's totals."""
    if granted or spent:
        _add(SourceLedger, {"funding_source_id": source_id}, {"granted_cents": granted, "spent_cents": spent})


def add_to_programme(consultation_id: int, initiatives: int = 1) -> None:
    """Count an initiative newly in the consultation's execution programme."""
    _add(ProgrammeLedger, {"consultation_id": consultation_id}, {"initiatives": initiatives})


def granted_column():
    return sa.func.coalesce(SourceLedger.granted_cents, 0)


def spent_column():
    return sa.func.coalesce(SourceLedger.spent_cents, 0)


def programme_count_column(consultation_id: int):
    """The programme's count as a scalar subquery (to ride along with another statement)."""
    return sa.func.coalesce(
        sa.select(ProgrammeLedger.initiatives)
        .where(ProgrammeLedger.consultation_id == consultation_id)
        .scalar_subquery(),
        0,
    )


def rebuild(consultation_id: int | None = None) -> None:
    """Recompute the totals of one consultation (None: every consultation) from the rows themselves."""
    sources = sa.select(FundingSource.id)
    counts = (
        sa.select(Initiative.consultation_id, sa.func.count())
        .where(Initiative.state.in_(PROGRAMME_STATES))
        .group_by(Initiative.consultation_id)
    )
    if consultation_id is not None:
        sources = sources.where(FundingSource.consultation_id == consultation_id)
        counts = counts.where(Initiative.consultation_id == consultation_id)
    db.session.execute(sa.delete(SourceLedger).where(SourceLedger.funding_source_id.in_(sources)))
    db.session.execute(
        sa.delete(ProgrammeLedger).where(
            ProgrammeLedger.consultation_id == consultation_id if consultation_id is not None else sa.true()
        )
    )
    source_ids = db.session.scalars(sources).all()
    granted = dict(
        db.session.execute(
            sa.select(Grant.funding_source_id, sa.func.sum(Grant.amount_cents))
            .where(Grant.funding_source_id.in_(source_ids))
            .group_by(Grant.funding_source_id)
        ).all()
    )
    spent = dict(
        db.session.execute(
            sa.select(Spending.funding_source_id, sa.func.sum(Spending.amount_cents))
            .where(Spending.funding_source_id.in_(source_ids))
            .group_by(Spending.funding_source_id)
        ).all()
    )
    for source_id in source_ids:
        db.session.add(
            SourceLedger(
                funding_source_id=source_id,
                granted_cents=int(granted.get(source_id) or 0),
                spent_cents=int(spent.get(source_id) or 0),
            )
        )
    for cid, count in db.session.execute(counts).all():
        db.session.add(ProgrammeLedger(consultation_id=cid, initiatives=count))
    db.session.flush()
