"""A moderation step that loses a race answers 409 "changed meanwhile", never 500.

The loser's flush fails on the version check (StaleDataError); the session then needs a
rollback, so the message must not need the database (the locale is resolved at the start of
the request). One test makes the race deterministic inside one request; the other sends
thirty identical steps in parallel to a live server on PostgreSQL.
"""

import http.client
import threading
import urllib.parse

import pytest
import sqlalchemy as sa

from partner_portal.extensions import db
from partner_portal.responses.models import FormalResponse, ResponseState
from tests.access import log_in
from tests.responses import factories as rf

S = ResponseState


def _session_cookie(app, user) -> str:
    client = app.test_client()
    log_in(client, user)
    return client.get_cookie("session").value


@pytest.mark.app_config(WTF_CSRF_ENABLED=False)
@pytest.mark.parametrize("name", ["start_review", "accept"])
def test_a_step_whose_row_changed_during_the_request_is_a_409(app, client, world, name):
    state = S.submitted if name == "start_review" else S.in_review
    r = rf.response(world.consultation, world.group, state)
    db.session.commit()
    response_id, version = r.id, r.version
    log_in(client, world.moderator)
    fired = []

    def someone_else_saves_first(session, flush_context, instances):
        # Another moderator's step commits between this request's version check and its flush.
        if fired or not any(isinstance(o, FormalResponse) for o in session.dirty):
            return
        fired.append(True)
        with db.engine.connect() as other:
            other.execute(sa.update(FormalResponse).where(FormalResponse.id == response_id).values(version=version + 1))
            other.commit()

    sa.event.listen(db.session, "before_flush", someone_else_saves_first)
    try:
        reply = client.post(f"/beheer/reacties/{response_id}/stap/{name}", data={"version": version, "reason": ""})
    finally:
        sa.event.remove(db.session, "before_flush", someone_else_saves_first)
    assert fired
    assert reply.status_code == 409, reply.get_data(as_text=True)[:500]
    assert "intussen door iemand anders gewijzigd" in reply.get_data(as_text=True)
    assert db.session.get(FormalResponse, response_id).state == state


@pytest.mark.postgres_only
@pytest.mark.app_config(WTF_CSRF_ENABLED=False)
@pytest.mark.parametrize("name", ["start_review", "accept"])
def test_thirty_parallel_identical_steps_give_one_302_and_409s(app, live_server, name):
    from partner_portal.auth.models import User
    from partner_portal.consultations.models import Consultation
    from partner_portal.partners.models import SectorGroup

    consultation = db.session.scalar(sa.select(Consultation).where(Consultation.slug == "binnenstad-assen"))
    group = db.session.scalar(sa.select(SectorGroup).where(SectorGroup.slug == "vastgoed"))
    r = rf.response(consultation, group, S.submitted if name == "start_review" else S.in_review)
    db.session.commit()
    moderator = db.session.scalar(sa.select(User).where(User.email == "moderator@example.org"))
    cookies = [_session_cookie(app, moderator) for _ in range(30)]
    body = urllib.parse.urlencode({"version": r.version, "reason": ""})
    url = urllib.parse.urlsplit(live_server.url)
    barrier = threading.Barrier(30)
    statuses: list[int] = []

    def post(cookie):
        conn = http.client.HTTPConnection(url.hostname, url.port, timeout=60)
        conn.connect()  # connected before the barrier, so the requests really arrive together
        barrier.wait(timeout=20)
        conn.request(
            "POST",
            f"/beheer/reacties/{r.id}/stap/{name}",
            body=body,
            headers={"Content-Type": "application/x-www-form-urlencoded", "Cookie": f"session={cookie}"},
        )
        statuses.append(conn.getresponse().status)
        conn.close()

    threads = [threading.Thread(target=post, args=(c,)) for c in cookies]
    for t in threads:
        t.start()
    for t in threads:
        t.join(90)
    assert sorted(statuses) == [302] + [409] * 29
    db.session.expire_all()
    expected = S.in_review if name == "start_review" else S.accepted
    assert db.session.get(FormalResponse, r.id).state == expected
