"""Helpers for exported files (CSV, spreadsheets) that every feature's export shares."""


def csv_safe(value) -> str:
    """A cell that a spreadsheet will not run as a formula."""
    text = "" if value is None else str(value)
    if text[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + text
    return text
