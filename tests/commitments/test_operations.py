"""Operations on commitments: drafting and versions, signing with pledges and every refusal (each
changes nothing), joint authority, stale signatures and re-signing, revoking, notice, the
threshold that makes a commitment binding exactly once, and the query helpers for the pages."""

import pytest
import sqlalchemy as sa

from partner_portal.commitments import operations as ops
from partner_portal.commitments.models import (
    Commitment,
    CommitmentState,
    InvitedParties,
    PledgeKind,
    Signature,
    SignatureState,
)
from partner_portal.core.audit import AuditEvent
from partner_portal.core.errors import Conflict, OperationError, PermissionDenied
from partner_portal.extensions import db
from partner_portal.notifications.models import OutboxMessage
from tests import factories
from tests.commitments import factories as cof
from tests.commitments.conftest import fields

S = CommitmentState
SS = SignatureState
PASSWORD = factories.PASSWORD


def _events(action):
    return db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == action)).all()


def _outbox(kind):
    return db.session.scalars(sa.select(OutboxMessage).where(OutboxMessage.kind == kind)).all()


def _signatures():
    return db.session.scalars(sa.select(Signature).order_by(Signature.id)).all()


def _sign(actor, c, **overrides):
    values = {
        "password": PASSWORD,
        "version_hash": c.current_hash,
        "signer_name": actor.name,
        "function": "Eigenaar",
    }
    values.update(overrides)
    return ops.sign(actor, c, **values)


# Drafting and versions -------------------------------------------------------------------------


def test_the_process_manager_drafts_and_a_draft_is_edited_in_place(world):
    c = ops.create_commitment(world.pm, world.consultation, fields(world, threshold_organisations="5"))
    db.session.commit()
    assert c.state == S.draft and c.current_version == 1 and c.threshold_organisations == 5
    first_hash = c.current_hash
    ops.save_commitment(
        world.pm, c, fields(world, text="Een andere tekst.", threshold_organisations="5"), version=c.version
    )
    db.session.commit()
    assert [v.number for v in c.versions] == [1] and c.current.text == "Een andere tekst."
    assert c.current_hash != first_hash and _events("commitment.create") and _events("commitment.save")


def test_a_partner_cannot_create_a_commitment(world):
    with pytest.raises(PermissionDenied):
        ops.create_commitment(world.signatory, world.consultation, fields(world))


def test_opening_goes_through_the_table(world):
    c = cof.commitment(world.consultation, S.draft)
    db.session.commit()
    with pytest.raises(PermissionDenied):
        ops.open_commitment(world.signatory, c, version=c.version)
    db.session.rollback()
    ops.open_commitment(world.pm, c, version=c.version)
    db.session.commit()
    assert c.state == S.open and c.opened_at is not None
    assert _events("commitment.open")[0].is_public


def test_withdrawing_needs_a_reason(world):
    c = cof.commitment(world.consultation, S.open)
    db.session.commit()
    with pytest.raises(OperationError, match="reden"):
        ops.withdraw_commitment(world.pm, c, version=c.version, reason=" ")
    db.session.rollback()
    ops.withdraw_commitment(world.pm, c, version=c.version, reason="Opgegaan in een nieuw convenant.")
    db.session.commit()
    assert c.state == S.withdrawn and c.closing_reason == "Opgegaan in een nieuw convenant."


def test_a_text_change_while_open_is_a_new_version_and_earlier_signatures_go_stale(world):
    c = cof.commitment(world.consultation, S.open)
    db.session.commit()
    signed = _sign(world.signatory, c)
    db.session.commit()
    assert ops.totals(c).organisations == 1
    ops.save_commitment(world.pm, c, fields(world, text="Versie twee.", threshold_organisations=""), version=c.version)
    db.session.commit()
    assert c.current_version == 2 and [v.number for v in c.versions] == [1, 2]
    assert c.versions[0].text == cof.TEXT  # version 1 is kept as it was signed
    db.session.refresh(signed)
    assert signed.version_number == 1 and signed.is_stale and not signed.counts
    totals = ops.totals(c)
    assert (totals.organisations, totals.stale) == (0, 1)
    assert [m.recipient_email for m in _outbox("commitment_text_changed")] == [world.signatory.email]
    assert _events("commitment.new_version")


def test_the_threshold_and_pledge_kinds_are_fixed_once_open(world):
    c = cof.commitment(world.consultation, S.open, threshold_organisations=5)
    db.session.commit()
    with pytest.raises(ops.InvalidFields, match="liggen vast"):
        ops.save_commitment(world.pm, c, fields(world, threshold_organisations="2"), version=c.version)
    db.session.rollback()
    assert db.session.get(Commitment, c.id).current_version == 1


