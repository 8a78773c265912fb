"""Commitments (convenanten), their versions and the organisations' signatures.

A commitment's text is versioned: `Commitment.current_version` names the `CommitmentVersion`
that is signed now; each version stores the SHA-256 hash of its canonical text
(commitments/canonical.py). A signature names the version it signed (number and hash), so a
signature on an earlier version stays visible as "stale" and does not count.

One `Signature` row per (commitment, organisation), enforced by a unique constraint: a double
submit or two signatories of one organisation racing each other end in one row. Re-signing (a
new version, or again after revoking) updates that row; what it said before is kept, append
only, in `SignatureReceipt` (each earlier verification code with its version and signer, so an
old receipt still verifies and shows it was superseded) and in the audit trail.
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy import orm as so
from werkzeug.routing import BuildError

from partner_portal.core.models import TimestampMixin, UTCDateTime, VersionedMixin, enum_check, utcnow
from partner_portal.core.urls import external_url
from partner_portal.extensions import db

if TYPE_CHECKING:
    from partner_portal.auth.models import User
    from partner_portal.consultations.models import Consultation, FundingSource, Theme
    from partner_portal.endorsements.models import Endorsement
    from partner_portal.partners.models import Organisation, SectorGroup

TITLE_MAX = 200
CODE_LENGTH = 19  # XXXX-XXXX-XXXX-XXXX


class _Labelled(enum.StrEnum):
    @property
    def label(self) -> str:
        return str(LABELS[type(self), self.value])


class CommitmentState(_Labelled):
    """Where a commitment is in its workflow (see commitments/workflow.py). A sector coordinator's
    proposal starts as `proposed` and becomes the gemeente's draft once accepted, or `declined`."""

    proposed = "proposed"
    draft = "draft"
    open = "open"
    binding = "binding"
    closed = "closed"
    declined = "declined"
    withdrawn = "withdrawn"


class InvitedParties(_Labelled):
    """Who may sign: every partner organisation, those of chosen sector groups, or chosen ones."""

    all = "all"
    sectors = "sectors"
    organisations = "organisations"


class PledgeKind(_Labelled):
    """What a signature promises besides the signature itself."""

    none = "none"
    money = "money"  # cents per year toward a funding source of the consultation
    hours = "hours"  # hours per year
    in_kind = "in_kind"  # a description


class SignatureState(_Labelled):
    """A signature's state: awaiting the co-signer (joint authority), complete, revoked while the
    commitment was open, or notice given (opgezegd) after it became binding."""

    pending_second = "pending_second"
    complete = "complete"
    revoked = "revoked"
    noticed = "noticed"


LABELS = {
    (enum_type, member.value): label
    for enum_type, table in (
        (
            CommitmentState,
            {
                CommitmentState.proposed: _l("voorstel, wacht op de gemeente"),
                CommitmentState.draft: _l("concept"),
                CommitmentState.open: _l("open voor ondertekening"),
                CommitmentState.binding: _l("bindend"),
                CommitmentState.closed: _l("gesloten"),
                CommitmentState.declined: _l("voorstel afgewezen"),
                CommitmentState.withdrawn: _l("ingetrokken"),
            },
        ),
        (
            InvitedParties,
            {
                InvitedParties.all: _l("alle partnerorganisaties"),
                InvitedParties.sectors: _l("organisaties van gekozen sectorgroepen"),
                InvitedParties.organisations: _l("gekozen organisaties"),
            },
        ),
        (
            PledgeKind,
            {
                PledgeKind.none: _l("geen toezegging"),
                PledgeKind.money: _l("geld per jaar"),
                PledgeKind.hours: _l("uren per jaar"),
                PledgeKind.in_kind: _l("in natura"),
            },
        ),
        (
            SignatureState,
            {
                SignatureState.pending_second: _l("wacht op tweede ondertekenaar"),
                SignatureState.complete: _l("ondertekend"),
                SignatureState.revoked: _l("ingetrokken"),
                SignatureState.noticed: _l("opgezegd"),
            },
        ),
    )
    for member, label in table.items()
}

