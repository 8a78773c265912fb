"""Access rules: execution (partner_portal/initiatives/execution.py).

Besides the world of access.py: organisation A's own initiative in progress (one milestone),
and on organisation B's initiative in progress a news item with an image and a hidden one.
Only the initiators update the progress and post news; only the moderator hides news;
anyone with an account who can see the initiative follows it.
"""

import io
from datetime import date

from werkzeug.datastructures import FileStorage

from partner_portal.core import uploads
from partner_portal.core.models import utcnow
from partner_portal.initiatives.models import ProgressUpdate
from tests.access import ROLES, WORLD_BUILDERS, Rule, only
from tests.initiatives import factories as inf
from tests.initiatives.access import GEMEENTE, INITIATORS_A, a, b, b_review, own_org
from tests.initiatives.factories import S


def _png() -> FileStorage:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (2, 2), (0, 90, 160)).save(out, format="PNG")
    out.seek(0)
    return FileStorage(stream=out, filename="foto.png")


def build(w) -> None:
    w.initiative_a_running = inf.initiative(
        w.consultation, w.org_a, S.in_progress, title="Uitvoering van A", milestones=1
    )
    b_ = w.initiative_b
    w.update_b = ProgressUpdate(body="Gestart.", happened_on=date(2027, 1, 5), file=uploads.save_image(_png()))
    w.hidden_update_b = ProgressUpdate(
        body="Weg.",
        happened_on=date(2027, 1, 6),
        file=uploads.save_image(_png()),
        hidden_at=utcnow(),
        hidden_reason="Persoonlijke gegevens.",
    )
    b_.updates.extend([w.update_b, w.hidden_update_b])


WORLD_BUILDERS.append(build)


def a_running(w) -> str:
    return f"/initiatieven/{w.initiative_a_running.id}"


MODERATORS = ("moderator", "administrator")  # the administrator moderates too (auth/roles.py)
LOGGED_IN = {**dict.fromkeys(ROLES, 403), "anonymous": 302}  # nobody of the matrix initiates B's initiative
INITIATORS_OF_A = only(*INITIATORS_A, allowed=400)
NOT_FOUND = {**dict.fromkeys(ROLES, 404), "anonymous": 302}
ANY_ACCOUNT = {**dict.fromkeys(ROLES, 303), "anonymous": 302}

# Milestones and spending: the initiators only; a draft cannot be updated (400), another's draft is 404.
RULES = [
    Rule("initiatives.add_milestone", lambda w: f"{b(w)}/mijlpalen", LOGGED_IN, method="POST", name="B's"),
    Rule("initiatives.add_milestone", lambda w: f"{a_running(w)}/mijlpalen", INITIATORS_OF_A, method="POST"),
    Rule("initiatives.add_milestone", lambda w: f"{a(w)}/mijlpalen", own_org(400), method="POST", name="draft"),
    Rule(
        "initiatives.set_milestone",
        lambda w: f"{b(w)}/mijlpalen/{w.initiative_b.milestones[0].id}",
        LOGGED_IN,
        method="POST",
        name="B's",
    ),
    Rule(
        "initiatives.set_milestone",
        lambda w: f"{a_running(w)}/mijlpalen/{w.initiative_a_running.milestones[0].id}",
        INITIATORS_OF_A,  # posted without a date: "fill in the date"
        method="POST",
    ),
    Rule(
        "initiatives.set_milestone",
        lambda w: f"{a_running(w)}/mijlpalen/{w.initiative_b.milestones[0].id}",
        NOT_FOUND,
        method="POST",
        name="another initiative's milestone",
    ),
    Rule("initiatives.report_spending", lambda w: f"{b(w)}/uitgaven", LOGGED_IN, method="POST", name="B's"),
    Rule(
        "initiatives.report_spending",
        lambda w: f"{a_running(w)}/uitgaven",
        only(*INITIATORS_A, allowed=303),  # no amounts posted: nothing changes, back to the page
        method="POST",
    ),
    Rule("initiatives.report_spending", lambda w: f"{a(w)}/uitgaven", own_org(400), method="POST", name="draft"),
]

# News: the initiators post, everyone who sees the initiative gets its file until it is hidden.
RULES += [
    Rule("initiatives.post_update", lambda w: f"{b(w)}/nieuws", LOGGED_IN, method="POST", name="B's"),
    Rule("initiatives.post_update", lambda w: f"{a_running(w)}/nieuws", INITIATORS_OF_A, method="POST"),
    Rule("initiatives.post_update", lambda w: f"{a(w)}/nieuws", own_org(400), method="POST", name="draft"),
    Rule("initiatives.update_file", lambda w: f"{b(w)}/nieuws/{w.update_b.id}/bestand", name="public"),
    Rule("initiatives.update_image", lambda w: f"{b(w)}/nieuws/{w.update_b.id}/afbeelding", name="public"),
    Rule(
        "initiatives.update_image",
        lambda w: f"{b(w)}/nieuws/{w.hidden_update_b.id}/afbeelding",
        dict.fromkeys(ROLES, 404),
        name="hidden",
    ),
    Rule(
        "initiatives.update_file",
        lambda w: f"{b(w)}/nieuws/{w.hidden_update_b.id}/bestand",
        dict.fromkeys(ROLES, 404),
        name="hidden",
    ),
    Rule(
        "initiatives.update_file",
        lambda w: f"{a_running(w)}/nieuws/{w.update_b.id}/bestand",
        dict.fromkeys(ROLES, 404),
        name="another initiative's news",
    ),
    Rule(
        "initiatives.update_file",
        lambda w: f"{a(w)}/nieuws/{w.update_b.id}/bestand",
        dict.fromkeys(ROLES, 404),
        name="through another organisation's draft",
    ),
]

# Hiding news: the moderator only (the confirmation page on GET; without a reason the POST is refused).
RULES += [
    Rule("initiatives.hide_update", lambda w: f"{b(w)}/nieuws/{w.update_b.id}/verbergen", only(*MODERATORS)),
    Rule(
        "initiatives.hide_update",
        lambda w: f"{b(w)}/nieuws/{w.update_b.id}/verbergen",
        only(*MODERATORS, allowed=400),
        method="POST",
    ),
    Rule(
        "initiatives.hide_update",
        lambda w: f"{b(w)}/nieuws/{w.hidden_update_b.id}/verbergen",
        only(*MODERATORS, allowed=303),  # already hidden: back to the page
        method="POST",
        name="already hidden",
    ),
    Rule(
        "initiatives.hide_update",
        lambda w: f"{a_running(w)}/nieuws/{w.update_b.id}/verbergen",
        NOT_FOUND,
        name="another initiative's news",
    ),
]

# Following: anyone with an account who can see it; a draft cannot be followed.
RULES += [
    Rule("initiatives.follow", lambda w: f"{b(w)}/volgen", ANY_ACCOUNT, method="POST"),
    Rule("initiatives.follow", lambda w: f"{a(w)}/volgen", own_org(400), method="POST", name="own draft"),
    Rule(
        "initiatives.follow",
        lambda w: f"{b_review(w)}/volgen",
        {**NOT_FOUND, **dict.fromkeys(GEMEENTE, 303)},
        method="POST",
        name="another organisation's, in review",
    ),
    Rule("initiatives.unfollow", lambda w: f"{b(w)}/ontvolgen", ANY_ACCOUNT, method="POST"),
    Rule("initiatives.unfollow", lambda w: f"{a(w)}/ontvolgen", own_org(303), method="POST", name="own draft"),
]
