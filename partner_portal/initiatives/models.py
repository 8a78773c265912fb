"""Initiatives: projects and measures that partners propose to carry the vision out, co-owned by
organisations, funded per source, tracked through milestones and updates until they are done.

Money is whole cents (BigInteger), never a float. A consultation's funding sources
(consultations.models.FundingSource) are the ledger's accounts: a request, a grant and the
spending of an initiative each name one source.
"""

from __future__ import annotations

import enum
import json
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy import orm as so

from partner_portal.core import pagecache
from partner_portal.core.models import TimestampMixin, UTCDateTime, VersionedMixin, enum_check, utcnow
from partner_portal.core.money import format_euros
from partner_portal.core.text import markdown_to_plain
from partner_portal.core.urls import external_url
from partner_portal.extensions import db

if TYPE_CHECKING:
    from partner_portal.auth.models import User
    from partner_portal.consultations.models import Consultation, FundingSource, Location, Theme
    from partner_portal.core.uploads import StoredFile
    from partner_portal.endorsements.models import Endorsement
    from partner_portal.partners.models import Organisation
    from partner_portal.responses.models import FormalResponse


class _Labelled(enum.StrEnum):
    @property
    def label(self) -> str:
        # Keyed by (enum, value): InitiativeState and InvitationState share values such as "declined".
        return str(LABELS[type(self), self.value])


class InitiativeState(_Labelled):
    """Where an initiative is in its workflow (see initiatives/workflow.py)."""

    draft = "draft"
    submitted = "submitted"
    in_review = "in_review"
    changes_requested = "changes_requested"
    adopted = "adopted"
    declined = "declined"
    withdrawn = "withdrawn"
    in_progress = "in_progress"
    completed = "completed"
    cancelled = "cancelled"


class InvitationState(_Labelled):
    """A co-initiating organisation: invited, accepted, declined, or removed by the lead."""

    invited = "invited"
    accepted = "accepted"
    declined = "declined"
    removed = "removed"


_LABELS = {
    InitiativeState.draft: _l("concept"),
    InitiativeState.submitted: _l("ingediend"),
    InitiativeState.in_review: _l("in behandeling"),
    InitiativeState.changes_requested: _l("wijzigingen gevraagd"),
    InitiativeState.adopted: _l("opgenomen in het uitvoeringsprogramma"),
    InitiativeState.declined: _l("niet opgenomen"),
    InitiativeState.withdrawn: _l("ingetrokken"),
    InitiativeState.in_progress: _l("in uitvoering"),
    InitiativeState.completed: _l("afgerond"),
    InitiativeState.cancelled: _l("stopgezet"),
}
_INVITATION_LABELS = {
    InvitationState.invited: _l("uitgenodigd"),
    InvitationState.accepted: _l("doet mee"),
    InvitationState.declined: _l("afgeslagen"),
    InvitationState.removed: _l("verwijderd"),
}
# Two tables: the enums share values ("declined"), which one dict would merge into one key.
LABELS = {
    (enum_type, member.value): label
    for enum_type, table in ((InitiativeState, _LABELS), (InvitationState, _INVITATION_LABELS))
    for member, label in table.items()
}

S = InitiativeState
EDITABLE_STATES = (S.draft, S.changes_requested)
# Shown to everyone (in a public consultation): the gemeente decided, and what followed.
PUBLIC_STATES = (S.adopted, S.declined, S.in_progress, S.completed, S.cancelled)
# In the execution programme: adopted and what followed adoption.
PROGRAMME_STATES = (S.adopted, S.in_progress, S.completed, S.cancelled)
# Waiting for the gemeente.
PENDING_STATES = (S.submitted, S.in_review, S.changes_requested)

SUMMARY_MAX = 280
IMAGE_TEXT_MAX = 300  # a news image's alternative text


def _enum(cls, length: int = 20):
    return sa.Enum(cls, native_enum=False, length=length, validate_strings=True)


