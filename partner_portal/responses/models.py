"""Formal responses with per-theme positions, frozen revisions, attachments, endorsements and the gemeente's answers."""

from __future__ import annotations

import enum
import json
from datetime import datetime
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy import orm as so

from partner_portal.core import pagecache
from partner_portal.core.models import TimestampMixin, UTCDateTime, VersionedMixin, enum_check, utcnow
from partner_portal.core.text import markdown_to_plain
from partner_portal.core.urls import external_url
from partner_portal.extensions import db

if TYPE_CHECKING:
    from partner_portal.auth.models import User
    from partner_portal.consultations.models import Consultation, Theme
    from partner_portal.core.uploads import StoredFile
    from partner_portal.endorsements.models import Endorsement
    from partner_portal.partners.models import SectorGroup


class _Labelled(enum.StrEnum):
    @property
    def label(self) -> str:
        return str(LABELS[self])


class ResponseState(_Labelled):
    """Where a formal response is in its workflow (see responses/workflow.py)."""

    draft = "draft"
    submitted = "submitted"
    in_review = "in_review"
    changes_requested = "changes_requested"
    accepted = "accepted"
    rejected = "rejected"
    withdrawn = "withdrawn"


class Position(_Labelled):
    """A sector group's position on one theme of the vision."""

    supports = "supports"
    supports_with_conditions = "supports_with_conditions"
    does_not_support = "does_not_support"
    no_position = "no_position"


class CollaborationStance(_Labelled):
    """The group's stance on the intended structural collaboration."""

    joins = "joins"
    joins_with_conditions = "joins_with_conditions"
    does_not_join = "does_not_join"


class Publication(_Labelled):
    """Chosen at submission: published in full, or processed but not published."""

    public = "public"
    not_public = "not_public"


class Verdict(_Labelled):
    """The gemeente's answer to a position: adopted, partly adopted or not adopted."""

    adopted = "adopted"
    partly_adopted = "partly_adopted"
    not_adopted = "not_adopted"


LABELS = {
    ResponseState.draft: _l("concept"),
    ResponseState.submitted: _l("ingediend"),
    ResponseState.in_review: _l("in behandeling"),
    ResponseState.changes_requested: _l("wijzigingen gevraagd"),
    ResponseState.accepted: _l("geaccepteerd"),
    ResponseState.rejected: _l("niet-ontvankelijk"),
    ResponseState.withdrawn: _l("ingetrokken"),
    Position.supports: _l("steunt"),
    Position.supports_with_conditions: _l("steunt onder voorwaarden"),
    Position.does_not_support: _l("steunt niet"),
    Position.no_position: _l("geen standpunt"),
    CollaborationStance.joins: _l("doet mee"),
    CollaborationStance.joins_with_conditions: _l("doet mee onder voorwaarden"),
    CollaborationStance.does_not_join: _l("doet niet mee"),
    Publication.public: _l("openbaar, volledig gepubliceerd"),
    Publication.not_public: _l("verwerkt, niet gepubliceerd"),
    Verdict.adopted: _l("overgenomen"),
    Verdict.partly_adopted: _l("deels overgenomen"),
    Verdict.not_adopted: _l("niet overgenomen"),
}

# States in which the response has been submitted at least once and the gemeente sees it.
SUBMITTED_STATES = (
    ResponseState.submitted,
    ResponseState.in_review,
    ResponseState.changes_requested,
    ResponseState.accepted,
    ResponseState.rejected,
    ResponseState.withdrawn,
)
PENDING_STATES = (ResponseState.submitted, ResponseState.in_review, ResponseState.changes_requested)


def _enum(cls, length: int = 30):
    return sa.Enum(cls, native_enum=False, length=length, validate_strings=True)


