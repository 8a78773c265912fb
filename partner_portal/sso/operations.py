"""State changes of single sign-on: managing providers, and who a person is after a provider's login.

Operations flush and record the audit event but never commit: the request commits once. The
one exception is `record_refusal`: a refused login answers with an error page (4xx, which the
request rolls back), and the security event must outlive that rollback.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field

import sqlalchemy as sa
from flask_babel import gettext as _

from partner_portal.auth.models import OrgRole, StaffRole, User
from partner_portal.auth.operations import find_user_by_email, normalise_email
from partner_portal.auth.permissions import can_manage_registry
from partner_portal.core import audit
from partner_portal.core.errors import Conflict, OperationError, PermissionDenied
from partner_portal.core.models import utcnow
from partner_portal.extensions import db
from partner_portal.notifications import notify
from partner_portal.partners.models import Organisation
from partner_portal.sso import crypto
from partner_portal.sso.models import ClientAuthMethod, IdentityProvider, ProviderKind, UserIdentity

log = logging.getLogger(__name__)
security_log = logging.getLogger("partner_portal.security")

SLUG = re.compile(r"[a-z0-9][a-z0-9-]{0,59}")
KVK = re.compile(r"\d{8}")
# When several role rules match, the strongest role wins.
ROLE_PRECEDENCE = (StaffRole.administrator, StaffRole.process_manager, StaffRole.moderator, StaffRole.mkb_staff)


def can_manage_providers(user) -> bool:
    """Only platform administrators configure identity providers."""
    return can_manage_registry(user)


# Providers ---------------------------------------------------------------------------------------


def _check_actor(actor) -> None:
    # `None` is a deployment script (flask sso ...), which runs with the server's rights.
    if actor is not None and not can_manage_providers(actor):
        raise PermissionDenied(_("Alleen een beheerder kan inlogdiensten beheren."))


def add_provider(
    actor,
    *,
    slug: str,
    name: str,
    kind: ProviderKind,
    issuer: str,
    client_id: str,
    client_secret: str | None = None,
    private_key_jwt: bool = False,
    **settings,
) -> IdentityProvider:
    """Add an identity provider (enabled).

    With `private_key_jwt` the portal makes an RSA key pair and keeps the private key encrypted;
    otherwise the client secret is stored encrypted. Audited as "identity_provider.create".
    Raises PermissionDenied, OperationError (bad slug or missing secret) or Conflict (slug taken).
    """
    _check_actor(actor)
    slug = slug.strip().lower()
    if not SLUG.fullmatch(slug):
        raise OperationError(_("De korte naam mag alleen kleine letters, cijfers en streepjes bevatten."))
    if db.session.scalar(sa.select(IdentityProvider.id).where(IdentityProvider.slug == slug)) is not None:
        raise Conflict(_("Er is al een inlogdienst met deze korte naam."))
    if not private_key_jwt and not client_secret:
        raise OperationError(_("Vul het clientgeheim in, of kies voor het sleutelpaar van het portaal."))
    provider = IdentityProvider(
        slug=slug,
        name=name.strip(),
        kind=ProviderKind(kind),
        issuer=issuer.strip(),
        client_id=client_id.strip(),
        auth_method=ClientAuthMethod.client_secret_basic,
        is_enabled=True,
    )
    _apply_settings(provider, settings)
    _set_credentials(provider, client_secret, private_key_jwt)
    db.session.add(provider)
    db.session.flush()
    audit.record(actor, "identity_provider.create", provider, to_state="enabled", details={"slug": slug})
    return provider


SETTINGS = (
    "name",
    "issuer",
    "client_id",
    "scopes",
    "acr_values",
    "min_acr",
    "role_claim",
    "email_domains",
    "kvk_claim",
    "vestiging_claim",
    "required_for_staff",
)


def _apply_settings(provider: IdentityProvider, settings: dict) -> list[str]:
    changed = []
    rules = settings.pop("role_rules", None)
    for key, value in settings.items():
        if key not in SETTINGS:
            raise TypeError(f"unknown provider setting {key}")
        if value is None:
            continue
        value = " ".join(value.split()) if isinstance(value, str) else value
        if getattr(provider, key) != value:
            setattr(provider, key, value)
            changed.append(key)
    if rules is not None:
        normalised = {str(k).strip(): StaffRole(v) for k, v in rules.items() if str(k).strip()}
        if normalised != (provider.rules if provider.role_rules else {}):
            provider.rules = normalised
            changed.append("role_rules")
    if "scopes" in settings and "openid" not in (provider.scopes or "").split():
        provider.scopes = ("openid " + (provider.scopes or "")).strip()
    if provider.kind != ProviderKind.staff:
        provider.required_for_staff = False
    return changed


def _set_credentials(provider: IdentityProvider, client_secret: str | None, private_key_jwt: bool) -> None:
    if private_key_jwt:
        if provider.auth_method != ClientAuthMethod.private_key_jwt or not provider.private_key_encrypted:
            pem, kid = crypto.new_private_key()
            provider.private_key_encrypted = crypto.encrypt(pem)
            provider.key_id = kid
        provider.auth_method = ClientAuthMethod.private_key_jwt
        provider.client_secret_encrypted = None
    else:
        if client_secret:
            provider.client_secret_encrypted = crypto.encrypt(client_secret)
        elif not provider.client_secret_encrypted:
            raise OperationError(_("Vul het clientgeheim in, of kies voor het sleutelpaar van het portaal."))
        provider.auth_method = ClientAuthMethod.client_secret_basic
        provider.private_key_encrypted = None
        provider.key_id = None


def update_provider(
    actor, provider: IdentityProvider, *, client_secret: str | None = None, private_key_jwt: bool = False, **settings
) -> None:
    """Change a provider's settings; an empty `client_secret` keeps the stored one.

    Switching to private_key_jwt makes a key pair (an existing one is kept). Audited as
    "identity_provider.update" with the names of the changed settings (never their secrets).
    """
    _check_actor(actor)
    changed = _apply_settings(provider, settings)
    before = (provider.auth_method, provider.client_secret_encrypted, provider.key_id)
    _set_credentials(provider, client_secret, private_key_jwt)
    if before != (provider.auth_method, provider.client_secret_encrypted, provider.key_id):
        changed.append("credentials")
    if changed:
        audit.record(actor, "identity_provider.update", provider, details={"changed": sorted(changed)})


def set_provider_enabled(actor, provider: IdentityProvider, enabled: bool) -> None:
    """Turn a provider on or off; off, its button disappears and its logins are refused."""
    _check_actor(actor)
    if provider.is_enabled == enabled:
        raise OperationError(_("De inlogdienst staat al aan.") if enabled else _("De inlogdienst staat al uit."))
    provider.is_enabled = enabled
    audit.record(
        actor,
        "identity_provider.enable" if enabled else "identity_provider.disable",
        provider,
        from_state="disabled" if enabled else "enabled",
        to_state="enabled" if enabled else "disabled",
    )


# Who the person is -------------------------------------------------------------------------------


class LoginRefused(OperationError):
    """A provider's login that must not create a session; `code` names the reason for the security log."""

    status_code = 403

    def __init__(self, code: str, message: str, user: User | None = None):
        super().__init__(message)
        self.code = code
        self.user = user


