"""Three-way merge of a form's fields, for two people editing the same text at once.

`base` is what the editor saw when they opened the form, `mine` what they send, `theirs` what
is stored now (someone saved in between). Per field: a field only one side changed takes that
side's value without asking; a field both changed to the same value is no conflict; a field both
changed differently is a conflict, and only those are shown to the person (both texts side by
side). Values are compared as submitted (strings; None counts as "").
"""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from partner_portal.core.errors import Conflict


@dataclass(frozen=True)
class Merge:
    values: dict[str, str]  # the merged values; for a conflict: mine (what the person typed stays)
    conflicts: list[str] = field(default_factory=list)  # fields both sides changed differently
    theirs_changed: list[str] = field(default_factory=list)  # fields taken from the other side


def _norm(value) -> str:
    return "" if value is None else str(value)


def three_way(base: Mapping[str, object] | None, mine: Mapping[str, object], theirs: Mapping[str, object]) -> Merge:
    """Merge `mine` onto `theirs` field by field, relative to `base` (every key of `mine`).

    Without a base (a form that did not send one) nothing is known to be unchanged: every field
    in which the two sides differ is a conflict."""
    values, conflicts, taken = {}, [], []
    for key, mine_value in mine.items():
        m, t = _norm(mine_value), _norm(theirs.get(key))
        b = _norm(base.get(key)) if base is not None else None
        if t == b:  # only this person changed it (or nobody did)
            values[key] = m
        elif m == b:  # only the other side changed it
            values[key] = t
            taken.append(key)
        elif m == t:  # both made the same change
            values[key] = t
        else:
            values[key] = m
            conflicts.append(key)
    return Merge(values, conflicts, taken)


def encode(values: Mapping[str, object]) -> str:
    """The base as a hidden form field: the fields' values as the form was rendered."""
    return json.dumps({k: _norm(v) for k, v in values.items()}, ensure_ascii=False, sort_keys=True)


def decode(text: str | None) -> dict[str, str] | None:
    """The base sent back by the form, or None when absent or not a flat object of strings."""
    if not text:
        return None
    try:
        data = json.loads(text)
    except ValueError:
        return None
    if not isinstance(data, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in data.items()):
        return None
    return data


def word_diff(old: str, new: str) -> list[tuple[str, str]]:
    """The words of `new` against `old` as (kind, text) runs: "equal", "delete" (only in old) and
    "insert" (only in new), so a page can show what differs between two versions of a field."""
    a, b = re.findall(r"\S+|\s+", old or ""), re.findall(r"\S+|\s+", new or "")
    runs: list[tuple[str, str]] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes():
        if op == "equal":
            runs.append(("equal", "".join(a[i1:i2])))
            continue
        if op in ("delete", "replace"):
            runs.append(("delete", "".join(a[i1:i2])))
        if op in ("insert", "replace"):
            runs.append(("insert", "".join(b[j1:j2])))
    return runs


class EditConflict(Conflict):
    """Someone saved the same form meanwhile and changed some of the same fields differently.

    `merge.conflicts` names exactly those fields; `merge.values` holds everything else merged
    (and, for the conflicts, what this person typed); `theirs` is what is stored now.
    """

    def __init__(self, message: str, result: Merge, theirs: dict[str, str]):
        super().__init__(message)
        self.merge = result
        self.theirs = theirs


def is_stale(record, version) -> bool:
    """Was the form posted on another version than the one stored (or without a readable one)?"""
    try:
        return int(version) != record.version
    except (TypeError, ValueError):
        return True


def merged_save(record, version, base, mine: dict[str, str], theirs: dict[str, str], message: str):
    """What to save from a form posted on `version` of `record`: (values, version, fields taken).

    On the current version: `mine` as it is. On a stale one (someone saved in between), the
    fields merged three ways against `base`, the form as first shown: what only the other person
    changed is kept, what only this person changed is saved, and fields both changed differently
    stop the save (EditConflict with `message`, naming exactly those).
    """
    if not is_stale(record, version):
        return mine, version, []
    result = three_way(base, mine, theirs)
    if result.conflicts:
        raise EditConflict(message, result, theirs)
    return result.values, record.version, result.theirs_changed
