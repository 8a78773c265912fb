"""The formal response's workflow: draft → submitted → in_review → accepted | rejected; changes; withdrawal."""

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from partner_portal.core import workflow
from partner_portal.responses.models import FormalResponse, ResponseState
from partner_portal.responses.permissions import is_coordinator_of, is_moderator_rule

S = ResponseState


def moderators(response, actor):
    """Gemeente moderators, who review what was submitted."""
    from partner_portal.auth.models import StaffRole, User
    from partner_portal.extensions import db

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
                {S.draft, S.changes_requested},
                S.submitted,
                allowed=is_coordinator_of,
                label=_l("Indienen namens de sectorgroep"),
                stage_action="responses",
                timestamp="submitted_at",
                notify="response_submitted",
                recipients=moderators,
            ),
            workflow.Transition(
                "start_review",
                {S.submitted},
                S.in_review,
                allowed=is_moderator_rule,
                label=_l("In behandeling nemen"),
                timestamp="review_started_at",
            ),
            workflow.Transition(
                "request_changes",
                {S.in_review},
                S.changes_requested,
                allowed=is_moderator_rule,
                label=_l("Wijzigingen vragen"),
                reason_required=True,
                timestamp="changes_requested_at",
                notify="changes_requested",
                recipients=group_contacts,
                style="secondary",
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
            ),
            workflow.Transition(
                "reject",
                {S.in_review},
                S.rejected,
                allowed=is_moderator_rule,
                label=_l("Niet-ontvankelijk verklaren"),
                reason_required=True,
                timestamp="rejected_at",
                notify="response_rejected",
                recipients=group_contacts,
                style="danger",
            ),
            workflow.Transition(
                "withdraw",
                {S.submitted, S.changes_requested},
                S.withdrawn,
                allowed=is_coordinator_of,
                label=_l("Intrekken"),
                timestamp="withdrawn_at",
                style="danger",
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
