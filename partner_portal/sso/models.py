"""Identity providers configured by administrators, and the (issuer, subject) identities of people."""

from __future__ import annotations

import enum
import json
from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy import orm as so

from partner_portal.auth.models import StaffRole, User
from partner_portal.core import audit, workflow
from partner_portal.core.models import TimestampMixin, UTCDateTime, enum_check, utcnow
from partner_portal.extensions import db

DISCOVERY_PATH = "/.well-known/openid-configuration"


class ProviderKind(enum.StrEnum):
    """Whom a provider logs in: gemeente and MKB staff, or people of partner organisations."""

    staff = "staff"
    partner = "partner"

    @property
    def label(self) -> str:
        return str(KIND_LABELS[self])


class ClientAuthMethod(enum.StrEnum):
    """How the portal proves to the provider's token endpoint that it is the client."""

    client_secret_basic = "client_secret_basic"  # noqa: S105 (a method name, not a secret)
    private_key_jwt = "private_key_jwt"

    @property
    def label(self) -> str:
        return str(AUTH_METHOD_LABELS[self])


KIND_LABELS = {
    ProviderKind.staff: _l("Medewerkers (gemeente, MKB)"),
    ProviderKind.partner: _l("Partners (eHerkenning)"),
}
AUTH_METHOD_LABELS = {
    ClientAuthMethod.client_secret_basic: _l("Clientgeheim (client_secret_basic)"),
    ClientAuthMethod.private_key_jwt: _l("Sleutelpaar van het portaal (private_key_jwt)"),
}


