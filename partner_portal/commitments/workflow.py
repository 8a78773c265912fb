"""The commitment's workflow table: draft → open → binding | closed; withdrawn (reason required)
from draft or open. A sector coordinator's proposal starts as proposed: the gemeente accepts it
as its draft or declines it (reason required); its proposers may edit it meanwhile.
Its actions: edit the text (a new version once open), sign, co-sign (joint
authority), re-sign a newer version, revoke while open, give notice once binding.

"bind" is taken by the threshold (operations.py, exactly once, under the commitment's row lock)
or, for a commitment without a threshold, by the process manager."""

from __future__ import annotations

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from partner_portal.auth.models import User
from partner_portal.commitments import permissions
from partner_portal.commitments.models import Commitment, CommitmentState, SignatureState
from partner_portal.consultations.stages import stage_open
from partner_portal.core import audit, workflow
from partner_portal.extensions import db

S = CommitmentState


# Who ---------------------------------------------------------------------------------------


@workflow.rule("process manager")
def process_manager(user, commitment: Commitment) -> bool:
    return permissions.is_process_manager(user)


@workflow.rule("moderator or process manager")
def reviewer(user, commitment: Commitment) -> bool:
    return permissions.is_gemeente(user)


@workflow.rule("process manager, or a coordinator of the proposing sector group while proposed")
def editor(user, commitment: Commitment) -> bool:
    if commitment.state == S.proposed and permissions.is_proposer(user, commitment):
        return True
    return permissions.is_process_manager(user)


@workflow.rule("signatory or organisation admin of an invited organisation")
def signer(user, commitment: Commitment) -> bool:
    return permissions.may_sign_for(user, commitment)


@workflow.rule("signatory or organisation admin of a signing organisation")
def signing_organisation(user, commitment: Commitment) -> bool:
    return permissions.speaks_for_organisation(user) and any(
        s.organisation_id == user.organisation_id for s in commitment.signatures
    )


@workflow.rule("signatory or organisation admin of a partner organisation")
def endorser(user, commitment: Commitment) -> bool:
    return permissions.speaks_for_organisation(user)


# When --------------------------------------------------------------------------------------


@workflow.guard("consultation published")
def consultation_runs(user, commitment: Commitment) -> str | None:
    if commitment.consultation.status == "published":
        return None
    return _("Deze consultatie loopt niet; de afspraak kan nu niet worden gewijzigd.")


@workflow.guard("has a text")
def has_text(user, commitment: Commitment) -> str | None:
    if commitment.title.strip() and commitment.text.strip():
        return None
    return _("Geef de afspraak een titel en een tekst voordat u haar openstelt voor ondertekening.")


@workflow.guard("no threshold")
def no_threshold(user, commitment: Commitment) -> str | None:
    if not commitment.has_threshold:
        return None
    return _("Deze afspraak wordt vanzelf bindend zodra de drempel is gehaald.")


signing_stage_open = stage_open("signing", lambda c: c.consultation)


# Whom to tell --------------------------------------------------------------------------------


def signers(commitment: Commitment, actor) -> list[User]:
    """The people who signed or co-signed a standing signature, and the signing organisations'
    signatories and admins."""
    standing = [s for s in commitment.signatures if s.state in (SignatureState.complete, SignatureState.pending_second)]
    ids = {i for s in standing for i in (s.signer_id, s.cosigner_id) if i is not None}
    org_ids = {s.organisation_id for s in standing}
    if not ids and not org_ids:
        return []
    from partner_portal.auth.roles import ENDORSERS

    return db.session.scalars(
        sa.select(User).where(
            User.is_active,
            sa.or_(User.id.in_(ids), sa.and_(User.organisation_id.in_(org_ids), User.org_role.in_(ENDORSERS))),
        )
    ).all()


def proposers(commitment: Commitment, actor) -> list[User]:
    """The coordinators of the proposing sector group (and whoever proposed it, if no longer one)."""
    people = list(commitment.proposed_by_group.coordinators) if commitment.proposed_by_group else []
    if commitment.created_by_id and all(u.id != commitment.created_by_id for u in people):
        creator = db.session.get(User, commitment.created_by_id)
        if creator is not None:
            people.append(creator)
    return [u for u in people if u.is_active]


def reviewers(commitment: Commitment, actor) -> list[User]:
    """The moderators and process managers, who answer a proposal."""
    from partner_portal.auth.roles import GEMEENTE

    return db.session.scalars(sa.select(User).where(User.is_active, User.staff_role.in_(GEMEENTE))).all()


def _public(commitment) -> bool:
    return commitment.is_public


