"""The initiative's workflow table: draft → submitted → in_review → (changes_requested →
submitted …) → adopted | declined; adopted → in_progress → completed | cancelled; withdrawn
by the lead. Its actions: edit, attach, invite, answer an invitation, endorse, follow,
update progress, hide an update."""

from __future__ import annotations

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from partner_portal.auth.models import StaffRole, User
from partner_portal.consultations.stages import stage_open
from partner_portal.core import audit, workflow
from partner_portal.extensions import db
from partner_portal.initiatives import permissions
from partner_portal.initiatives.models import (
    EDITABLE_STATES,
    PROGRAMME_STATES,
    SUMMARY_MAX,
    Follower,
    Initiative,
    InitiativeState,
)

S = InitiativeState
EDITABLE = set(EDITABLE_STATES)
VISIBLE_AFTER_SUBMISSION = set(S) - {S.draft}


# Who ---------------------------------------------------------------------------------------


@workflow.rule("people of the initiating organisations")
def initiator(user, initiative: Initiative) -> bool:
    return permissions.is_initiator(user, initiative)


@workflow.rule("people of the lead organisation")
def lead_member(user, initiative: Initiative) -> bool:
    return permissions.is_lead(user, initiative)


@workflow.rule("signatory or organisation admin of the lead organisation")
def lead_speaker(user, initiative: Initiative) -> bool:
    return permissions.is_lead_speaker(user, initiative)


@workflow.rule("signatory or organisation admin of an invited organisation")
def invited_speaker(user, initiative: Initiative) -> bool:
    return permissions.is_invited(user, initiative) and permissions.speaks_for_organisation(user)


@workflow.rule("gemeente moderator")
def moderator(user, initiative: Initiative) -> bool:
    return permissions.is_moderator(user)


@workflow.rule("process manager")
def process_manager(user, initiative: Initiative) -> bool:
    return permissions.is_process_manager(user)


@workflow.rule("initiators or process manager")
def executor(user, initiative: Initiative) -> bool:
    return permissions.is_initiator(user, initiative) or permissions.is_process_manager(user)


@workflow.rule("signatory or organisation admin of a partner organisation")
def endorser(user, initiative: Initiative) -> bool:
    return permissions.speaks_for_organisation(user)


@workflow.rule("anyone with an account who can see it")
def viewer(user, initiative: Initiative) -> bool:
    return permissions.can_view_initiative(user, initiative)


# When --------------------------------------------------------------------------------------


@workflow.guard("consultation published")
def consultation_runs(user, initiative: Initiative) -> str | None:
    if initiative.consultation.status == "published":
        return None
    return _("Deze consultatie loopt niet; het initiatief kan nu niet worden gewijzigd.")


@workflow.guard("no open invitation")
def no_open_invitation(user, initiative: Initiative) -> str | None:
    pending = initiative.pending_invitations
    if not pending:
        return None
    return _(
        "Nog niet alle uitgenodigde organisaties hebben geantwoord (%(names)s). Wacht op hun antwoord of "
        "verwijder de uitnodiging.",
        names=", ".join(c.organisation.name for c in pending),
    )


def missing_for_submission(initiative: Initiative) -> list[str]:
    """What still has to be filled in before the initiative can be submitted (Dutch messages)."""
    problems = []
    if not initiative.title.strip():
        problems.append(_("Geef het initiatief een titel."))
    if not initiative.summary.strip():
        problems.append(_("Schrijf een korte samenvatting (hoogstens %(max)d tekens).", max=SUMMARY_MAX))
    if not initiative.description.strip():
        problems.append(_("Beschrijf het initiatief."))
    if not initiative.themes:
        problems.append(_("Kies minstens één thema."))
    if not initiative.locations:
        problems.append(_("Kies minstens één locatie."))
    if initiative.planned_start is None or initiative.planned_end is None:
        problems.append(_("Vul de geplande begin- en einddatum in."))
    if initiative.total_cost_cents is None:
        problems.append(_("Vul de totale kosten in."))
    elif initiative.parts_total != initiative.total_cost_cents:
        from partner_portal.core.money import format_euros

        problems.append(
            _(
                "De gevraagde bijdragen en de eigen bijdrage (samen %(parts)s) tellen niet op tot de totale "
                "kosten (%(total)s).",
                parts=format_euros(initiative.parts_total),
                total=format_euros(initiative.total_cost_cents),
            )
        )
    return problems


