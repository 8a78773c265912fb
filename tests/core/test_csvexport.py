"""CSV exports open correctly in Dutch Excel: `;`, UTF-8 with BOM, quoted where needed, formula-safe."""

import pytest

from partner_portal.core import csvexport
from tests.csvread import dutch_excel_rows


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("+31 592 123456", "'+31 592 123456"),
        ("-1", "'-1"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("  =1+1", "'  =1+1"),
        ("＝1+1", "'＝1+1"),
        ("Gewoon een tekst", "Gewoon een tekst"),
        (-1, "-1"),  # a number stays a number
        (12, "12"),
        (None, ""),
        (True, "1"),
    ],
)
def test_cells_never_start_a_formula(value, cell):
    assert csvexport.safe_cell(value) == cell


def test_separator_quotes_and_line_breaks_are_quoted_and_read_back_whole():
    rows = [
        ["kolom a", "kolom b"],
        ["Parkeren; ook 's avonds", 'Een "Koopmanskwartier"'],
        ["Twee\nregels", "€ 3.000.000, ë é"],
    ]
    text = csvexport.rows_text(rows)
    assert '"Parkeren; ook \'s avonds"' in text and '"Een ""Koopmanskwartier"""' in text
    assert '"Twee\nregels"' in text
    # Every cell that holds the separator is quoted: splitting the unquoted parts finds two cells a row.
    assert dutch_excel_rows(csvexport.BOM.encode() + text.encode()) == rows


def test_a_download_starts_with_the_byte_order_mark(app):
    with app.test_request_context():
        whole = csvexport.csv_response(csvexport.rows_text([["a", "b"]]), "x.csv")
        streamed = csvexport.csv_response(iter([csvexport.rows_text([["a", "b"]])]), "x.csv")
    for response in (whole, streamed):
        assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
        assert response.get_data().startswith(b"\xef\xbb\xbfa;b\r\n")
