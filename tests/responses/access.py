"""Access rules for formal responses: the group's own draft, another group's accepted response, attachments."""

import tests.consultations.access  # noqa: F401  (the world's consultation is built first)
from partner_portal.core import uploads
from partner_portal.responses.models import ResponseAttachment, ResponseRevision, ResponseState
from tests.access import ROLES, WORLD_BUILDERS, Rule, only
from tests.consultations import factories as cf
from tests.responses import factories as rf

GROUP_A = ("member", "signatory", "org_admin", "coordinator")
GEMEENTE = ("moderator", "process_manager", "administrator")


def build(w) -> None:
    w.response_a = rf.response(w.consultation, w.group_a, ResponseState.draft)
    w.response_b = rf.response(w.consultation, w.group_b, ResponseState.accepted, answered=True)
    for r in (w.response_a, w.response_b):
        r.attachments.append(ResponseAttachment(file=uploads.save_pdf(cf.pdf_upload(name="brief.pdf"))))
    w.response_b.revisions.append(ResponseRevision(number=1, content=_snapshot(w)))


def _snapshot(w) -> str:
    import json

    return json.dumps(w.response_b.snapshot(w.consultation.themes))


WORLD_BUILDERS.append(build)


def own_group(allowed: int, others: int = 404, anonymous: int = 302) -> dict[str, int]:
    """Only group A's people get `allowed`; everyone else gets `others` (404: no hint the draft exists)."""
    result = {role: (allowed if role in GROUP_A else others) for role in ROLES}
    result["anonymous"] = anonymous
    return result


def _a(w) -> str:
    return f"/reacties/{w.response_a.id}"


def _b(w) -> str:
    return f"/reacties/{w.response_b.id}"


def _att(response) -> int:
    return response.attachments[0].id


LOGGED_IN_400 = {**dict.fromkeys(ROLES, 400), "anonymous": 302}
LOGGED_IN_403 = {**dict.fromkeys(ROLES, 403), "anonymous": 302}

RULES = [
    Rule("responses.index", lambda w: "/consultaties/binnenstad-test/reacties"),
    # Without a group id nothing is created; with another group's id: see test_views.
    Rule("responses.create", lambda w: "/consultaties/binnenstad-test/reacties", LOGGED_IN_400, method="POST"),
    Rule("responses.show", _a, own_group(200, anonymous=404), name="own draft"),
    Rule("responses.show", _b, name="accepted public"),
    Rule("responses.edit", lambda w: f"{_a(w)}/bewerken", own_group(200), name="own draft"),
    Rule("responses.edit", lambda w: f"{_b(w)}/bewerken", LOGGED_IN_403, name="accepted"),
    # An empty post falls back to the stored values (as the stage form does): saved as it was.
    Rule("responses.edit", lambda w: f"{_a(w)}/bewerken", own_group(302), method="POST"),
    Rule("responses.submit", lambda w: f"{_a(w)}/indienen", own_group(400), method="POST"),
    Rule("responses.step", lambda w: f"{_a(w)}/stap/withdraw", own_group(409), method="POST"),
    # The confirmation page of a step that is not possible in the response's state (a draft).
    Rule("responses.step", lambda w: f"{_a(w)}/stap/withdraw", own_group(400), name="confirmation page"),
    Rule("responses.add_attachment", lambda w: f"{_a(w)}/bijlagen", own_group(400), method="POST"),
    Rule(
        "responses.remove_attachment",
        lambda w: f"{_a(w)}/bijlagen/{_att(w.response_a)}/verwijderen",
        own_group(302),
        method="POST",
    ),
    Rule(
        "responses.attachment",
        lambda w: f"{_a(w)}/bijlagen/{_att(w.response_a)}",
        own_group(200, anonymous=404),
        name="own draft",
    ),
    Rule("responses.attachment", lambda w: f"{_b(w)}/bijlagen/{_att(w.response_b)}", name="accepted public"),
    # Another response's attachment through a response the user may see: 404 for everyone.
    Rule(
        "responses.attachment",
        lambda w: f"{_b(w)}/bijlagen/{_att(w.response_a)}",
        dict.fromkeys(ROLES, 404),
        name="other response's attachment",
    ),
    Rule("responses.revision", lambda w: f"{_b(w)}/revisies/1", only(*GEMEENTE)),
]
