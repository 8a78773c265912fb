"""The three-way merge of form fields (pure)."""

import pytest

from partner_portal.core import merge


def test_fields_only_one_side_changed_are_taken_without_asking():
    base = {"a": "1", "b": "2", "c": "3"}
    mine = {"a": "1", "b": "mijn", "c": "3"}
    theirs = {"a": "hun", "b": "2", "c": "3"}
    result = merge.three_way(base, mine, theirs)
    assert result.values == {"a": "hun", "b": "mijn", "c": "3"}
    assert result.conflicts == [] and result.theirs_changed == ["a"]


def test_only_fields_both_changed_differently_are_conflicts_and_keep_what_was_typed():
    base = {"a": "1", "b": "2"}
    mine = {"a": "mijn", "b": "zelfde"}
    theirs = {"a": "hun", "b": "zelfde"}
    result = merge.three_way(base, mine, theirs)
    assert result.conflicts == ["a"] and result.values == {"a": "mijn", "b": "zelfde"}


def test_none_and_missing_count_as_empty():
    result = merge.three_way({"a": None}, {"a": ""}, {})
    assert result.values == {"a": ""} and not result.conflicts


@pytest.mark.parametrize("text", [None, "", "{", "[]", '{"a": 1}', '{"a": ["x"]}'])
def test_a_base_that_is_absent_or_malformed_is_none(text):
    assert merge.decode(text) is None


def test_the_base_round_trips():
    assert merge.decode(merge.encode({"a": "é €", "b": None})) == {"a": "é €", "b": ""}


def test_word_diff_marks_what_differs():
    assert merge.word_diff("Parkeren blijft gratis.", "Parkeren blijft betaalbaar.") == [
        ("equal", "Parkeren blijft "),
        ("delete", "gratis."),
        ("insert", "betaalbaar."),
    ]


def test_without_a_base_every_field_that_differs_is_a_conflict():
    result = merge.three_way(None, {"a": "x", "b": "zelfde"}, {"a": "y", "b": "zelfde"})
    assert result.conflicts == ["a"] and result.values == {"a": "x", "b": "zelfde"}