class FormalResponse(TimestampMixin, VersionedMixin, db.Model):
    """One sector group's formal response to one consultation (at most one per group and consultation)."""

    __tablename__ = "formal_response"
    __table_args__ = (
        sa.UniqueConstraint("consultation_id", "sector_group_id", name="uq_formal_response_group"),
        sa.CheckConstraint("state = 'draft' OR publication IS NOT NULL", name="submitted_has_publication"),
        enum_check("state", ResponseState),
        enum_check("collaboration_stance", CollaborationStance),
        enum_check("publication", Publication),
        sa.CheckConstraint(
            "answer_published_at IS NULL OR answered_at IS NOT NULL", name="published_answer_was_drafted"
        ),
        # The moderation queue: oldest submission first, read straight from the index.
        sa.Index("ix_formal_response_queue", "submitted_at", "id"),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    consultation_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("consultation.id", ondelete="RESTRICT"), index=True
    )
    sector_group_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("sector_group.id", ondelete="RESTRICT"), index=True
    )
    state: so.Mapped[ResponseState] = so.mapped_column(
        _enum(ResponseState, 20), default=ResponseState.draft, index=True
    )
    statement: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    collaboration_stance: so.Mapped[CollaborationStance | None] = so.mapped_column(_enum(CollaborationStance))
    collaboration_conditions: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    publication: so.Mapped[Publication | None] = so.mapped_column(_enum(Publication, 20))
    created_by_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("user.id", ondelete="RESTRICT"), index=True)
    last_edited_by_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("user.id", ondelete="RESTRICT"), index=True
    )
    submitted_by_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("user.id", ondelete="RESTRICT"), index=True)
    submitted_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    review_started_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    changes_requested_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    accepted_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    rejected_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    withdrawn_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    reopened_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    # "Answered": the gemeente has drafted an answer on every theme (internal until published).
    answered_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    # "Answer published": the Nota with this answer was published.
    answer_published_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)

    consultation: so.Mapped[Consultation] = so.relationship()
    sector_group: so.Mapped[SectorGroup] = so.relationship()
    positions: so.Mapped[list[ThemePosition]] = so.relationship(
        back_populates="response", cascade="all, delete-orphan", order_by="ThemePosition.id"
    )
    answers: so.Mapped[list[ThemeAnswer]] = so.relationship(
        back_populates="response", cascade="all, delete-orphan", order_by="ThemeAnswer.id"
    )
    attachments: so.Mapped[list[ResponseAttachment]] = so.relationship(
        back_populates="response", cascade="all, delete-orphan", order_by="ResponseAttachment.id"
    )
    # The active endorsements, for the pages that list who endorsed (the endorsements feature
    # owns the rows and changes them; see partner_portal/endorsements/).
    endorsements: so.Mapped[list[Endorsement]] = so.relationship(
        "Endorsement",
        primaryjoin="and_(FormalResponse.id == foreign(Endorsement.formal_response_id),"
        " Endorsement.withdrawn_at.is_(None))",
        viewonly=True,
        order_by="Endorsement.id",
    )
    revisions: so.Mapped[list[ResponseRevision]] = so.relationship(
        back_populates="response", order_by="ResponseRevision.number"
    )
    submitted_by: so.Mapped[User | None] = so.relationship(foreign_keys=[submitted_by_id])
    last_edited_by: so.Mapped[User | None] = so.relationship(foreign_keys=[last_edited_by_id])

    @property
    def title(self) -> str:
        return str(_l("Reactie van sectorgroep %(group)s", group=self.sector_group.name))

    def page_cache_scopes(self, changed: set[str] | None) -> set[str]:
        """A draft shows on its own page only (to its group); once submitted, on the consultation's too."""
        own = {pagecache.response_scope(self.id)}
        if self.state == ResponseState.draft and (changed is None or "state" not in changed):
            return own
        return own | pagecache.write_in_consultation(self.consultation_id)

    @property
    def is_public(self) -> bool:
        """Shown to everyone: accepted, in a public consultation, and the group chose publication."""
        return (
            self.state == ResponseState.accepted
            and self.publication == Publication.public
            and self.consultation.is_public
        )

    def notification_url(self) -> str:
        return external_url("responses.show", response_id=self.id)

    def position_for(self, theme_id: int) -> ThemePosition | None:
        return next((p for p in self.positions if p.theme_id == theme_id), None)

    def answer_for(self, theme_id: int) -> ThemeAnswer | None:
        return next((a for a in self.answers if a.theme_id == theme_id), None)

    def field_values(self, themes) -> dict[str, str]:
        """The draft as the edit form's fields: statement, stance, conditions, position_<theme id>
        and explanation_<theme id> (empty strings for what is not filled in)."""
        values = {
            "statement": self.statement or "",
            "collaboration_stance": self.collaboration_stance.value if self.collaboration_stance else "",
            "collaboration_conditions": self.collaboration_conditions or "",
        }
        for theme in themes:
            row = self.position_for(theme.id)
            values[f"position_{theme.id}"] = row.position.value if row and row.position else ""
            values[f"explanation_{theme.id}"] = row.explanation if row else ""
        return values

    def answer_values(self, themes) -> dict[str, str]:
        """The gemeente's answers as the answer form's fields: verdict_<theme id> and answer_<theme id>."""
        values = {}
        for theme in themes:
            row = self.answer_for(theme.id)
            values[f"verdict_{theme.id}"] = row.verdict.value if row else ""
            values[f"answer_{theme.id}"] = row.explanation if row else ""
        return values

    def snapshot(self, themes) -> dict[str, Any]:
        """The content as plain data, frozen into a revision at submission."""
        return {
            "statement": self.statement,
            "collaboration_stance": str(self.collaboration_stance) if self.collaboration_stance else None,
            "collaboration_conditions": self.collaboration_conditions,
            "publication": str(self.publication) if self.publication else None,
            "themes": [
                {
                    "theme_id": theme.id,
                    "title": theme.title,
                    "position": str(p.position) if (p := self.position_for(theme.id)) and p.position else None,
                    "explanation": p.explanation if p else "",
                }
                for theme in themes
            ],
            "attachments": [a.file.original_name for a in self.attachments],
        }


def cached_pages_of_response(response_id: int | None) -> set[str]:
    """The page-cache scopes a write to a part of this response touches: those of the response."""
    response = db.session.get(FormalResponse, response_id) if response_id else None
    return response.page_cache_scopes(set()) if response is not None else {pagecache.SITE}