@workflow.guard("complete, the money adds up")
def complete(user, initiative: Initiative) -> str | None:
    return " ".join(missing_for_submission(initiative)) or None


@workflow.guard("has milestones or a reason to finish")
def has_milestones_done(user, initiative: Initiative) -> str | None:
    open_ones = [m for m in initiative.milestones if m.done_on is None]
    if open_ones:
        return _(
            "Nog niet alle mijlpalen zijn afgerond (%(names)s). Rond ze af voordat u het initiatief afrondt.",
            names=", ".join(m.title for m in open_ones),
        )
    return None


initiatives_stage_open = stage_open("initiatives", lambda i: i.consultation)


# Whom to tell --------------------------------------------------------------------------------


def moderators(initiative, actor):
    return db.session.scalars(sa.select(User).where(User.is_active, User.staff_role == StaffRole.moderator)).all()


def process_managers(initiative, actor):
    return db.session.scalars(sa.select(User).where(User.is_active, User.staff_role == StaffRole.process_manager)).all()


def interested(initiative, actor):
    """Everyone who wants to hear of the initiative: the initiators' people, the endorsing
    organisations' signatories and admins, and its followers."""
    org_ids = initiative.initiator_ids | {e.organisation_id for e in initiative.endorsements}
    people = db.session.scalars(sa.select(User).where(User.is_active, User.organisation_id.in_(org_ids))).all()
    followers = db.session.scalars(
        sa.select(User)
        .join(Follower, Follower.user_id == User.id)
        .where(Follower.initiative_id == initiative.id, User.is_active)
    ).all()
    return list({u.id: u for u in [*people, *followers]}.values())


def _public(initiative) -> bool:
    return initiative.is_public


def _changed(target: InitiativeState, **kwargs) -> dict:
    """A state change the initiators, endorsers and followers hear of (operations add the state in words)."""
    return dict(notify="initiative_changed", recipients=interested, **kwargs)