COMMITMENT = workflow.register(
    workflow.Workflow(
        name="commitment",
        label=_l("Convenant"),
        model=Commitment,
        states=CommitmentState,
        initial=S.draft,
        entries=(S.proposed,),
        consultation_of=lambda c: c.consultation,
        transitions=[
            workflow.Transition(
                "accept",
                {S.proposed},
                S.draft,
                allowed=reviewer,
                label=_l("Voorstel overnemen als concept"),
                guards=[consultation_runs],
                timestamp="accepted_at",
                side="gemeente",
                form="confirm",
                explanation=_l(
                    "De gemeente neemt het voorstel over als concept. De procesmanager werkt de tekst zo nodig "
                    "bij en stelt de afspraak open voor ondertekening. De indieners horen het per e-mail."
                ),
                notify="commitment_proposal_answered",
                recipients=proposers,
                success=_l("Het voorstel is overgenomen als concept."),
            ),
            workflow.Transition(
                "decline",
                {S.proposed},
                S.declined,
                allowed=reviewer,
                label=_l("Voorstel afwijzen"),
                reason_required=True,
                reason_label=_l("Waarom wijst de gemeente het voorstel af? (verplicht; de indieners lezen dit)"),
                timestamp="declined_at",
                style="danger",
                side="gemeente",
                notify="commitment_proposal_answered",
                recipients=proposers,
                success=_l("Het voorstel is afgewezen; de indieners horen het per e-mail."),
            ),
            workflow.Transition(
                "open",
                {S.draft},
                S.open,
                allowed=process_manager,
                label=_l("Openstellen voor ondertekening"),
                guards=[consultation_runs, has_text],
                timestamp="opened_at",
                is_public=True,
                side="gemeente",
                form="confirm",
                explanation=_l(
                    "De afspraak wordt openbaar en de uitgenodigde organisaties kunnen haar ondertekenen "
                    "(zolang de fase van de consultatie ondertekenen toestaat). Elke latere wijziging van de "
                    "tekst is een nieuwe versie; eerdere handtekeningen tellen dan niet meer mee."
                ),
                success=_l("De afspraak staat open voor ondertekening."),
            ),
            workflow.Transition(
                "bind",
                {S.open},
                S.binding,
                allowed=process_manager,
                label=_l("Bindend verklaren"),
                guards=[no_threshold],
                timestamp="bound_at",
                is_public=True,
                side="gemeente",
                form="confirm",
                explanation=_l(
                    "De afspraak wordt bindend voor de organisaties die de huidige versie hebben ondertekend. "
                    "Daarna kan niemand meer ondertekenen of intrekken; een organisatie kan alleen nog opzeggen."
                ),
                notify="commitment_binding",
                recipients=signers,
                success=_l("De afspraak is bindend."),
            ),
            workflow.Transition(
                "close",
                {S.open},
                S.closed,
                allowed=process_manager,
                label=_l("Ondertekening sluiten"),
                timestamp="closed_at",
                is_public=True,
                style="secondary",
                side="gemeente",
                form="confirm",
                explanation=_l(
                    "De ondertekening stopt zonder dat de afspraak bindend wordt. De afspraak en de "
                    "handtekeningen blijven openbaar zichtbaar."
                ),
                success=_l("De ondertekening is gesloten."),
            ),
            workflow.Transition(
                "withdraw",
                {S.draft, S.open},
                S.withdrawn,
                allowed=process_manager,
                label=_l("Intrekken"),
                reason_required=True,
                reason_label=_l("Waarom wordt de afspraak ingetrokken? (verplicht; dit wordt openbaar)"),
                timestamp="withdrawn_at",
                is_public=_public,
                style="danger",
                side="gemeente",
                success=_l("De afspraak is ingetrokken."),
            ),
        ],
        actions=[
            workflow.Action(
                "edit",
                {S.proposed, S.draft, S.open},
                allowed=editor,
                label=_l("Afspraak bewerken"),
                guards=[consultation_runs],
                audit_action="commitment.save",
                side="gemeente",
                form="own",
                success=_l("De afspraak is opgeslagen."),
            ),
            workflow.Action(
                "sign",
                {S.open},
                allowed=signer,
                label=_l("Ondertekenen namens mijn organisatie"),
                guards=[signing_stage_open],
                is_public=True,
                form="own",  # the password, the signer's name and function, the pledge
                success=_l("Uw organisatie heeft de afspraak ondertekend."),
            ),
            workflow.Action(
                "cosign",
                {S.open},
                allowed=signer,
                label=_l("Als tweede ondertekenaar meetekenen"),
                guards=[signing_stage_open],
                is_public=True,
                form="own",
                success=_l("U hebt meegetekend; de handtekening van uw organisatie is compleet."),
            ),
            workflow.Action(
                "resign",
                {S.open},
                allowed=signer,
                label=_l("De nieuwe versie ondertekenen"),
                guards=[signing_stage_open],
                is_public=True,
                form="own",
                success=_l("Uw organisatie heeft de nieuwe versie ondertekend."),
            ),
            workflow.Action(
                "endorse",
                {S.open, S.binding},
                allowed=endorser,
                label=_l("Onderschrijven namens mijn organisatie"),
                is_public=True,
                form="confirm",
                explanation=_l(
                    "Uw organisatie steunt dit convenant openlijk, ook als zij het niet ondertekent: de naam van "
                    "uw organisatie staat erbij. Onderschrijven is geen handtekening en belooft niets. Een "
                    "organisatie onderschrijft een convenant één keer."
                ),
            ),
            workflow.Action(
                "revoke",
                {S.open},
                allowed=signing_organisation,
                label=_l("Handtekening intrekken"),
                is_public=True,
                style="danger",
                form="own",  # with the reason
                success=_l("De handtekening is ingetrokken."),
            ),
            workflow.Action(
                "give_notice",
                {S.binding},
                allowed=signing_organisation,
                label=_l("Opzeggen"),
                is_public=True,
                style="danger",
                form="own",  # with the reason, shown publicly with the date
                success=_l("Uw organisatie heeft de afspraak opgezegd."),
            ),
        ],
    )
)

workflow.label_action("commitment.create", _l("Convenant aangemaakt"))
workflow.label_action("commitment.propose", _l("Convenant voorgesteld"))
workflow.label_action("commitment.save", _l("Convenant opgeslagen"))
workflow.label_action("commitment.new_version", _l("Nieuwe versie van een convenant"))


def _commitment_names(ids: list[int]) -> dict[int, str]:
    return dict(db.session.execute(sa.select(Commitment.id, Commitment.title).where(Commitment.id.in_(ids))).all())


audit.register_kind("commitment", _l("Convenant"), _commitment_names)
