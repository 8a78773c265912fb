"""Verification codes of signatures: 80 random bits in Crockford base32, written XXXX-XXXX-XXXX-XXXX.

Hand-written (a few lines) rather than a dependency: the libraries on offer encode Crockford
base32 but none writes or reads this grouped 16-character form with the aliases below, so we
would wrap them anyway. 80 bits make guessing hopeless (with the rate limit of /verificatie,
trying codes finds nothing in the lifetime of the universe).
"""

from __future__ import annotations

import re
import secrets

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford: no I, L, O, U
BITS = 80
LENGTH = BITS // 5  # 16 symbols
# What a person may type instead: lower case is upper-cased first; O reads as 0, I and L as 1.
_ALIASES = str.maketrans({"O": "0", "I": "1", "L": "1"})
_SEPARATORS = re.compile(r"[\s\-]+")


def _format(symbols: str) -> str:
    return "-".join(symbols[i : i + 4] for i in range(0, LENGTH, 4))


def new_code() -> str:
    """A fresh code: 80 bits from `secrets`, 16 Crockford symbols in four groups of four."""
    number = secrets.randbits(BITS)
    symbols = "".join(ALPHABET[(number >> (5 * i)) & 31] for i in reversed(range(LENGTH)))
    return _format(symbols)


def normalise_code(text: str | None) -> str | None:
    """The code as stored (XXXX-XXXX-XXXX-XXXX), from what someone typed or a link carried.

    Accepts lower case, missing or extra dashes and spaces, and Crockford's aliases (O for 0,
    I and L for 1). Returns None for anything else: a wrong length, U, or any other character.
    """
    if not text or len(text) > 64:
        return None
    symbols = _SEPARATORS.sub("", text.strip()).upper().translate(_ALIASES)
    if len(symbols) != LENGTH or any(c not in ALPHABET for c in symbols):
        return None
    return _format(symbols)
