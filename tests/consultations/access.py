"""Access rules for consultations and the audit log: public pages for all, process management for managers."""

from partner_portal.consultations.models import ConsultationStatus
from tests.access import WORLD_BUILDERS, Rule, only
from tests.consultations import factories as cf

MANAGERS = only("process_manager", "administrator")
AUDIT = only("moderator", "process_manager", "administrator")
# Drafts exist only for gemeente staff; everyone else gets a plain 404.
DRAFT = dict.fromkeys(only().keys(), 404) | {"moderator": 200, "process_manager": 200, "administrator": 200}


def build(w) -> None:
    w.consultation = cf.consultation(slug="binnenstad-test", featured=True)
    w.vision = cf.vision_version(w.consultation, with_pdf=True)
    w.draft = cf.consultation(slug="concept-test", status=ConsultationStatus.draft, current=None)


WORLD_BUILDERS.append(build)

C = "/consultaties/binnenstad-test"

RULES = [
    Rule("consultations.index", lambda w: "/consultaties"),
    Rule("consultations.show", lambda w: C),
    Rule("consultations.show", lambda w: "/consultaties/concept-test", DRAFT, name="draft"),
    Rule("consultations.timeline", lambda w: f"{C}/tijdlijn"),
    Rule("consultations.process_log", lambda w: f"{C}/procesverloop"),
    Rule("consultations.vision", lambda w: f"{C}/visie"),
    Rule("consultations.pillar", lambda w: f"{C}/visie/pijlers/familiestad"),
    Rule("consultations.theme", lambda w: f"{C}/visie/themas/bereikbaar"),
    Rule("consultations.vision_versions", lambda w: f"{C}/visie/versies"),
    Rule("consultations.vision_version", lambda w: f"{C}/visie/versies/1"),
    Rule("consultations.vision_diff", lambda w: f"{C}/visie/versies/1/verschil"),
    Rule("consultations.vision_pdf", lambda w: f"{C}/visie/versies/1/visie.pdf"),
    Rule("consultations.manage_index", lambda w: "/beheer/consultaties", MANAGERS),
    Rule("consultations.manage", lambda w: f"{C}/beheer", MANAGERS),
    # Without the version field the move is refused as "changed meanwhile", nothing moves.
    Rule(
        "consultations.move_stage",
        lambda w: f"{C}/beheer/fase/volgende",
        only("process_manager", "administrator", allowed=409),
        method="POST",
    ),
    Rule(
        "consultations.transition",
        lambda w: f"{C}/beheer/status/close",
        only("process_manager", "administrator", allowed=409),
        method="POST",
    ),
    Rule(
        "consultations.feature",
        lambda w: f"{C}/beheer/uitgelicht",
        only("process_manager", "administrator", allowed=302),
        method="POST",
    ),
    Rule("consultations.edit_stage", lambda w: f"{C}/beheer/fasen/{w.consultation.stages[0].id}", MANAGERS),
    # A POST without form data keeps the stage as it is (the form falls back to the stored values).
    Rule(
        "consultations.edit_stage",
        lambda w: f"{C}/beheer/fasen/{w.consultation.stages[0].id}",
        only("process_manager", "administrator", allowed=302),
        method="POST",
    ),
    Rule("consultations.edit_vision", lambda w: f"{C}/beheer/visie", MANAGERS),
    Rule("consultations.edit_vision", lambda w: f"{C}/beheer/visie", MANAGERS, method="POST"),
    Rule("audit_log.index", lambda w: "/beheer/audittrail", AUDIT),
    Rule("audit_log.export", lambda w: "/beheer/audittrail.csv", AUDIT),
]
