"""Fifty organisations sign at once through two application processes (gunicorn, two sync workers)
on PostgreSQL, each submitting its form twice at the same moment, while the process manager
changes the text once in the middle. Then the organisations on the earlier text sign the new
version (and those refused because the text changed sign again), again all at once and twice.

Afterwards: no request got a 500; no organisation has two signatures; every signature names the
version whose hash its form carried; every organisation counts on the current version; the
commitment became binding with exactly one binding event.
"""

import os
import re
import secrets
import socket
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from types import SimpleNamespace

import pytest
import requests
import sqlalchemy as sa

from partner_portal.auth.models import OrgRole, StaffRole
from partner_portal.commitments import operations as ops
from partner_portal.commitments.models import Commitment, CommitmentState, Signature, SignatureState
from partner_portal.core.audit import AuditEvent
from partner_portal.extensions import db
from tests import factories
from tests.commitments import factories as cof
from tests.commitments.conftest import fields
from tests.conftest import make_app, throwaway_postgres
from tests.consultations import factories as cf
from tests.factories import PASSWORD

pytestmark = pytest.mark.postgres_only

ROOT = Path(__file__).resolve().parents[2]
ORGANISATIONS = 50
SECRET = "load-test-secret-" + secrets.token_hex(8)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def load_database(backend, postgres_url):
    """A database of its own (the application processes write to it too), with the schema."""
    with throwaway_postgres("pp_load") as url:
        app = make_app(url, SECRET_KEY=SECRET, AUDIT_HMAC_KEY=SECRET)
        with app.app_context():
            db.create_all()
            db.session.remove()
            db.engine.dispose()
        yield url


@pytest.fixture
def server(load_database, tmp_path):
    """The app under gunicorn -w 2 on the load database, with the test's secret key."""
    port = _free_port()
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "APP_ENV": "development",
        "DATABASE_URL": load_database,
        "SECRET_KEY": SECRET,
        "AUDIT_HMAC_KEY": SECRET,
        "PAGE_CACHE_URL": "",
        "RATELIMIT_STORAGE_URI": "memory://",
        "UPLOAD_FOLDER": str(tmp_path / "uploads"),
        "MAIL_SERVER": "",
    }
    log = open(tmp_path / "gunicorn.log", "wb")  # noqa: SIM115 (closed below)
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "-w",
            "2",
            "-b",
            f"127.0.0.1:{port}",
            "--timeout",
            "60",
            "partner_portal:create_app()",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=log,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(150):
            try:
                if requests.get(f"{url}/login", timeout=30).status_code == 200:
                    break
            except requests.ConnectionError:
                time.sleep(0.2)
        else:
            pytest.fail("gunicorn did not start: " + (tmp_path / "gunicorn.log").read_text()[-2000:])
        yield url
    finally:
        process.terminate()
        process.wait(timeout=30)
        log.close()


def _cookie(app, user) -> tuple[str, str]:
    """A session cookie of `user`, as a login would leave it (signed with the shared secret key)."""
    client = app.test_client()
    now = int(time.time())
    with client.session_transaction() as session:
        session.update(_user_id=user.get_id(), _fresh=True, login_at=now, seen_at=now)
        session.permanent = True
    name = app.config["SESSION_COOKIE_NAME"]
    return name, client.get_cookie(name).value


def _form(html: str) -> dict[str, str]:
    values = dict(re.findall(r'<input[^>]*?name="(csrf_token|version_hash)"[^>]*?value="([^"]*)"', html))
    assert "csrf_token" in values and "version_hash" in values, html[:2000]
    return values


class Signer:
    def __init__(self, url, cookie, commitment_id, name):
        self.http = requests.Session()
        self.cookie = "=".join(cookie)  # sent on the first request; the server's Set-Cookie follows
        self.url, self.commitment_id, self.name = url, commitment_id, name
        self.statuses: list[int] = []
        self.seen_hashes: set[str] = set()

    def _get(self, path: str):
        headers = {"Cookie": self.cookie} if not self.http.cookies else {}
        page = self.http.get(self.url + path, headers=headers, timeout=60)
        assert self.http.cookies, "the server sent no session cookie back"
        return page

    def _twice(self, path: str, data: dict) -> None:
        """The same form submitted twice at the same moment (a double click)."""
        barrier = threading.Barrier(2)

        def post():
            barrier.wait()
            return self.http.post(self.url + path, data=data, allow_redirects=False, timeout=60).status_code

        with ThreadPoolExecutor(2) as pool:
            self.statuses += list(pool.map(lambda _: post(), range(2)))

    def sign(self) -> None:
        path = f"/convenanten/{self.commitment_id}/ondertekenen"
        page = self._get(path)
        self.statuses.append(page.status_code)
        form = _form(page.text)
        self.seen_hashes.add(form["version_hash"])
        data = {**form, "signer_name": self.name, "function": "Directeur", "pledge_kind": "none"}
        self._twice(path, {**data, "password": PASSWORD})

    def resign(self, signature_id: int) -> None:
        path = f"/convenanten/{self.commitment_id}/ondertekeningen/{signature_id}/opnieuw"
        page = self._get(path)
        self.statuses.append(page.status_code)
        form = _form(page.text)
        self.seen_hashes.add(form["version_hash"])
        self._twice(path, {**form, "signer_name": self.name, "function": "Directeur", "password": PASSWORD})


