"""Dates on pages: one format for a date and one for a moment per language, and the machine-readable form."""

from __future__ import annotations

from datetime import UTC, date, datetime

from babel.dates import get_date_format, get_datetime_format
from flask_babel import format_date, format_datetime, get_locale


def date_text(value: date | datetime | None) -> str:
    """A date as the language writes it in full: "2 december 2026", "December 2, 2026"."""
    if value is None:
        return ""
    return format_date(value, "long")


def datetime_text(value: datetime | None) -> str:
    """A moment (in the portal's time zone): "2 december 2026, 14:05", "December 2, 2026, 14:05"."""
    if value is None:
        return ""
    locale = get_locale()
    pattern = (
        get_datetime_format("long", locale)
        .replace("{1}", get_date_format("long", locale).pattern)
        .replace("{0}", "HH:mm")
    )
    return format_datetime(value, pattern)


def machine_datetime(value: datetime | date | None) -> str:
    """The value of a <time datetime="..."> attribute: UTC to the second ("2026-12-02T13:05:00Z"), or a date."""
    if value is None:
        return ""
    if not isinstance(value, datetime):
        return value.isoformat()
    if value.tzinfo is None:  # stored times are UTC
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_date(text: str | None) -> date | bool | None:
    """A date as a person types it or a form or spreadsheet sends it: "2027-03-01", "1-3-2027",
    "1/3/2027" or "1.3.2027". None when empty, False when it is no date."""
    raw = (text or "").strip()
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        pass
    parts = raw.replace("/", "-").replace(".", "-").split("-")
    if len(parts) == 3 and all(p.isdigit() for p in parts) and len(parts[2]) == 4:
        try:
            return date(int(parts[2]), int(parts[1]), int(parts[0]))
        except ValueError:
            return False
    return False
