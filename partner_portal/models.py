"""Imports every model so that metadata (and so migrations) sees all tables."""

from partner_portal.auth.models import User  # noqa: F401
from partner_portal.core.audit import AuditEvent  # noqa: F401
from partner_portal.notifications.models import DigestItem, NotificationPreference, OutboxMessage  # noqa: F401
from partner_portal.partners.models import Organisation, OrganisationSector, SectorGroup  # noqa: F401
