"""Access rules for moderation and the Nota: the gemeente reviews and answers; the Nota is internal until published."""

import tests.responses.access  # noqa: F401  (builds the world's responses)
from tests.access import ROLES, Rule, only

GEMEENTE = ("moderator", "process_manager", "administrator")
C = "/consultaties/binnenstad-test"
# Before publication the Nota exists only for gemeente staff: a plain 404 for everyone else.
DRAFT_NOTA = {**dict.fromkeys(ROLES, 404), **dict.fromkeys(GEMEENTE, 200)}


def _b(w) -> str:
    return f"/beheer/reacties/{w.response_b.id}"


RULES = [
    Rule("moderation.queue", lambda w: "/beheer/reacties", only(*GEMEENTE)),
    Rule("moderation.review", _b, only(*GEMEENTE)),
    # Moderators without the version field: "changed meanwhile"; the process manager only reads.
    Rule(
        "moderation.step",
        lambda w: f"{_b(w)}/stap/reject",
        only("moderator", "administrator", allowed=409),
        method="POST",
    ),
    Rule(
        "moderation.answer",
        lambda w: f"{_b(w)}/antwoord",
        # An empty post carries no version: it would replace the stored answers unseen (409).
        only("moderator", "administrator", allowed=409),
        method="POST",
    ),
    Rule("moderation.nota", lambda w: f"{C}/nota", DRAFT_NOTA),
    Rule("moderation.nota_pdf", lambda w: f"{C}/nota.pdf", DRAFT_NOTA),
    Rule("moderation.nota_csv", lambda w: f"{C}/nota.csv", DRAFT_NOTA),
    # The world's current stage still opens responses: an empty post lacks the extra confirmation.
    Rule(
        "moderation.publish_nota",
        lambda w: f"{C}/nota/publiceren",
        only("moderator", "administrator", allowed=400),
        method="POST",
    ),
    Rule("moderation.publish_nota", lambda w: f"{C}/nota/publiceren", only("moderator", "administrator")),
]
