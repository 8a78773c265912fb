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