class _PartOfResponse:
    """A row shown only as part of its response (see core/pagecache.py)."""

    response_id: int

    def page_cache_scopes(self, changed: set[str] | None) -> set[str]:
        return cached_pages_of_response(self.response_id)


class ThemePosition(_PartOfResponse, db.Model):
    """The group's position and explanation on one theme; the position may stay open while drafting."""

    __tablename__ = "response_theme_position"
    __table_args__ = (
        sa.UniqueConstraint("response_id", "theme_id", name="uq_response_theme_position"),
        enum_check("position", Position),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    response_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("formal_response.id", ondelete="CASCADE"), index=True)
    theme_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("theme.id", ondelete="RESTRICT"), index=True)
    position: so.Mapped[Position | None] = so.mapped_column(_enum(Position))
    explanation: so.Mapped[str] = so.mapped_column(sa.Text, default="")

    response: so.Mapped[FormalResponse] = so.relationship(back_populates="positions")
    theme: so.Mapped[Theme] = so.relationship()


class ResponseRevision(_PartOfResponse, db.Model):
    """An immutable snapshot of the response, frozen at each submission."""

    __tablename__ = "response_revision"
    __table_args__ = (
        sa.UniqueConstraint("response_id", "number", name="uq_response_revision_number"),
        sa.CheckConstraint("number >= 1", name="number_positive"),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    response_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("formal_response.id", ondelete="CASCADE"), index=True)
    number: so.Mapped[int]
    content: so.Mapped[str] = so.mapped_column(sa.Text)  # canonical JSON of FormalResponse.snapshot()
    submitted_by_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("user.id", ondelete="RESTRICT"), index=True)
    submitted_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)

    response: so.Mapped[FormalResponse] = so.relationship(back_populates="revisions")
    submitted_by: so.Mapped[User | None] = so.relationship(lazy="joined")

    @property
    def data(self) -> dict[str, Any]:
        return json.loads(self.content)

    def full_text(self) -> str:
        """The revision as readable lines, for the diff between revisions."""
        data = self.data
        lines = [str(_l("Algemeen standpunt")), markdown_to_plain(data.get("statement")) or "—", ""]
        for item in data.get("themes", []):
            position = LABELS[Position(item["position"])] if item.get("position") else _l("geen keuze")
            lines += [
                f"{_l('Thema')}: {item['title']}",
                f"{_l('Standpunt')}: {position}",
                markdown_to_plain(item.get("explanation")),
                "",
            ]
        stance = data.get("collaboration_stance")
        lines += [
            f"{_l('Structurele samenwerking')}",
            f"{_l('Standpunt')}: {LABELS[CollaborationStance(stance)] if stance else '—'}",
            markdown_to_plain(data.get("collaboration_conditions")),
        ]
        if data.get("attachments"):
            lines += ["", f"{_l('Bijlagen')}: " + ", ".join(data["attachments"])]
        return "\n".join(str(line) for line in lines)


@sa.event.listens_for(ResponseRevision, "before_update")
def _revisions_are_immutable(mapper, connection, target):
    raise ValueError("a response revision is immutable")


class ResponseAttachment(_PartOfResponse, db.Model):
    """A PDF attached to a response (e.g. the signed letter); served only to those who may see the response."""

    __tablename__ = "response_attachment"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    response_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("formal_response.id", ondelete="CASCADE"), index=True)
    file_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("stored_file.id", ondelete="RESTRICT"), unique=True)
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)

    response: so.Mapped[FormalResponse] = so.relationship(back_populates="attachments")
    file: so.Mapped[StoredFile] = so.relationship(lazy="joined")  # an attachment is always shown with its file


class ThemeAnswer(_PartOfResponse, db.Model):
    """The gemeente's answer ("reactie gemeente") to one theme of one response; internal until the Nota is out."""

    __tablename__ = "response_answer"
    __table_args__ = (
        sa.UniqueConstraint("response_id", "theme_id", name="uq_response_answer_theme"),
        enum_check("verdict", Verdict),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    response_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("formal_response.id", ondelete="CASCADE"), index=True)
    theme_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("theme.id", ondelete="RESTRICT"), index=True)
    verdict: so.Mapped[Verdict] = so.mapped_column(_enum(Verdict, 20))
    explanation: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    drafted_by_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("user.id", ondelete="RESTRICT"), index=True)
    drafted_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    response: so.Mapped[FormalResponse] = so.relationship(back_populates="answers")
    theme: so.Mapped[Theme] = so.relationship()


class Nota(db.Model):
    """The published Nota van beantwoording of a consultation (a row exists once it is published)."""

    __tablename__ = "nota"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    consultation_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("consultation.id", ondelete="RESTRICT"), unique=True
    )
    published_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    published_by_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("user.id", ondelete="RESTRICT"), index=True)

    consultation: so.Mapped[Consultation] = so.relationship()

    def page_cache_scopes(self, changed: set[str] | None) -> set[str]:
        return pagecache.write_in_consultation(self.consultation_id)
