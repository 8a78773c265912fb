"""The key pages the benchmark measures; each feature appends its own.

`url` is a path or a function of the app (in an app context) returning one, e.g. to pick an
object id. `user` is the demo account to log in as (None: a public page). `key`: one of the
pages most people see, held to the tighter statement target (run.py: TARGET_QUERIES_KEY).
Every page is measured in process and over HTTP under gunicorn; the public ones also take part
in the mixed workload (bench/mixed.py) with the logged-in ones.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Page:
    name: str
    url: str | Callable[[], str]
    user: str | None = None
    key: bool = False

    def path(self) -> str:
        return self.url() if callable(self.url) else self.url

    @property
    def public(self) -> bool:
        return self.user is None


PAGES: list[Page] = [
    Page("login page", "/login"),
    Page("start: administrator = organisations p1", "/beheer/organisaties", "admin@example.org"),
    Page("start: moderator", "/mijn", "moderator@example.org", key=True),
    Page("start: process manager = consultations", "/beheer/consultaties", "procesmanager@example.org", key=True),
    Page("start: MKB staff", "/mijn", "mkb@example.org", key=True),
    Page("start: sector coordinator", "/mijn", "horeca@example.org", key=True),
    Page("start: member", "/mijn", "lid.horeca@example.org", key=True),
    Page("start: signatory", "/mijn", "tekenbevoegd.horeca@example.org", key=True),
    Page("home (featured consultation)", "/", key=True),
    Page("consultation page", "/consultaties/binnenstad-assen", key=True),
    Page("consultation page (sector coordinator)", "/consultaties/binnenstad-assen", "horeca@example.org", key=True),
    Page("consultation timeline", "/consultaties/binnenstad-assen/tijdlijn"),
    Page("consultation procesverloop", "/consultaties/binnenstad-assen/procesverloop"),
    Page("audit log p1 (moderator)", "/beheer/audittrail", "moderator@example.org"),
    Page("audit log filtered by action", "/beheer/audittrail?action=consultation.", "moderator@example.org"),
]


def _accepted_response() -> str:
    """The response detail page of an accepted public response in a bench consultation."""
    import sqlalchemy as sa

    from partner_portal.extensions import db
    from partner_portal.responses.models import FormalResponse

    response_id = db.session.scalar(
        sa.select(FormalResponse.id)
        .where(FormalResponse.state == "accepted", FormalResponse.publication == "public")
        .order_by(FormalResponse.id)
        .limit(1)
    )
    return f"/reacties/{response_id}"


def _bench_nota(suffix: str = "") -> Callable[[], str]:
    def url() -> str:
        import sqlalchemy as sa

        from partner_portal.consultations.models import Consultation
        from partner_portal.extensions import db

        slug = db.session.scalar(
            sa.select(Consultation.slug).where(Consultation.slug.like("bench-%")).order_by(Consultation.id).limit(1)
        )
        return f"/consultaties/{slug}/nota{suffix}"

    return url


PAGES += [
    Page("moderation queue p1 (moderator)", "/beheer/reacties", "moderator@example.org", key=True),
    Page("moderation queue filtered by state", "/beheer/reacties?state=submitted", "moderator@example.org"),
    Page("response detail (public)", _accepted_response, key=True),
    Page("response detail (moderator)", _accepted_response, "moderator@example.org"),
    Page("Nota van beantwoording (moderator, concept)", _bench_nota(), "moderator@example.org"),
]

# Slow documents, timed separately (a few requests each) and reported, not held to the page targets.
DOCUMENTS: list[Page] = [
    Page("Nota van beantwoording PDF (moderator)", _bench_nota(".pdf"), "moderator@example.org"),
]


def _bench_initiative() -> str:
    """The page of a bench initiative in progress (milestones, updates, endorsements, grants)."""
    import sqlalchemy as sa

    from partner_portal.extensions import db
    from partner_portal.initiatives.models import Initiative

    initiative_id = db.session.scalar(
        sa.select(Initiative.id)
        .where(Initiative.state == "in_progress", Initiative.title.like("%: initiatief %"))
        .order_by(Initiative.id)
        .limit(1)
    )
    return f"/initiatieven/{initiative_id}"


def _initiatives_filtered() -> str:
    """The list filtered by state, theme and text (the theme is the Assen consultation's first)."""
    import sqlalchemy as sa

    from partner_portal.consultations.models import Consultation, Theme
    from partner_portal.extensions import db

    theme_id = db.session.scalar(
        sa.select(Theme.id).join(Consultation).where(Consultation.slug == "binnenstad-assen").order_by(Theme.id)
    )
    return f"/consultaties/binnenstad-assen/initiatieven?status=in_progress&thema={theme_id}&q=Brink"


PAGES += [
    Page("initiatives list p1", "/consultaties/binnenstad-assen/initiatieven"),
    Page("initiatives list filtered", _initiatives_filtered),
    Page("initiatives list (member)", "/consultaties/binnenstad-assen/initiatieven", "lid.horeca@example.org"),
    Page("initiative page (public)", _bench_initiative),
    Page("initiative page (moderator)", _bench_initiative, "moderator@example.org"),
]

PAGES += [
    Page("execution programme", "/consultaties/binnenstad-assen/uitvoeringsprogramma", key=True),
]
DOCUMENTS += [
    Page("execution programme PDF", "/consultaties/binnenstad-assen/uitvoeringsprogramma.pdf"),
    Page("execution programme XLSX", "/consultaties/binnenstad-assen/uitvoeringsprogramma.xlsx"),
]


def _bench_commitment(suffix: str = "") -> Callable[[], str]:
    """A bench commitment on its second version (100 signatures, a fifth of them on the first)."""

    def url() -> str:
        import sqlalchemy as sa

        from partner_portal.commitments.models import Commitment
        from partner_portal.extensions import db

        commitment_id = db.session.scalar(
            sa.select(Commitment.id)
            .where(Commitment.title.like("Afspraken % 0"), Commitment.current_version == 2)
            .order_by(Commitment.id)
            .limit(1)
        )
        return f"/convenanten/{commitment_id}{suffix}"

    return url


PAGES += [
    Page("commitments list", "/consultaties/binnenstad-assen/convenanten"),
    Page("commitment page (public)", _bench_commitment(), key=True),
    Page("commitment page (signatory)", _bench_commitment(), "tekenbevoegd.horeca@example.org"),
]
DOCUMENTS += [
    Page("commitment PDF", _bench_commitment("/convenant.pdf")),
]

# MKB Assen's engagement dashboard and its per-sector view (2,000 members and 50,000 activities at 1x).
PAGES += [
    Page("MKB dashboard p1", "/mkb/dashboard", "mkb@example.org"),
    Page("MKB dashboard filtered on a sector", "/mkb/dashboard?sector=horeca", "mkb@example.org"),
    Page("MKB dashboard by last activity", "/mkb/dashboard?sorteer=laatste-activiteit&richting=af", "mkb@example.org"),
    Page("MKB per sector", "/mkb/sectoren", "mkb@example.org"),
]
