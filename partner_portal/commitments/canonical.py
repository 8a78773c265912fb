"""The canonical text of a commitment version and its SHA-256 hash, recomputable by anyone.

The rule (the README repeats it for third parties):

1. Take the title and the Markdown text exactly as stored, as Unicode.
2. Normalise both to Unicode NFC.
3. Turn every line ending (CR LF, lone CR) into LF (U+000A).
4. Strip trailing whitespace (spaces, tabs and other Unicode whitespace) from every line.
5. Remove blank lines at the start and the end of the text; collapse nothing else. The title is
   one line: its inner line breaks become single spaces and leading/trailing whitespace goes.
6. The canonical text is ``title + "\\n\\n" + text + "\\n"`` (for an empty text: ``title + "\\n\\n\\n"``).
7. Encode it as UTF-8 (no byte-order mark); the hash is SHA-256 over those bytes, written as 64
   lower-case hexadecimal digits.

So ``printf 'Titel\\n\\nTekst\\n' | sha256sum`` gives the hash of a version titled "Titel" with
the text "Tekst". Whitespace-only edits at line ends and line-ending styles do not change the
hash; any other change does (also inside Markdown markup: the hash is over the source, not the
rendered page).
"""

from __future__ import annotations

import hashlib
import unicodedata


def _lines(value: str) -> list[str]:
    value = unicodedata.normalize("NFC", value or "")
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    lines = [line.rstrip() for line in value.split("\n")]
    while lines and not lines[0]:
        lines.pop(0)
    while lines and not lines[-1]:
        lines.pop()
    return lines


def canonical_title(title: str) -> str:
    """The title on one line, NFC, without surrounding whitespace."""
    return " ".join(line.strip() for line in _lines(title) if line.strip())


def canonical_text(title: str, text: str) -> str:
    """The canonical form of a version (see the module docstring for the rule)."""
    return canonical_title(title) + "\n\n" + "\n".join(_lines(text)) + "\n"


def text_hash(title: str, text: str) -> str:
    """SHA-256 of the canonical text's UTF-8 bytes, as 64 lower-case hex digits."""
    return hashlib.sha256(canonical_text(title, text).encode("utf-8")).hexdigest()
