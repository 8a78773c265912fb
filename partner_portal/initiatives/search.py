"""The initiatives list's search and its theme and location filters, read from two columns per
initiative that drafting keeps (Initiative.refresh_search):

- `search_words`: the words of the title and the summary (lower case, accents removed, split at
  everything that is not a letter or digit). A typed word matches the words that begin with it
  ("brink" finds "Brink" and "Brinkstraat"); several typed words must all match.
- `search_tags`: a tag per theme (`thema12`) and location (`locatie3`), matched exactly. Apart from
  the words, so that a typed word never matches a tag.

On PostgreSQL both have one GIN full-text index (`to_tsvector('simple', …)` of each), so a search
with a theme reads the postings of its words and tags instead of every initiative of the
consultation. SQLite (development, tests) compares the columns with LIKE: the same matches,
without the index.
"""

from __future__ import annotations

import re
import unicodedata

import sqlalchemy as sa

from partner_portal.extensions import db

MAX_WORDS = 8  # of a typed search; more narrows nothing useful and only costs


def words(text: str | None) -> list[str]:
    """The searchable words of a text: lower case, without accents."""
    plain = unicodedata.normalize("NFKD", text or "").encode("ascii", "ignore").decode("ascii")
    return re.findall(r"[0-9a-z]+", plain.lower())


def words_of(title: str, summary: str) -> str:
    return " ".join(dict.fromkeys(words(title) + words(summary)))  # each once, in order


def tags_of(theme_ids, location_ids) -> str:
    return " ".join([f"thema{i}" for i in sorted(theme_ids)] + [f"locatie{i}" for i in sorted(location_ids)])


def _matches(column, terms: list[str], *, prefix: bool):
    if db.session.get_bind().dialect.name == "postgresql":
        # The terms are [0-9a-z]+ only, so they cannot carry tsquery syntax.
        simple = sa.literal_column("'simple'")
        query = " & ".join(f"{t}:*" if prefix else t for t in terms)
        return sa.func.to_tsvector(simple, column).op("@@")(sa.func.to_tsquery(simple, query))
    padded = " " + column + " "
    return sa.and_(*(padded.like(f"% {t}%" if prefix else f"% {t} %") for t in terms))


def condition(words_column, tags_column, typed: str, *, theme_id: int | None = None, location_id: int | None = None):
    """The WHERE condition for a typed text, a theme and a location (None: nothing to filter)."""
    prefixes = words(typed)[:MAX_WORDS]
    if typed.strip() and not prefixes:
        return sa.false()  # typed, but nothing searchable ("%", "…"): nothing matches
    tags = ([f"thema{theme_id}"] if theme_id else []) + ([f"locatie{location_id}"] if location_id else [])
    parts = ([_matches(words_column, prefixes, prefix=True)] if prefixes else []) + (
        [_matches(tags_column, tags, prefix=False)] if tags else []
    )
    return sa.and_(*parts) if parts else None
