"""The formal response's workflow table: its transitions (draft → submitted → in_review → accepted |
rejected; changes; withdrawal) and its state-gated actions (edit, attach, endorse, answer)."""

from __future__ import annotations

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from partner_portal.auth.models import StaffRole, User
from partner_portal.auth.roles import ENDORSERS
from partner_portal.consultations.stages import stage_open
from partner_portal.core import audit, workflow
from partner_portal.extensions import db
from partner_portal.partners.models import SectorGroup
from partner_portal.responses.models import FormalResponse, Nota, ResponseState
from partner_portal.responses.permissions import is_group_coordinator, is_group_member, is_moderator

S = ResponseState
EDITABLE = {S.draft, S.changes_requested}


# Who ---------------------------------------------------------------------------------------


@workflow.rule("sector coordinator of the group")
def is_coordinator_of(user, response: FormalResponse) -> bool:
    return is_group_coordinator(user, response.sector_group_id)


@workflow.rule("people of the group's organisations")
def is_member_of_group(user, response: FormalResponse) -> bool:
    return is_group_member(user, response.sector_group_id)


@workflow.rule("signatory or organisation admin in the group")
def is_endorser_of(user, response: FormalResponse) -> bool:
    return getattr(user, "org_role", None) in ENDORSERS and is_group_member(user, response.sector_group_id)


@workflow.rule("gemeente moderator")
def is_moderator_rule(user, response: FormalResponse) -> bool:
    return is_moderator(user)


# When --------------------------------------------------------------------------------------


def nota_of(consultation) -> Nota | None:
    return db.session.scalar(sa.select(Nota).where(Nota.consultation_id == consultation.id))


def round_open(consultation) -> bool:
    """Responses can be started and submitted until the Nota van beantwoording is published: it
    answers the round, so a response submitted later would never get a public answer."""
    return nota_of(consultation) is None


ROUND_CLOSED = _l("De Nota van beantwoording is al gepubliceerd; er kunnen geen reacties meer worden ingediend.")


@workflow.guard("round open (no Nota yet)")
def round_is_open(user, response: FormalResponse) -> str | None:
    return None if round_open(response.consultation) else str(ROUND_CLOSED)


@workflow.guard("consultation published")
def consultation_runs(user, response: FormalResponse) -> str | None:
    if response.consultation.status == "published":
        return None
    return _("Deze consultatie loopt niet; de reactie kan nu niet worden gewijzigd.")


def missing_for_submission(response: FormalResponse) -> list[str]:
    """What still has to be filled in before the response can be submitted (Dutch messages)."""
    problems = []
    for theme in response.consultation.themes:
        row = response.position_for(theme.id)
        if row is None or row.position is None:
            problems.append(_("Kies een standpunt bij het thema '%(theme)s'.", theme=theme.title))
    if response.collaboration_stance is None:
        problems.append(_("Kies het standpunt over de structurele samenwerking."))
    return problems


@workflow.guard("every theme has a position")
def complete(user, response: FormalResponse) -> str | None:
    return " ".join(missing_for_submission(response)) or None


@workflow.guard("answers not yet published")
def answers_unpublished(user, response: FormalResponse) -> str | None:
    if response.answer_published_at is None:
        return None
    return _("De antwoorden op deze reactie zijn al gepubliceerd met de Nota van beantwoording.")


responses_stage_open = stage_open("responses", lambda r: r.consultation)


# Whom to tell --------------------------------------------------------------------------------


def moderators(response, actor):
    """Gemeente moderators, who review what was submitted."""
    return db.session.scalars(sa.select(User).where(User.is_active, User.staff_role == StaffRole.moderator)).all()


def group_contacts(response, actor):
    """The group's coordinators and whoever submitted the response."""
    people = list(response.sector_group.coordinators)
    if response.submitted_by is not None:
        people.append(response.submitted_by)
    return people


def _public(response) -> bool:
    return response.is_public


