"""A sector coordinator proposes a commitment; it is moderated through the gemeente's queue: the
gemeente takes it over as its draft or declines it with a reason. Who sees a proposal (the
gemeente and the proposing group's coordinators, nobody else), the mails both ways, editing by
the proposer until it is answered, and the refusals, each changing nothing."""

import sqlalchemy as sa

from partner_portal.commitments import operations as ops
from partner_portal.commitments.models import Commitment, CommitmentState
from partner_portal.core.audit import AuditEvent
from partner_portal.core.errors import OperationError, PermissionDenied
from partner_portal.extensions import db
from partner_portal.notifications.models import OutboxMessage
from tests import factories
from tests.access import log_in
from tests.commitments.conftest import fields
from tests.conftest import post_form

S = CommitmentState
NEW = "/consultaties/{slug}/convenanten/nieuw"


def _fresh(commitment_id: int) -> Commitment:
    db.session.expire_all()
    return db.session.get(Commitment, commitment_id)


def _mails(kind: str) -> list[str]:
    return sorted(
        m.recipient_email for m in db.session.scalars(sa.select(OutboxMessage).where(OutboxMessage.kind == kind))
    )


def _propose(world, **overrides) -> Commitment:
    commitment = ops.create_commitment(world.coordinator, world.consultation, fields(world, **overrides))
    factories.commit()
    return commitment


def _with_coordinator(world):
    world.coordinator = factories.coordinator(world.horeca, world.brink, name="Carla Coördinator")
    factories.commit()
    return world


def test_a_coordinator_proposes_a_commitment_and_the_gemeente_hears_of_it(client, world, login_as):
    _with_coordinator(world)
    login_as(world.coordinator)
    index = client.get(f"/consultaties/{world.consultation.slug}/convenanten")
    assert "Een convenant voorstellen" in index.text
    url = NEW.format(slug=world.consultation.slug)
    page = client.get(url)
    assert page.status_code == 200 and "Een convenant voorstellen" in page.text
    assert 'name="group"' not in page.text  # one group: no choice to make
    data = fields(world, title="Terrassenafspraak Brink")
    data["themes"] = [data["themes"]]
    response = post_form(client, url, data)
    assert response.status_code == 303
    c = db.session.scalar(sa.select(Commitment))
    assert c.state == S.proposed and c.proposed_by_group_id == world.horeca.id and c.proposed_at is not None
    assert not c.is_public
    assert sorted([world.pm.email, world.moderator.email]) == _mails("commitment_proposed")
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "commitment.propose"))
    assert event is not None and not event.is_public
    shown = client.get(f"/convenanten/{c.id}")
    assert shown.status_code == 200 and "Dit is een voorstel aan de gemeente" in shown.text
    assert "Uw voorstel" in shown.text and f"/convenanten/{c.id}/bewerken" in shown.text
    assert f"/convenanten/{c.id}/stap/accept" not in shown.text  # the gemeente answers, not the proposer


def test_only_the_gemeente_and_the_proposing_coordinators_see_a_proposal(client, world, login_as):
    _with_coordinator(world)
    c = _propose(world, title="Terrassenafspraak Brink")
    listing = f"/consultaties/{world.consultation.slug}/convenanten"
    assert client.get(f"/convenanten/{c.id}").status_code == 404
    assert "Terrassenafspraak" not in client.get(listing).text
    for person in (world.signatory, world.museum_signatory):
        other = client.application.test_client()
        log_in(other, person)
        assert other.get(f"/convenanten/{c.id}").status_code == 404
        assert other.get(f"/convenanten/{c.id}/bewerken").status_code == 404
        assert "Terrassenafspraak" not in other.get(listing).text
    login_as(world.coordinator)
    assert "Terrassenafspraak" in client.get(listing).text
    gemeente = client.application.test_client()
    log_in(gemeente, world.moderator)
    assert gemeente.get(f"/convenanten/{c.id}").status_code == 200


def test_the_moderation_queue_lists_proposals_with_counts_per_state(client, world, login_as):
    _with_coordinator(world)
    _propose(world, title="Terrassenafspraak Brink")
    login_as(world.moderator)
    page = client.get("/beheer/reacties?kind=convenanten")
    assert page.status_code == 200 and "Moderatie: voorgestelde convenanten" in page.text
    assert "Terrassenafspraak Brink" in page.text and "Horeca" in page.text
    assert "Voorgestelde convenanten per status" in page.text
    everything = client.get("/beheer/reacties")
    assert "Terrassenafspraak Brink" in everything.text  # the default view hides nothing
    declined_only = client.get("/beheer/reacties?kind=convenanten&commitment_state=declined")
    assert "Terrassenafspraak Brink" not in declined_only.text


