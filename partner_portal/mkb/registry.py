"""Importing MKB Assen's member file: upload, map the columns, preview, then confirm or cancel.

1. `upload` reads the CSV or XLSX (core/tables.py) and stages its rows in a `MemberImport`, with a
   column mapping to start from: the one staff chose last time for a file with the same headers,
   else one guessed from the header names.
2. `preview` checks every row against the mapping and compares the file with the registry: how
   many members are new, changed (which fields), unchanged and no longer in the file (to be ended),
   and every row error with its row number. Nothing in the registry changes.
3. `confirm` checks the file again against the registry as it is now and applies it in one
   transaction: it refuses when the file has errors (unless staff chose to import only the valid
   rows) or when the registry changed since the preview. Members are matched to partner
   organisations by KvK number. Importing the same file twice changes nothing the second time.
   `cancel` drops the staged rows.

Only the mapped fields are compared and written: a column the file does not have leaves what the
registry knows as it is. A member whose row has an error but a readable KvK number is not ended.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from partner_portal.core import audit, tables
from partner_portal.core.dates import parse_date
from partner_portal.core.errors import Conflict, OperationError
from partner_portal.core.models import utcnow
from partner_portal.extensions import db
from partner_portal.mkb.models import ImportStatus, MemberImport, MkbMember
from partner_portal.mkb.permissions import require_registry
from partner_portal.partners.models import Organisation, SectorGroup

MAX_UPLOAD_BYTES = 10 * 1024 * 1024
MAX_ROWS = 50_000  # members, the header not counted
MAX_ERRORS_KEPT = 1_000  # the preview lists this many row errors and counts the rest
EXAMPLES = 50  # the preview names this many new, changed and ended members


@dataclass(frozen=True)
class Field:
    name: str
    label: object
    headers: tuple[str, ...]  # header names (normalised: lower case letters and digits) it is guessed from
    max_length: int = 0
    required: bool = False


FIELDS: tuple[Field, ...] = (
    Field(
        "kvk_number",
        _l("KvK-nummer"),
        ("kvknummer", "kvk", "kvknr", "kamervankoophandel", "kvkinschrijving", "cocnumber"),
        required=True,
    ),
    Field("name", _l("Naam"), ("naam", "bedrijfsnaam", "organisatie", "handelsnaam", "lidnaam", "name"), 200),
    Field("member_number", _l("Lidnummer"), ("lidnummer", "lidnr", "relatienummer", "membernumber"), 30),
    Field("sector", _l("Sector"), ("sector", "sectorgroep", "branche", "sectorgroup")),
    Field("contact_name", _l("Contactpersoon"), ("contactpersoon", "naamcontactpersoon", "contact"), 120),
    Field(
        "contact_email",
        _l("E-mail contactpersoon"),
        ("emailcontactpersoon", "email", "emailadres", "mail", "contactemail"),
        254,
    ),
    Field("postcode", _l("Postcode"), ("postcode", "pc", "zipcode"), 10),
    Field("member_since", _l("Lid sinds"), ("lidsinds", "lidvanaf", "startlidmaatschap", "membersince")),
)
BY_NAME = {f.name: f for f in FIELDS}
# The registry's columns that the fields write (sector: the sector group's id).
COLUMNS = {"sector": "sector_group_id"}

_FORMULA = re.compile(r"^[=+@]|^-[^\d\s,.]")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def _normalised(header: str) -> str:
    return re.sub(r"[^a-z0-9]", "", header.lower())


def _megabytes(size: int) -> str:
    return f"{size // (1024 * 1024)} MB"


# Upload ------------------------------------------------------------------------------------------


def upload(actor, data: bytes, filename: str) -> MemberImport:
    """Stage an uploaded member file; nothing reaches the registry yet. Raises OperationError with the
    reason (empty, too large, not a table, too many rows, no members in it)."""
    require_registry(actor)
    if not data.strip():
        raise OperationError(_("Het bestand is leeg."))
    if len(data) > MAX_UPLOAD_BYTES:
        raise OperationError(
            _("Het bestand is groter dan %(limit)s; dat is het maximum.", limit=_megabytes(MAX_UPLOAD_BYTES))
        )
    rows = tables.read_table(data, filename, max_rows=MAX_ROWS + 1)
    rows = _without_trailing_blank_rows(rows)
    if not rows:
        raise OperationError(_("Het bestand is leeg."))
    headers = [cell.strip() for cell in rows[0]]
    if not any(headers):
        raise OperationError(_("De eerste rij van het bestand moet de kolomnamen bevatten."))
    if len(rows) < 2:
        raise OperationError(_("Het bestand bevat alleen kolomnamen en geen leden."))
    width = len(headers)
    body = [(row + [""] * width)[:width] for row in rows[1:]]
    member_import = MemberImport(
        filename=(filename or "ledenbestand")[:255],
        uploaded_by_id=actor.id,
        headers_json=json.dumps(headers),
        rows_json=json.dumps(body),
        mapping_json=json.dumps(suggested_mapping(headers)),
        row_count=len(body),
    )
    db.session.add(member_import)
    db.session.flush()
    return member_import


def _without_trailing_blank_rows(rows: list[list[str]]) -> list[list[str]]:
    while rows and not any(cell.strip() for cell in rows[-1]):
        rows = rows[:-1]
    return rows


def suggested_mapping(headers: list[str]) -> dict[str, int | None]:
    """The mapping of the last import of a file with these headers, else one guessed from their names."""
    previous = db.session.scalar(
        sa.select(MemberImport.mapping_json)
        .where(
            MemberImport.headers_json == json.dumps(headers),
            MemberImport.status.in_((ImportStatus.previewed, ImportStatus.imported)),
        )
        .order_by(MemberImport.uploaded_at.desc(), MemberImport.id.desc())
        .limit(1)
    )
    if previous:
        remembered = json.loads(previous)
        return {f.name: remembered.get(f.name) for f in FIELDS}
    normalised = [_normalised(h) for h in headers]
    mapping: dict[str, int | None] = dict.fromkeys((f.name for f in FIELDS), None)
    taken: set[int] = set()

    def guess(matches) -> None:
        for f in FIELDS:
            if mapping[f.name] is None:
                index = next((i for i, h in enumerate(normalised) if i not in taken and matches(f, h)), None)
                if index is not None:
                    mapping[f.name] = index
                    taken.add(index)

    # Exact names first ("e-mail contactpersoon" is the e-mail's), then names that contain one.
    guess(lambda f, h: h in f.headers)
    guess(lambda f, h: any(n in h for n in f.headers if len(n) > 3))
    return mapping


# Mapping and checking -------------------------------------------------------------------------------


def check_mapping(member_import: MemberImport, mapping: dict[str, int | None]) -> dict[str, str]:
    """Problems of a column mapping, per field name (empty when it is usable)."""
    problems: dict[str, str] = {}
    width = len(member_import.headers)
    if mapping.get("kvk_number") is None:
        problems["kvk_number"] = _("Kies de kolom met het KvK-nummer; daaraan worden de leden herkend.")
    used: dict[int, str] = {}
    for f in FIELDS:
        index = mapping.get(f.name)
        if index is None:
            continue
        if not 0 <= index < width:
            problems[f.name] = _("Kies een kolom uit het bestand.")
        elif index in used:
            problems[f.name] = _(
                "De kolom '%(column)s' is al gekozen voor '%(other)s'. Kies voor elk gegeven een eigen kolom.",
                column=member_import.headers[index] or str(index + 1),
                other=BY_NAME[used[index]].label,
            )
        else:
            used[index] = f.name
    return problems


@dataclass
class RowError:
    row: int  # as the spreadsheet numbers it: the header is row 1
    column: str
    message: str


@dataclass
class Plan:
    """What importing the file would do to the registry as it is now."""

    total_rows: int = 0
    new: list[dict] = field(default_factory=list)  # values of new members
    changed: list[tuple[int, dict, list[str]]] = field(default_factory=list)  # (member id, values, changed fields)
    unchanged: int = 0
    ended: list[tuple[int, str, str]] = field(default_factory=list)  # (member id, kvk, name) no longer in the file
    errors: list[RowError] = field(default_factory=list)
    error_count: int = 0
    rows_with_errors: int = 0

    def summary(self) -> dict:
        fields = Counter(name for _id, _values, names in self.changed for name in names)
        return {
            "rows": self.total_rows,
            "new": len(self.new),
            "changed": len(self.changed),
            "unchanged": self.unchanged,
            "ended": len(self.ended),
            "rows_with_errors": self.rows_with_errors,
            "error_count": self.error_count,
            "changed_fields": {
                name: fields[name] for name in [*(f.name for f in FIELDS), "member_again"] if fields[name]
            },
            "errors": [[e.row, e.column, e.message] for e in self.errors],
            "examples": {
                "new": [[v["kvk_number"], v.get("name", "")] for v in self.new[:EXAMPLES]],
                "changed": [[v["kvk_number"], v.get("name", ""), names] for _id, v, names in self.changed[:EXAMPLES]],
                "ended": [[kvk, name] for _id, kvk, name in self.ended[:EXAMPLES]],
            },
        }


def _kvk(text: str) -> tuple[str | None, str | None]:
    """(the KvK number, None) or (None, why it is not one)."""
    digits = re.sub(r"[\s.\-]", "", text)
    if not digits:
        return None, _("Het KvK-nummer ontbreekt.")
    if not digits.isdigit():
        return None, _("'%(value)s' is geen KvK-nummer: een KvK-nummer bestaat uit 8 cijfers.", value=text[:40])
    if len(digits) == 7:
        return None, _(
            "'%(value)s' heeft 7 cijfers; een KvK-nummer heeft er 8. Staat de kolom in Excel als getal "
            "opgemaakt? Dan valt een voorloopnul weg; maak de kolom tekst.",
            value=digits,
        )
    if len(digits) != 8:
        return None, _(
            "'%(value)s' heeft %(count)s cijfers; een KvK-nummer heeft er 8.", value=digits, count=len(digits)
        )
    return digits, None


def _sector_lookup() -> tuple[dict[str, int], list[str]]:
    groups = db.session.execute(sa.select(SectorGroup.id, SectorGroup.name, SectorGroup.slug)).all()
    lookup: dict[str, int] = {}
    for group_id, name, slug in groups:
        lookup[_normalised(name)] = group_id
        lookup[_normalised(slug)] = group_id
    return lookup, sorted(name for _id, name, _slug in groups)


def _read_row(row: list[str], mapping, sectors, sector_names) -> tuple[dict, list[tuple[str, str]]]:
    """The row's values by field, and its problems as (field label, message)."""
    values: dict = {}
    problems: list[tuple[str, str]] = []
    for f in FIELDS:
        index = mapping.get(f.name)
        if index is None:
            continue
        text = row[index].strip()
        label = str(f.label)
        if _FORMULA.match(text):
            problems.append(
                (label, _("De cel bevat een formule ('%(value)s'); vul de waarde zelf in.", value=text[:40]))
            )
            continue
        if f.max_length and len(text) > f.max_length:
            problems.append(
                (label, _("Hoogstens %(max)s tekens; deze cel heeft er %(count)s.", max=f.max_length, count=len(text)))
            )
            continue
        if f.name == "kvk_number":
            kvk, problem = _kvk(text)
            if problem:
                problems.append((label, problem))
            else:
                values["kvk_number"] = kvk
        elif f.name == "sector":
            if not text:
                values["sector_group_id"] = None
            elif _normalised(text) in sectors:
                values["sector_group_id"] = sectors[_normalised(text)]
            else:
                problems.append(
                    (
                        label,
                        _(
                            "Onbekende sector '%(value)s'. Bekend zijn: %(known)s.",
                            value=text[:60],
                            known=", ".join(sector_names),
                        ),
                    )
                )
        elif f.name == "contact_email":
            if text and not _EMAIL.match(text):
                problems.append((label, _("'%(value)s' is geen geldig e-mailadres.", value=text[:60])))
            else:
                values["contact_email"] = text.lower()
        elif f.name == "member_since":
            since = parse_date(text)
            if since is False:
                problems.append(
                    (label, _("'%(value)s' is geen datum; schrijf bijvoorbeeld 15-03-2019.", value=text[:40]))
                )
            else:
                values["member_since"] = since
        elif f.name == "postcode":
            values["postcode"] = re.sub(r"\s+", " ", text.upper())
        else:
            values[f.name] = text
    return values, problems