class Initiative(TimestampMixin, VersionedMixin, db.Model):
    """A project or measure proposed for a consultation by a lead organisation and its co-initiators."""

    __tablename__ = "initiative"
    __table_args__ = (
        enum_check("state", InitiativeState),
        sa.CheckConstraint("total_cost_cents IS NULL OR total_cost_cents >= 0", name="total_not_negative"),
        sa.CheckConstraint("own_contribution_cents >= 0", name="own_not_negative"),
        sa.CheckConstraint(
            "planned_end IS NULL OR planned_start IS NULL OR planned_end >= planned_start", name="ends_after_start"
        ),
        sa.CheckConstraint("length(summary) <= 280", name="summary_short"),
        # The public list: newest first within a consultation, read from the index.
        sa.Index("ix_initiative_consultation_listing", "consultation_id", "state", "created_at"),
        sa.Index("ix_initiative_queue", "submitted_at", "id"),
        # The execution programme: the latest adopted per theme, read newest first from the index.
        sa.Index("ix_initiative_programme", "consultation_id", "adopted_at", "id"),
        # The list's search and theme/location filters (initiatives/search.py).
        sa.Index(
            "ix_initiative_search",
            sa.text("to_tsvector('simple', search_words)"),
            sa.text("to_tsvector('simple', search_tags)"),
            postgresql_using="gin",
        ).ddl_if(dialect="postgresql"),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    consultation_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("consultation.id", ondelete="RESTRICT"), index=True
    )
    lead_organisation_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("organisation.id", ondelete="RESTRICT"), index=True
    )
    state: so.Mapped[InitiativeState] = so.mapped_column(_enum(InitiativeState), default=S.draft, index=True)
    title: so.Mapped[str] = so.mapped_column(sa.String(200))
    summary: so.Mapped[str] = so.mapped_column(sa.String(SUMMARY_MAX), default="")
    description: so.Mapped[str] = so.mapped_column(sa.Text, default="")  # sanitised Markdown
    expected_effect: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    planned_start: so.Mapped[date | None]
    planned_end: so.Mapped[date | None]
    total_cost_cents: so.Mapped[int | None] = so.mapped_column(sa.BigInteger)
    own_contribution_cents: so.Mapped[int] = so.mapped_column(sa.BigInteger, default=0)
    # The gemeente's answer, given with adoption or decline; public once given.
    answer: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    # Why the gemeente declined or the initiative was stopped (required, shown publicly).
    closing_reason: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    created_by_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("user.id", ondelete="RESTRICT"), index=True)
    last_edited_by_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("user.id", ondelete="RESTRICT"), index=True
    )
    submitted_by_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("user.id", ondelete="RESTRICT"), index=True)
    submitted_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    review_started_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    changes_requested_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    adopted_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    declined_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    withdrawn_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    started_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    completed_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    cancelled_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    # What the list's search and filters read: see initiatives/search.py; kept by drafting.
    search_words: so.Mapped[str] = so.mapped_column(sa.Text, default="", deferred=True)
    search_tags: so.Mapped[str] = so.mapped_column(sa.Text, default="", deferred=True)

    consultation: so.Mapped[Consultation] = so.relationship()
    lead_organisation: so.Mapped[Organisation] = so.relationship(lazy="joined")
    themes: so.Mapped[list[InitiativeTheme]] = so.relationship(
        back_populates="initiative", cascade="all, delete-orphan", order_by="InitiativeTheme.theme_id"
    )
    locations: so.Mapped[list[InitiativeLocation]] = so.relationship(
        back_populates="initiative", cascade="all, delete-orphan", order_by="InitiativeLocation.location_id"
    )
    citations: so.Mapped[list[InitiativeCitation]] = so.relationship(
        back_populates="initiative", cascade="all, delete-orphan", order_by="InitiativeCitation.id"
    )
    co_initiators: so.Mapped[list[CoInitiator]] = so.relationship(
        back_populates="initiative", cascade="all, delete-orphan", order_by="CoInitiator.id"
    )
    requests: so.Mapped[list[FundingRequest]] = so.relationship(
        back_populates="initiative", cascade="all, delete-orphan", order_by="FundingRequest.funding_source_id"
    )
    grants: so.Mapped[list[Grant]] = so.relationship(
        back_populates="initiative", cascade="all, delete-orphan", order_by="Grant.funding_source_id"
    )
    spending: so.Mapped[list[Spending]] = so.relationship(
        back_populates="initiative", cascade="all, delete-orphan", order_by="Spending.funding_source_id"
    )
    milestones: so.Mapped[list[Milestone]] = so.relationship(
        back_populates="initiative", cascade="all, delete-orphan", order_by="(Milestone.planned_on, Milestone.id)"
    )
    updates: so.Mapped[list[ProgressUpdate]] = so.relationship(
        back_populates="initiative", cascade="all, delete-orphan", order_by="ProgressUpdate.id.desc()"
    )
    attachments: so.Mapped[list[InitiativeAttachment]] = so.relationship(
        back_populates="initiative", cascade="all, delete-orphan", order_by="InitiativeAttachment.id"
    )
    revisions: so.Mapped[list[InitiativeRevision]] = so.relationship(
        back_populates="initiative", order_by="InitiativeRevision.number"
    )
    endorsements: so.Mapped[list[Endorsement]] = so.relationship(
        "Endorsement",
        primaryjoin="and_(Initiative.id == foreign(Endorsement.initiative_id), Endorsement.withdrawn_at.is_(None))",
        viewonly=True,
        order_by="Endorsement.id",
    )
    submitted_by: so.Mapped[User | None] = so.relationship(foreign_keys=[submitted_by_id])
    last_edited_by: so.Mapped[User | None] = so.relationship(foreign_keys=[last_edited_by_id])

    # Who -----------------------------------------------------------------------------------

    @property
    def accepted_co_initiators(self) -> list[CoInitiator]:
        return [c for c in self.co_initiators if c.state == InvitationState.accepted]

    @property
    def pending_invitations(self) -> list[CoInitiator]:
        return [c for c in self.co_initiators if c.state == InvitationState.invited]

    @property
    def initiator_ids(self) -> set[int]:
        """The lead organisation and every co-initiator that accepted."""
        return {self.lead_organisation_id, *(c.organisation_id for c in self.accepted_co_initiators)}

    @property
    def initiators(self) -> list[Organisation]:
        return [self.lead_organisation, *(c.organisation for c in self.accepted_co_initiators)]

    # What -----------------------------------------------------------------------------------

    @property
    def theme_ids(self) -> list[int]:
        return [t.theme_id for t in self.themes]

    @property
    def location_ids(self) -> list[int]:
        return [loc.location_id for loc in self.locations]

    @property
    def is_public(self) -> bool:
        return self.state in PUBLIC_STATES and self.consultation.is_public

    @property
    def in_programme(self) -> bool:
        return self.state in PROGRAMME_STATES

    # Money ----------------------------------------------------------------------------------

    def refresh_search(self) -> None:
        """Rewrite the search columns from the title, summary, themes and locations."""
        from partner_portal.initiatives import search

        self.search_words = search.words_of(self.title, self.summary)
        self.search_tags = search.tags_of(
            [t.theme_id for t in self.themes], [loc.location_id for loc in self.locations]
        )

    def requested_for(self, source_id: int) -> int:
        return next((r.amount_cents for r in self.requests if r.funding_source_id == source_id), 0)

    def granted_for(self, source_id: int) -> int:
        return next((g.amount_cents for g in self.grants if g.funding_source_id == source_id), 0)

    def spent_for(self, source_id: int) -> int:
        return next((s.amount_cents for s in self.spending if s.funding_source_id == source_id), 0)

    @property
    def requested_total(self) -> int:
        return sum(r.amount_cents for r in self.requests)

    @property
    def granted_total(self) -> int:
        return sum(g.amount_cents for g in self.grants)

    @property
    def spent_total(self) -> int:
        return sum(s.amount_cents for s in self.spending)

    @property
    def parts_total(self) -> int:
        """What the parts add up to: the requests plus the initiators' own contribution."""
        return self.requested_total + (self.own_contribution_cents or 0)

    # Progress -------------------------------------------------------------------------------

    @property
    def progress(self) -> int:
        """Per cent done, weighted by the milestones' weights (0 without milestones)."""
        total = sum(m.weight for m in self.milestones)
        if not total:
            return 100 if self.state == S.completed else 0
        done = sum(m.weight for m in self.milestones if m.done_on is not None)
        return round(100 * done / total)

    @property
    def milestones_done(self) -> int:
        return sum(1 for m in self.milestones if m.done_on is not None)

    # Pages ------------------------------------------------------------------------------------

    def page_cache_scopes(self, changed: set[str] | None) -> set[str]:
        """A draft shows on its own pages only (to its initiators); afterwards on the consultation's too."""
        own = {pagecache.initiative_scope(self.id)}
        if self.state == S.draft and (changed is None or "state" not in changed):
            return own
        return own | pagecache.write_in_consultation(self.consultation_id)

    def notification_url(self) -> str:
        return external_url("initiatives.show", initiative_id=self.id)

    # Forms and revisions --------------------------------------------------------------------

    def field_values(self, sources) -> dict[str, str]:
        """The draft as the edit form's fields (strings), for the three-way merge of concurrent edits."""
        from partner_portal.core.money import input_value

        values = {
            "title": self.title or "",
            "summary": self.summary or "",
            "description": self.description or "",
            "expected_effect": self.expected_effect or "",
            "planned_start": self.planned_start.isoformat() if self.planned_start else "",
            "planned_end": self.planned_end.isoformat() if self.planned_end else "",
            "total_cost": input_value(self.total_cost_cents),
            "own_contribution": input_value(self.own_contribution_cents or None),
            "themes": ",".join(str(i) for i in sorted(self.theme_ids)),
            "locations": ",".join(str(i) for i in sorted(self.location_ids)),
            "responses": ",".join(
                str(c.formal_response_id) for c in sorted(self.citations, key=lambda c: c.formal_response_id)
            ),
        }
        for source in sources:
            values[f"request_{source.id}"] = input_value(self.requested_for(source.id) or None)
        return values

    def snapshot(self) -> dict[str, Any]:
        """The content as plain data, frozen into a revision at submission."""
        consultation = self.consultation
        themes = {t.id: t.title for t in consultation.themes}
        locations = {loc.id: loc.label for loc in consultation.locations}
        return {
            "title": self.title,
            "summary": self.summary,
            "description": self.description,
            "expected_effect": self.expected_effect,
            "planned_start": self.planned_start.isoformat() if self.planned_start else None,
            "planned_end": self.planned_end.isoformat() if self.planned_end else None,
            "themes": [themes.get(i, "") for i in self.theme_ids],
            "locations": [locations.get(i, "") for i in self.location_ids],
            "total_cost_cents": self.total_cost_cents,
            "own_contribution_cents": self.own_contribution_cents,
            "requests": [
                {"source": s.name, "amount_cents": self.requested_for(s.id)} for s in consultation.funding_sources
            ],
            "initiators": [o.name for o in self.initiators],
            "attachments": [a.file.original_name for a in self.attachments],
        }


