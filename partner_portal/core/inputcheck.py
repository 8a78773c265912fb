"""Request input the database cannot take is refused once, before any view: a clear 400, never a 500.

- A NUL character in the path, a query argument or a form field (name or value): PostgreSQL
  refuses it in text and SQLite would store it silently. No field of ours needs one.
- An integer query argument beyond the range of our id columns (32-bit): `page`, `voor`/`na`,
  `object_id`, `consultation` and every other number a list is filtered or paged by. Such a
  number can match nothing, and beyond 64 bits the database drivers refuse it.

Text fields are not checked for numbers: a statement may consist of digits.
"""

from __future__ import annotations

from flask import Flask, render_template, request
from flask_babel import gettext as _

INT_MAX = 2**31 - 1  # the largest value of an INTEGER column (ids), and plenty for a page number


def _has_nul(values) -> bool:
    return any("\x00" in key or any("\x00" in v for v in vals) for key, vals in values.lists())


def _oversized_number(value: str) -> bool:
    try:
        number = int(value)  # what `request.args.get(..., type=int)` and IntegerField accept
    except ValueError:
        return False
    return not -INT_MAX - 1 <= number <= INT_MAX


def problem() -> str | None:
    """Why this request's input is refused, or None."""
    if "\x00" in request.path or _has_nul(request.args):
        return _("Het verzoek bevat een ongeldig teken (NUL). Verwijder het en probeer het opnieuw.")
    if any(_oversized_number(v) for _key, vals in request.args.lists() for v in vals):
        return _("Een getal in het adres is te groot. Controleer het adres en probeer het opnieuw.")
    if request.method in ("POST", "PUT", "PATCH") and (_has_nul(request.form) or _has_nul_filename()):
        return _("Het formulier bevat een ongeldig teken (NUL). Verwijder het en probeer het opnieuw.")
    return None


def _has_nul_filename() -> bool:
    return any("\x00" in (f.filename or "") for f in request.files.values())


def init_app(app: Flask) -> None:
    @app.before_request
    def refuse_unusable_input():
        if request.endpoint == "static":
            return None
        message = problem()
        if message is None:
            return None
        return render_template("errors/400.html", message=message), 400
