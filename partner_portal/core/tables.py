"""Reading uploaded tables: the CSV and XLSX files that staff export from their spreadsheets and CRMs.

One reader for every upload (the programme's bulk update, MKB Assen's member file): `;` or `,`
separators, UTF-8 with or without BOM or Windows-1252, the first sheet of a workbook; every cell
comes back as the text a person would have typed, so KvK numbers keep their leading zeros.
"""

from __future__ import annotations

import csv
import io
from datetime import date, datetime
from decimal import Decimal

from flask_babel import gettext as _

from partner_portal.core.errors import OperationError

# Magic numbers of files that are sometimes uploaded instead of a table (PDF, images, old Excel, ...).
_NOT_A_TABLE = (b"%PDF", b"\x89PNG", b"GIF8", b"\xff\xd8\xff", b"\xd0\xcf\x11\xe0", b"\x1f\x8b", b"Rar!", b"7z\xbc\xaf")


def _not_a_table() -> OperationError:
    return OperationError(_("Dit bestand is geen CSV- of Excel-bestand."))


def _too_many_rows(max_rows: int) -> OperationError:
    return OperationError(
        _(
            "Het bestand heeft meer dan %(limit)s rijen; dat is het maximum. Splits het bestand.",
            limit=f"{max_rows:,}".replace(",", "."),
        )
    )


def _xlsx_text(value) -> str:
    """A workbook cell as the text a person would have typed (numbers with a decimal comma)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float | Decimal):
        number = Decimal(repr(value)) if isinstance(value, float) else value
        if number == number.to_integral_value():
            return str(int(number))
        return format(number.normalize(), "f").replace(".", ",")
    if isinstance(value, datetime) and value.time() == datetime.min.time():
        return value.date().isoformat()  # a date cell: Excel stores dates as midnight
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value)


def read_table(data: bytes, filename: str, *, max_rows: int | None = None) -> list[list[str]]:
    """The rows of an uploaded CSV (`;` or `,`; UTF-8 with or without BOM, or Windows-1252) or XLSX.

    Raises OperationError, with the reason in Dutch, for a file that is not a table by its content
    (whatever its name says) or that has more than `max_rows` rows (the header included)."""
    if data.startswith(_NOT_A_TABLE):
        raise _not_a_table()
    if filename.lower().endswith(".xlsx") or data[:4] == b"PK\x03\x04":
        from openpyxl import load_workbook

        try:
            workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
            sheet = workbook.worksheets[0]
            rows = []
            for row in sheet.iter_rows(values_only=True):
                if max_rows is not None and len(rows) >= max_rows:
                    workbook.close()
                    raise _too_many_rows(max_rows)
                rows.append([_xlsx_text(v) for v in row])
            workbook.close()
        except OperationError:
            raise
        except Exception as exc:  # openpyxl raises many kinds for a damaged or foreign file
            raise OperationError(_("Dit Excel-bestand kan niet worden gelezen. Sla het op als .xlsx of .csv.")) from exc
        return rows
    if data.startswith(b"\xef\xbb\xbf"):
        text = data[3:].decode("utf-8", errors="replace")
    else:
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            text = data.decode("cp1252", errors="replace")
    if "\x00" in text or any(ch < " " and ch not in "\t\r\n" for ch in text[:4096]):
        raise _not_a_table()
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") >= first.count(",") else ","
    rows = []
    try:
        for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter):
            if max_rows is not None and len(rows) >= max_rows:
                raise _too_many_rows(max_rows)
            rows.append(row)
    except csv.Error as exc:
        raise OperationError(_("Dit CSV-bestand kan niet worden gelezen: %(error)s", error=str(exc))) from exc
    # The export protects text cells from being run as formulas with a leading quote: take it off.
    return [[c[1:] if c.startswith("'") else c for c in row] for row in rows]
