"""The consultation's own workflow: draft → published → closed (and reopened with a reason)."""

from flask_babel import lazy_gettext as _l

from partner_portal.consultations.models import Consultation, ConsultationStatus
from partner_portal.core import workflow

S = ConsultationStatus
RUNNERS = {"process_manager", "administrator"}

CONSULTATION = workflow.register(
    workflow.Workflow(
        name="consultation",
        label=_l("Consultatie"),
        model=Consultation,
        states=ConsultationStatus,
        initial=S.draft,
        state_attr="status",
        consultation_of=lambda c: c,
        transitions=[
            workflow.Transition(
                "publish",
                {S.draft},
                S.published,
                allowed=RUNNERS,
                label=_l("Publiceren"),
                success=_l("De consultatie is gepubliceerd."),
                is_public=True,
                timestamp="published_at",
            ),
            workflow.Transition(
                "close",
                {S.published},
                S.closed,
                allowed=RUNNERS,
                label=_l("Afsluiten"),
                success=_l("De consultatie is afgesloten."),
                reason_required=True,
                is_public=True,
                timestamp="closed_at",
                style="danger",
            ),
            workflow.Transition(
                "reopen",
                {S.closed},
                S.published,
                allowed=RUNNERS,
                label=_l("Heropenen"),
                success=_l("De consultatie is heropend."),
                reason_required=True,
                is_public=True,
                timestamp="reopened_at",
            ),
        ],
    )
)

workflow.label_action("consultation.stage_advance", _l("Volgende fase"))
workflow.label_action("consultation.stage_revert", _l("Fase teruggezet"))
workflow.label_action("consultation.feature", _l("Op de startpagina gezet"))
workflow.label_action("stage.update", _l("Fase gewijzigd"))
workflow.label_action("vision.publish", _l("Nieuwe versie van de visie"))
