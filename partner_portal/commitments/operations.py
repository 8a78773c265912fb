"""State changes of commitments: creating and editing the text (versions once open), opening,
closing and withdrawing, signing with a pledge (joint authority: co-signing), re-signing a newer
version, revoking, giving notice, and the threshold that makes a commitment binding exactly once.

Each operation checks permission and stage through the workflow table (commitments/workflow.py),
changes state, writes the audit event, queues notifications and flushes; the request commits once.

Concurrency. Every operation that changes what counts (sign, co-sign, re-sign, revoke, notice)
and every text change locks the commitment's row first (`lock_commitment`, SELECT ... FOR UPDATE
on PostgreSQL; SQLite serialises writers by itself), then re-reads the state and the current
version. So fifty signatures and a text change in the middle run one after the other: each
signature names the version that was current when it got the lock, and the threshold is checked
under the same lock, which makes "open → binding" happen exactly once. The unique constraint on
(commitment, organisation) is the last line against a double submit: its IntegrityError becomes
`AlreadySigned`, never a 500. The password is checked before the lock (argon2 takes tens of
milliseconds; holding the lock meanwhile would serialise the password checks too).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError

from partner_portal import notifications
from partner_portal.auth import passwords
from partner_portal.auth.models import User
from partner_portal.commitments import codes, permissions
from partner_portal.commitments.canonical import text_hash
from partner_portal.commitments.models import (
    STANDING_SIGNATURES,
    TITLE_MAX,
    Commitment,
    CommitmentOrganisation,
    CommitmentSector,
    CommitmentState,
    CommitmentTheme,
    CommitmentVersion,
    InvitedParties,
    PledgeKind,
    Signature,
    SignatureReceipt,
    SignatureState,
)
from partner_portal.commitments.workflow import COMMITMENT, reviewers, signers
from partner_portal.consultations.models import Consultation, FundingSource
from partner_portal.core import audit, workflow
from partner_portal.core.errors import Conflict, OperationError, PermissionDenied, check_version
from partner_portal.core.models import utcnow
from partner_portal.core.money import parse_euros
from partner_portal.extensions import db
from partner_portal.partners.models import Organisation, SectorGroup

S = CommitmentState
SS = SignatureState
TEXT_MAX = 50_000
NAME_MAX = 120
IN_KIND_MAX = 2000
HOURS_MAX = 100_000
AUTH_PASSWORD = "password"  # noqa: S105  the auth method recorded on a signature, not a secret
# A login at the person's identity provider counts as the step-up for signing this long (a fresh
# login: prompt=login, max_age=0, see sso/session.py); its level of assurance (acr) is recorded.
FRESH_LOGIN_SECONDS = 300


@dataclass(frozen=True)
class FreshLogin:
    """A login at the person's identity provider in this session: when, and at what level (acr)."""

    at: datetime
    acr: str | None = None


# Errors ----------------------------------------------------------------------------------------


class InvalidFields(OperationError):
    """The form's values are wrong: `errors` maps each field to its Dutch message; nothing was saved."""

    def __init__(self, errors: dict[str, str]):
        super().__init__(" ".join(errors.values()))
        self.errors = errors


class NotASigner(PermissionDenied):
    """The person may not sign for an organisation (a member, staff, or an archived organisation)."""


class NotInvited(PermissionDenied):
    """The person's organisation is not among the commitment's invited parties."""


class NotOpen(OperationError):
    """The commitment is not open for signing (draft, binding, closed, withdrawn)."""


class WrongPassword(OperationError):
    """The re-entered password does not match."""


class TextChanged(OperationError):
    """The version the form was shown with is no longer the current one. `current` is the number
    of the version to show, `seen` the number of the version whose hash was sent (None when the
    hash is of no version), so the page can show the diff between them."""

    def __init__(self, message: str, current: int, seen: int | None):
        super().__init__(message)
        self.current = current
        self.seen = seen


class InvalidPledge(InvalidFields):
    """The pledge is negative, not a number, of a kind the commitment does not allow, or toward a
    source of another consultation."""


class AlreadySigned(Conflict):
    """The organisation already signed (or a signature awaits its co-signer)."""


# Locking -----------------------------------------------------------------------------------------