def cached_pages_of_initiative(initiative_id: int | None) -> set[str]:
    """The page-cache scopes a write to a part of this initiative touches: those of the initiative."""
    initiative = db.session.get(Initiative, initiative_id) if initiative_id else None
    return initiative.page_cache_scopes(set()) if initiative is not None else {pagecache.SITE}


class _PartOfInitiative:
    """A row shown only as part of its initiative (see core/pagecache.py)."""

    initiative_id: int

    def page_cache_scopes(self, changed: set[str] | None) -> set[str]:
        return cached_pages_of_initiative(self.initiative_id)


def _initiative_fk():
    return so.mapped_column(sa.ForeignKey("initiative.id", ondelete="CASCADE"), index=True)


def _source_fk():
    return so.mapped_column(sa.ForeignKey("funding_source.id", ondelete="RESTRICT"), index=True)


class InitiativeTheme(_PartOfInitiative, db.Model):
    """A theme (and so a pillar) of the vision that the initiative carries out."""

    __tablename__ = "initiative_theme"

    initiative_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("initiative.id", ondelete="CASCADE"), primary_key=True
    )
    theme_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("theme.id", ondelete="RESTRICT"), primary_key=True, index=True
    )

    initiative: so.Mapped[Initiative] = so.relationship(back_populates="themes")
    theme: so.Mapped[Theme] = so.relationship(lazy="joined")