def _plan(member_import: MemberImport, mapping: dict[str, int | None]) -> Plan:
    sectors, sector_names = _sector_lookup()
    columns = ["kvk_number"] + [COLUMNS.get(f.name, f.name) for f in FIELDS if f.name != "kvk_number"]
    mapped = [COLUMNS.get(f.name, f.name) for f in FIELDS if mapping.get(f.name) is not None and f.name != "kvk_number"]
    existing = {
        row.kvk_number: row
        for row in db.session.execute(
            sa.select(MkbMember.id, MkbMember.ended_on, *(getattr(MkbMember, c) for c in columns))
        ).all()
    }
    plan = Plan(total_rows=member_import.row_count)
    seen: dict[str, int] = {}
    present: set[str] = set()
    for position, row in enumerate(member_import.rows):
        number = position + 2
        if not any(cell.strip() for cell in row):
            continue
        values, problems = _read_row(row, mapping, sectors, sector_names)
        kvk = values.get("kvk_number")
        if kvk is not None:
            present.add(kvk)
            if kvk in seen:
                problems.append(
                    (
                        str(BY_NAME["kvk_number"].label),
                        _("KvK-nummer %(kvk)s staat ook in rij %(row)s.", kvk=kvk, row=seen[kvk]),
                    )
                )
            else:
                seen[kvk] = number
        if problems:
            plan.rows_with_errors += 1
            for column, message in problems:
                plan.error_count += 1
                if len(plan.errors) < MAX_ERRORS_KEPT:
                    plan.errors.append(RowError(number, column, message))
            continue
        current = existing.get(kvk)
        if current is None:
            plan.new.append(values)
            continue
        changes = [name for name in mapped if values.get(name) != getattr(current, name)]
        if current.ended_on is not None:
            changes.append("ended_on")  # a member again
        if changes:
            plan.changed.append((current.id, values, [_field_name(c) for c in changes]))
        else:
            plan.unchanged += 1
    plan.ended = sorted(
        ((m.id, m.kvk_number, m.name) for kvk, m in existing.items() if m.ended_on is None and kvk not in present),
        key=lambda e: e[1],
    )
    return plan


