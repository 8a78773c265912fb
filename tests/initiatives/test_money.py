"""Amounts typed the Dutch way, stored as exact cents."""

import pytest

from partner_portal.core.errors import OperationError
from partner_portal.core.money import format_euros, parse_euros


@pytest.mark.parametrize(
    ("typed", "cents"),
    [
        ("1.250.000", 125_000_000),
        ("€ 12.500,50", 1_250_050),
        ("€12.500,5", 1_250_050),
        ("12500", 1_250_000),
        ("12 500", 1_250_000),
        ("0,99", 99),
        ("€ 3.000.000,-", 300_000_000),
        ("", None),
        ("   ", None),
    ],
)
def test_dutch_amounts_are_read_exactly(app, typed, cents):
    with app.test_request_context():
        assert parse_euros(typed) == cents


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("-5", "negatief"),
        ("twaalf", "geen bedrag"),
        ("12500.50", "komma"),
        ("1.25.000", "geen bedrag"),
        ("1,234", "geen bedrag"),
        ("9" * 20, "te groot"),
    ],
)
def test_bad_amounts_are_refused_in_dutch(app, typed, message):
    with app.test_request_context(), pytest.raises(OperationError, match=message):
        parse_euros(typed, "Totale kosten")


def test_amounts_are_shown_the_dutch_way():
    assert format_euros(125_000_000) == "€ 1.250.000"
    assert format_euros(1_250_050) == "€ 12.500,50"
    assert format_euros(5) == "€ 0,05"
    assert format_euros(None) == ""