S = CommitmentState
EDITABLE_STATES = (S.draft, S.open)
# Seen only by the gemeente (and a proposal also by its proposers): never on a public page.
PRIVATE_STATES = (S.proposed, S.draft, S.declined)
# Signatures that stand (whatever their version): counted when on the current version and complete.
STANDING_SIGNATURES = (SignatureState.pending_second, SignatureState.complete)


def _enum(cls, length: int = 20):
    return sa.Enum(cls, native_enum=False, length=length, validate_strings=True)


def _user_fk(**kwargs):
    return so.mapped_column(sa.ForeignKey("user.id", ondelete="RESTRICT"), index=True, **kwargs)


class Commitment(TimestampMixin, VersionedMixin, db.Model):
    """A text that partner organisations co-sign for a consultation, with optional pledges and threshold.

    `title` and `text` are the current version's (also kept in `versions`); while the commitment
    is a draft they are edited in place (version 1 is rewritten), once open every change is a new
    version. The threshold: when `threshold_organisations` and/or `threshold_cents` are set, the
    commitment becomes binding once complete signatures on the current version reach every set
    one (both, when both are set)."""

    __tablename__ = "commitment"
    __table_args__ = (
        enum_check("state", CommitmentState),
        enum_check("invited", InvitedParties),
        sa.CheckConstraint("current_version >= 1", name="current_version_positive"),
        sa.CheckConstraint(
            "threshold_organisations IS NULL OR threshold_organisations >= 1", name="threshold_organisations_positive"
        ),
        sa.CheckConstraint("threshold_cents IS NULL OR threshold_cents >= 1", name="threshold_cents_positive"),
        sa.CheckConstraint("threshold_cents IS NULL OR allows_money", name="money_threshold_needs_money"),
        sa.CheckConstraint("proposed_by_group_id IS NULL OR proposed_at IS NOT NULL", name="proposal_dated"),
        sa.Index("ix_commitment_consultation_listing", "consultation_id", "state", "created_at"),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    consultation_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("consultation.id", ondelete="RESTRICT"), index=True
    )
    state: so.Mapped[CommitmentState] = so.mapped_column(_enum(CommitmentState), default=S.draft, index=True)
    title: so.Mapped[str] = so.mapped_column(sa.String(TITLE_MAX))
    text: so.Mapped[str] = so.mapped_column(sa.Text, default="")  # Markdown, sanitised when shown
    invited: so.Mapped[InvitedParties] = so.mapped_column(_enum(InvitedParties), default=InvitedParties.all)
    threshold_organisations: so.Mapped[int | None]
    threshold_cents: so.Mapped[int | None] = so.mapped_column(sa.BigInteger)
    # Which pledges a signature may carry ("none" is always possible).
    allows_money: so.Mapped[bool] = so.mapped_column(default=False)
    allows_hours: so.Mapped[bool] = so.mapped_column(default=False)
    allows_in_kind: so.Mapped[bool] = so.mapped_column(default=False)
    current_version: so.Mapped[int] = so.mapped_column(default=1)
    # Why it was withdrawn, closed or (a proposal) declined; withdrawn and declined: required.
    closing_reason: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    created_by_id: so.Mapped[int | None] = _user_fk()
    # A proposal: the sector group whose coordinator proposed it (None: the gemeente's own).
    proposed_by_group_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("sector_group.id", ondelete="RESTRICT"), index=True
    )
    proposed_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    accepted_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    declined_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    last_edited_by_id: so.Mapped[int | None] = _user_fk()
    opened_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    bound_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    closed_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    withdrawn_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)

    consultation: so.Mapped[Consultation] = so.relationship()
    proposed_by_group: so.Mapped[SectorGroup | None] = so.relationship()
    themes: so.Mapped[list[CommitmentTheme]] = so.relationship(
        back_populates="commitment", cascade="all, delete-orphan", order_by="CommitmentTheme.theme_id"
    )
    invited_sectors: so.Mapped[list[CommitmentSector]] = so.relationship(
        back_populates="commitment", cascade="all, delete-orphan", order_by="CommitmentSector.sector_group_id"
    )
    invited_organisations: so.Mapped[list[CommitmentOrganisation]] = so.relationship(
        back_populates="commitment", cascade="all, delete-orphan", order_by="CommitmentOrganisation.organisation_id"
    )
    versions: so.Mapped[list[CommitmentVersion]] = so.relationship(
        back_populates="commitment", cascade="all, delete-orphan", order_by="CommitmentVersion.number"
    )
    signatures: so.Mapped[list[Signature]] = so.relationship(
        back_populates="commitment", cascade="all, delete-orphan", order_by="Signature.id"
    )
    # The organisations that support it without (or besides) signing: the active endorsements.
    endorsements: so.Mapped[list[Endorsement]] = so.relationship(
        "Endorsement",
        primaryjoin="and_(Commitment.id == foreign(Endorsement.commitment_id), Endorsement.withdrawn_at.is_(None))",
        viewonly=True,
        order_by="Endorsement.id",
    )

    @property
    def theme_ids(self) -> list[int]:
        return [t.theme_id for t in self.themes]

    @property
    def current(self) -> CommitmentVersion | None:
        """The version signed now."""
        return next((v for v in self.versions if v.number == self.current_version), None)

    @property
    def current_hash(self) -> str | None:
        version = self.current
        return version.text_hash if version is not None else None

    @property
    def has_threshold(self) -> bool:
        return self.threshold_organisations is not None or self.threshold_cents is not None

    @property
    def is_public(self) -> bool:
        return self.state not in PRIVATE_STATES and self.consultation.is_public

    @property
    def is_proposal(self) -> bool:
        return self.proposed_by_group_id is not None

    def allows(self, kind: PledgeKind) -> bool:
        """May a signature carry a pledge of this kind?"""
        return (
            kind == PledgeKind.none
            or {
                PledgeKind.money: self.allows_money,
                PledgeKind.hours: self.allows_hours,
                PledgeKind.in_kind: self.allows_in_kind,
            }[kind]
        )

    def invites(self, organisation: Organisation | None) -> bool:
        """Is this (active) organisation among the invited parties?"""
        if organisation is None or not organisation.is_active:
            return False
        if self.invited == InvitedParties.all:
            return True
        if self.invited == InvitedParties.sectors:
            wanted = {s.sector_group_id for s in self.invited_sectors}
            return any(m.sector_group_id in wanted for m in organisation.sectors)
        return any(o.organisation_id == organisation.id for o in self.invited_organisations)

    def notification_url(self) -> str:
        """The commitment's page; until that page exists, its consultation's."""
        try:
            return external_url("commitments.show", commitment_id=self.id)
        except BuildError:
            return external_url("consultations.show", slug=self.consultation.slug)

    def __repr__(self) -> str:
        return f"<Commitment {self.id} {self.state.value}>"