class InitiativeLocation(_PartOfInitiative, db.Model):
    """A place of the consultation's list where the initiative happens."""

    __tablename__ = "initiative_location"

    initiative_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("initiative.id", ondelete="CASCADE"), primary_key=True
    )
    location_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("location.id", ondelete="RESTRICT"), primary_key=True, index=True
    )

    initiative: so.Mapped[Initiative] = so.relationship(back_populates="locations")
    location: so.Mapped[Location] = so.relationship(lazy="joined")


class InitiativeCitation(_PartOfInitiative, db.Model):
    """A formal response the initiative answers ("we asked, you said, we did")."""

    __tablename__ = "initiative_citation"
    __table_args__ = (sa.UniqueConstraint("initiative_id", "formal_response_id", name="uq_initiative_citation"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    initiative_id: so.Mapped[int] = _initiative_fk()
    formal_response_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("formal_response.id", ondelete="CASCADE"), index=True
    )

    initiative: so.Mapped[Initiative] = so.relationship(back_populates="citations")
    formal_response: so.Mapped[FormalResponse] = so.relationship()


class CoInitiator(_PartOfInitiative, db.Model):
    """Another partner organisation invited by the lead; it accepts or declines (or the lead removes it)."""

    __tablename__ = "initiative_co_initiator"
    __table_args__ = (
        sa.UniqueConstraint("initiative_id", "organisation_id", name="uq_initiative_co_initiator"),
        enum_check("state", InvitationState),
        sa.CheckConstraint("state = 'invited' OR answered_at IS NOT NULL", name="answered_when_not_invited"),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    initiative_id: so.Mapped[int] = _initiative_fk()
    organisation_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("organisation.id", ondelete="RESTRICT"), index=True
    )
    state: so.Mapped[InvitationState] = so.mapped_column(_enum(InvitationState), default=InvitationState.invited)
    invited_by_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("user.id", ondelete="RESTRICT"), index=True)
    invited_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    answered_by_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("user.id", ondelete="RESTRICT"), index=True)
    answered_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)

    initiative: so.Mapped[Initiative] = so.relationship(back_populates="co_initiators")
    organisation: so.Mapped[Organisation] = so.relationship(lazy="joined")
    invited_by: so.Mapped[User | None] = so.relationship(foreign_keys=[invited_by_id])
    answered_by: so.Mapped[User | None] = so.relationship(foreign_keys=[answered_by_id])