def lock_commitment(commitment: Commitment) -> Commitment:
    """Lock the commitment's row until commit and re-read it (state, current version).

    PostgreSQL: SELECT ... FOR UPDATE, so operations that change what counts run one after the
    other. SQLite: a plain re-read; SQLite allows one writer at a time anyway."""
    locked = db.session.scalars(
        sa.select(Commitment)
        .where(Commitment.id == commitment.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one()
    # The collections the checks read must be current as well (another transaction's signature).
    db.session.expire(locked, ["signatures", "versions"])
    return locked


# Reading the form ---------------------------------------------------------------------------------


@dataclass
class CommitmentValues:
    title: str
    text: str
    theme_ids: list[int]
    invited: InvitedParties
    sector_ids: list[int]
    organisation_ids: list[int]
    threshold_organisations: int | None
    threshold_cents: int | None
    allows_money: bool
    allows_hours: bool
    allows_in_kind: bool


def _ids(text: str | None) -> list[int] | None:
    parts = [p.strip() for p in (text or "").split(",") if p.strip()]
    if not all(p.isdigit() and len(p) < 10 for p in parts):
        return None
    return sorted({int(p) for p in parts})


def _flag(value) -> bool:
    return str(value or "").strip().lower() in {"1", "on", "true", "ja", "y", "yes"}


def read_fields(consultation: Consultation, fields: dict[str, str]) -> CommitmentValues:
    """Check the edit form's fields; InvalidFields lists every problem.

    Fields (strings, as a form sends them): `title`, `text` (Markdown), `themes` ("1,4"),
    `invited` ("all", "sectors", "organisations") with `sectors` / `organisations` ("2,3"),
    `threshold_organisations` (a whole number or empty), `threshold` (an amount per year, typed
    as "€ 25.000", or empty), `allows_money`, `allows_hours`, `allows_in_kind` ("1" or empty)."""
    errors: dict[str, str] = {}
    title = (fields.get("title") or "").strip()
    if not title:
        errors["title"] = _("Geef de afspraak een titel.")
    elif len(title) > TITLE_MAX:
        errors["title"] = _("Titel: gebruik hoogstens %(max)d tekens.", max=TITLE_MAX)
    text = (fields.get("text") or "").strip()
    if len(text) > TEXT_MAX:
        errors["text"] = _("Tekst: gebruik hoogstens %(max)d tekens.", max=TEXT_MAX)

    theme_ids = _ids(fields.get("themes"))
    if theme_ids is None or not set(theme_ids) <= {t.id for t in consultation.themes}:
        errors["themes"] = _("Kies thema's van deze consultatie.")
        theme_ids = []

    try:
        invited = InvitedParties((fields.get("invited") or "all").strip())
    except ValueError:
        errors["invited"] = _("Kies wie mag ondertekenen.")
        invited = InvitedParties.all
    sector_ids = _ids(fields.get("sectors")) if invited == InvitedParties.sectors else []
    organisation_ids = _ids(fields.get("organisations")) if invited == InvitedParties.organisations else []
    if invited == InvitedParties.sectors:
        known = set(db.session.scalars(sa.select(SectorGroup.id).where(SectorGroup.id.in_(sector_ids or []))))
        if not sector_ids or set(sector_ids) - known:
            errors["sectors"] = _("Kies minstens één sectorgroep uit de lijst.")
    if invited == InvitedParties.organisations:
        known = set(
            db.session.scalars(
                sa.select(Organisation.id).where(Organisation.id.in_(organisation_ids or []), Organisation.is_active)
            )
        )
        if not organisation_ids or set(organisation_ids) - known:
            errors["organisations"] = _("Kies minstens één actieve organisatie uit de lijst.")

    threshold_organisations = None
    raw = (fields.get("threshold_organisations") or "").strip()
    if raw:
        if not raw.isdigit() or not 1 <= int(raw) <= 100_000:
            errors["threshold_organisations"] = _("Drempel: vul een aantal organisaties in van minstens 1.")
        else:
            threshold_organisations = int(raw)
    threshold_cents = None
    try:
        threshold_cents = parse_euros(fields.get("threshold"), _("Drempelbedrag"))
    except OperationError as exc:
        errors["threshold"] = exc.message
    if threshold_cents is not None and threshold_cents <= 0:
        errors["threshold"] = _("Drempelbedrag: vul een bedrag groter dan nul in.")
    allows_money = _flag(fields.get("allows_money"))
    if threshold_cents and not allows_money:
        errors["threshold"] = _("Een drempelbedrag kan alleen als organisaties geld kunnen toezeggen.")
    if errors:
        raise InvalidFields(errors)
    return CommitmentValues(
        title=title,
        text=text,
        theme_ids=theme_ids,
        invited=invited,
        sector_ids=sector_ids or [],
        organisation_ids=organisation_ids or [],
        threshold_organisations=threshold_organisations,
        threshold_cents=threshold_cents,
        allows_money=allows_money,
        allows_hours=_flag(fields.get("allows_hours")),
        allows_in_kind=_flag(fields.get("allows_in_kind")),
    )


def _sync(rows: list, wanted: list[int], attr: str, make) -> None:
    for row in [r for r in rows if getattr(r, attr) not in wanted]:
        rows.remove(row)
    present = {getattr(r, attr) for r in rows}
    rows.extend(make(i) for i in wanted if i not in present)


def _apply_settings(commitment: Commitment, values: CommitmentValues) -> None:
    commitment.invited = values.invited
    commitment.threshold_organisations = values.threshold_organisations
    commitment.threshold_cents = values.threshold_cents
    commitment.allows_money = values.allows_money
    commitment.allows_hours = values.allows_hours
    commitment.allows_in_kind = values.allows_in_kind
    _sync(commitment.themes, values.theme_ids, "theme_id", lambda i: CommitmentTheme(theme_id=i))
    _sync(
        commitment.invited_sectors, values.sector_ids, "sector_group_id", lambda i: CommitmentSector(sector_group_id=i)
    )
    _sync(
        commitment.invited_organisations,
        values.organisation_ids,
        "organisation_id",
        lambda i: CommitmentOrganisation(organisation_id=i),
    )


# Creating and editing -------------------------------------------------------------------------------


def create_commitment(actor, consultation: Consultation, fields: dict[str, str]) -> Commitment:
    """Start a commitment with version 1 of its text: the process manager's draft, or a sector
    coordinator's proposal (state proposed, for the sector group in `fields["group"]`, which may be
    left out by a person who coordinates one group) that the gemeente then accepts or declines.

    Precondition: the actor is a process manager (or administrator) or a sector coordinator; the
    consultation is published. Side effects: an audit event; for a proposal the moderators and
    process managers are told ("commitment_proposed"). Raises PermissionDenied, OperationError or
    InvalidFields (nothing saved)."""
    manager = permissions.is_process_manager(actor)
    groups = [] if manager else permissions.coordinated_group_ids(actor)
    if not manager and not groups:
        raise PermissionDenied(_("Alleen de procesmanager of een sectorcoördinator kan een afspraak opstellen."))
    if consultation.status != "published":
        raise OperationError(_("Deze consultatie loopt niet; er kan geen afspraak bij."))
    group_id = None
    if not manager:
        raw = (fields.get("group") or "").strip()
        group_id = groups[0] if not raw and len(groups) == 1 else (int(raw) if raw.isdigit() else None)
        if group_id not in groups:
            raise InvalidFields({"group": _("Kies de sectorgroep die u coördineert en namens wie u dit voorstelt.")})
    values = read_fields(consultation, fields)
    commitment = Commitment(
        consultation=consultation,
        title=values.title,
        text=values.text,
        created_by_id=actor.id,
        last_edited_by_id=actor.id,
        current_version=1,
    )
    if group_id is not None:
        commitment.state = S.proposed
        commitment.proposed_by_group_id = group_id
        commitment.proposed_at = utcnow()
    _apply_settings(commitment, values)
    commitment.versions.append(
        CommitmentVersion(
            number=1,
            title=values.title,
            text=values.text,
            text_hash=text_hash(values.title, values.text),
            created_by_id=actor.id,
        )
    )
    db.session.add(commitment)
    db.session.flush()
    if group_id is None:
        audit.record(actor, "commitment.create", commitment, consultation_id=consultation.id)
        return commitment
    audit.record(
        actor, "commitment.propose", commitment, consultation_id=consultation.id, details={"sector_group": group_id}
    )
    notifications.notify(
        "commitment_proposed",
        reviewers(commitment, actor),
        obj=commitment,
        actor=actor,
        context={"group": db.session.get(SectorGroup, group_id).name},
    )
    return commitment


def save_commitment(actor, commitment: Commitment, fields: dict[str, str], *, version) -> CommitmentVersion:
    """Save the title, text and settings (see `read_fields`); returns the current version.

    Precondition: the actor is the process manager (or, for a proposal, a coordinator of the
    proposing group); the commitment is proposed, a draft or open (never binding, closed, declined
    or withdrawn); `version` is the commitment's version the form was shown with.
    A proposal's or draft's text is rewritten in place (version 1 and its hash follow). On an open commitment
    a changed title or text is a new CommitmentVersion: earlier signatures become stale (they
    keep their version number and hash), stop counting, and their signers are mailed
    ("commitment_text_changed"); the pledge kinds and the threshold can no longer change
    (signers agreed to them). Side effects: audit event(s). Raises Conflict (stale version),
    OperationError / PermissionDenied (table), InvalidFields."""
    check_version(commitment, version)
    commitment = lock_commitment(commitment)
    check_version(commitment, version)
    workflow.require(actor, commitment, COMMITMENT, "edit")
    values = read_fields(commitment.consultation, fields)
    current = commitment.current
    changed_text = (values.title, values.text) != (current.title, current.text)
    if commitment.state == S.open and _settings_changed(commitment, values):
        raise InvalidFields(
            {
                "settings": _(
                    "Wie mag ondertekenen, de drempel en de soorten toezeggingen liggen vast zodra de afspraak "
                    "openstaat voor ondertekening."
                )
            }
        )
    commitment.title, commitment.text = values.title, values.text
    commitment.last_edited_by_id = actor.id
    commitment.updated_at = utcnow()
    stale: list[Signature] = []
    if commitment.state in (S.proposed, S.draft):
        _apply_settings(commitment, values)
        current.title, current.text = values.title, values.text
        current.text_hash = text_hash(values.title, values.text)
    elif changed_text:
        _sync(commitment.themes, values.theme_ids, "theme_id", lambda i: CommitmentTheme(theme_id=i))
        current = CommitmentVersion(
            number=commitment.current_version + 1,
            title=values.title,
            text=values.text,
            text_hash=text_hash(values.title, values.text),
            created_by_id=actor.id,
        )
        commitment.versions.append(current)
        commitment.current_version = current.number
        stale = [s for s in commitment.signatures if s.state in STANDING_SIGNATURES]
    else:
        _sync(commitment.themes, values.theme_ids, "theme_id", lambda i: CommitmentTheme(theme_id=i))
    workflow.flush_versioned()
    workflow.record_action(actor, commitment, COMMITMENT, "edit", details={"version": current.number})
    if stale:
        audit.record(
            actor,
            "commitment.new_version",
            commitment,
            is_public=commitment.is_public,
            consultation_id=commitment.consultation_id,
            details={"version": current.number, "hash": current.text_hash, "stale_signatures": len(stale)},
        )
        notifications.notify(
            "commitment_text_changed",
            _signers_of(stale),
            obj=commitment,
            actor=actor,
            context={"version": current.number},
        )
    return current


def _settings_changed(commitment: Commitment, values: CommitmentValues) -> bool:
    return (
        values.invited != commitment.invited
        or values.sector_ids != sorted(s.sector_group_id for s in commitment.invited_sectors)
        or values.organisation_ids != sorted(o.organisation_id for o in commitment.invited_organisations)
        or values.threshold_organisations != commitment.threshold_organisations
        or values.threshold_cents != commitment.threshold_cents
        or (values.allows_money, values.allows_hours, values.allows_in_kind)
        != (commitment.allows_money, commitment.allows_hours, commitment.allows_in_kind)
    )


def _signers_of(signatures: list[Signature]) -> list[User]:
    ids = {i for s in signatures for i in (s.signer_id, s.cosigner_id) if i is not None}
    if not ids:
        return []
    return db.session.scalars(sa.select(User).where(User.id.in_(ids), User.is_active)).all()


# Transitions ---------------------------------------------------------------------------------------


def take_step(actor, commitment: Commitment, name: str, *, version, reason: str = "") -> None:
    """Accept or decline a proposal (reason required), open, bind (without a threshold), close or
    withdraw (reason required, public): every rule comes from the table (commitments/workflow.py).
    Locks the commitment first, so a step and a signature do not cross. Raises Conflict,
    OperationError, PermissionDenied."""
    if COMMITMENT.transition(name) is None:
        raise OperationError(_("Deze stap bestaat niet."))
    check_version(commitment, version)
    commitment = lock_commitment(commitment)
    reason = (reason or "").strip()
    if name in ("close", "withdraw", "decline"):
        commitment.closing_reason = reason
    context = {"organisations": totals(commitment).organisations} if name == "bind" else None
    if name in ("accept", "decline"):
        context = {"accepted": name == "accept"}
    workflow.apply_transition(
        actor, commitment, COMMITMENT, name, version=version, reason=reason, notify_context=context
    )


def open_commitment(actor, commitment: Commitment, *, version) -> None:
    """draft → open (process manager; the consultation runs; title and text filled in)."""
    take_step(actor, commitment, "open", version=version)


def close_commitment(actor, commitment: Commitment, *, version, reason: str = "") -> None:
    """open → closed: signing ends without the commitment becoming binding."""
    take_step(actor, commitment, "close", version=version, reason=reason)


def withdraw_commitment(actor, commitment: Commitment, *, version, reason: str) -> None:
    """draft or open → withdrawn, with a required public reason."""
    take_step(actor, commitment, "withdraw", version=version, reason=reason)


# Signing -------------------------------------------------------------------------------------------


@dataclass
class Pledge:
    kind: PledgeKind
    cents: int | None = None
    funding_source_id: int | None = None
    hours: int | None = None
    in_kind: str = ""

    def details(self) -> dict:
        return {
            "kind": self.kind.value,
            "cents": self.cents,
            "funding_source_id": self.funding_source_id,
            "hours": self.hours,
            "in_kind": self.in_kind,
        }


def read_pledge(
    commitment: Commitment,
    *,
    kind: str | None = None,
    amount: str | None = None,
    funding_source_id: str | int | None = None,
    hours: str | None = None,
    in_kind: str | None = None,
) -> Pledge:
    """The pledge from the form's strings: `kind` ("none", "money", "hours", "in_kind"), `amount` per
    year typed as "€ 2.500", `funding_source_id`, `hours` per year, `in_kind` text. InvalidPledge
    (Dutch, per field) for a kind the commitment does not allow, an amount that is not a number,
    zero or negative, or a source that does not belong to the commitment's consultation."""
    try:
        pledge_kind = PledgeKind((kind or "none").strip())
    except ValueError:
        raise InvalidPledge({"pledge_kind": _("Kies een soort toezegging uit de lijst.")}) from None
    if not commitment.allows(pledge_kind):
        raise InvalidPledge(
            {
                "pledge_kind": _(
                    "Bij deze afspraak kunt u geen toezegging van deze soort doen (%(kind)s).", kind=pledge_kind.label
                )
            }
        )
    if pledge_kind == PledgeKind.money:
        try:
            cents = parse_euros(amount, _("Bedrag per jaar"))
        except OperationError as exc:
            raise InvalidPledge({"amount": exc.message}) from None
        if cents is None or cents <= 0:
            raise InvalidPledge({"amount": _("Bedrag per jaar: vul een bedrag groter dan nul in.")})
        source_id = str(funding_source_id or "").strip()
        source = db.session.get(FundingSource, int(source_id)) if source_id.isdigit() and len(source_id) < 10 else None
        if source is None or source.consultation_id != commitment.consultation_id:
            raise InvalidPledge(
                {"funding_source": _("Kies een financieringsbron van deze consultatie voor het toegezegde bedrag.")}
            )
        return Pledge(PledgeKind.money, cents=cents, funding_source_id=source.id)
    if pledge_kind == PledgeKind.hours:
        raw = (hours or "").strip().replace(".", "")
        if not raw.lstrip("-").isdigit():
            raise InvalidPledge({"hours": _("Uren per jaar: vul een heel aantal uren in.")})
        value = int(raw)
        if not 1 <= value <= HOURS_MAX:
            raise InvalidPledge({"hours": _("Uren per jaar: vul een aantal groter dan nul in.")})
        return Pledge(PledgeKind.hours, hours=value)
    if pledge_kind == PledgeKind.in_kind:
        text = (in_kind or "").strip()
        if not text or len(text) > IN_KIND_MAX:
            raise InvalidPledge(
                {
                    "in_kind": _(
                        "Beschrijf wat uw organisatie in natura bijdraagt (hoogstens %(max)d tekens).", max=IN_KIND_MAX
                    )
                }
            )
        return Pledge(PledgeKind.in_kind, in_kind=text)
    return Pledge(PledgeKind.none)


def _check_signer(actor, commitment: Commitment) -> None:
    """Who and where, in the order the messages make sense: a speaker, of an invited organisation,
    while open, in the signing stage."""
    if not permissions.speaks_for_organisation(actor):
        raise NotASigner(_("Alleen een tekenbevoegde of beheerder van een partnerorganisatie kan ondertekenen."))
    if not permissions.is_invited(actor, commitment):
        raise NotInvited(_("Uw organisatie is niet uitgenodigd om deze afspraak te ondertekenen."))
    if commitment.state != S.open:
        raise NotOpen(
            _(
                "Deze afspraak staat niet open voor ondertekening (status: %(state)s).",
                state=commitment.state.label,
            )
        )


def _check_password(actor, password: str | None, fresh_login: FreshLogin | None = None) -> str:
    """How the signer confirmed it is them: a fresh login at their provider (recorded as `sso:<acr>`),
    else their password. WrongPassword (Dutch) when neither holds."""
    if fresh_login is not None:
        age = (utcnow() - fresh_login.at).total_seconds()
        if 0 <= age <= FRESH_LOGIN_SECONDS:
            return f"sso:{fresh_login.acr or '-'}"[:60]
        if not password:
            raise WrongPassword(_("Uw inlog bij uw organisatie is te lang geleden. Log opnieuw in om te ondertekenen."))
    if not actor.password_hash or not passwords.verify_password(actor.password_hash, password or ""):
        raise WrongPassword(_("Het wachtwoord klopt niet. Vul uw eigen wachtwoord opnieuw in om te ondertekenen."))
    return AUTH_PASSWORD


def _check_current(commitment: Commitment, version_hash: str | None) -> CommitmentVersion:
    current = commitment.current
    if (version_hash or "").strip().lower() != current.text_hash:
        seen = next(
            (v.number for v in commitment.versions if v.text_hash == (version_hash or "").strip().lower()), None
        )
        raise TextChanged(
            _(
                "De tekst is gewijzigd sinds u deze pagina opende: nu geldt versie %(number)d. Lees de nieuwe "
                "tekst (de wijzigingen staan op de pagina) en onderteken die versie.",
                number=current.number,
            ),
            current.number,
            seen,
        )
    return current


def _typed(value: str | None, label: str) -> str:
    text = " ".join((value or "").split())
    if not text:
        raise InvalidFields({label: _("Vul uw naam en uw functie in zoals ze op de handtekening komen.")})
    if len(text) > NAME_MAX:
        raise InvalidFields({label: _("Gebruik hoogstens %(max)d tekens.", max=NAME_MAX)})
    return text


def _already_signed() -> AlreadySigned:
    return AlreadySigned(
        _(
            "Uw organisatie heeft deze afspraak al ondertekend (of een handtekening wacht op de tweede "
            "ondertekenaar). Een organisatie ondertekent één keer."
        )
    )


def _new_code() -> str:
    """A code no signature or receipt has (a clash at 80 bits is astronomically rare; checked anyway)."""
    while True:
        code = codes.new_code()
        taken = db.session.scalar(
            sa.select(Signature.id).where(Signature.verification_code == code)
        ) or db.session.scalar(sa.select(SignatureReceipt.id).where(SignatureReceipt.verification_code == code))
        if not taken:
            return code


def _apply_pledge(signature: Signature, pledge: Pledge) -> None:
    signature.pledge_kind = pledge.kind
    signature.pledge_cents = pledge.cents
    signature.funding_source_id = pledge.funding_source_id
    signature.pledge_hours = pledge.hours
    signature.pledge_in_kind = pledge.in_kind


def _clear_cosigner(signature: Signature) -> None:
    signature.cosigner_id = None
    signature.cosigner_name = signature.cosigner_function = signature.cosigner_auth_method = ""
    signature.cosigned_at = None


def _keep_receipt(signature: Signature) -> None:
    """Keep what the signature said so far (its code still verifies, marked superseded)."""
    signature.receipts.append(
        SignatureReceipt(
            verification_code=signature.verification_code,
            version_number=signature.version_number,
            version_hash=signature.version_hash,
            signer_name=signature.signer_name,
            signer_function=signature.signer_function,
            cosigner_name=signature.cosigner_name,
            cosigner_function=signature.cosigner_function,
            signed_at=signature.signed_at,
            state=signature.state,
        )
    )


def _fill(
    signature: Signature, actor, version: CommitmentVersion, *, name: str, function: str, auth: str, pledge: Pledge
) -> None:
    with db.session.no_autoflush:  # the new row is complete only at the end
        _fill_unflushed(signature, actor, version, name=name, function=function, auth=auth, pledge=pledge)


def _fill_unflushed(
    signature: Signature, actor, version: CommitmentVersion, *, name: str, function: str, auth: str, pledge: Pledge
) -> None:
    now = utcnow()
    organisation = actor.organisation
    signature.organisation_name = organisation.name
    signature.organisation_kvk = organisation.kvk_number
    signature.signer_id = actor.id
    signature.signer_name = name
    signature.signer_function = function
    signature.auth_method = auth
    signature.signed_at = now
    signature.version_number = version.number
    signature.version_hash = version.text_hash
    signature.verification_code = _new_code()
    signature.revoked_at = signature.noticed_at = None
    signature.ended_reason = ""
    _clear_cosigner(signature)
    _apply_pledge(signature, pledge)
    if organisation.joint_authority:
        signature.state = SS.pending_second
        signature.completed_at = None
    else:
        signature.state = SS.complete
        signature.completed_at = now


def _flush_signature() -> None:
    """Flush in a savepoint: a concurrent double submit that slipped past the lock (or a second
    row for the organisation) hits the unique constraint and becomes AlreadySigned."""
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError as exc:
        raise _already_signed() from exc


def sign(
    actor,
    commitment: Commitment,
    *,
    password: str,
    version_hash: str,
    signer_name: str,
    function: str,
    pledge_kind: str = "none",
    amount: str | None = None,
    funding_source_id: str | int | None = None,
    hours: str | None = None,
    in_kind: str | None = None,
    fresh_login: FreshLogin | None = None,
) -> Signature:
    """Sign the current version for the actor's organisation, with an optional pledge.

    Checks, in this order, each with its own error and a Dutch message: the actor is a
    signatory or organisation admin (NotASigner) of an invited organisation (NotInvited); the
    commitment is open (NotOpen) and the consultation's current stage opens signing
    (OperationError); the password, or a `fresh_login` at the person's identity provider of at most
    FRESH_LOGIN_SECONDS ago (WrongPassword; `auth_method` "password" or "sso:<acr>"); then, under the
    commitment's row lock, the state again, `version_hash` is the current version's (TextChanged,
    with the current version for the diff), the signer's typed name and function
    (InvalidFields), the pledge (InvalidPledge), and that the organisation has no standing
    signature (AlreadySigned; also from the unique constraint). An organisation whose
    signature was revoked signs again on the same row (the old receipt is kept).

    Joint authority: the signature is `pending_second` and counts once a second, different
    signatory co-signs (`cosign`). Otherwise it is complete and counts at once, and the
    threshold is checked (`check_threshold`). Side effects: the signature, an audit event on
    the commitment (public), possibly the binding. Returns the signature."""
    _check_signer(actor, commitment)
    workflow.require(actor, commitment, COMMITMENT, "sign")
    auth = _check_password(actor, password, fresh_login)
    commitment = lock_commitment(commitment)
    _check_signer(actor, commitment)
    workflow.require(actor, commitment, COMMITMENT, "sign")
    version = _check_current(commitment, version_hash)
    name, role = _typed(signer_name, "signer_name"), _typed(function, "function")
    pledge = read_pledge(
        commitment, kind=pledge_kind, amount=amount, funding_source_id=funding_source_id, hours=hours, in_kind=in_kind
    )
    existing = db.session.scalar(
        sa.select(Signature).where(
            Signature.commitment_id == commitment.id, Signature.organisation_id == actor.organisation_id
        )
    )
    if existing is not None and existing.is_standing:
        raise _already_signed()
    if existing is not None:
        _keep_receipt(existing)
        signature = existing
    else:
        # By id, not through the relationship: the locked commitment's collection is expired.
        signature = Signature(commitment_id=commitment.id, organisation_id=actor.organisation_id)
        db.session.add(signature)
    _fill(signature, actor, version, name=name, function=role, auth=auth, pledge=pledge)
    _flush_signature()
    _record(actor, commitment, "sign", signature)
    check_threshold(actor, commitment)
    return signature


def cosign(
    actor,
    signature: Signature,
    *,
    password: str,
    version_hash: str,
    signer_name: str,
    function: str,
    fresh_login: FreshLogin | None = None,
) -> Signature:
    """The second signatory of a joint-authority organisation completes its signature.

    Precondition: the signature is `pending_second`, of the actor's organisation, on the current
    version, and `version_hash` is that version's hash; the actor is a different person than the
    first signer. Refusals as in `sign` (NotASigner, NotInvited, NotOpen, stage, WrongPassword,
    TextChanged: a pending signature on an earlier version must be signed again with `resign`),
    plus OperationError for the same person twice or a signature that awaits nobody. Side
    effects: the signature counts, an audit event, the threshold is checked."""
    commitment = signature.commitment
    _check_signer(actor, commitment)
    workflow.require(actor, commitment, COMMITMENT, "cosign")
    if signature.organisation_id != actor.organisation_id:
        raise PermissionDenied(_("U kunt alleen meetekenen voor uw eigen organisatie."))
    auth = _check_password(actor, password, fresh_login)
    commitment = lock_commitment(commitment)
    db.session.refresh(signature)
    _check_signer(actor, commitment)
    workflow.require(actor, commitment, COMMITMENT, "cosign")
    if signature.state != SS.pending_second:
        raise OperationError(_("Deze handtekening wacht niet op een tweede ondertekenaar."))
    if signature.signer_id == actor.id:
        raise OperationError(
            _("U hebt zelf al getekend. Een tweede, andere tekenbevoegde van uw organisatie moet meetekenen.")
        )
    version = _check_current(commitment, version_hash)
    if signature.version_number != version.number:
        raise TextChanged(
            _(
                "De eerste handtekening is gezet op een eerdere versie van de tekst. Onderteken eerst opnieuw "
                "(versie %(number)d); daarna kan de tweede ondertekenaar meetekenen.",
                number=version.number,
            ),
            version.number,
            signature.version_number,
        )
    now = utcnow()
    signature.cosigner_id = actor.id
    signature.cosigner_name = _typed(signer_name, "signer_name")
    signature.cosigner_function = _typed(function, "function")
    signature.cosigner_auth_method = auth
    signature.cosigned_at = now
    signature.state = SS.complete
    signature.completed_at = now
    db.session.flush()
    _record(actor, commitment, "cosign", signature)
    check_threshold(actor, commitment)
    return signature


def resign(
    actor,
    signature: Signature,
    *,
    password: str,
    version_hash: str,
    signer_name: str | None = None,
    function: str | None = None,
    pledge_kind: str | None = None,
    amount: str | None = None,
    funding_source_id: str | int | None = None,
    hours: str | None = None,
    in_kind: str | None = None,
    fresh_login: FreshLogin | None = None,
) -> Signature:
    """Sign the current version again for a stale signature (signed on an earlier version): one
    step with the password, keeping the pledge and the typed name and function unless new ones
    are given.

    The row moves to the current version with a new verification code; the old code, version
    and signer stay in a SignatureReceipt (still verifiable, marked superseded) and in the audit
    trail. With joint authority it waits for a co-signer again. Refusals as in `sign`, plus
    OperationError when the signature is not stale (already on the current version) or was
    revoked (sign again with `sign`). Side effects: audit event, threshold check."""
    commitment = signature.commitment
    _check_signer(actor, commitment)
    workflow.require(actor, commitment, COMMITMENT, "resign")
    if signature.organisation_id != actor.organisation_id:
        raise PermissionDenied(_("U kunt alleen opnieuw ondertekenen voor uw eigen organisatie."))
    auth = _check_password(actor, password, fresh_login)
    commitment = lock_commitment(commitment)
    db.session.refresh(signature)
    _check_signer(actor, commitment)
    workflow.require(actor, commitment, COMMITMENT, "resign")
    if not signature.is_standing:
        raise OperationError(_("Deze handtekening is ingetrokken; onderteken de afspraak opnieuw."))
    version = _check_current(commitment, version_hash)
    if signature.version_number == version.number:
        raise OperationError(_("Uw organisatie heeft de huidige versie al ondertekend."))
    name = _typed(signer_name if signer_name is not None else signature.signer_name, "signer_name")
    role = _typed(function if function is not None else signature.signer_function, "function")
    if pledge_kind is None:
        pledge = Pledge(
            signature.pledge_kind,
            cents=signature.pledge_cents,
            funding_source_id=signature.funding_source_id,
            hours=signature.pledge_hours,
            in_kind=signature.pledge_in_kind,
        )
    else:
        pledge = read_pledge(
            commitment,
            kind=pledge_kind,
            amount=amount,
            funding_source_id=funding_source_id,
            hours=hours,
            in_kind=in_kind,
        )
    previous = {
        "version": signature.version_number,
        "hash": signature.version_hash,
        "code": signature.verification_code,
    }
    _keep_receipt(signature)
    _fill(signature, actor, version, name=name, function=role, auth=auth, pledge=pledge)
    _flush_signature()
    _record(actor, commitment, "resign", signature, previous=previous)
    check_threshold(actor, commitment)
    return signature


def _end(actor, signature: Signature, action: str, reason: str, *, state: SignatureState, column: str) -> Signature:
    commitment = signature.commitment
    if not permissions.speaks_for_organisation(actor) or signature.organisation_id != actor.organisation_id:
        raise PermissionDenied(
            _("Alleen een tekenbevoegde of beheerder van de ondertekenende organisatie kan dit doen.")
        )
    commitment = lock_commitment(commitment)
    db.session.refresh(signature)
    workflow.require(actor, commitment, COMMITMENT, action)
    if not signature.is_standing:
        raise OperationError(_("Deze handtekening is al ingetrokken of opgezegd."))
    reason = (reason or "").strip()
    if not reason:
        raise OperationError(_("Geef een reden op; die staat openbaar bij de handtekening."))
    if len(reason) > workflow.REASON_MAX_LENGTH:
        raise OperationError(_("Gebruik hoogstens %(max)d tekens voor de reden.", max=workflow.REASON_MAX_LENGTH))
    signature.state = state
    setattr(signature, column, utcnow())
    signature.ended_reason = reason
    db.session.flush()
    _record(actor, commitment, action, signature, reason=reason)
    return signature


def revoke(actor, signature: Signature, reason: str) -> Signature:
    """Revoke the organisation's signature while the commitment is open, with a public reason.

    The row stays (state revoked, date and reason); it no longer counts. The organisation can
    sign again later (`sign` reuses the row). Raises PermissionDenied (not a speaker of that
    organisation), OperationError (not open, no reason, already ended)."""
    return _end(actor, signature, "revoke", reason, state=SS.revoked, column="revoked_at")


def give_notice(actor, signature: Signature, reason: str) -> Signature:
    """Give notice (opzeggen) after the commitment became binding, with a reason shown publicly
    with the date. The commitment stays binding. Raises as `revoke`."""
    return _end(actor, signature, "give_notice", reason, state=SS.noticed, column="noticed_at")


def _record(actor, commitment: Commitment, action: str, signature: Signature, *, reason: str = "", previous=None):
    details = {
        "signature": signature.id,
        "organisation": signature.organisation_name,
        "version": signature.version_number,
        "hash": signature.version_hash,
        "state": signature.state.value,
        "code": signature.verification_code,
    }
    if action in ("sign", "resign"):
        details["pledge"] = {
            "kind": signature.pledge_kind.value,
            "cents": signature.pledge_cents,
            "funding_source_id": signature.funding_source_id,
            "hours": signature.pledge_hours,
            "in_kind": signature.pledge_in_kind,
        }
        details["auth_method"] = signature.auth_method
    if previous:
        details["previous"] = previous
    row = COMMITMENT.action(action)
    audit.record(
        actor,
        row.audit_name(COMMITMENT),
        commitment,
        reason=reason,
        is_public=row.public_for(commitment),
        organisation_id=signature.organisation_id,
        consultation_id=commitment.consultation_id,
        details=details,
    )


# The threshold --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Totals:
    """What a commitment's page shows: counted organisations (complete, current version), their
    money and hours per year, the stale signatures (earlier version), and those awaiting a
    co-signer."""

    organisations: int
    cents_per_year: int
    hours_per_year: int
    stale: int
    pending: int


def totals_of(commitment_ids: list[int]) -> dict[int, Totals]:
    """The totals of each commitment (see Totals) in one grouped query: counted = complete and on
    the commitment's current version."""
    if not commitment_ids:
        return {}
    current = Signature.version_number == Commitment.current_version
    counted = sa.and_(Signature.state == SS.complete, current)
    standing = Signature.state.in_(STANDING_SIGNATURES)
    rows = db.session.execute(
        sa.select(
            Signature.commitment_id,
            sa.func.count().filter(counted),
            sa.func.coalesce(sa.func.sum(Signature.pledge_cents).filter(counted), 0),
            sa.func.coalesce(sa.func.sum(Signature.pledge_hours).filter(counted), 0),
            sa.func.count().filter(sa.and_(standing, sa.not_(current))),
            sa.func.count().filter(sa.and_(Signature.state == SS.pending_second, current)),
        )
        .join(Commitment, Commitment.id == Signature.commitment_id)
        .where(Signature.commitment_id.in_(commitment_ids))
        .group_by(Signature.commitment_id)
    ).all()
    found = {row[0]: Totals(*(int(v) for v in row[1:])) for row in rows}
    return {i: found.get(i, Totals(0, 0, 0, 0, 0)) for i in commitment_ids}


def totals(commitment: Commitment) -> Totals:
    """The commitment's totals (totals_of for one)."""
    return totals_of([commitment.id])[commitment.id]


def threshold_reached(commitment: Commitment, counted: Totals | None = None) -> bool:
    """Every threshold that is set is met (organisations and/or money); False without a threshold."""
    if not commitment.has_threshold:
        return False
    counted = counted or totals(commitment)
    if commitment.threshold_organisations is not None and counted.organisations < commitment.threshold_organisations:
        return False
    return not (commitment.threshold_cents is not None and counted.cents_per_year < commitment.threshold_cents)


def check_threshold(actor, commitment: Commitment) -> bool:
    """After a change in what counts, under the commitment's row lock (the caller holds it): when
    the commitment is open and its threshold is reached, it becomes binding, once: `bound_at`, one
    public audit event ("commitment.bind", with the totals) and one notification round
    ("commitment_binding" to everyone who signed). Returns whether it became binding now."""
    if commitment.state != S.open:
        return False
    counted = totals(commitment)
    if not threshold_reached(commitment, counted):
        return False
    row = COMMITMENT.transition("bind")
    commitment.state = S.binding
    commitment.bound_at = utcnow()
    workflow.flush_versioned()
    audit.record(
        actor,
        row.audit_name(COMMITMENT),
        commitment,
        from_state=S.open.value,
        to_state=S.binding.value,
        is_public=True,
        consultation_id=commitment.consultation_id,
        details={
            "threshold": True,
            "organisations": counted.organisations,
            "cents_per_year": counted.cents_per_year,
            "version": commitment.current_version,
        },
    )
    notifications.notify(
        "commitment_binding",
        signers(commitment, None),
        obj=commitment,
        actor=None,
        context={"organisations": counted.organisations},
    )
    return True


# Reading, for the pages ----------------------------------------------------------------------------


def signatures_of(commitment: Commitment) -> list[Signature]:
    """Every signature, for the commitment's page: standing ones on the current version first
    (complete before awaiting a co-signer, oldest first), then stale ones (earlier versions,
    newest version first), then revoked and noticed ones."""
    current = Signature.version_number == commitment.current_version
    standing = Signature.state.in_(STANDING_SIGNATURES)
    order = sa.case(
        (sa.and_(standing, current, Signature.state == SS.complete), 0),
        (sa.and_(standing, current), 1),
        (standing, 2),
        else_=3,
    )
    return db.session.scalars(
        sa.select(Signature)
        .where(Signature.commitment_id == commitment.id)
        .order_by(order, Signature.version_number.desc(), Signature.signed_at, Signature.id)
    ).all()


def signed_by_organisation(organisation_id: int) -> list[Signature]:
    """What an organisation signed (every commitment, any state of the signature), newest first,
    with the commitment loaded (for the organisation's page)."""
    return db.session.scalars(
        sa.select(Signature)
        .where(Signature.organisation_id == organisation_id)
        .options(sa.orm.joinedload(Signature.commitment))
        .order_by(Signature.signed_at.desc(), Signature.id.desc())
    ).all()


@dataclass(frozen=True)
class Verification:
    """What /verificatie shows for a code: the signature and the receipt the code belongs to.

    For a current code the receipt fields are the signature's; for a superseded one (the
    organisation signed again) they are the earlier receipt's, with `superseded_at` set."""

    signature: Signature
    code: str
    version_number: int
    version_hash: str
    title: str
    signer_name: str
    signer_function: str
    cosigner_name: str
    cosigner_function: str
    signed_at: datetime
    state: SignatureState
    superseded_at: datetime | None

    @property
    def is_current_version(self) -> bool:
        """The version this code was issued for is still the commitment's current one."""
        return self.version_number == self.signature.commitment.current_version


def verify_code(text: str | None) -> Verification | None:
    """The signature receipt a typed code belongs to (normalised, see codes.normalise_code), or
    None for a malformed or unknown code: the page says "niet gevonden" either way."""
    code = codes.normalise_code(text)
    if code is None:
        return None
    signature = db.session.scalar(sa.select(Signature).where(Signature.verification_code == code))
    if signature is not None:
        receipt, superseded = signature, None
    else:
        receipt = db.session.scalar(sa.select(SignatureReceipt).where(SignatureReceipt.verification_code == code))
        if receipt is None:
            return None
        signature, superseded = receipt.signature, receipt.superseded_at
    version = next((v for v in signature.commitment.versions if v.number == receipt.version_number), None)
    return Verification(
        signature=signature,
        code=code,
        version_number=receipt.version_number,
        version_hash=receipt.version_hash,
        title=version.title if version is not None else signature.commitment.title,
        signer_name=receipt.signer_name,
        signer_function=receipt.signer_function,
        cosigner_name=receipt.cosigner_name,
        cosigner_function=receipt.cosigner_function,
        signed_at=receipt.signed_at,
        state=receipt.state,
        superseded_at=superseded,
    )


def find_by_code(text: str | None) -> Signature | None:
    """The signature a verification code (current or superseded) belongs to, or None."""
    found = verify_code(text)
    return found.signature if found is not None else None


def pledged_column(source_id):
    """The money per year pledged toward the source `source_id` (a column or value) by complete
    signatures on the current version of open or binding commitments, as a scalar subquery (the
    programme page's "toegezegd", never counted as granted)."""
    return (
        sa.select(sa.func.coalesce(sa.func.sum(Signature.pledge_cents), 0))
        .join(Commitment, Commitment.id == Signature.commitment_id)
        .where(
            Signature.funding_source_id == source_id,
            Commitment.state.in_((S.open, S.binding)),
            Signature.state == SS.complete,
            Signature.version_number == Commitment.current_version,
            Signature.pledge_kind == PledgeKind.money,
        )
        .scalar_subquery()
    )


def pledged_private_cents(consultation_id: int) -> dict[int, int]:
    """Per funding source of the consultation with pledges: the money per year pledged (pledged_column)."""
    pledged = pledged_column(FundingSource.id)
    rows = db.session.execute(
        sa.select(FundingSource.id, pledged).where(FundingSource.consultation_id == consultation_id)
    ).all()
    return {source_id: int(total) for source_id, total in rows if total}


# Endorsing (the endorsements feature's rule for this kind) ----------------------------------------


def check_endorse(actor, commitment: Commitment) -> None:
    """The table's "endorse" row: an open or binding commitment; a signatory or admin of a partner
    organisation (invited or not: support is not a signature). Whether the organisation already
    endorsed it is the endorsements feature's check."""
    row = COMMITMENT.action("endorse")
    if commitment.state not in row.sources:
        raise OperationError(
            _("Alleen een convenant dat open staat voor ondertekening of bindend is, kan worden onderschreven.")
        )
    if not row.permits(actor, commitment):
        raise PermissionDenied(_("Alleen tekenbevoegden en beheerders van partnerorganisaties kunnen onderschrijven."))
    reason = row.refusal(actor, commitment)
    if reason:
        raise OperationError(reason)


def record_endorsement(actor, commitment: Commitment, details: dict) -> None:
    workflow.record_action(actor, commitment, COMMITMENT, "endorse", details=details)
