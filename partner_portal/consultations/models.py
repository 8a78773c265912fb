"""A consultation (one vision process) with its vision versions, pillars, themes, stages and funding."""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy import orm as so

from partner_portal.core import pagecache
from partner_portal.core.models import TimestampMixin, UTCDateTime, VersionedMixin, enum_check
from partner_portal.core.urls import external_url
from partner_portal.extensions import db

if TYPE_CHECKING:
    from partner_portal.responses.models import Nota


class ConsultationStatus(enum.StrEnum):
    """Whether the public can see the consultation, and whether it still runs."""

    draft = "draft"
    published = "published"
    closed = "closed"

    @property
    def label(self) -> str:
        return str(STATUS_LABELS[self])


STATUS_LABELS = {
    ConsultationStatus.draft: _l("concept"),
    ConsultationStatus.published: _l("gepubliceerd"),
    ConsultationStatus.closed: _l("afgesloten"),
}


class FundingStatus(enum.StrEnum):
    committed = "committed"
    requested = "requested"
    reserved = "reserved"

    @property
    def label(self) -> str:
        return str(FUNDING_STATUS_LABELS[self])


FUNDING_STATUS_LABELS = {
    FundingStatus.committed: _l("toegezegd"),
    FundingStatus.requested: _l("gevraagd"),
    FundingStatus.reserved: _l("gereserveerd"),
}


class Consultation(TimestampMixin, VersionedMixin, db.Model):
    """One vision process of a city: a title, a goal, a vision, ordered stages and funding."""

    __tablename__ = "consultation"
    __table_args__ = (
        # At most one consultation is featured on the home page.
        sa.Index(
            "uq_consultation_featured",
            "is_featured",
            unique=True,
            sqlite_where=sa.text("is_featured"),
            postgresql_where=sa.text("is_featured"),
        ),
        sa.CheckConstraint("current_position IS NULL OR current_position >= 0", name="position_not_negative"),
        enum_check("status", ConsultationStatus),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    slug: so.Mapped[str] = so.mapped_column(sa.String(80), unique=True)
    title: so.Mapped[str] = so.mapped_column(sa.String(200))
    city: so.Mapped[str] = so.mapped_column(sa.String(80), default="")
    goal: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    status: so.Mapped[ConsultationStatus] = so.mapped_column(
        sa.Enum(ConsultationStatus, native_enum=False, length=20, validate_strings=True),
        default=ConsultationStatus.draft,
        index=True,
    )
    is_featured: so.Mapped[bool] = so.mapped_column(default=False)
    # Position of the current stage; None before the process starts.
    current_position: so.Mapped[int | None]
    published_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    closed_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    reopened_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    stage_changed_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)

    pillars: so.Mapped[list[Pillar]] = so.relationship(
        back_populates="consultation", order_by="Pillar.position", cascade="all, delete-orphan"
    )
    themes: so.Mapped[list[Theme]] = so.relationship(
        back_populates="consultation", order_by="Theme.position", cascade="all, delete-orphan"
    )
    stages: so.Mapped[list[Stage]] = so.relationship(
        back_populates="consultation", order_by="Stage.position", cascade="all, delete-orphan"
    )
    funding_sources: so.Mapped[list[FundingSource]] = so.relationship(
        back_populates="consultation", order_by="FundingSource.position", cascade="all, delete-orphan"
    )
    locations: so.Mapped[list[Location]] = so.relationship(
        back_populates="consultation", order_by="Location.position", cascade="all, delete-orphan"
    )
    programmes: so.Mapped[list[Programme]] = so.relationship(
        back_populates="consultation", order_by="Programme.position", cascade="all, delete-orphan"
    )
    # The published Nota van beantwoording, for pages (one join instead of a query of its own).
    # Read-only and as loaded: operations that must see a Nota published meanwhile query it
    # after taking the consultation's lock (responses.workflow.nota_of).
    nota: so.Mapped[Nota | None] = so.relationship("Nota", viewonly=True, uselist=False)

    @property
    def is_public(self) -> bool:
        return self.status != ConsultationStatus.draft

    @property
    def current_stage(self) -> Stage | None:
        if self.current_position is None:
            return None
        return next((s for s in self.stages if s.position == self.current_position), None)

    @property
    def funding_total(self) -> int:
        return sum(f.amount_euros for f in self.funding_sources)

    def notification_url(self) -> str:
        """The consultation's page, linked from the mail about it (stage changes)."""
        return external_url("consultations.show", slug=self.slug)

    def __repr__(self) -> str:
        return f"<Consultation {self.slug}>"


