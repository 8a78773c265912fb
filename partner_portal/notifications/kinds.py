"""The notification kinds: one table that says what each kind is, who gets it and how it is rendered."""

from __future__ import annotations

import enum
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l

from partner_portal.auth.roles import GEMEENTE


class NotificationMode(enum.StrEnum):
    """How a person wants to receive one kind of notification."""

    immediate = "immediate"
    digest = "digest"
    off = "off"

    @property
    def label(self) -> str:
        return str(MODE_LABELS[self])


MODE_LABELS = {
    NotificationMode.immediate: _l("Direct per e-mail"),
    NotificationMode.digest: _l("In een dagelijks overzicht"),
    NotificationMode.off: _l("Uit"),
}


def _everyone(user) -> bool:
    return True


def _partners(user) -> bool:
    return user.organisation_id is not None


def _reviewers(user) -> bool:
    return user.staff_role in GEMEENTE


# What every mail's templates may read without a kind declaring it: `title`, `url` and
# `actor_name` from notify() (the object's title and page, the actor's name), the rest from the
# outbox (the kind's label, the recipient's name, the unsubscribe and preference links, the locale).
EVERY_MAIL = (
    "title",
    "url",
    "actor_name",
    "kind_label",
    "recipient_name",
    "unsubscribe_url",
    "preferences_url",
    "locale",
)


@dataclass(frozen=True)
class Kind:
    """One kind of notification.

    `template` names templates/mail/<template>.subject.txt, .txt and .html. `context` is the
    contract with the callers of notify(): every key the kind's templates read, besides the ones
    every mail gets (EVERY_MAIL), with what it holds. Each key is required; `title` and `url` may
    instead come from the `obj` passed to notify() (its `title` and `notification_url()`), and a
    kind that declares `url` must link to its subject, not to the home page.
    tests/notifications/test_contract.py runs every caller and renders the templates strictly
    with what it passed. Security mail is always sent at once and cannot be turned off; it has
    no unsubscribe link.
    """

    name: str
    label: object
    security: bool = False
    default_mode: NotificationMode = NotificationMode.immediate
    context: Mapping[str, str] = field(default_factory=dict)
    applies_to: Callable[[object], bool] = _everyone

    @property
    def template(self) -> str:
        return self.name


KINDS: dict[str, Kind] = {
    kind.name: kind
    for kind in (
        Kind(
            "invitation",
            _l("Uitnodiging voor het partnerportaal"),
            security=True,
            context={
                "url": "the invitation link",
                "inviter": "name of the person who invited",
                "days": "link validity",
            },
        ),
        Kind(
            "password_reset",
            _l("Link om uw wachtwoord te herstellen"),
            security=True,
            context={"url": "the reset link", "hours": "link validity"},
        ),
        Kind(
            "sso_new_member",
            _l("Iemand is via eHerkenning bij uw organisatie gekomen"),
            context={
                "url": "the organisation's people page",
                "person": "the new member's name",
                "organisation": "the organisation",
            },
            applies_to=_partners,
        ),
        Kind(
            "response_submitted",
            _l("Een formele reactie is ingediend"),
            context={"title": "the response", "url": "its page", "group": "the sector group that submitted"},
            applies_to=_reviewers,
        ),
        Kind(
            "changes_requested",
            _l("Er zijn wijzigingen gevraagd in uw reactie"),
            context={"title": "the response", "url": "its page", "message": "what the moderator asks"},
            applies_to=_partners,
        ),
        Kind(
            "response_accepted",
            _l("Uw reactie is geaccepteerd"),
            context={"title": "the response", "url": "its page", "message": "optional note of the moderator"},
            applies_to=_partners,
        ),
        Kind(
            "response_rejected",
            _l("Uw reactie is afgewezen"),
            context={"title": "the response", "url": "its page", "reason": "why it was rejected"},
            applies_to=_partners,
        ),
        Kind(
            "nota_published",
            _l("De Nota van beantwoording is gepubliceerd"),
            context={"title": "the consultation", "url": "the Nota page"},
            applies_to=_partners,
        ),
        Kind(
            "initiative_submitted",
            _l("Een initiatief is ingediend"),
            context={"title": "the initiative", "url": "its page", "lead": "the lead organisation"},
            applies_to=_reviewers,
        ),
        Kind(
            "initiative_invitation",
            _l("Uw organisatie is uitgenodigd voor een initiatief"),
            context={"title": "the initiative", "url": "its page", "lead": "the inviting lead organisation"},
            applies_to=_partners,
        ),
        Kind(
            "initiative_invitation_answered",
            _l("Een uitgenodigde organisatie heeft geantwoord"),
            context={
                "title": "the initiative",
                "url": "its page",
                "organisation": "the invited organisation",
                "accepted": "whether it takes part",
            },
            applies_to=_partners,
        ),
        Kind(
            "initiative_changed",
            _l("Een initiatief dat u volgt is een stap verder"),
            context={
                "title": "the initiative",
                "url": "its page",
                "state": "the new state, in words",
                "message": "the gemeente's reason or message (may be empty)",
            },
        ),
        Kind(
            "initiative_update",
            _l("Nieuws over een initiatief dat u volgt"),
            default_mode=NotificationMode.digest,
            context={"title": "the initiative", "url": "its page", "excerpt": "the start of the update"},
        ),
        Kind(
            "commitment_text_changed",
            _l("De tekst van een afspraak die u ondertekende is gewijzigd"),
            context={"title": "the commitment", "url": "its page", "version": "the number of the new version"},
            applies_to=_partners,
        ),
        Kind(
            "commitment_binding",
            _l("Een afspraak die u ondertekende is bindend"),
            context={"title": "the commitment", "url": "its page", "organisations": "how many organisations count"},
            applies_to=_partners,
        ),
        Kind(
            "commitment_proposed",
            _l("Een sectorgroep stelt een convenant voor"),
            context={"title": "the proposed commitment", "url": "its page", "group": "the proposing sector group"},
            applies_to=_reviewers,
        ),
        Kind(
            "commitment_proposal_answered",
            _l("De gemeente heeft uw voorstel voor een convenant beantwoord"),
            context={
                "title": "the proposed commitment",
                "url": "its page",
                "accepted": "whether the gemeente took it over as its draft",
                "reason": "why it was declined (empty when accepted)",
            },
            applies_to=_partners,
        ),
        Kind(
            "mkb_reminder",
            _l("Herinneringen van MKB Assen om mee te doen"),
            context={
                "url": "where to take part (the featured consultation, else the login page)",
                "title": "the subject MKB staff wrote",
                "text": "the text MKB staff wrote (plain text)",
                "organisation": "the member organisation",
            },
            applies_to=_partners,
        ),
        Kind(
            "stage_changed",
            _l("Een consultatie gaat naar een nieuwe fase"),
            default_mode=NotificationMode.digest,
            context={"title": "the consultation", "url": "its page", "stage": "name of the new stage"},
        ),
    )
}

# The digest bundles items of many kinds into one mail; its unsubscribe link turns every
# kind that the person receives as a digest off.
DIGEST = "digest"


def get_kind(name: str) -> Kind:
    try:
        return KINDS[name]
    except KeyError:
        raise ValueError(f"unknown notification kind {name!r}") from None


def optional_kinds_for(user) -> list[Kind]:
    """The kinds this person can choose a mode for (no security mail)."""
    return [k for k in KINDS.values() if not k.security and k.applies_to(user)]
