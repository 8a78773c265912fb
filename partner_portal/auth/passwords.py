"""Password hashing (argon2id) and the password policy."""

import re
from functools import cache
from itertools import pairwise
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask_babel import gettext as _

MIN_LENGTH = 12
MAX_LENGTH = 128

# OWASP's argon2id recommendation: m=19 MiB, t=2, p=1.
_hasher = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)
# Verified against when the e-mail is unknown, so both answers take the same time.
_DUMMY_HASH = _hasher.hash("timing-equaliser-not-a-password")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """True if the password matches; always does one argon2 verification."""
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)


@cache
def common_passwords() -> frozenset[str]:
    """About 95,000 breached passwords and common words, loaded once per process.

    The lists bundled with the zxcvbn package (the 30,000 most common passwords of several
    leaks, and the most frequent English words, names and surnames), plus our own list of long
    common passwords and Dutch words (common_passwords.txt). Checked offline.
    """
    from zxcvbn.frequency_lists import FREQUENCY_LISTS

    path = Path(__file__).with_name("common_passwords.txt")
    words = {line.strip().lower() for line in path.read_text().splitlines() if line.strip()}
    for entries in FREQUENCY_LISTS.values():
        words.update(entries)
    return frozenset(words)


# Look-alike characters, read back as the letters they stand for ("p@ssw0rd" is "password").
_LEET = str.maketrans({"@": "a", "4": "a", "0": "o", "1": "l", "!": "i", "3": "e", "$": "s", "5": "s", "7": "t"})
_LEET_I = str.maketrans({"@": "a", "4": "a", "0": "o", "1": "i", "!": "i", "3": "e", "$": "s", "5": "s", "7": "t"})
_EDGES = "0123456789!@#$%^&*()-_=+.,;:?/\\|'\"`~[]{}<> "
_SEPARATORS = re.compile(r"[\W_]+")
_KEYBOARD_ROWS = (
    "1234567890",
    "qwertyuiopasdfghjklzxcvbnm",
    "azertyuiopqsdfghjklmwxcvbn",
    "1qaz2wsx3edc4rfv5tgb6yhn7ujm8ik9ol0p",
)
_MIN_OWN_PART = 6  # letters left once the words of the site, the organisation and the address are taken out


def _variants(lowered: str) -> set[str]:
    """The password, its core without leading/trailing digits and symbols, and both read back from look-alikes."""
    core = lowered.strip(_EDGES)
    return {v for text in (lowered, core) for v in (text, text.translate(_LEET), text.translate(_LEET_I)) if v}


def _is_common(lowered: str) -> bool:
    common = common_passwords()
    return any(variant in common for variant in _variants(lowered))


def _is_repetitive(lowered: str) -> bool:
    """A repeated unit ("abcabcabcabc"), few distinct characters, or one run along the alphabet or keyboard."""
    compact = _SEPARATORS.sub("", lowered) or lowered
    if len(set(compact)) <= 3:
        return True
    for size in range(1, len(compact) // 2 + 1):
        if len(compact) % size == 0 and compact[:size] * (len(compact) // size) == compact:
            return True
    steps = {ord(b) - ord(a) for a, b in pairwise(compact)}
    if len(steps) == 1 and steps <= {-1, 1}:
        return True
    return any(compact in (row * 3) or compact in (row[::-1] * 3) for row in _KEYBOARD_ROWS)


def context_words(*texts: str) -> set[str]:
    """The words (4+ characters) of names and addresses that a password must not lean on."""
    words: set[str] = set()
    for text in texts:
        words.update(w for w in _SEPARATORS.split((text or "").lower()) if len(w) >= 4)
    return words


def _leans_on_context(lowered: str, words: set[str]) -> bool:
    """True if, without the context words, digits and symbols, fewer than a few letters are left."""
    return any(
        _leans(candidate, words) for candidate in {lowered, lowered.translate(_LEET), lowered.translate(_LEET_I)}
    )


def _leans(rest: str, words: set[str]) -> bool:
    found = False
    for word in sorted(words, key=len, reverse=True):
        if word in rest:
            found = True
            rest = rest.replace(word, "")
    letters = re.sub(r"[^a-zà-ÿ]", "", rest)
    return found and len(letters) < _MIN_OWN_PART


def password_problem(password: str, email: str = "", context: tuple[str, ...] = ()) -> str | None:
    """A Dutch explanation of why the password is not acceptable, or None if it is.

    `context` holds names the password must not lean on (the site's, the organisation's, the
    person's); the configured PASSWORD_CONTEXT_WORDS and the address's local part are added.
    """
    if len(password) < MIN_LENGTH:
        return _("Kies een wachtwoord van minstens %(n)d tekens.", n=MIN_LENGTH)
    if len(password) > MAX_LENGTH:
        return _("Kies een wachtwoord van hoogstens %(n)d tekens.", n=MAX_LENGTH)
    lowered = password.lower()
    local_part = email.lower().split("@")[0]
    if email and lowered in {email.lower(), local_part}:
        return _("Uw wachtwoord mag niet gelijk zijn aan uw e-mailadres.")
    if _is_common(lowered) or _is_repetitive(lowered):
        return _("Dit wachtwoord is te bekend of te eenvoudig. Kies een ander wachtwoord.")
    words = context_words(_configured_context(), local_part, *context)
    if _leans_on_context(lowered, words):
        return _(
            "Dit wachtwoord lijkt te veel op de naam van deze site, van uw organisatie of op uw "
            "e-mailadres. Kies een wachtwoord met meer eigen woorden."
        )
    return None


def _configured_context() -> str:
    from flask import current_app, has_app_context

    return current_app.config.get("PASSWORD_CONTEXT_WORDS", "") if has_app_context() else ""