class Pillar(db.Model):
    """A pillar of the vision (e.g. "comfortabele familiestad")."""

    __tablename__ = "pillar"
    __table_args__ = (sa.UniqueConstraint("consultation_id", "slug", name="uq_pillar_consultation_slug"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    consultation_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("consultation.id", ondelete="CASCADE"), index=True)
    position: so.Mapped[int] = so.mapped_column(default=0)
    slug: so.Mapped[str] = so.mapped_column(sa.String(80))
    title: so.Mapped[str] = so.mapped_column(sa.String(200))
    summary: so.Mapped[str] = so.mapped_column(sa.Text, default="")

    consultation: so.Mapped[Consultation] = so.relationship(back_populates="pillars")
    themes: so.Mapped[list[Theme]] = so.relationship(back_populates="pillar", order_by="Theme.position")


class Theme(db.Model):
    """A theme of the vision; everything partners write can be tied to themes. Optionally under a pillar."""

    __tablename__ = "theme"
    __table_args__ = (sa.UniqueConstraint("consultation_id", "slug", name="uq_theme_consultation_slug"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    consultation_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("consultation.id", ondelete="CASCADE"), index=True)
    pillar_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("pillar.id", ondelete="SET NULL"), index=True)
    position: so.Mapped[int] = so.mapped_column(default=0)
    slug: so.Mapped[str] = so.mapped_column(sa.String(80))
    title: so.Mapped[str] = so.mapped_column(sa.String(200))
    summary: so.Mapped[str] = so.mapped_column(sa.Text, default="")

    consultation: so.Mapped[Consultation] = so.relationship(back_populates="themes")
    pillar: so.Mapped[Pillar | None] = so.relationship(back_populates="themes")


class Stage(VersionedMixin, db.Model):
    """A step of the process with its dates and the actions it opens."""

    __tablename__ = "stage"
    __table_args__ = (
        sa.UniqueConstraint("consultation_id", "position", name="uq_stage_consultation_position"),
        sa.UniqueConstraint("consultation_id", "key", name="uq_stage_consultation_key"),
        sa.CheckConstraint("ends_on >= starts_on", name="ends_after_start"),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    consultation_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("consultation.id", ondelete="CASCADE"), index=True)
    position: so.Mapped[int]
    key: so.Mapped[str] = so.mapped_column(sa.String(60))
    title: so.Mapped[str] = so.mapped_column(sa.String(200))
    description: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    starts_on: so.Mapped[date]
    ends_on: so.Mapped[date]
    opens_responses: so.Mapped[bool] = so.mapped_column(default=False)
    opens_initiatives: so.Mapped[bool] = so.mapped_column(default=False)
    opens_signing: so.Mapped[bool] = so.mapped_column(default=False)
    entered_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    completed_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)

    consultation: so.Mapped[Consultation] = so.relationship(back_populates="stages")

    def opens(self, action: str) -> bool:
        return bool(getattr(self, f"opens_{action}", False))

    @property
    def has_ended(self) -> bool:
        """Its end date has passed (in the gemeente's time zone): what it opens is closed."""
        from partner_portal.consultations.stages import local_today

        return self.ends_on < local_today()

    @property
    def opened_actions(self) -> list[str]:
        from partner_portal.consultations.stages import ACTIONS

        return [action for action in ACTIONS if self.opens(action)]


class FundingSource(db.Model):
    """Money for the execution: who gives how much, and whether it is committed or only asked."""

    __tablename__ = "funding_source"
    __table_args__ = (
        sa.CheckConstraint("amount_euros >= 0", name="amount_not_negative"),
        enum_check("status", FundingStatus),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    consultation_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("consultation.id", ondelete="CASCADE"), index=True)
    position: so.Mapped[int] = so.mapped_column(default=0)
    name: so.Mapped[str] = so.mapped_column(sa.String(200))
    amount_euros: so.Mapped[int] = so.mapped_column(sa.BigInteger)
    status: so.Mapped[FundingStatus] = so.mapped_column(
        sa.Enum(FundingStatus, native_enum=False, length=20, validate_strings=True)
    )
    note: so.Mapped[str] = so.mapped_column(sa.Text, default="")

    consultation: so.Mapped[Consultation] = so.relationship(back_populates="funding_sources")


