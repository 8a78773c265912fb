"""Imports every model so that metadata (and so migrations) sees all tables."""

# Workflow tables register themselves on import (for `flask workflows` and the README).
import partner_portal.consultations.workflow
import partner_portal.responses.workflow
from partner_portal.auth.models import User  # noqa: F401
from partner_portal.commitments.models import (  # noqa: F401
    Commitment,
    CommitmentOrganisation,
    CommitmentSector,
    CommitmentTheme,
    CommitmentVersion,
    Signature,
    SignatureReceipt,
)
from partner_portal.consultations.models import (  # noqa: F401
    Consultation,
    FundingSource,
    Location,
    Pillar,
    Programme,
    ProgrammeProject,
    Stage,
    Theme,
    VisionSection,
    VisionVersion,
)
from partner_portal.core.audit import AuditEvent  # noqa: F401
from partner_portal.core.uploads import StoredFile  # noqa: F401
from partner_portal.endorsements.models import Endorsement  # noqa: F401
from partner_portal.initiatives.models import (  # noqa: F401
    CoInitiator,
    Follower,
    FundingRequest,
    Grant,
    Initiative,
    InitiativeAttachment,
    InitiativeCitation,
    InitiativeLocation,
    InitiativeRevision,
    InitiativeTheme,
    Milestone,
    ProgressUpdate,
    Spending,
)
from partner_portal.mkb.models import MemberImport, MemberReminder, MkbMember  # noqa: F401
from partner_portal.notifications.models import DigestItem, NotificationPreference, OutboxMessage  # noqa: F401
from partner_portal.partners.models import Organisation, OrganisationSector, SectorGroup  # noqa: F401
from partner_portal.responses.models import (  # noqa: F401
    FormalResponse,
    Nota,
    ResponseAttachment,
    ResponseRevision,
    ThemeAnswer,
    ThemePosition,
)
from partner_portal.sso.models import IdentityProvider, UserIdentity  # noqa: F401

import partner_portal.initiatives.workflow  # isort: skip
import partner_portal.commitments.workflow  # noqa: F401  isort: skip