@pytest.mark.parametrize("state", [S.binding, S.closed, S.withdrawn])
def test_editing_a_binding_closed_or_withdrawn_commitment_is_refused(world, state):
    c = cof.commitment(world.consultation, state)
    db.session.commit()
    with pytest.raises(OperationError, match="niet mogelijk vanuit de status"):
        ops.save_commitment(world.pm, c, fields(world, text="Anders."), version=c.version)
    db.session.rollback()
    c = db.session.get(Commitment, c.id)
    assert c.text == cof.TEXT and c.current_version == 1


def test_a_stale_form_version_is_a_conflict(world):
    c = cof.commitment(world.consultation, S.draft)
    db.session.commit()
    with pytest.raises(Conflict):
        ops.save_commitment(world.pm, c, fields(world), version=c.version - 1)


# Signing ----------------------------------------------------------------------------------------------


def test_a_signatory_signs_with_a_money_pledge(world):
    c = cof.commitment(world.consultation, S.open)
    db.session.commit()
    s = _sign(
        world.signatory,
        c,
        signer_name="  Tamara   Tekenbevoegd ",
        function="Directeur-eigenaar",
        pledge_kind="money",
        amount="€ 2.500",
        funding_source_id=str(world.fonds_source.id),
    )
    db.session.commit()
    assert s.state == SS.complete and s.counts
    assert (s.organisation_name, s.organisation_kvk) == (world.brink.name, world.brink.kvk_number)
    assert (s.signer_name, s.signer_function) == ("Tamara Tekenbevoegd", "Directeur-eigenaar")
    assert s.auth_method == "password"
    assert (s.version_number, s.version_hash) == (1, c.current_hash)
    assert (s.pledge_kind, s.pledge_cents, s.funding_source_id) == (PledgeKind.money, 250_000, world.fonds_source.id)
    assert ops.find_by_code(s.verification_code.lower().replace("-", "")) == s
    assert ops.totals(c).cents_per_year == 250_000
    assert ops.pledged_private_cents(world.consultation.id) == {world.fonds_source.id: 250_000}
    event = _events("commitment.sign")[0]
    assert event.is_public and event.details_dict["hash"] == c.current_hash
    assert event.organisation_id == world.brink.id


def test_an_organisation_admin_signs_with_hours(world):
    c = cof.commitment(world.consultation, S.open)
    db.session.commit()
    s = _sign(world.brink_admin, c, pledge_kind="hours", hours="40")
    assert (s.pledge_kind, s.pledge_hours) == (PledgeKind.hours, 40) and ops.totals(c).hours_per_year == 40


def _refusal_cases():
    def member(w, c):
        return _sign(w.member, c)

    def staff(w, c):
        return _sign(w.pm, c)

    def archived(w, c):
        return _sign(w.archived_signatory, c)

    def not_invited(w, c):
        c.invited = InvitedParties.organisations
        c.invited_organisations.append(ops.CommitmentOrganisation(organisation_id=w.museum.id))
        db.session.commit()
        return _sign(w.signatory, c)

    def wrong_password(w, c):
        return _sign(w.signatory, c, password="niet-mijn-wachtwoord")

    def stale_hash(w, c):
        return _sign(w.signatory, c, version_hash="0" * 64)

    def negative(w, c):
        return _sign(w.signatory, c, pledge_kind="money", amount="-100", funding_source_id=w.fonds_source.id)

    def not_a_number(w, c):
        return _sign(w.signatory, c, pledge_kind="money", amount="veel", funding_source_id=w.fonds_source.id)

    def other_source(w, c):
        source = w.other_consultation.funding_sources[0]
        return _sign(w.signatory, c, pledge_kind="money", amount="100", funding_source_id=source.id)

    def kind_not_allowed(w, c):
        c.allows_in_kind = False
        db.session.commit()
        return _sign(w.signatory, c, pledge_kind="in_kind", in_kind="Een zaal")

    def negative_hours(w, c):
        return _sign(w.signatory, c, pledge_kind="hours", hours="-5")

    def no_name(w, c):
        return _sign(w.signatory, c, signer_name="  ")

    def outside_stage(w, c):
        w.consultation.current_position = 1
        db.session.commit()
        return _sign(w.signatory, c)

    return [
        ("member", member, ops.NotASigner, "tekenbevoegde"),
        ("staff", staff, ops.NotASigner, "tekenbevoegde"),
        ("archived organisation", archived, ops.NotASigner, "tekenbevoegde"),
        ("not invited", not_invited, ops.NotInvited, "niet uitgenodigd"),
        ("wrong password", wrong_password, ops.WrongPassword, "wachtwoord klopt niet"),
        ("text changed", stale_hash, ops.TextChanged, "De tekst is gewijzigd"),
        ("negative pledge", negative, ops.InvalidPledge, "negatief|groter dan nul"),
        ("pledge not a number", not_a_number, ops.InvalidPledge, "bedrag"),
        ("source of another consultation", other_source, ops.InvalidPledge, "financieringsbron van deze consultatie"),
        ("kind not allowed", kind_not_allowed, ops.InvalidPledge, "geen toezegging van deze soort"),
        ("negative hours", negative_hours, ops.InvalidPledge, "groter dan nul"),
        ("no signer name", no_name, ops.InvalidFields, "naam"),
        ("outside the signing stage", outside_stage, OperationError, "Afspraken ondertekenen kan alleen in de fase"),
    ]


