"""The one commit point: a request commits once when it succeeded, and keeps nothing otherwise."""

from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import abort

from partner_portal.core.errors import OperationError, flush_or_conflict
from partner_portal.core.transaction import show_refusal
from partner_portal.extensions import db
from partner_portal.partners.models import SectorGroup
from tests import factories

PACKAGE = Path(__file__).resolve().parents[2] / "partner_portal"


def _add_routes(app):
    """Routes that write a sector group and then end in each way a request can end."""

    def write(slug: str) -> None:
        db.session.add(SectorGroup(slug=slug, name=slug.title(), position=99))
        db.session.flush()

    @app.post("/_t/ok/<slug>")
    def ok(slug):
        write(slug)
        return "ok"

    @app.post("/_t/redirect/<slug>")
    def redirected(slug):
        write(slug)
        return "", 302, {"Location": "/"}

    @app.post("/_t/bad/<slug>")
    def bad(slug):
        write(slug)
        return "bad", 400

    @app.post("/_t/abort/<slug>")
    def aborted(slug):
        write(slug)
        abort(403)

    @app.post("/_t/refused/<slug>")
    @show_refusal(lambda error, slug: (f"shown: {error.message}", error.status_code))
    def refused_view(slug):
        write(slug)
        raise OperationError("Niet toegestaan.")

    @app.post("/_t/crash/<slug>")
    def crash(slug):
        write(slug)
        raise RuntimeError("boom")

    @app.post("/_t/savepoint/<slug>")
    def savepoint(slug):
        # The request's only write, flushed in a savepoint (core.errors.flush_or_conflict).
        db.session.add(SectorGroup(slug=slug, name=slug.title(), position=97))
        flush_or_conflict("Bestaat al.")
        return "ok"

    @app.post("/_t/duplicate/<slug>")
    def duplicate(slug):
        # Not flushed: the uniqueness rule only bites at the commit itself.
        db.session.add(SectorGroup(slug=slug, name="Dubbel", position=98))
        return "ok"


def _stored(slug: str) -> bool:
    db.session.expire_all()
    return db.session.scalar(sa.select(sa.func.count()).where(SectorGroup.slug == slug)) == 1


@pytest.fixture
def routes_client(app):
    _add_routes(app)
    return app.test_client()


@pytest.mark.app_config(WTF_CSRF_ENABLED=False)
@pytest.mark.parametrize(
    ("kind", "status", "kept"),
    [
        ("ok", 200, True),
        ("redirect", 302, True),
        ("bad", 400, False),
        ("abort", 403, False),
        ("refused", 400, False),
        ("crash", 500, False),
        ("savepoint", 200, True),
    ],
)
def test_a_request_commits_only_when_it_succeeded(routes_client, kind, status, kept):
    response = routes_client.post(f"/_t/{kind}/groep-{kind}")
    assert response.status_code == status
    assert _stored(f"groep-{kind}") is kept


@pytest.mark.app_config(WTF_CSRF_ENABLED=False)
def test_a_refused_operation_is_shown_by_the_view_s_own_page(routes_client):
    response = routes_client.post("/_t/refused/groep-x")
    assert response.get_data(as_text=True) == "shown: Niet toegestaan."


@pytest.mark.app_config(WTF_CSRF_ENABLED=False)
def test_a_commit_the_database_refuses_is_a_409_page_not_a_500(routes_client):
    factories.sector_group("bestaat-al")
    db.session.commit()
    response = routes_client.post("/_t/duplicate/bestaat-al")
    assert response.status_code == 409
    assert "intussen door iemand anders gewijzigd" in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(SectorGroup)) == 1


def test_no_view_commits_or_rolls_back_itself():
    offenders = [
        f"{path.relative_to(PACKAGE)}:{number}"
        for path in sorted(PACKAGE.glob("*/views.py"))
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if "session.commit(" in line or "session.rollback(" in line
    ]
    assert not offenders, "Views commit through the request's commit point (core/transaction.py): " + ", ".join(
        offenders
    )