def _field_name(column: str) -> str:
    return {"sector_group_id": "sector", "ended_on": "member_again"}.get(column, column)


def field_label(name: str) -> str:
    """How the preview names a changed field."""
    if name == "member_again":
        return _("weer lid")
    return str(BY_NAME[name].label)


# Imports are applied one at a time (two files with the same new KvK number would otherwise both
# insert it): PostgreSQL takes this transaction-level lock; SQLite serialises writers anyway.
_REGISTRY_LOCK = 0x4D4B42  # "MKB"


def _lock_registry(member_import: MemberImport) -> None:
    """Wait for any other import being applied, then read this import's status as it is now."""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(sa.text("SELECT pg_advisory_xact_lock(:k)"), {"k": _REGISTRY_LOCK})
    db.session.flush()  # this transaction's own changes first: the refresh reads the row back
    db.session.refresh(member_import)


def _open(member_import: MemberImport) -> None:
    if member_import.status in (ImportStatus.imported, ImportStatus.cancelled):
        raise Conflict(
            _("Dit bestand is al ingelezen.")
            if member_import.status == ImportStatus.imported
            else _("Dit bestand is geannuleerd; lees het opnieuw in.")
        )


def preview(actor, member_import: MemberImport, mapping: dict[str, int | None]) -> Plan:
    """Check the file with this mapping and keep the mapping and the preview's counts on the import.
    Raises OperationError when the mapping is unusable (the problems per field: `check_mapping`)."""
    require_registry(actor)
    _open(member_import)
    problems = check_mapping(member_import, mapping)
    if problems:
        raise OperationError(next(iter(problems.values())))
    plan = _plan(member_import, mapping)
    member_import.mapping_json = json.dumps({f.name: mapping.get(f.name) for f in FIELDS})
    member_import.summary_json = json.dumps(plan.summary())
    member_import.status = ImportStatus.previewed
    return plan