INITIATIVE = workflow.register(
    workflow.Workflow(
        name="initiative",
        label=_l("Initiatief"),
        model=Initiative,
        states=InitiativeState,
        initial=S.draft,
        consultation_of=lambda i: i.consultation,
        transitions=[
            workflow.Transition(
                "submit",
                EDITABLE,
                S.submitted,
                allowed=lead_speaker,
                label=_l("Indienen bij de gemeente"),
                guards=[initiatives_stage_open, consultation_runs, no_open_invitation, complete],
                timestamp="submitted_at",
                notify="initiative_submitted",
                recipients=moderators,
                form="confirm",
                explanation=_l(
                    "U dient het initiatief in namens alle initiatiefnemers. Daarna kunt u het niet meer "
                    "wijzigen, tenzij de gemeente om wijzigingen vraagt. De ingediende versie wordt bewaard."
                ),
                success=_l("Het initiatief is ingediend (versie %(number)d)."),
            ),
            workflow.Transition(
                "start_review",
                {S.submitted},
                S.in_review,
                allowed=moderator,
                label=_l("In behandeling nemen"),
                timestamp="review_started_at",
                side="gemeente",
                success=_l("Het initiatief is in behandeling genomen."),
            ),
            workflow.Transition(
                "request_changes",
                {S.in_review},
                S.changes_requested,
                allowed=moderator,
                label=_l("Wijzigingen vragen"),
                reason_required=True,
                reason_label=_l("Welke wijzigingen vraagt u? (verplicht; de initiatiefnemers krijgen dit per e-mail)"),
                timestamp="changes_requested_at",
                style="secondary",
                side="gemeente",
                success=_l("De initiatiefnemers zijn gevraagd het initiatief te wijzigen."),
                **_changed(S.changes_requested),
            ),
            workflow.Transition(
                "adopt",
                {S.in_review},
                S.adopted,
                allowed=process_manager,
                label=_l("Opnemen in het uitvoeringsprogramma"),
                timestamp="adopted_at",
                is_public=_public,
                side="gemeente",
                form="own",  # with the grant per funding source and the gemeente's answer
                success=_l("Het initiatief is opgenomen in het uitvoeringsprogramma."),
                **_changed(S.adopted),
            ),
            workflow.Transition(
                "decline",
                {S.in_review},
                S.declined,
                allowed=process_manager,
                label=_l("Niet opnemen"),
                reason_required=True,
                reason_label=_l("Het antwoord van de gemeente: waarom niet? (verplicht; dit wordt openbaar)"),
                timestamp="declined_at",
                is_public=_public,
                style="danger",
                side="gemeente",
                success=_l("Het initiatief is niet opgenomen; de reden staat openbaar bij het initiatief."),
                **_changed(S.declined),
            ),
            workflow.Transition(
                "withdraw",
                {S.submitted, S.changes_requested},
                S.withdrawn,
                allowed=lead_speaker,
                label=_l("Intrekken"),
                timestamp="withdrawn_at",
                style="danger",
                form="confirm",
                explanation=_l(
                    "De gemeente behandelt een ingetrokken initiatief niet meer. De ingediende versies blijven "
                    "bewaard, maar het initiatief kan niet opnieuw worden ingediend: begin zo nodig een nieuw."
                ),
                success=_l("Het initiatief is ingetrokken."),
                **_changed(S.withdrawn),
            ),
            workflow.Transition(
                "start",
                {S.adopted},
                S.in_progress,
                allowed=executor,
                label=_l("Uitvoering gestart"),
                timestamp="started_at",
                is_public=True,
                success=_l("Het initiatief is in uitvoering."),
                **_changed(S.in_progress),
            ),
            workflow.Transition(
                "complete",
                {S.in_progress},
                S.completed,
                allowed=executor,
                label=_l("Afronden"),
                guards=[has_milestones_done],
                timestamp="completed_at",
                is_public=True,
                form="confirm",
                explanation=_l(
                    "Het initiatief staat daarna als afgerond in het uitvoeringsprogramma. Voortgang en "
                    "uitgaven kunnen daarna niet meer worden bijgewerkt."
                ),
                success=_l("Het initiatief is afgerond."),
                **_changed(S.completed),
            ),
            workflow.Transition(
                "cancel",
                {S.adopted, S.in_progress},
                S.cancelled,
                allowed=process_manager,
                label=_l("Stopzetten"),
                reason_required=True,
                reason_label=_l("Waarom wordt het initiatief stopgezet? (verplicht; dit wordt openbaar)"),
                timestamp="cancelled_at",
                is_public=True,
                style="danger",
                side="gemeente",
                success=_l("Het initiatief is stopgezet."),
                **_changed(S.cancelled),
            ),
        ],
        actions=[
            workflow.Action(
                "edit",
                EDITABLE,
                allowed=initiator,
                label=_l("Initiatief bewerken"),
                guards=[consultation_runs],
                audit_action="initiative.save",
                success=_l("Het initiatief is opgeslagen."),
            ),
            workflow.Action(
                "attach",
                EDITABLE,
                allowed=initiator,
                label=_l("Bijlage toevoegen"),
                guards=[consultation_runs],
                success=_l("De bijlage is toegevoegd."),
            ),
            workflow.Action(
                "detach",
                EDITABLE,
                allowed=initiator,
                label=_l("Bijlage verwijderen"),
                guards=[consultation_runs],
                success=_l("De bijlage is verwijderd."),
            ),
            workflow.Action(
                "invite",
                EDITABLE,
                allowed=lead_member,
                label=_l("Mede-initiatiefnemer uitnodigen"),
                guards=[consultation_runs],
                form="own",  # notifies the invited organisation's speakers (operations.invite)
                success=_l("De organisatie is uitgenodigd."),
            ),
            workflow.Action(
                "remove_co_initiator",
                EDITABLE,
                allowed=lead_member,
                label=_l("Mede-initiatiefnemer verwijderen"),
                guards=[consultation_runs],
                form="own",
                success=_l("De organisatie doet niet meer mee."),
            ),
            workflow.Action(
                "answer_invitation",
                EDITABLE,
                allowed=invited_speaker,
                label=_l("Uitnodiging beantwoorden"),
                guards=[consultation_runs],
                form="own",
            ),
            workflow.Action(
                "endorse",
                {S.adopted, S.in_progress, S.completed},
                allowed=endorser,
                label=_l("Onderschrijven namens mijn organisatie"),
                is_public=True,
                form="confirm",
                explanation=_l(
                    "Uw organisatie steunt dit initiatief. Dat is openbaar: de naam van uw organisatie staat "
                    "erbij. U krijgt bericht van de voortgang. Een organisatie onderschrijft een initiatief één keer."
                ),
            ),
            workflow.Action(
                "follow",
                VISIBLE_AFTER_SUBMISSION,
                allowed=viewer,
                label=_l("Volgen"),
                form="own",
            ),
            workflow.Action(
                "update_progress",
                {S.adopted, S.in_progress},
                allowed=initiator,
                label=_l("Voortgang bijwerken"),
                audit_action="initiative.progress",
                form="own",
                is_public=True,
                success=_l("De voortgang is bijgewerkt."),
            ),
            workflow.Action(
                "post_update",
                {S.adopted, S.in_progress},
                allowed=initiator,
                label=_l("Nieuws plaatsen"),
                notify="initiative_update",
                recipients=interested,
                form="own",
                is_public=True,
                success=_l("Het nieuws is geplaatst."),
            ),
            workflow.Action(
                "hide_update",
                set(PROGRAMME_STATES),
                allowed=moderator,
                label=_l("Nieuwsbericht verbergen"),
                side="gemeente",
                form="own",
                is_public=True,
                success=_l("Het nieuwsbericht is verborgen; de reden staat op zijn plaats."),
            ),
            workflow.Action(
                "bulk_update",
                {S.adopted, S.in_progress},
                allowed=process_manager,
                label=_l("Voortgang en uitgaven bijwerken uit een bestand"),
                side="gemeente",
                form="own",
                is_public=True,
            ),
        ],
    )
)

