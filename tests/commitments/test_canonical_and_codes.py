"""The canonical text and its hash (recomputable by a third party), and the verification codes."""

import hashlib
import re

import pytest

from partner_portal.commitments import codes
from partner_portal.commitments.canonical import canonical_text, text_hash

pytestmark = pytest.mark.sqlite_only


def test_the_hash_is_sha256_of_title_blank_line_text_newline_in_utf8():
    # What the README tells a third party: printf 'Titel\n\nTekst\n' | sha256sum
    assert text_hash("Titel", "Tekst") == hashlib.sha256(b"Titel\n\nTekst\n").hexdigest()
    assert text_hash("Café", "Één binnenstad") == hashlib.sha256("Café\n\nÉén binnenstad\n".encode()).hexdigest()


def test_line_endings_trailing_whitespace_and_blank_edges_do_not_change_the_hash():
    plain = text_hash("Titel", "Regel een\n\nRegel twee")
    assert text_hash("  Titel \n", "\n\nRegel een  \r\n\t\r\nRegel twee\t\n\n\n") == plain
    assert canonical_text("Titel", "Regel een\r\rRegel twee") == "Titel\n\nRegel een\n\nRegel twee\n"


def test_unicode_is_normalised_to_nfc():
    decomposed = "Cafe\u0301"  # e + combining acute
    assert text_hash(decomposed, "x") == text_hash("Caf\u00e9", "x")


def test_any_other_change_changes_the_hash():
    base = text_hash("Titel", "Ieder draagt bij.")
    assert text_hash("Titel", "Ieder draagt  bij.") != base  # inner spaces count
    assert text_hash("Titel", "Ieder draagt **bij**.") != base  # Markdown source, not the rendering
    assert text_hash("Titel 2", "Ieder draagt bij.") != base
    assert len(base) == 64 and base == base.lower()


def test_a_new_code_is_16_crockford_symbols_in_four_groups_and_random():
    made = {codes.new_code() for _ in range(200)}
    assert len(made) == 200
    for code in made:
        assert re.fullmatch(r"[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){3}", code), code
        assert codes.normalise_code(code) == code


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("abcd-efgh-jkmn-pqrs", "ABCD-EFGH-JKMN-PQRS"),
        ("ABCDEFGHJKMNPQRS", "ABCD-EFGH-JKMN-PQRS"),
        (" abcd efgh jkmn pqrs ", "ABCD-EFGH-JKMN-PQRS"),
        ("O0OO-IiLl-1111-0000", "0000-1111-1111-0000"),
    ],
)
def test_typed_codes_are_normalised(typed, expected):
    assert codes.normalise_code(typed) == expected


@pytest.mark.parametrize(
    "typed",
    ["", None, "ABCD-EFGH-JKMN-PQR", "ABCD-EFGH-JKMN-PQRST", "ABCD-EFGH-JKMN-PQRU", "ABCD-EFGH-JKMN-PQR!", "x" * 100],
)
def test_malformed_codes_are_none(typed):
    assert codes.normalise_code(typed) is None
