"""Reading a CSV export back as Dutch Excel does: UTF-8 after a byte-order mark, `;` between cells."""

import csv
import io


def dutch_excel_rows(data: bytes) -> list[list[str]]:
    """The rows of `data`; fails unless it starts with the UTF-8 byte-order mark and uses `;`."""
    assert data.startswith(b"\xef\xbb\xbf"), "no UTF-8 byte-order mark: Excel would read the text as Windows-1252"
    text = data.decode("utf-8-sig")
    assert csv.Sniffer().sniff(text.splitlines()[0], delimiters=";,\t").delimiter == ";"
    return list(csv.reader(io.StringIO(text, newline=""), delimiter=";"))