class FundingRequest(_PartOfInitiative, db.Model):
    """What the initiators ask of one funding source."""

    __tablename__ = "initiative_request"
    __table_args__ = (
        sa.UniqueConstraint("initiative_id", "funding_source_id", name="uq_initiative_request_source"),
        sa.CheckConstraint("amount_cents > 0", name="amount_positive"),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    initiative_id: so.Mapped[int] = _initiative_fk()
    funding_source_id: so.Mapped[int] = _source_fk()
    amount_cents: so.Mapped[int] = so.mapped_column(sa.BigInteger)

    initiative: so.Mapped[Initiative] = so.relationship(back_populates="requests")
    funding_source: so.Mapped[FundingSource] = so.relationship()


class Grant(_PartOfInitiative, db.Model):
    """What the process manager granted from one source on adoption (at most what was requested).

    The sum of the grants on a source never exceeds the source's amount: the adoption takes the
    source rows' locks before it reads what they have left (the SourceLedger, initiatives/ledger.py)."""

    __tablename__ = "initiative_grant"
    __table_args__ = (
        sa.UniqueConstraint("initiative_id", "funding_source_id", name="uq_initiative_grant_source"),
        sa.CheckConstraint("amount_cents > 0", name="amount_positive"),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    initiative_id: so.Mapped[int] = _initiative_fk()
    funding_source_id: so.Mapped[int] = _source_fk()
    amount_cents: so.Mapped[int] = so.mapped_column(sa.BigInteger)
    granted_by_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("user.id", ondelete="RESTRICT"), index=True)
    granted_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)

    initiative: so.Mapped[Initiative] = so.relationship(back_populates="grants")
    funding_source: so.Mapped[FundingSource] = so.relationship()