CASES = _refusal_cases()


@pytest.mark.parametrize(("name", "attempt", "error", "message"), CASES, ids=[c[0] for c in CASES])
def test_every_refusal_has_its_message_and_changes_nothing(world, name, attempt, error, message):
    c = cof.commitment(world.consultation, S.open)
    db.session.commit()
    with pytest.raises(error, match=message):
        attempt(world, c)
    db.session.rollback()
    assert _signatures() == [] and not _events("commitment.sign")
    assert db.session.get(Commitment, c.id).state == S.open


@pytest.mark.parametrize("state", [S.draft, S.binding, S.closed, S.withdrawn])
def test_signing_a_commitment_that_is_not_open_is_refused(world, state):
    c = cof.commitment(world.consultation, state)
    db.session.commit()
    with pytest.raises(ops.NotOpen, match="staat niet open"):
        _sign(world.signatory, c)
    db.session.rollback()
    assert _signatures() == []


def test_the_text_changed_refusal_names_the_version_seen_for_the_diff(world):
    c = cof.commitment(world.consultation, S.open)
    db.session.commit()
    first = c.current_hash
    ops.save_commitment(world.pm, c, fields(world, text="Versie twee.", threshold_organisations=""), version=c.version)
    db.session.commit()
    with pytest.raises(ops.TextChanged) as refused:
        _sign(world.signatory, c, version_hash=first)
    assert (refused.value.seen, refused.value.current) == (1, 2)


def test_an_organisation_signs_once(world):
    c = cof.commitment(world.consultation, S.open)
    db.session.commit()
    _sign(world.signatory, c)
    db.session.commit()
    with pytest.raises(ops.AlreadySigned, match="al ondertekend"):
        _sign(world.brink_admin, c)
    db.session.rollback()
    assert len(_signatures()) == 1


# Joint authority -----------------------------------------------------------------------------------


def test_joint_authority_counts_only_when_a_second_different_signatory_cosigns(world):
    c = cof.commitment(world.consultation, S.open, threshold_organisations=1)
    db.session.commit()
    s = _sign(world.joint_first, c)
    db.session.commit()
    assert s.state == SS.pending_second and not s.counts and c.state == S.open
    assert ops.totals(c).organisations == 0 and ops.totals(c).pending == 1

    cosign = {"password": PASSWORD, "version_hash": c.current_hash, "signer_name": "Eva Eerste", "function": "Dir"}
    with pytest.raises(OperationError, match="zelf al getekend"):
        ops.cosign(world.joint_first, s, **cosign)
    db.session.rollback()
    with pytest.raises(PermissionDenied):
        ops.cosign(world.signatory, s, **cosign)  # a signatory of another organisation
    db.session.rollback()
    with pytest.raises(ops.AlreadySigned):
        _sign(world.joint_second, c)  # a second row for the organisation
    db.session.rollback()

    ops.cosign(world.joint_second, s, **{**cosign, "signer_name": "Tom Tweede"})
    db.session.commit()
    assert s.state == SS.complete and s.cosigner_id == world.joint_second.id and s.counts
    assert c.state == S.binding and len(_events("commitment.bind")) == 1


