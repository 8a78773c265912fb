"""The role groups that permissions, workflow tables and notification kinds share, named once."""

from partner_portal.auth.models import OrgRole, StaffRole

# Gemeente staff: read submitted responses, the moderation queue (the process manager read-only),
# the draft Nota, draft consultations and the audit log. MKB staff are not gemeente: the audit
# log names people of every organisation.
GEMEENTE = (StaffRole.moderator, StaffRole.process_manager, StaffRole.administrator)
# Take the moderation steps, write answers and publish the Nota.
MODERATORS = (StaffRole.moderator, StaffRole.administrator)
# Run the consultation process: stages, vision, publication.
PROCESS_MANAGERS = (StaffRole.process_manager, StaffRole.administrator)
# Follow what MKB members endorsed.
MKB_READERS = (StaffRole.mkb_staff, StaffRole.administrator)
# Manage sector groups, organisations and every user.
ADMINISTRATORS = (StaffRole.administrator,)
# People of a partner organisation who may speak for it: endorse (and later sign).
ENDORSERS = (OrgRole.signatory, OrgRole.org_admin)


def is_active_person(user) -> bool:
    """Logged in with an active account."""
    return bool(user and getattr(user, "is_authenticated", False) and user.is_active)


def partner_organisation_id(user) -> int | None:
    """The active organisation a person speaks from, or None (staff, archived organisation, logged out)."""
    if not is_active_person(user) or user.organisation is None or not user.organisation.is_active:
        return None
    return user.organisation_id


def speaks_for_organisation(user) -> bool:
    """A signatory or organisation admin of an active organisation: endorses and signs for it."""
    return partner_organisation_id(user) is not None and user.org_role in ENDORSERS