@dataclass
class Login:
    """What a provider's checked ID token says about the person."""

    issuer: str
    subject: str
    acr: str = ""
    auth_time: int | None = None
    email: str | None = None  # only when the provider says it is verified
    email_claimed: bool = False
    name: str = ""
    claims: dict = field(default_factory=dict)

    @classmethod
    def from_claims(cls, claims: dict) -> Login:
        email = claims.get("email")
        verified = claims.get("email_verified") is True
        auth_time = claims.get("auth_time")
        return cls(
            issuer=str(claims.get("iss", "")),
            subject=str(claims.get("sub", "")),
            acr=str(claims.get("acr") or ""),
            auth_time=auth_time if isinstance(auth_time, int) else None,
            email=normalise_email(email) if isinstance(email, str) and verified and "@" in email else None,
            email_claimed=isinstance(email, str) and bool(email),
            name=str(claims.get("name") or "").strip()[:120],
            claims=dict(claims),
        )


@dataclass
class Outcome:
    """What happens next: log `user` in, or ask the person to prove an account (`link`) or choose an organisation."""

    user: User | None = None
    link: User | None = None
    choose: list[Organisation] = field(default_factory=list)
    unknown: bool = False


def _values(claim) -> list[str]:
    if claim is None:
        return []
    if isinstance(claim, list | tuple):
        return [str(v).strip() for v in claim if str(v).strip()]
    return [v for v in str(claim).replace(",", " ").split() if v]


def _refuse(code: str, message: str, user: User | None = None):
    raise LoginRefused(code, message, user)


def identify(provider: IdentityProvider, login: Login) -> Outcome:
    """Decide who logs in, from a checked ID token. Changes nothing; raises LoginRefused."""
    if login.issuer != provider.expected_issuer:
        _refuse("issuer", _("De inlogdienst gaf een antwoord van een andere uitgever dan ingesteld."))
    if not provider.acr_acceptable(login.acr):
        _refuse(
            "acr",
            _(
                "U bent ingelogd met een te laag betrouwbaarheidsniveau (%(acr)s). Voor dit portaal is minstens "
                "%(min)s nodig. Log opnieuw in met een middel van dat niveau.",
                acr=login.acr or _("onbekend"),
                min=provider.min_acr,
            ),
        )
    identity = db.session.scalar(
        sa.select(UserIdentity).where(UserIdentity.issuer == login.issuer, UserIdentity.subject == login.subject)
    )
    if provider.kind == ProviderKind.staff:
        return _identify_staff(provider, login, identity)
    return _identify_partner(provider, login, identity)


