"""CSV files that open as they should in Dutch Excel.

Dutch Excel reads `;` as the separator (`,` is the decimal sign) and reads UTF-8 only after a
byte-order mark. Every cell that holds the separator, a quote or a line break is quoted, and a
cell that a spreadsheet would run as a formula is prefixed with `'`.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator

from flask import Response

DELIMITER = ";"
BOM = "\ufeff"
# The first characters that make a spreadsheet read a cell as a formula (or inject one via DDE).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n", "＝", "＋", "－", "＠")


def safe_cell(value) -> str:
    """A cell as text that a spreadsheet will not run as a formula (numbers stay numbers)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, int | float):
        return str(value)
    text = str(value)
    if text.lstrip(" ")[:1] in FORMULA_STARTS:
        return "'" + text
    return text


def rows_text(rows: Iterable[Iterable]) -> str:
    """`rows` as CSV text: `;` between cells, quoted where needed, every cell made formula-safe."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=DELIMITER, quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n")
    writer.writerows([safe_cell(cell) for cell in row] for row in rows)
    return buffer.getvalue()


def csv_response(chunks: str | Iterable[str], filename: str) -> Response:
    """A download of CSV text (one string, or chunks from `rows_text`) that starts with the byte-order mark."""
    body = BOM + chunks if isinstance(chunks, str) else _with_bom(chunks)
    return Response(
        body,
        mimetype="text/csv",
        headers={
            "Content-Type": "text/csv; charset=utf-8",
            "Content-Disposition": f'attachment; filename="{filename}"',
            "Cache-Control": "no-store",
        },
    )


def _with_bom(chunks: Iterable[str]) -> Iterator[str]:
    yield BOM
    yield from chunks


XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def xlsx_response(workbook, filename: str) -> Response:
    """An openpyxl workbook as a download that no cache keeps."""
    buffer = io.BytesIO()
    workbook.save(buffer)
    return Response(
        buffer.getvalue(),
        mimetype=XLSX_MIMETYPE,
        headers={"Content-Disposition": f'attachment; filename="{filename}"', "Cache-Control": "no-store"},
    )