workflow.label_action("initiative.create", _l("Initiatief begonnen"))
workflow.label_action("initiative.save", _l("Initiatief opgeslagen"))
workflow.label_action("initiative.attach", _l("Bijlage toegevoegd aan een initiatief"))
workflow.label_action("initiative.detach", _l("Bijlage verwijderd van een initiatief"))
workflow.label_action("initiative.invite", _l("Mede-initiatiefnemer uitgenodigd"))
workflow.label_action("initiative.invitation_accepted", _l("Uitnodiging als mede-initiatiefnemer aangenomen"))
workflow.label_action("initiative.invitation_declined", _l("Uitnodiging als mede-initiatiefnemer afgeslagen"))
workflow.label_action("initiative.remove_co_initiator", _l("Mede-initiatiefnemer verwijderd"))
workflow.label_action("initiative.endorse", _l("Initiatief onderschreven"))
workflow.label_action("initiative.progress", _l("Voortgang van een initiatief bijgewerkt"))
workflow.label_action("initiative.post_update", _l("Nieuws over een initiatief geplaatst"))
workflow.label_action("initiative.hide_update", _l("Nieuws over een initiatief verborgen"))
workflow.label_action("initiative.bulk_update", _l("Voortgang bijgewerkt uit een bestand"))


def _initiative_names(ids: list[int]) -> dict[int, str]:
    return dict(db.session.execute(sa.select(Initiative.id, Initiative.title).where(Initiative.id.in_(ids))).all())


audit.register_kind("initiative", _l("Initiatief"), _initiative_names)