def _check_user(user: User) -> None:
    if not user.is_active:
        _refuse("inactive", _("Uw account is gedeactiveerd. Neem contact op met de beheerder."), user)


def _unverified(login: Login) -> None:
    if login.email is None:
        _refuse(
            "unverified_email" if login.email_claimed else "no_email",
            _(
                "De inlogdienst heeft uw e-mailadres niet als bevestigd doorgegeven. Daarom kunnen wij u niet aan "
                "een account koppelen. Bevestig uw e-mailadres bij uw inlogdienst, of vraag uw organisatiebeheerder "
                "om een uitnodiging."
            ),
        )


def _identify_staff(provider: IdentityProvider, login: Login, identity: UserIdentity | None) -> Outcome:
    if identity is not None:
        user = identity.user
    else:
        _unverified(login)
        user = find_user_by_email(login.email or "")
        if user is None:
            return Outcome(unknown=True)
    _check_user(user)
    if user.staff_role is None:
        _refuse("not_staff", _("Deze inlogdienst is alleen voor medewerkers van de gemeente en MKB."), user)
    if provider.domains:
        email = login.email or user.email
        if email.rsplit("@", 1)[-1] not in provider.domains:
            _refuse("domain", _("Uw e-mailadres hoort niet bij een domein dat deze inlogdienst mag gebruiken."), user)
    if provider.rules and _staff_role_from_rules(provider, login) is None:
        _refuse(
            "no_role",
            _("U heeft bij uw inlogdienst geen rol (meer) voor dit portaal. Vraag uw beheerder om toegang."),
            user,
        )
    return Outcome(user=user) if identity is not None else Outcome(link=user)


def _staff_role_from_rules(provider: IdentityProvider, login: Login) -> StaffRole | None:
    rules = provider.rules
    matched = {rules[v] for v in _values(login.claims.get(provider.role_claim)) if v in rules}
    return next((role for role in ROLE_PRECEDENCE if role in matched), None)


def kvk_numbers(provider: IdentityProvider, login: Login) -> list[str]:
    return [v for v in _values(login.claims.get(provider.kvk_claim)) if KVK.fullmatch(v)]


def _identify_partner(provider: IdentityProvider, login: Login, identity: UserIdentity | None) -> Outcome:
    numbers = kvk_numbers(provider, login)
    if not numbers:
        _refuse("no_kvk", _("De inlogdienst gaf geen KvK-nummer door van de organisatie die u vertegenwoordigt."))
    organisations = list(
        db.session.scalars(
            sa.select(Organisation).where(Organisation.kvk_number.in_(numbers)).order_by(Organisation.name)
        )
    )
    if not organisations:
        return Outcome(unknown=True)
    active = [o for o in organisations if o.is_active]
    user = identity.user if identity is not None else None
    if user is None:
        _unverified(login)
        user = find_user_by_email(login.email or "")
        if user is None:
            if not active:
                _refuse("archived", _("De organisatie die u vertegenwoordigt is gearchiveerd in dit portaal."))
            return Outcome(choose=active)
    _check_user(user)
    if user.organisation is None or user.organisation not in organisations:
        _refuse(
            "not_representing",
            _("Uw account hoort bij een andere organisatie dan die u bij het inloggen vertegenwoordigt."),
            user,
        )
    if not user.organisation.is_active:
        _refuse("archived", _("De organisatie die u vertegenwoordigt is gearchiveerd in dit portaal."), user)
    return Outcome(user=user) if identity is not None else Outcome(link=user)


def _establishment(provider: IdentityProvider, login: Login) -> dict[str, str]:
    """The vestigingsnummer the broker returned (12 digits), for the audit trail; empty when none."""
    if not provider.vestiging_claim:
        return {}
    numbers = [v for v in _values(login.claims.get(provider.vestiging_claim)) if v.isdigit() and len(v) == 12]
    return {"vestiging": numbers[0]} if numbers else {}