class IdentityProvider(TimestampMixin, db.Model):
    """An OpenID Connect provider: where to log in, how to authenticate to it, and how to read its claims.

    Secrets (the client secret, the private key) are stored encrypted (sso/crypto.py) and never
    shown again. `role_rules` maps a value of `role_claim` to a staff role; `acr_values` are the
    levels requested, lowest first, and `min_acr` the lowest one accepted.
    """

    __tablename__ = "identity_provider"
    __table_args__ = (
        enum_check("kind", ProviderKind),
        enum_check("auth_method", ClientAuthMethod),
        sa.CheckConstraint("kind = 'staff' OR NOT required_for_staff", name="required_only_for_staff"),
        sa.CheckConstraint(
            "auth_method != 'private_key_jwt' OR (private_key_encrypted IS NOT NULL AND key_id IS NOT NULL)",
            name="key_for_private_key_jwt",
        ),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    slug: so.Mapped[str] = so.mapped_column(sa.String(60), unique=True)
    name: so.Mapped[str] = so.mapped_column(sa.String(120))
    kind: so.Mapped[ProviderKind] = so.mapped_column(
        sa.Enum(ProviderKind, native_enum=False, length=20, validate_strings=True)
    )
    issuer: so.Mapped[str] = so.mapped_column(sa.String(500))
    client_id: so.Mapped[str] = so.mapped_column(sa.String(255))
    auth_method: so.Mapped[ClientAuthMethod] = so.mapped_column(
        sa.Enum(ClientAuthMethod, native_enum=False, length=30, validate_strings=True)
    )
    client_secret_encrypted: so.Mapped[str | None] = so.mapped_column(sa.Text)
    private_key_encrypted: so.Mapped[str | None] = so.mapped_column(sa.Text)
    key_id: so.Mapped[str | None] = so.mapped_column(sa.String(64))
    scopes: so.Mapped[str] = so.mapped_column(sa.String(500), default="openid email profile")
    acr_values: so.Mapped[str] = so.mapped_column(sa.String(500), default="")
    min_acr: so.Mapped[str] = so.mapped_column(sa.String(200), default="")
    role_claim: so.Mapped[str] = so.mapped_column(sa.String(100), default="groups")
    role_rules: so.Mapped[str] = so.mapped_column(sa.Text, default="{}")  # JSON: claim value -> staff role
    email_domains: so.Mapped[str] = so.mapped_column(sa.Text, default="")  # space-separated
    kvk_claim: so.Mapped[str] = so.mapped_column(sa.String(100), default="kvk")
    vestiging_claim: so.Mapped[str] = so.mapped_column(sa.String(100), default="")
    is_enabled: so.Mapped[bool] = so.mapped_column(default=True, index=True)
    required_for_staff: so.Mapped[bool] = so.mapped_column(default=False)

    @property
    def discovery_url(self) -> str:
        issuer = self.issuer.rstrip("/")
        return issuer if issuer.endswith(DISCOVERY_PATH) else issuer + DISCOVERY_PATH

    @property
    def expected_issuer(self) -> str:
        issuer = self.issuer.rstrip("/")
        return issuer.removesuffix(DISCOVERY_PATH)

    @property
    def rules(self) -> dict[str, StaffRole]:
        raw = json.loads(self.role_rules or "{}")
        return {str(value): StaffRole(role) for value, role in raw.items()}

    @rules.setter
    def rules(self, value: dict[str, StaffRole]) -> None:
        self.role_rules = json.dumps({k: str(v) for k, v in value.items()}, sort_keys=True)

    @property
    def domains(self) -> list[str]:
        return [d.strip().lower().lstrip("@") for d in self.email_domains.replace(",", " ").split() if d.strip()]

    @property
    def acr_levels(self) -> list[str]:
        return self.acr_values.split()

    def acr_acceptable(self, acr: str | None) -> bool:
        """Is the achieved `acr` at least `min_acr`? Levels are ordered as listed in `acr_values`."""
        if not self.min_acr:
            return True
        if not acr:
            return False
        levels = self.acr_levels
        if self.min_acr in levels and acr in levels:
            return levels.index(acr) >= levels.index(self.min_acr)
        return acr == self.min_acr

    def __repr__(self) -> str:
        return f"<IdentityProvider {self.slug}>"


class UserIdentity(db.Model):
    """A person's identity at a provider: (issuer, subject), never the e-mail address alone."""

    __tablename__ = "user_identity"
    __table_args__ = (sa.UniqueConstraint("issuer", "subject", name="uq_user_identity_issuer_subject"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    provider_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("identity_provider.id", ondelete="CASCADE"), index=True
    )
    user_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("user.id", ondelete="CASCADE"), index=True)
    issuer: so.Mapped[str] = so.mapped_column(sa.String(500))
    subject: so.Mapped[str] = so.mapped_column(sa.String(255))
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    last_login_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    last_acr: so.Mapped[str] = so.mapped_column(sa.String(200), default="")

    provider: so.Mapped[IdentityProvider] = so.relationship()
    user: so.Mapped[User] = so.relationship()


def _provider_names(ids: list[int]) -> dict[int, str]:
    rows = db.session.execute(sa.select(IdentityProvider.id, IdentityProvider.name).where(IdentityProvider.id.in_(ids)))
    return dict(rows.all())


audit.register_kind("identity_provider", _l("Inlogdienst"), _provider_names)
workflow.label_states("identity_provider", {"enabled": _l("aan"), "disabled": _l("uit")}.get)
workflow.label_action("identity_provider.create", _l("Inlogdienst toegevoegd"))
workflow.label_action("identity_provider.update", _l("Inlogdienst gewijzigd"))
workflow.label_action("identity_provider.disable", _l("Inlogdienst uitgezet"))
workflow.label_action("identity_provider.enable", _l("Inlogdienst aangezet"))
workflow.label_action("sso.login", _l("Ingelogd via een inlogdienst"))
workflow.label_action("sso.link", _l("Inlog via een inlogdienst gekoppeld aan het account"))
workflow.label_action("sso.join", _l("Via eHerkenning bij de organisatie gekomen"))
workflow.label_action("sso.refused", _l("Inloggen via een inlogdienst geweigerd"))
workflow.label_action("sso.role", _l("Rol gewijzigd volgens de inlogdienst"))