class Spending(_PartOfInitiative, db.Model):
    """What the initiative has spent so far of one source's grant, as last reported."""

    __tablename__ = "initiative_spending"
    __table_args__ = (
        sa.UniqueConstraint("initiative_id", "funding_source_id", name="uq_initiative_spending_source"),
        sa.CheckConstraint("amount_cents >= 0", name="amount_not_negative"),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    initiative_id: so.Mapped[int] = _initiative_fk()
    funding_source_id: so.Mapped[int] = _source_fk()
    amount_cents: so.Mapped[int] = so.mapped_column(sa.BigInteger)
    reported_by_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("user.id", ondelete="RESTRICT"), index=True)
    reported_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    initiative: so.Mapped[Initiative] = so.relationship(back_populates="spending")
    funding_source: so.Mapped[FundingSource] = so.relationship()


class Milestone(_PartOfInitiative, VersionedMixin, db.Model):
    """A step of the execution with its planned date, the date it was done and its weight in the progress."""

    __tablename__ = "initiative_milestone"
    __table_args__ = (sa.CheckConstraint("weight >= 1 AND weight <= 100", name="weight_range"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    initiative_id: so.Mapped[int] = _initiative_fk()
    title: so.Mapped[str] = so.mapped_column(sa.String(200))
    planned_on: so.Mapped[date]
    done_on: so.Mapped[date | None]
    weight: so.Mapped[int] = so.mapped_column(default=1)

    initiative: so.Mapped[Initiative] = so.relationship(back_populates="milestones")


class ProgressUpdate(_PartOfInitiative, db.Model):
    """A dated update by the initiators, on the initiative's timeline; a moderator can hide it with a reason."""

    __tablename__ = "initiative_update"
    __table_args__ = (sa.CheckConstraint("hidden_at IS NULL OR length(hidden_reason) > 0", name="hidden_with_reason"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    initiative_id: so.Mapped[int] = _initiative_fk()
    body: so.Mapped[str] = so.mapped_column(sa.Text)
    happened_on: so.Mapped[date]
    file_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("stored_file.id", ondelete="RESTRICT"), unique=True)
    author_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("user.id", ondelete="RESTRICT"), index=True)
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    hidden_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    hidden_by_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("user.id", ondelete="RESTRICT"), index=True)
    hidden_reason: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    # What an attached image shows, in words: its alternative text on the timeline (required with an image).
    image_text: so.Mapped[str] = so.mapped_column(sa.String(IMAGE_TEXT_MAX), default="", server_default="")

    initiative: so.Mapped[Initiative] = so.relationship(back_populates="updates")
    file: so.Mapped[StoredFile | None] = so.relationship(lazy="joined")
    author: so.Mapped[User | None] = so.relationship(foreign_keys=[author_id])


class Follower(db.Model):
    """Someone with an account who follows an initiative (notified of its state changes and updates)."""

    __tablename__ = "initiative_follower"
    __table_args__ = (sa.UniqueConstraint("initiative_id", "user_id", name="uq_initiative_follower"),)
    page_cache_unshown = True  # pages show whether *you* follow, never who does

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    initiative_id: so.Mapped[int] = _initiative_fk()
    user_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("user.id", ondelete="CASCADE"), index=True)
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)

    initiative: so.Mapped[Initiative] = so.relationship()
    user: so.Mapped[User] = so.relationship()