class Location(db.Model):
    """A place in the city that initiatives are tied to (a street, a square, a parking garage,
    or the whole centre); the process manager keeps the list per consultation."""

    __tablename__ = "location"
    __table_args__ = (sa.UniqueConstraint("consultation_id", "name", name="uq_location_consultation_name"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    consultation_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("consultation.id", ondelete="CASCADE"), index=True)
    position: so.Mapped[int] = so.mapped_column(default=0)
    name: so.Mapped[str] = so.mapped_column(sa.String(120))
    kind: so.Mapped[str] = so.mapped_column(sa.String(40), default="")  # e.g. "parkeergarage"

    consultation: so.Mapped[Consultation] = so.relationship(back_populates="locations")

    @property
    def label(self) -> str:
        return f"{self.kind} {self.name}" if self.kind else self.name


class Programme(db.Model):
    """An execution programme of the vision, e.g. "Uitvoeringsprogramma Binnenstad 2018–2021"."""

    __tablename__ = "programme"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    consultation_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("consultation.id", ondelete="CASCADE"), index=True)
    position: so.Mapped[int] = so.mapped_column(default=0)
    title: so.Mapped[str] = so.mapped_column(sa.String(200))
    tagline: so.Mapped[str] = so.mapped_column(sa.String(200), default="")
    period: so.Mapped[str] = so.mapped_column(sa.String(40), default="")
    description: so.Mapped[str] = so.mapped_column(sa.Text, default="")

    consultation: so.Mapped[Consultation] = so.relationship(back_populates="programmes")
    projects: so.Mapped[list[ProgrammeProject]] = so.relationship(
        back_populates="programme", order_by="ProgrammeProject.position", cascade="all, delete-orphan"
    )


class ProgrammeProject(db.Model):
    """An action, project or measure of an execution programme, e.g. Koopmansplein → "Koopmanskwartier"."""

    __tablename__ = "programme_project"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    programme_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("programme.id", ondelete="CASCADE"), index=True)
    position: so.Mapped[int] = so.mapped_column(default=0)
    title: so.Mapped[str] = so.mapped_column(sa.String(200))
    location: so.Mapped[str] = so.mapped_column(sa.String(200), default="")
    description: so.Mapped[str] = so.mapped_column(sa.Text, default="")

    programme: so.Mapped[Programme] = so.relationship(back_populates="projects")


class VisionVersion(db.Model):
    """One published version of the vision document. Immutable: an edit publishes a new version."""

    __tablename__ = "vision_version"
    __table_args__ = (
        sa.UniqueConstraint("consultation_id", "number", name="uq_vision_version_consultation_number"),
        sa.CheckConstraint("number >= 1", name="number_positive"),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    consultation_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("consultation.id", ondelete="CASCADE"), index=True)
    number: so.Mapped[int]
    introduction: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    change_note: so.Mapped[str] = so.mapped_column(sa.String(500), default="")
    published_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime)
    published_by_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("user.id", ondelete="RESTRICT"), index=True)
    pdf_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("stored_file.id", ondelete="RESTRICT"), index=True)

    consultation: so.Mapped[Consultation] = so.relationship()
    sections: so.Mapped[list[VisionSection]] = so.relationship(
        back_populates="version", order_by="VisionSection.position", cascade="all, delete-orphan"
    )
    pdf = so.relationship("StoredFile")
    published_by = so.relationship("User")

    def section_for(self, *, pillar_id: int | None = None, theme_id: int | None = None) -> VisionSection | None:
        for section in self.sections:
            if (pillar_id is not None and section.pillar_id == pillar_id) or (
                theme_id is not None and section.theme_id == theme_id
            ):
                return section
        return None

    def full_text(self) -> str:
        """The whole document as Markdown-ish text, for the diff between versions."""
        parts = [self.introduction.strip()]
        for section in self.sections:
            parts.append(f"## {section.heading}\n\n{section.body.strip()}")
        return "\n\n".join(parts)


class VisionSection(db.Model):
    """The text of one pillar or theme in a vision version (the heading is frozen with it)."""

    __tablename__ = "vision_section"
    __table_args__ = (
        sa.CheckConstraint("(pillar_id IS NULL) != (theme_id IS NULL)", name="pillar_xor_theme"),
        sa.UniqueConstraint("version_id", "position", name="uq_vision_section_version_position"),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    version_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("vision_version.id", ondelete="CASCADE"), index=True)
    pillar_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("pillar.id", ondelete="RESTRICT"), index=True)
    theme_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("theme.id", ondelete="RESTRICT"), index=True)
    position: so.Mapped[int]
    heading: so.Mapped[str] = so.mapped_column(sa.String(200))
    body: so.Mapped[str] = so.mapped_column(sa.Text, default="")

    version: so.Mapped[VisionVersion] = so.relationship(back_populates="sections")


def _slug_of(consultation_id: int) -> str | None:
    consultation = db.session.get(Consultation, consultation_id)
    return consultation.slug if consultation is not None else None


pagecache.register_consultation_slugs(_slug_of)