def test_the_gemeente_accepts_a_proposal_as_its_draft(client, world, login_as):
    _with_coordinator(world)
    c = _propose(world)
    login_as(world.moderator)
    url = f"/convenanten/{c.id}/stap/accept"
    page = client.get(url)
    assert page.status_code == 200 and "De gemeente neemt het voorstel over als concept" in page.text
    response = post_form(client, url, {"version": c.version})
    assert response.status_code == 303
    c = _fresh(c.id)
    assert c.state == S.draft and c.accepted_at is not None and c.proposed_by_group_id == world.horeca.id
    assert _mails("commitment_proposal_answered") == [world.coordinator.email]
    # Now the process manager's draft: they can open it; the proposer can no longer change it.
    assert ops.COMMITMENT.row("open").permits(world.pm, c)
    try:
        ops.save_commitment(world.coordinator, c, fields(world, title="Anders"), version=c.version)
    except (OperationError, PermissionDenied):
        db.session.rollback()
    else:
        raise AssertionError("the proposer edited the gemeente's draft")
    assert _fresh(c.id).title.startswith("Intentieverklaring")


def test_declining_needs_a_reason_which_the_proposer_reads(client, world, login_as):
    _with_coordinator(world)
    c = _propose(world)
    login_as(world.moderator)
    url = f"/convenanten/{c.id}/stap/decline"
    refused = post_form(client, url, {"version": c.version, "reason": "  "})
    assert refused.status_code == 400 and "Geef een reden op" in refused.text
    assert _fresh(c.id).state == S.proposed and _mails("commitment_proposal_answered") == []
    response = post_form(client, url, {"version": c.version, "reason": "Dit past beter in het horecaconvenant."})
    assert response.status_code == 303
    c = _fresh(c.id)
    assert c.state == S.declined and c.declined_at is not None
    assert _mails("commitment_proposal_answered") == [world.coordinator.email]
    mail = db.session.scalar(sa.select(OutboxMessage).where(OutboxMessage.kind == "commitment_proposal_answered"))
    assert "horecaconvenant" in mail.body_text
    assert client.application.test_client().get(f"/convenanten/{c.id}").status_code == 404  # stays private
    proposer = client.application.test_client()
    log_in(proposer, world.coordinator)
    shown = proposer.get(f"/convenanten/{c.id}")
    assert shown.status_code == 200 and "Dit past beter in het horecaconvenant." in shown.text
    edit = proposer.get(f"/convenanten/{c.id}/bewerken")
    assert edit.status_code == 302  # no longer editable: back to the page with the reason


def test_the_proposer_edits_the_proposal_until_it_is_answered(client, world, login_as):
    _with_coordinator(world)
    c = _propose(world)
    login_as(world.coordinator)
    url = f"/convenanten/{c.id}/bewerken"
    page = client.get(url)
    assert page.status_code == 200
    import re

    version = re.search(r'name="version" type="hidden" value="(\d+)"', page.text) or re.search(
        r'type="hidden" name="version" value="(\d+)"', page.text
    )
    data = fields(world, title="Terrassenafspraak Brink, herzien")
    data["themes"] = [data["themes"]]
    response = post_form(client, url, {**data, "version": version.group(1)})
    assert response.status_code == 303
    c = _fresh(c.id)
    assert c.title == "Terrassenafspraak Brink, herzien" and c.state == S.proposed and c.current_version == 1
    assert c.current.title == c.title  # a proposal's text is rewritten in place, as a draft's


def test_a_coordinator_of_two_groups_chooses_the_group(client, world, login_as):
    _with_coordinator(world)
    world.culture.coordinators.append(world.coordinator)
    factories.commit()
    url = NEW.format(slug=world.consultation.slug)
    login_as(world.coordinator)
    assert 'name="group"' in client.get(url).text
    data = fields(world)
    data["themes"] = [data["themes"]]
    refused = post_form(client, url, data)
    assert refused.status_code == 400 and "Kies de sectorgroep" in refused.text
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Commitment)) == 0
    response = post_form(client, url, {**data, "group": str(world.culture.id)})
    assert response.status_code == 303
    assert db.session.scalar(sa.select(Commitment.proposed_by_group_id)) == world.culture.id


def test_people_who_are_not_coordinators_cannot_propose(client, world, login_as):
    _with_coordinator(world)
    for person in (world.member, world.signatory):
        try:
            ops.create_commitment(person, world.consultation, fields(world))
        except PermissionDenied:
            db.session.rollback()
        else:
            raise AssertionError(f"{person.name} proposed a commitment")
    login_as(world.signatory)
    assert client.get(NEW.format(slug=world.consultation.slug)).status_code == 403
    assert "Een convenant voorstellen" not in client.get(f"/consultaties/{world.consultation.slug}/convenanten").text
    # A coordinator cannot pass another group off as theirs.
    try:
        ops.create_commitment(world.coordinator, world.consultation, fields(world, group=str(world.culture.id)))
    except OperationError as exc:
        assert "Kies de sectorgroep" in exc.message
        db.session.rollback()
    else:
        raise AssertionError("proposed for a group the person does not coordinate")
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Commitment)) == 0