def test_fifty_organisations_sign_at_once_through_two_processes_while_the_text_changes(load_database, server):
    app = make_app(load_database, SECRET_KEY=SECRET, AUDIT_HMAC_KEY=SECRET)
    with app.app_context():
        consultation = cf.consultation(current=3)  # "Uitvoering" opens signing
        pm = factories.user(role=StaffRole.process_manager, email="pm@example.org")
        group = factories.sector_group("horeca", "Horeca")
        signers = []
        for n in range(ORGANISATIONS):
            org = factories.organisation(group, name=f"Organisatie {n}")
            signers.append(factories.user(org, OrgRole.signatory, email=f"teken{n}@example.org", name=f"Teken {n}"))
        commitment = cof.commitment(consultation, CommitmentState.open, threshold_organisations=ORGANISATIONS)
        db.session.commit()
        commitment_id = commitment.id
        people = [Signer(server, _cookie(app, user), commitment_id, user.name) for user in signers]
        by_org = {user.organisation_id: person for user, person in zip(signers, people, strict=True)}

        # Round 1: everyone signs at once; the text changes when about half have started.
        with ThreadPoolExecutor(ORGANISATIONS) as pool:
            futures = [pool.submit(person.sign) for person in people]
            while sum(f.done() for f in futures) < ORGANISATIONS // 3:
                time.sleep(0.01)
            db.session.expire_all()
            current = db.session.get(Commitment, commitment_id)
            changed = fields(
                SimpleNamespace(consultation=consultation),
                text="De partners richten samen één binnenstadsorganisatie op, voor ten minste drie jaar.",
                threshold_organisations=str(ORGANISATIONS),
            )
            ops.save_commitment(pm, current, changed, version=current.version)
            db.session.commit()
            for future in futures:
                future.result()

        # Round 2: the earlier text's signers sign the new version, the refused ones sign again.
        db.session.expire_all()
        rows = {s.organisation_id: s for s in db.session.scalars(sa.select(Signature))}
        first_round = [row.version_number for row in rows.values()]
        assert 1 in first_round and len(rows) <= ORGANISATIONS  # some signed the text before the change
        with ThreadPoolExecutor(ORGANISATIONS) as pool:
            futures = []
            for org_id, person in by_org.items():
                row = rows.get(org_id)
                if row is None:
                    futures.append(pool.submit(person.sign))
                elif row.version_number != 2:
                    futures.append(pool.submit(person.resign, row.id))
            for future in futures:
                future.result()

        db.session.expire_all()
        statuses = [status for person in people for status in person.statuses]
        assert 500 not in statuses and all(status < 500 for status in statuses), sorted(set(statuses))
        assert statuses.count(303) >= ORGANISATIONS  # each organisation's form went through once at least
        signatures = db.session.scalars(sa.select(Signature).where(Signature.commitment_id == commitment_id)).all()
        assert len(signatures) == ORGANISATIONS == len({s.organisation_id for s in signatures}), statuses
        commitment = db.session.get(Commitment, commitment_id)
        hashes = {v.number: v.text_hash for v in commitment.versions}
        for s in signatures:
            assert s.version_hash == hashes[s.version_number]  # names the version it signed
            assert s.version_hash in by_org[s.organisation_id].seen_hashes  # ... which its form carried
            assert s.state == SignatureState.complete and s.version_number == commitment.current_version == 2
        assert ops.totals(commitment).organisations == ORGANISATIONS
        assert commitment.state == CommitmentState.binding
        binds = db.session.scalar(
            sa.select(sa.func.count()).select_from(AuditEvent).where(AuditEvent.action == "commitment.bind")
        )
        assert binds == 1
        db.session.remove()
        db.engine.dispose()