RESPONSE = workflow.register(
    workflow.Workflow(
        name="formal_response",
        label=_l("Formele reactie"),
        model=FormalResponse,
        states=ResponseState,
        initial=S.draft,
        consultation_of=lambda r: r.consultation,
        transitions=[
            workflow.Transition(
                "submit",
                EDITABLE,
                S.submitted,
                allowed=is_coordinator_of,
                label=_l("Indienen namens de sectorgroep"),
                guards=[responses_stage_open, round_is_open, complete],
                timestamp="submitted_at",
                notify="response_submitted",
                recipients=moderators,
                form="own",  # with the publication choice; it also freezes a revision
                success=_l("De reactie is ingediend namens de sectorgroep (revisie %(number)d)."),
            ),
            workflow.Transition(
                "start_review",
                {S.submitted},
                S.in_review,
                allowed=is_moderator_rule,
                label=_l("In behandeling nemen"),
                timestamp="review_started_at",
                side="gemeente",
                success=_l("De reactie is in behandeling genomen."),
            ),
            workflow.Transition(
                "request_changes",
                {S.in_review},
                S.changes_requested,
                allowed=is_moderator_rule,
                label=_l("Wijzigingen vragen"),
                reason_required=True,
                reason_label=_l(
                    "Welke wijzigingen vraagt u? (verplicht; de sectorgroep krijgt dit bericht per e-mail)"
                ),
                timestamp="changes_requested_at",
                notify="changes_requested",
                recipients=group_contacts,
                style="secondary",
                side="gemeente",
                success=_l("De sectorgroep is gevraagd de reactie te wijzigen."),
            ),
            workflow.Transition(
                "accept",
                {S.in_review},
                S.accepted,
                allowed=is_moderator_rule,
                label=_l("Accepteren"),
                timestamp="accepted_at",
                is_public=_public,
                notify="response_accepted",
                recipients=group_contacts,
                side="gemeente",
                success=_l("De reactie is geaccepteerd."),
            ),
            workflow.Transition(
                "reject",
                {S.in_review},
                S.rejected,
                allowed=is_moderator_rule,
                label=_l("Niet-ontvankelijk verklaren"),
                reason_required=True,
                reason_label=_l(
                    "Waarom is de reactie niet-ontvankelijk? (verplicht; de sectorgroep krijgt dit per e-mail)"
                ),
                timestamp="rejected_at",
                notify="response_rejected",
                recipients=group_contacts,
                style="danger",
                side="gemeente",
                success=_l("De reactie is niet-ontvankelijk verklaard."),
            ),
            workflow.Transition(
                "withdraw",
                {S.submitted, S.changes_requested},
                S.withdrawn,
                allowed=is_coordinator_of,
                label=_l("Intrekken"),
                timestamp="withdrawn_at",
                style="danger",
                form="confirm",
                explanation=_l(
                    "De gemeente behandelt een ingetrokken reactie niet en neemt haar niet op in de Nota van "
                    "beantwoording. De ingediende versies blijven bewaard. Zolang reageren in deze fase kan en "
                    "de Nota niet is gepubliceerd, kan de sectorgroep de reactie weer openen als concept en "
                    "opnieuw indienen."
                ),
                success=_l("De reactie is ingetrokken."),
            ),
            workflow.Transition(
                "reopen",
                {S.withdrawn},
                S.draft,
                allowed=is_coordinator_of,
                label=_l("Weer openen als concept"),
                guards=[responses_stage_open, round_is_open],
                timestamp="reopened_at",
                style="secondary",
                success=_l("De reactie is weer een concept; u kunt haar bewerken en opnieuw indienen."),
            ),
        ],
        actions=[
            workflow.Action(
                "edit",
                EDITABLE,
                allowed=is_member_of_group,
                label=_l("Reactie bewerken"),
                guards=[consultation_runs, round_is_open],
                audit_action="formal_response.save",
                success=_l("De reactie is opgeslagen."),
            ),
            workflow.Action(
                "attach",
                EDITABLE,
                allowed=is_member_of_group,
                label=_l("Bijlage toevoegen"),
                guards=[consultation_runs, round_is_open],
                success=_l("De bijlage is toegevoegd."),
            ),
            workflow.Action(
                "detach",
                EDITABLE,
                allowed=is_member_of_group,
                label=_l("Bijlage verwijderen"),
                guards=[consultation_runs, round_is_open],
                success=_l("De bijlage is verwijderd."),
            ),
            workflow.Action(
                "endorse",
                {S.submitted, S.in_review, S.accepted},
                allowed=is_endorser_of,
                label=_l("Onderschrijven namens mijn organisatie"),
                is_public=_public,
                form="confirm",
                explanation=_l(
                    "Uw organisatie steunt deze reactie van haar sectorgroep. Dat is openbaar zodra de reactie "
                    "openbaar is: de naam van uw organisatie staat erbij, ook in de Nota van beantwoording. Een "
                    "organisatie onderschrijft een reactie één keer."
                ),
            ),
            workflow.Action(
                "answer",
                {S.accepted},
                allowed=is_moderator_rule,
                label=_l("Antwoord opstellen"),
                guards=[answers_unpublished],
                side="gemeente",
                form="own",
            ),
        ],
    )
)

workflow.label_action("formal_response.create", _l("Formele reactie begonnen"))
workflow.label_action("formal_response.save", _l("Formele reactie opgeslagen"))
workflow.label_action("formal_response.attach", _l("Bijlage toegevoegd"))
workflow.label_action("formal_response.detach", _l("Bijlage verwijderd"))
workflow.label_action("formal_response.endorse", _l("Reactie onderschreven"))
workflow.label_action("formal_response.answer", _l("Antwoord van de gemeente opgesteld"))
workflow.label_action("nota.publish", _l("Nota van beantwoording gepubliceerd"))


def _response_names(ids: list[int]) -> dict[int, str]:
    rows = db.session.execute(
        sa.select(FormalResponse.id, SectorGroup.name)
        .join(SectorGroup, SectorGroup.id == FormalResponse.sector_group_id)
        .where(FormalResponse.id.in_(ids))
    )
    return {i: str(_l("Reactie van sectorgroep %(group)s", group=name)) for i, name in rows.all()}


def _nota_names(ids: list[int]) -> dict[int, str]:
    return dict.fromkeys(ids, str(_l("Nota van beantwoording")))


audit.register_kind("formal_response", _l("Formele reactie"), _response_names)
audit.register_kind("nota", _l("Nota van beantwoording"), _nota_names)
workflow.label_states("nota", {"published": _l("gepubliceerd")}.get)