class _PartOfCommitment:
    commitment_id: int


def _commitment_fk(**kwargs):
    return so.mapped_column(sa.ForeignKey("commitment.id", ondelete="CASCADE"), index=True, **kwargs)


class CommitmentTheme(_PartOfCommitment, db.Model):
    """A theme of the vision the commitment is about."""

    __tablename__ = "commitment_theme"

    commitment_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("commitment.id", ondelete="CASCADE"), primary_key=True
    )
    theme_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("theme.id", ondelete="RESTRICT"), primary_key=True, index=True
    )

    commitment: so.Mapped[Commitment] = so.relationship(back_populates="themes")
    theme: so.Mapped[Theme] = so.relationship(lazy="joined")


class CommitmentSector(_PartOfCommitment, db.Model):
    """An invited sector group (when the commitment invites chosen sector groups)."""

    __tablename__ = "commitment_sector"

    commitment_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("commitment.id", ondelete="CASCADE"), primary_key=True
    )
    sector_group_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("sector_group.id", ondelete="RESTRICT"), primary_key=True, index=True
    )

    commitment: so.Mapped[Commitment] = so.relationship(back_populates="invited_sectors")
    sector_group: so.Mapped[SectorGroup] = so.relationship(lazy="joined")


class CommitmentOrganisation(_PartOfCommitment, db.Model):
    """An invited organisation (when the commitment invites chosen organisations)."""

    __tablename__ = "commitment_organisation"

    commitment_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("commitment.id", ondelete="CASCADE"), primary_key=True
    )
    organisation_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("organisation.id", ondelete="RESTRICT"), primary_key=True, index=True
    )

    commitment: so.Mapped[Commitment] = so.relationship(back_populates="invited_organisations")
    organisation: so.Mapped[Organisation] = so.relationship(lazy="joined")