def _counts(summary: dict) -> tuple:
    return tuple(summary.get(k) for k in ("new", "changed", "unchanged", "ended", "rows_with_errors"))


def confirm(actor, member_import: MemberImport, *, only_valid: bool = False) -> dict[str, int]:
    """Apply a previewed file to the registry in this transaction; the counts of what changed.

    Refuses (OperationError, nothing changed) a file with errors unless `only_valid`, and (Conflict)
    a file whose check gives other counts than the preview staff saw: the registry changed meanwhile."""
    require_registry(actor)
    _lock_registry(member_import)
    _open(member_import)
    if member_import.status != ImportStatus.previewed:
        raise OperationError(_("Controleer het bestand eerst; kies daarvoor de kolommen."))
    plan = _plan(member_import, member_import.mapping)
    if plan.rows_with_errors and not only_valid:
        raise OperationError(
            _(
                "Het bestand heeft fouten in %(count)s rijen. Verbeter het bestand en lees het opnieuw in, "
                "of kies ervoor alleen de goede rijen in te lezen.",
                count=plan.rows_with_errors,
            )
        )
    if _counts(plan.summary()) != _counts(member_import.summary):
        raise Conflict(_("Het ledenregister is gewijzigd sinds de controle. Controleer het bestand opnieuw."))
    today = date.today()
    now = utcnow()
    mapped = [COLUMNS.get(f.name, f.name) for f in FIELDS if member_import.mapping.get(f.name) is not None]
    table = MkbMember.__table__
    if plan.new:
        defaults = {"name": "", "member_number": "", "contact_name": "", "contact_email": "", "postcode": ""}
        db.session.execute(
            table.insert(),
            [
                {
                    **defaults,
                    "sector_group_id": None,
                    "member_since": None,
                    **values,
                    "linked_by_hand": False,
                    "created_at": now,
                    "updated_at": now,
                    "version": 1,
                }
                for values in plan.new
            ],
        )
    if plan.changed:
        updated = [c for c in mapped if c != "kvk_number"]
        statement = (
            table.update()
            .where(table.c.id == sa.bindparam("member_id"))
            .values(
                {c: sa.bindparam(f"v_{c}") for c in updated}
                | {"ended_on": None, "contact_erased_at": None, "updated_at": now, "version": table.c.version + 1}
            )
        )
        db.session.execute(
            statement,
            [
                {"member_id": member_id, **{f"v_{c}": values.get(c) for c in updated}}
                for member_id, values, _n in plan.changed
            ],
        )
    if plan.ended:
        ids = [member_id for member_id, _kvk, _name in plan.ended]
        for start in range(0, len(ids), 1000):
            db.session.execute(
                table.update()
                .where(table.c.id.in_(ids[start : start + 1000]))
                .values(ended_on=today, updated_at=now, version=table.c.version + 1)
            )
    matched = match_organisations()
    db.session.expire_all()
    result = {
        "new": len(plan.new),
        "changed": len(plan.changed),
        "unchanged": plan.unchanged,
        "ended": len(plan.ended),
        "skipped": plan.rows_with_errors,
        "matched": matched,
    }
    member_import.status = ImportStatus.imported
    member_import.finished_at = now
    member_import.rows_json = "[]"  # the contact data lives in the registry now, not twice
    member_import.summary_json = json.dumps({**member_import.summary, "result": result})
    audit.record(actor, "mkb_member.import", member_import, to_state="imported", details=result)
    from partner_portal.mkb import privacy  # the erasure of ended members' contact data, due on every import

    privacy.erase_expired(actor, today)
    return result


def cancel(actor, member_import: MemberImport) -> None:
    """Drop a staged file: nothing of it reaches the registry."""
    require_registry(actor)
    _lock_registry(member_import)
    _open(member_import)
    member_import.status = ImportStatus.cancelled
    member_import.finished_at = utcnow()
    member_import.rows_json = "[]"


def match_organisations() -> int:
    """Link every member not linked by hand to the partner organisation with its KvK number (or to none);
    how many links changed. An organisation that staff linked by hand to another member is skipped."""
    table = MkbMember.__table__
    other = table.alias("linked_by_hand")
    by_hand = sa.select(other.c.organisation_id).where(other.c.linked_by_hand, other.c.organisation_id.is_not(None))
    organisation = (
        sa.select(Organisation.id)
        .where(Organisation.kvk_number == table.c.kvk_number, Organisation.id.not_in(by_hand))
        .scalar_subquery()
    )
    result = db.session.execute(
        table.update()
        .where(~table.c.linked_by_hand, table.c.organisation_id.is_distinct_from(organisation))
        .values(organisation_id=organisation)
    )
    return result.rowcount or 0
