"""The consultation's own workflow: draft → published → closed (and reopened with a reason)."""

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from partner_portal.auth.roles import PROCESS_MANAGERS
from partner_portal.consultations.models import Consultation, ConsultationStatus, Stage, VisionVersion
from partner_portal.core import audit, workflow
from partner_portal.extensions import db

S = ConsultationStatus

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
                allowed=PROCESS_MANAGERS,
                label=_l("Publiceren"),
                success=_l("De consultatie is gepubliceerd."),
                is_public=True,
                timestamp="published_at",
            ),
            workflow.Transition(
                "close",
                {S.published},
                S.closed,
                allowed=PROCESS_MANAGERS,
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
                allowed=PROCESS_MANAGERS,
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


def _consultation_titles(ids: list[int]) -> dict[int, str]:
    rows = db.session.execute(sa.select(Consultation.id, Consultation.title).where(Consultation.id.in_(ids)))
    return dict(rows.all())


def _stage_titles(ids: list[int]) -> dict[int, str]:
    rows = db.session.execute(sa.select(Stage.id, Stage.title).where(Stage.id.in_(ids)))
    return {i: str(_l("Fase '%(stage)s'", stage=title)) for i, title in rows.all()}


def _vision_versions(ids: list[int]) -> dict[int, str]:
    rows = db.session.execute(sa.select(VisionVersion.id, VisionVersion.number).where(VisionVersion.id.in_(ids)))
    return {i: str(_l("Visie, versie %(number)d", number=n)) for i, n in rows.all()}


def _version_state(value: str):
    """A vision version records itself as "v<number>"."""
    return _l("versie %(number)s", number=value[1:]) if value[:1] == "v" and value[1:].isdigit() else None


audit.register_kind("consultation", _l("Consultatie"), _consultation_titles)
audit.register_kind("stage", _l("Fase"), _stage_titles)
audit.register_kind("vision_version", _l("Visie"), _vision_versions)
workflow.label_states("vision_version", _version_state)