def test_a_cosignature_on_an_earlier_version_is_refused(world):
    c = cof.commitment(world.consultation, S.open)
    db.session.commit()
    s = _sign(world.joint_first, c)
    db.session.commit()
    ops.save_commitment(world.pm, c, fields(world, text="Versie twee.", threshold_organisations=""), version=c.version)
    db.session.commit()
    with pytest.raises(ops.TextChanged, match="eerdere versie"):
        ops.cosign(
            world.joint_second, s, password=PASSWORD, version_hash=c.current_hash, signer_name="Tom", function="Dir"
        )
    db.session.rollback()
    assert db.session.get(Signature, s.id).state == SS.pending_second


# Re-signing, revoking, notice ---------------------------------------------------------------------------


def test_resigning_a_stale_signature_moves_it_to_the_current_version_with_a_new_code(world):
    c = cof.commitment(world.consultation, S.open)
    db.session.commit()
    s = _sign(world.signatory, c, pledge_kind="hours", hours="12")
    db.session.commit()
    old_code = s.verification_code
    ops.save_commitment(world.pm, c, fields(world, text="Versie twee.", threshold_organisations=""), version=c.version)
    db.session.commit()
    with pytest.raises(ops.WrongPassword):
        ops.resign(world.signatory, s, password="fout", version_hash=c.current_hash)
    db.session.rollback()

    ops.resign(world.signatory, s, password=PASSWORD, version_hash=c.current_hash)
    db.session.commit()
    assert (s.version_number, s.version_hash, s.pledge_hours) == (2, c.current_hash, 12) and s.counts
    assert s.verification_code != old_code
    old = ops.verify_code(old_code)
    assert old.signature == s and old.version_number == 1 and old.superseded_at is not None
    assert not old.is_current_version and ops.verify_code(s.verification_code).is_current_version
    assert _events("commitment.resign")[0].details_dict["previous"]["code"] == old_code
    with pytest.raises(OperationError, match="huidige versie al"):
        ops.resign(world.signatory, s, password=PASSWORD, version_hash=c.current_hash)


def test_revoking_while_open_then_signing_again_reuses_the_row(world):
    c = cof.commitment(world.consultation, S.open)
    db.session.commit()
    s = _sign(world.signatory, c)
    db.session.commit()
    with pytest.raises(PermissionDenied):
        ops.revoke(world.museum_signatory, s, "Niet van ons.")
    db.session.rollback()
    with pytest.raises(OperationError, match="reden"):
        ops.revoke(world.signatory, s, "")
    db.session.rollback()
    ops.revoke(world.signatory, s, "Het bestuur trekt de steun in.")
    db.session.commit()
    assert s.state == SS.revoked and s.revoked_at and not s.counts and ops.totals(c).organisations == 0
    with pytest.raises(OperationError):
        ops.give_notice(world.signatory, s, "Kan niet vóór bindend.")
    db.session.rollback()

    again = _sign(world.brink_admin, c)
    db.session.commit()
    assert again.id == s.id and again.state == SS.complete and again.signer_id == world.brink_admin.id
    assert len(_signatures()) == 1 and len(again.receipts) == 1


def test_after_binding_only_notice_can_be_given(world):
    c = cof.commitment(world.consultation, S.binding)
    s = cof.signature(c, world.signatory)
    db.session.commit()
    with pytest.raises(OperationError, match="niet mogelijk vanuit de status"):
        ops.revoke(world.signatory, s, "Te laat.")
    db.session.rollback()
    ops.give_notice(world.signatory, s, "Wij stoppen met de onderneming.")
    db.session.commit()
    assert s.state == SS.noticed and s.noticed_at and s.ended_reason == "Wij stoppen met de onderneming."
    assert c.state == S.binding and _events("commitment.give_notice")[0].is_public


# The threshold ----------------------------------------------------------------------------------------


def test_reaching_the_threshold_makes_it_binding_once_with_one_notification_round(world):
    c = cof.commitment(world.consultation, S.open, threshold_organisations=2)
    db.session.commit()
    _sign(world.signatory, c)
    db.session.commit()
    assert c.state == S.open and not _events("commitment.bind")
    _sign(world.museum_signatory, c)
    db.session.commit()
    assert c.state == S.binding and c.bound_at is not None
    events = _events("commitment.bind")
    assert len(events) == 1 and events[0].details_dict["organisations"] == 2
    told = sorted(m.recipient_email for m in _outbox("commitment_binding"))
    assert world.signatory.email in told and len(told) == len(set(told))
    with pytest.raises(ops.NotOpen):
        _sign(world.joint_first, c)


