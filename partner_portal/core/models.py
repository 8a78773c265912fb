"""Model helpers shared by every feature: timestamps, UTC time, optimistic locking and enum value checks."""

import enum
from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy import orm as so


def utcnow() -> datetime:
    """The current time, timezone-aware in UTC (a callable, so defaults are per row)."""
    return datetime.now(UTC)


class UTCDateTime(sa.types.TypeDecorator):
    """A timestamp stored in UTC and always returned timezone-aware, on SQLite too."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is not None:
            if value.tzinfo is None:
                raise ValueError("naive datetime given to a UTC column")
            value = value.astimezone(UTC)
        return value

    def process_result_value(self, value, dialect):
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value


def enum_check(column: str, values: type[enum.Enum]) -> sa.CheckConstraint:
    """A CHECK that `column` holds one of the enum's values, named "<column>_known" (so
    "ck_<table>_<column>_known" by the metadata's naming convention). Every enum column gets one:
    the enum types are stored as plain strings (no native enum), so without it the database would
    take any text. NULL passes; whether the column may be NULL is the column's own rule."""
    allowed = ", ".join("'" + str(member.value).replace("'", "''") + "'" for member in values)
    return sa.CheckConstraint(f"{column} IN ({allowed})", name=f"{column}_known")


class TimestampMixin:
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    updated_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class VersionedMixin:
    """Optimistic locking: every UPDATE checks and bumps `version`.

    Forms carry the version they were loaded with; `check_version` refuses a stale one, and
    the mapper's version check catches the race between that check and the write.
    """

    version: so.Mapped[int] = so.mapped_column(default=1)

    @so.declared_attr.directive
    def __mapper_args__(cls):
        return {"version_id_col": cls.version}