class CommitmentVersion(_PartOfCommitment, db.Model):
    """One version of the text, with the SHA-256 hash of its canonical form (commitments/canonical.py).

    Immutable once the commitment is open; while it is a draft, version 1 is rewritten in place."""

    __tablename__ = "commitment_version"
    __table_args__ = (
        sa.UniqueConstraint("commitment_id", "number", name="uq_commitment_version_number"),
        sa.CheckConstraint("number >= 1", name="number_positive"),
        sa.CheckConstraint("length(text_hash) = 64", name="hash_length"),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    commitment_id: so.Mapped[int] = _commitment_fk()
    number: so.Mapped[int]
    title: so.Mapped[str] = so.mapped_column(sa.String(TITLE_MAX))
    text: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    text_hash: so.Mapped[str] = so.mapped_column(sa.String(64))
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    created_by_id: so.Mapped[int | None] = _user_fk()

    commitment: so.Mapped[Commitment] = so.relationship(back_populates="versions")
    created_by: so.Mapped[User | None] = so.relationship()


class Signature(_PartOfCommitment, db.Model):
    """An organisation's signature: who signed for it (name and function as typed), when, on which
    version (number and hash), with which pledge, how the signer authenticated, and its
    verification code. With joint authority a second signatory co-signs the same version.

    The organisation's name and KvK number are copied at signing, so the signature says what the
    organisation was called then. `version_number != commitment.current_version` means stale."""

    __tablename__ = "signature"
    __table_args__ = (
        sa.UniqueConstraint("commitment_id", "organisation_id", name="uq_signature_commitment_organisation"),
        enum_check("state", SignatureState),
        enum_check("pledge_kind", PledgeKind),
        sa.CheckConstraint("version_number >= 1", name="version_positive"),
        sa.CheckConstraint("length(version_hash) = 64", name="hash_length"),
        sa.CheckConstraint("pledge_cents IS NULL OR pledge_cents > 0", name="pledge_cents_positive"),
        sa.CheckConstraint("pledge_hours IS NULL OR pledge_hours > 0", name="pledge_hours_positive"),
        sa.CheckConstraint(
            "(pledge_kind = 'money') = (pledge_cents IS NOT NULL AND funding_source_id IS NOT NULL)",
            name="money_pledge_complete",
        ),
        sa.CheckConstraint("(pledge_kind = 'hours') = (pledge_hours IS NOT NULL)", name="hours_pledge_complete"),
        sa.CheckConstraint("pledge_kind = 'in_kind' OR pledge_in_kind = ''", name="in_kind_text_only_in_kind"),
        sa.CheckConstraint("state != 'complete' OR completed_at IS NOT NULL", name="completed_at_set"),
        sa.CheckConstraint("state != 'revoked' OR revoked_at IS NOT NULL", name="revoked_at_set"),
        sa.CheckConstraint("state != 'noticed' OR noticed_at IS NOT NULL", name="noticed_at_set"),
        sa.CheckConstraint("state NOT IN ('revoked', 'noticed') OR length(ended_reason) > 0", name="ended_with_reason"),
        sa.CheckConstraint("cosigner_id IS NULL OR cosigner_id != signer_id", name="cosigner_differs"),
        # The totals and the threshold: complete signatures on a version, with their money.
        sa.Index("ix_signature_counting", "commitment_id", "state", "version_number"),
        sa.Index("ix_signature_source_pledge", "funding_source_id", "state", "pledge_cents"),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    commitment_id: so.Mapped[int] = _commitment_fk()
    organisation_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("organisation.id", ondelete="RESTRICT"), index=True
    )
    organisation_name: so.Mapped[str] = so.mapped_column(sa.String(200))
    organisation_kvk: so.Mapped[str] = so.mapped_column(sa.String(8))
    state: so.Mapped[SignatureState] = so.mapped_column(_enum(SignatureState), index=True)
    signer_id: so.Mapped[int | None] = _user_fk()
    signer_name: so.Mapped[str] = so.mapped_column(sa.String(120))
    signer_function: so.Mapped[str] = so.mapped_column(sa.String(120))
    signed_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    # "password" now; "sso:<acr>" once single sign-on exists.
    auth_method: so.Mapped[str] = so.mapped_column(sa.String(60))
    version_number: so.Mapped[int]
    version_hash: so.Mapped[str] = so.mapped_column(sa.String(64))
    pledge_kind: so.Mapped[PledgeKind] = so.mapped_column(_enum(PledgeKind), default=PledgeKind.none)
    pledge_cents: so.Mapped[int | None] = so.mapped_column(sa.BigInteger)  # per year
    funding_source_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("funding_source.id", ondelete="RESTRICT"), index=True
    )
    pledge_hours: so.Mapped[int | None]  # per year
    pledge_in_kind: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    verification_code: so.Mapped[str] = so.mapped_column(sa.String(CODE_LENGTH), unique=True)
    cosigner_id: so.Mapped[int | None] = _user_fk()
    cosigner_name: so.Mapped[str] = so.mapped_column(sa.String(120), default="")
    cosigner_function: so.Mapped[str] = so.mapped_column(sa.String(120), default="")
    cosigner_auth_method: so.Mapped[str] = so.mapped_column(sa.String(60), default="")
    cosigned_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    # When it started to count (complete): at signing, or when the co-signer signed.
    completed_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    revoked_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    noticed_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    ended_reason: so.Mapped[str] = so.mapped_column(sa.Text, default="")  # why revoked or noticed (public)

    commitment: so.Mapped[Commitment] = so.relationship(back_populates="signatures")
    organisation: so.Mapped[Organisation] = so.relationship()
    funding_source: so.Mapped[FundingSource | None] = so.relationship()
    receipts: so.Mapped[list[SignatureReceipt]] = so.relationship(
        back_populates="signature", cascade="all, delete-orphan", order_by="SignatureReceipt.id"
    )

    @property
    def is_standing(self) -> bool:
        """Neither revoked nor noticed."""
        return self.state in STANDING_SIGNATURES

    @property
    def is_stale(self) -> bool:
        """Signed on an earlier version than the commitment's current one."""
        return self.is_standing and self.version_number != self.commitment.current_version

    @property
    def counts(self) -> bool:
        """Counted in the totals and toward the threshold: complete, on the current version."""
        return self.state == SignatureState.complete and self.version_number == self.commitment.current_version

    def __repr__(self) -> str:
        return f"<Signature {self.id} {self.organisation_name} v{self.version_number} {self.state.value}>"


class SignatureReceipt(db.Model):
    """An earlier receipt of a signature, kept when the signature was re-signed (a new version, or
    again after revoking): its verification code still verifies, and shows the version it was for
    and that it was superseded. Append only."""

    __tablename__ = "signature_receipt"
    __table_args__ = (
        sa.CheckConstraint("version_number >= 1", name="version_positive"),
        enum_check("state", SignatureState),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    signature_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("signature.id", ondelete="CASCADE"), index=True)
    verification_code: so.Mapped[str] = so.mapped_column(sa.String(CODE_LENGTH), unique=True)
    version_number: so.Mapped[int]
    version_hash: so.Mapped[str] = so.mapped_column(sa.String(64))
    signer_name: so.Mapped[str] = so.mapped_column(sa.String(120))
    signer_function: so.Mapped[str] = so.mapped_column(sa.String(120))
    cosigner_name: so.Mapped[str] = so.mapped_column(sa.String(120), default="")
    cosigner_function: so.Mapped[str] = so.mapped_column(sa.String(120), default="")
    signed_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime)
    state: so.Mapped[SignatureState] = so.mapped_column(_enum(SignatureState))  # what it was when superseded
    superseded_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)

    signature: so.Mapped[Signature] = so.relationship(back_populates="receipts")