def test_stale_signatures_do_not_count_toward_the_threshold(world):
    c = cof.commitment(world.consultation, S.open, threshold_organisations=2)
    cof.signature(c, world.signatory, version=c.current)
    db.session.commit()
    ops.save_commitment(world.pm, c, fields(world, text="Versie twee.", threshold_organisations="2"), version=c.version)
    db.session.commit()
    _sign(world.museum_signatory, c)
    db.session.commit()
    assert c.state == S.open and ops.totals(c).organisations == 1


def test_a_money_threshold_counts_pledged_cents(world):
    c = cof.commitment(world.consultation, S.open, threshold_cents=500_000)
    db.session.commit()
    source = world.fonds_source.id
    _sign(world.signatory, c, pledge_kind="money", amount="3.000", funding_source_id=source)
    db.session.commit()
    assert c.state == S.open
    _sign(world.museum_signatory, c, pledge_kind="money", amount="2.000", funding_source_id=source)
    db.session.commit()
    assert c.state == S.binding


def test_without_a_threshold_the_process_manager_declares_it_binding(world):
    c = cof.commitment(world.consultation, S.open)
    cof.signature(c, world.signatory)
    db.session.commit()
    ops.take_step(world.pm, c, "bind", version=c.version)
    db.session.commit()
    assert c.state == S.binding and _outbox("commitment_binding")
    with_threshold = cof.commitment(world.consultation, S.open, threshold_organisations=3)
    db.session.commit()
    with pytest.raises(OperationError, match="drempel"):
        ops.take_step(world.pm, with_threshold, "bind", version=with_threshold.version)


# Reading ----------------------------------------------------------------------------------------------


def test_signatures_are_listed_current_first_then_stale_then_ended(world):
    c = cof.commitment(world.consultation, S.open)
    old = cof.signature(c, world.signatory)
    db.session.commit()
    ops.save_commitment(world.pm, c, fields(world, text="Versie twee.", threshold_organisations=""), version=c.version)
    db.session.commit()
    ended = cof.signature(c, world.joint_first, state=SS.revoked, revoked_at=old.signed_at, ended_reason="Weg.")
    stranger = factories.user(factories.organisation(), factories.OrgRole.signatory)
    pending = cof.signature(c, stranger, state=SS.pending_second)
    current = _sign(world.museum_signatory, c)
    db.session.commit()
    assert ops.signatures_of(c) == [current, pending, old, ended]
    assert ops.signed_by_organisation(world.brink.id) == [old]
    assert ops.find_by_code("ZZZZ-ZZZZ-ZZZZ-ZZZZ") is None and ops.find_by_code("niet-een-code") is None


def test_pledges_of_stale_or_pending_signatures_are_not_pledged(world):
    c = cof.commitment(world.consultation, S.open)
    source = world.fonds_source.id
    cof.signature(c, world.signatory, pledge_kind=PledgeKind.money, pledge_cents=100_00, funding_source_id=source)
    cof.signature(
        c,
        world.joint_first,
        state=SS.pending_second,
        pledge_kind=PledgeKind.money,
        pledge_cents=999_00,
        funding_source_id=source,
    )
    draft = cof.commitment(world.consultation, S.draft)
    cof.signature(draft, world.museum_signatory, pledge_kind=PledgeKind.money, pledge_cents=5, funding_source_id=source)
    db.session.commit()
    assert ops.pledged_private_cents(world.consultation.id) == {source: 100_00}


def test_a_fresh_login_at_the_provider_stands_in_for_the_password_and_its_level_is_recorded(world):
    from datetime import timedelta

    from partner_portal.core.models import utcnow

    c = cof.commitment(world.consultation, S.open)
    db.session.commit()
    world.signatory.password_hash = None  # came through single sign-on: has no password here
    stale = ops.FreshLogin(at=utcnow() - timedelta(seconds=ops.FRESH_LOGIN_SECONDS + 5), acr="eh3")
    with pytest.raises(ops.WrongPassword, match="te lang geleden"):
        _sign(world.signatory, c, password="", fresh_login=stale)
    db.session.rollback()
    with pytest.raises(ops.WrongPassword):  # no password to check against
        _sign(world.signatory, c, password="")
    db.session.rollback()
    assert _signatures() == []
    world.signatory.password_hash = None
    signature = _sign(world.signatory, c, password="", fresh_login=ops.FreshLogin(at=utcnow(), acr="eh3"))
    db.session.commit()
    assert signature.auth_method == "sso:eh3"
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "commitment.sign"))
    assert event.details_dict["auth_method"] == "sso:eh3"