class InitiativeAttachment(_PartOfInitiative, db.Model):
    """A PDF attached to the initiative (the upload rules of core/uploads.py)."""

    __tablename__ = "initiative_attachment"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    initiative_id: so.Mapped[int] = _initiative_fk()
    file_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("stored_file.id", ondelete="RESTRICT"), unique=True)
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)

    initiative: so.Mapped[Initiative] = so.relationship(back_populates="attachments")
    file: so.Mapped[StoredFile] = so.relationship(lazy="joined")


class InitiativeRevision(_PartOfInitiative, db.Model):
    """An immutable snapshot of the initiative, frozen at each submission."""

    __tablename__ = "initiative_revision"
    __table_args__ = (
        sa.UniqueConstraint("initiative_id", "number", name="uq_initiative_revision_number"),
        sa.CheckConstraint("number >= 1", name="number_positive"),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    initiative_id: so.Mapped[int] = _initiative_fk()
    number: so.Mapped[int]
    content: so.Mapped[str] = so.mapped_column(sa.Text)  # canonical JSON of Initiative.snapshot()
    submitted_by_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("user.id", ondelete="RESTRICT"), index=True)
    submitted_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)

    initiative: so.Mapped[Initiative] = so.relationship(back_populates="revisions")
    submitted_by: so.Mapped[User | None] = so.relationship(lazy="joined")

    @property
    def data(self) -> dict[str, Any]:
        return json.loads(self.content)

    def full_text(self) -> str:
        """The revision as readable lines, for the diff between revisions."""
        data = self.data
        lines = [
            f"{_l('Titel')}: {data.get('title', '')}",
            f"{_l('Samenvatting')}: {data.get('summary', '')}",
            "",
            str(_l("Beschrijving")),
            markdown_to_plain(data.get("description")) or "—",
            "",
            str(_l("Verwacht effect")),
            markdown_to_plain(data.get("expected_effect")) or "—",
            "",
            f"{_l('Planning')}: {data.get('planned_start') or '—'} – {data.get('planned_end') or '—'}",
            f"{_l('Thema’s')}: {', '.join(data.get('themes', [])) or '—'}",
            f"{_l('Locaties')}: {', '.join(data.get('locations', [])) or '—'}",
            f"{_l('Initiatiefnemers')}: {', '.join(data.get('initiators', []))}",
            f"{_l('Totale kosten')}: {format_euros(data.get('total_cost_cents')) or '—'}",
            f"{_l('Eigen bijdrage')}: {format_euros(data.get('own_contribution_cents') or 0)}",
        ]
        for item in data.get("requests", []):
            lines.append(f"{_l('Gevraagd')} – {item['source']}: {format_euros(item['amount_cents'])}")
        lines.append(f"{_l('Bijlagen')}: {', '.join(data.get('attachments', [])) or '—'}")
        return "\n".join(lines)


class SourceLedger(db.Model):
    """What a funding source has granted and what was spent of it, kept up to date by the operations
    that grant (adopt) and report spending (set_spending), so a page reads a row per source instead
    of summing every grant: see initiatives/ledger.py, which can also rebuild it from the rows."""

    __tablename__ = "initiative_source_ledger"
    __table_args__ = (
        sa.CheckConstraint("granted_cents >= 0", name="granted_not_negative"),
        sa.CheckConstraint("spent_cents >= 0", name="spent_not_negative"),
    )

    funding_source_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("funding_source.id", ondelete="CASCADE"), primary_key=True
    )
    granted_cents: so.Mapped[int] = so.mapped_column(sa.BigInteger, default=0)
    spent_cents: so.Mapped[int] = so.mapped_column(sa.BigInteger, default=0)


class ProgrammeLedger(db.Model):
    """How many initiatives a consultation's execution programme holds (adopted and after; an
    initiative never leaves it), kept by the adoption: see initiatives/ledger.py."""

    __tablename__ = "initiative_programme_ledger"
    __table_args__ = (sa.CheckConstraint("initiatives >= 0", name="initiatives_not_negative"),)

    consultation_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("consultation.id", ondelete="CASCADE"), primary_key=True
    )
    initiatives: so.Mapped[int] = so.mapped_column(default=0)
