"""Amounts of money as a Dutch person types and reads them, stored exactly as whole cents.

`parse_euros("1.250.000")` and `parse_euros("€ 12.500,50")` give cents (125000000, 1250050);
`format_euros(125000000)` gives "€ 1.250.000" and `format_euros(1250050)` "€ 12.500,50".
Never a float: the text is read digit by digit.
"""

from __future__ import annotations

import re

from flask_babel import gettext as _

from partner_portal.core.errors import OperationError

# Thousands with dots (or spaces), optional decimal comma with one or two digits; or plain digits.
_GROUPED = re.compile(r"^\d{1,3}(?:[. ]\d{3})+(?:,\d{1,2})?$")
_PLAIN = re.compile(r"^\d+(?:,\d{1,2})?$")
# A number written the English way with a decimal point ("12500.50"): refused, not guessed.
_POINT_DECIMAL = re.compile(r"^\d+\.\d{1,2}$")
MAX_CENTS = 10**15  # ten trillion euros: anything larger is a typing error


def parse_euros(text: str | None, label: str = "") -> int | None:
    """Cents from a typed amount; None for an empty field. OperationError (Dutch) for anything else."""
    raw = (text or "").strip()
    if not raw:
        return None
    cleaned = raw.replace("€", "").replace("\u00a0", " ").strip()
    if cleaned.endswith(",-") or cleaned.endswith(",—"):
        cleaned = cleaned[:-2]
    field = f"{label}: " if label else ""
    if cleaned.startswith("-") or cleaned.startswith("−"):
        raise OperationError(_("%(field)sEen bedrag kan niet negatief zijn.", field=field))
    if _POINT_DECIMAL.match(cleaned) and not _GROUPED.match(cleaned):
        raise OperationError(
            _("%(field)sSchrijf bedragen met een komma voor de centen, bijvoorbeeld 12.500,50.", field=field)
        )
    if not (_GROUPED.match(cleaned) or _PLAIN.match(cleaned)):
        raise OperationError(
            _(
                "%(field)s'%(value)s' is geen bedrag. Schrijf bijvoorbeeld 1.250.000 of € 12.500,50.",
                field=field,
                value=raw[:40],
            )
        )
    whole, _sep, fraction = cleaned.replace(".", "").replace(" ", "").partition(",")
    cents = int(whole) * 100 + int((fraction + "00")[:2])
    if cents > MAX_CENTS:
        raise OperationError(_("%(field)sDit bedrag is te groot.", field=field))
    return cents


def format_euros(cents: int | None, *, symbol: bool = True) -> str:
    """ "€ 1.250.000" for whole euros, "€ 12.500,50" otherwise; "" for None."""
    if cents is None:
        return ""
    sign = "-" if cents < 0 else ""
    whole, fraction = divmod(abs(int(cents)), 100)
    text = f"{whole:,}".replace(",", ".")
    if fraction:
        text += f",{fraction:02d}"
    return f"{sign}€ {text}" if symbol else f"{sign}{text}"


def input_value(cents: int | None) -> str:
    """The amount as the form shows it for editing ("1.250.000", "12.500,50"); "" for None."""
    return format_euros(cents, symbol=False)
