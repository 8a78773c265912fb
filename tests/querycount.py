"""Counting the SQL statements of one request, for query budgets.

Listens on the engine (`before_cursor_execute`), so it counts exactly what reaches the
database while the block runs, whatever session or app context issues it. Flask-SQLAlchemy's
recorded queries are not used: they add up across requests while a test holds an app context.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import sqlalchemy as sa

from partner_portal.extensions import db


@dataclass
class QueryLog:
    statements: list[str] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.statements)

    def __str__(self) -> str:
        return "\n".join(f"{n:3d}. {' '.join(s.split())[:200]}" for n, s in enumerate(self.statements, 1))


@contextmanager
def count_queries(engine: sa.Engine | None = None) -> Iterator[QueryLog]:
    """`with count_queries() as log: client.get(url)`; then `log.count` and `str(log)` (the statements)."""
    engine = engine or db.engine
    log = QueryLog()

    def record(conn, cursor, statement, parameters, context, executemany):
        log.statements.append(statement)

    sa.event.listen(engine, "before_cursor_execute", record)
    try:
        yield log
    finally:
        sa.event.remove(engine, "before_cursor_execute", record)
