"""Access rules for notification preferences, unsubscribe links and the outbox."""

from partner_portal.notifications.tokens import make_token
from tests.access import WORLD_BUILDERS, Rule, anonymous_redirect, only


def _add_failed_mail(w) -> None:
    from tests.notifications.factories import outbox_message

    w.failed_mail = outbox_message(w.users["member"], status="failed")
    w.unsubscribe_token = make_token(w.users["member"].id, "stage_changed")


WORLD_BUILDERS.append(_add_failed_mail)

RULES = [
    Rule("notifications.preferences", lambda w: "/profiel/meldingen", anonymous_redirect()),
    # An empty POST keeps every choice and goes back to the page.
    Rule("notifications.preferences", lambda w: "/profiel/meldingen", anonymous_redirect(), default=302, method="POST"),
    # Unsubscribe links need no login: the signed token is the authorisation.
    Rule("notifications.unsubscribe", lambda w: f"/afmelden/{w.unsubscribe_token}", name="valid"),
    Rule("notifications.unsubscribe", lambda w: "/afmelden/ongeldig", default=400, name="tampered"),
    # The matrix runs without CSRF, so an empty POST confirms (views tests cover the refusal).
    Rule("notifications.unsubscribe", lambda w: f"/afmelden/{w.unsubscribe_token}", method="POST"),
    Rule("notifications.unsubscribe", lambda w: "/afmelden/ongeldig", default=400, method="POST", name="tampered"),
    Rule("notifications.outbox", lambda w: "/beheer/e-mail", only("administrator")),
    Rule("notifications.message", lambda w: f"/beheer/e-mail/{w.failed_mail.id}", only("administrator")),
    Rule(
        "notifications.retry",
        lambda w: f"/beheer/e-mail/{w.failed_mail.id}/opnieuw",
        only("administrator", allowed=302),
        method="POST",
    ),
]