def log_in(provider: IdentityProvider, login: Login, user: User) -> None:
    """Record a login of a known identity: staff roles follow the rules, the achieved acr is audited."""
    identity = db.session.scalar(
        sa.select(UserIdentity).where(UserIdentity.issuer == login.issuer, UserIdentity.subject == login.subject)
    )
    now = utcnow()
    if identity is not None:
        identity.last_login_at = now
        identity.last_acr = login.acr
    user.last_login_at = now
    if provider.kind == ProviderKind.staff and provider.rules:
        role = _staff_role_from_rules(provider, login)
        if role is not None and role != user.staff_role:
            old, user.staff_role = user.staff_role, role
            audit.record(
                user,
                "sso.role",
                user,
                from_state=str(old),
                to_state=str(role),
                reason=_("Volgens de rolregels van inlogdienst %(name)s", name=provider.name),
                details={"provider": provider.slug},
            )
    audit.record(
        user,
        "sso.login",
        user,
        details={"provider": provider.slug, "acr": login.acr, **_establishment(provider, login)},
        organisation_id=user.organisation_id,
    )


def link_identity(provider: IdentityProvider, login: Login, user: User) -> UserIdentity:
    """Tie (issuer, subject) to an account whose owner has just proved it (password or invitation link).

    Precondition: `identify` returned `link=user` for this login. Audited as "sso.link".
    Raises Conflict when the identity was linked meanwhile.
    """
    taken = db.session.scalar(
        sa.select(UserIdentity.id).where(UserIdentity.issuer == login.issuer, UserIdentity.subject == login.subject)
    )
    if taken is not None:
        raise Conflict(_("Deze inlog is al aan een account gekoppeld."))
    identity = UserIdentity(provider=provider, user=user, issuer=login.issuer, subject=login.subject)
    db.session.add(identity)
    db.session.flush()
    audit.record(user, "sso.link", user, details={"provider": provider.slug}, organisation_id=user.organisation_id)
    return identity


def join_organisation(provider: IdentityProvider, login: Login, organisation: Organisation) -> User:
    """A person new to the portal, proven by the broker to represent `organisation`, becomes its member.

    Precondition: `identify` offered `organisation` (active, from the KvK claim) and the e-mail is
    verified and unused. Side effects: the account and its identity, the audit event "sso.join",
    and a mail to the organisation's admins. Raises LoginRefused or Conflict.
    """
    if not organisation.is_active:
        _refuse("archived", _("De organisatie die u vertegenwoordigt is gearchiveerd in dit portaal."))
    if organisation.kvk_number not in kvk_numbers(provider, login):
        _refuse("not_representing", _("U vertegenwoordigt deze organisatie niet volgens de inlogdienst."))
    if login.email is None:
        _unverified(login)
    if find_user_by_email(login.email or "") is not None:
        raise Conflict(_("Er bestaat al een account met dit e-mailadres."))
    now = utcnow()
    user = User(
        email=login.email,
        name=login.name or login.email,
        organisation=organisation,
        org_role=OrgRole.member,
        invited_at=now,
        activated_at=now,
        last_login_at=now,
    )
    db.session.add(user)
    db.session.flush()
    db.session.add(UserIdentity(provider=provider, user=user, issuer=login.issuer, subject=login.subject))
    audit.record(
        user,
        "sso.join",
        user,
        to_state="active",
        details={
            "provider": provider.slug,
            "acr": login.acr,
            "kvk": organisation.kvk_number,
            **_establishment(provider, login),
        },
        organisation_id=organisation.id,
    )
    admins = [u for u in organisation.users if u.org_role == OrgRole.org_admin and u.is_active and u.id != user.id]
    notify(
        "sso_new_member",
        admins,
        obj=user,
        context={
            "url": f"/organisaties/{organisation.id}/mensen",
            "person": user.name,
            "organisation": organisation.name,
        },
    )
    return user


# Refusals after which the person's running sessions end as well: the provider took the role away.
END_SESSIONS_ON = frozenset({"no_role"})


def record_refusal(provider: IdentityProvider | None, code: str, *, user: User | None = None, detail: str = "") -> None:
    """The security event of a refused login: a warning in the log and an audit event, committed at once.

    Whatever the refused request changed is rolled back first; only the event is kept.
    """
    db.session.rollback()
    security_log.warning(
        "single sign-on refused: %s (provider %s, user %s) %s",
        code,
        provider.slug if provider is not None else "-",
        user.id if user is not None else "-",
        detail[:200],
    )
    if provider is not None:
        provider = db.session.get(IdentityProvider, provider.id)
    if user is not None:
        user = db.session.get(User, user.id)
        if code in END_SESSIONS_ON:
            # The provider no longer vouches for this person here: their other sessions end too.
            user.session_version += 1
    audit.record(
        None,
        "sso.refused",
        provider,
        object_type=None if provider is not None else "identity_provider",
        reason=code,
        details={"user_id": user.id if user is not None else None, "detail": detail[:200]},
        organisation_id=user.organisation_id if user is not None else None,
    )
    db.session.commit()
