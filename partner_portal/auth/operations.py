"""State changes of accounts: invite, activate, log in, change password, deactivate.

Operations flush and record the audit event but never commit: the request commits once.
"""

import logging

import sqlalchemy as sa
from flask_babel import gettext as _

from partner_portal.auth import passwords
from partner_portal.auth.models import OrgRole, StaffRole, User
from partner_portal.auth.permissions import can_manage_people_of, can_manage_user
from partner_portal.core import audit
from partner_portal.core.errors import Conflict, OperationError, PermissionDenied
from partner_portal.core.models import utcnow
from partner_portal.extensions import db
from partner_portal.partners.models import Organisation

log = logging.getLogger(__name__)


def normalise_email(email: str) -> str:
    return email.strip().lower()


def find_user_by_email(email: str) -> User | None:
    return db.session.scalar(sa.select(User).where(User.email == normalise_email(email)))


def authenticate(email: str, password: str) -> User | None:
    """The active user with this e-mail and password, or None.

    Does exactly one argon2 verification whether or not the e-mail exists, so that the
    answer time does not reveal which addresses have accounts. Re-hashes on success when
    the hashing parameters have changed.
    """
    user = find_user_by_email(email)
    ok = passwords.verify_password(user.password_hash if user else None, password)
    if not ok or user is None or not user.is_active:
        return None
    if passwords.needs_rehash(user.password_hash):
        user.password_hash = passwords.hash_password(password)
    user.last_login_at = utcnow()
    return user


def invite_user(
    actor: User,
    *,
    email: str,
    name: str,
    function_title: str | None = "",
    organisation: Organisation | None = None,
    org_role: OrgRole | None = None,
    staff_role: StaffRole | None = None,
) -> User:
    """Create an account without password; the invitation link lets the person set one.

    Precondition: actor may manage people of the organisation (administrators for staff).
    Raises PermissionDenied, or Conflict when the e-mail is taken.
    """
    if staff_role is not None:
        if not actor.is_admin:
            raise PermissionDenied(_("Alleen een beheerder kan medewerkers uitnodigen."))
        organisation, org_role = None, None
    else:
        if organisation is None or org_role is None:
            raise OperationError(_("Kies een organisatie en een rol."))
        if not can_manage_people_of(actor, organisation.id):
            raise PermissionDenied(_("U mag geen mensen uitnodigen voor deze organisatie."))
        if not organisation.is_active:
            raise OperationError(_("Deze organisatie is gearchiveerd."))
    email = normalise_email(email)
    if find_user_by_email(email) is not None:
        raise Conflict(_("Er bestaat al een account met dit e-mailadres."))
    user = User(
        email=email,
        name=name.strip(),
        function_title=(function_title or "").strip(),
        organisation=organisation,
        org_role=org_role,
        staff_role=staff_role,
        invited_at=utcnow(),
    )
    db.session.add(user)
    db.session.flush()
    audit.record(actor, "user.invite", user, to_state="invited", organisation_id=user.organisation_id)
    return user


def _password_context(user: User) -> tuple[str, ...]:
    """Names a password of this person must not lean on: their organisation's and their own."""
    return (user.organisation.name if user.organisation else "", user.name)


def resend_invitation(actor: User, person: User) -> str:
    """Send a new invitation link to someone who has not set a password yet; returns the link.

    Precondition: actor may manage the person, who is active and has no password. Earlier
    links stay valid until they expire (the account's state has not changed). Side effects:
    the invitation mail is queued and the audit event "user.resend_invitation" recorded.
    Raises PermissionDenied or OperationError.
    """
    from partner_portal.auth.links import send_invitation

    if not can_manage_user(actor, person):
        raise PermissionDenied(_("U mag deze persoon niet uitnodigen."))
    if person.has_password or not person.is_active:
        raise OperationError(_("Deze persoon heeft het account al in gebruik of is gedeactiveerd."))
    url = send_invitation(person, actor)
    audit.record(actor, "user.resend_invitation", person, to_state="invited", organisation_id=person.organisation_id)
    return url


def set_password_from_link(user: User, password: str, purpose: str) -> None:
    """Set a password through an invitation or reset link; ends every existing session."""
    problem = passwords.password_problem(password, user.email, _password_context(user))
    if problem:
        raise OperationError(problem)
    first_time = user.password_hash is None
    user.password_hash = passwords.hash_password(password)
    user.session_version += 1
    if first_time:
        user.activated_at = utcnow()
    action = "user.activate" if purpose == "invite" else "user.reset_password"
    audit.record(user, action, user, organisation_id=user.organisation_id)


def change_password(user: User, current: str, new: str) -> None:
    """Change one's own password; every other session of this user ends."""
    if not passwords.verify_password(user.password_hash, current):
        raise OperationError(_("Uw huidige wachtwoord klopt niet."))
    problem = passwords.password_problem(new, user.email, _password_context(user))
    if problem:
        raise OperationError(problem)
    user.password_hash = passwords.hash_password(new)
    user.session_version += 1
    audit.record(user, "user.change_password", user, organisation_id=user.organisation_id)


def end_sessions(user: User) -> None:
    """Invalidate every session cookie of this user (logout everywhere)."""
    user.session_version += 1


def update_profile(user: User, *, name: str, function_title: str, locale: str) -> None:
    user.name = name.strip()
    user.function_title = function_title.strip()
    user.locale = locale


def set_user_role(
    actor: User, target: User, *, org_role: OrgRole | None = None, staff_role: StaffRole | None = None
) -> None:
    """Change a person's role within their organisation, or a staff member's staff role."""
    if not can_manage_user(actor, target):
        raise PermissionDenied(_("U mag de rol van deze persoon niet wijzigen."))
    if target.staff_role is not None:
        if staff_role is None:
            raise OperationError(_("Kies een rol."))
        old, target.staff_role = target.staff_role, staff_role
    else:
        if org_role is None:
            raise OperationError(_("Kies een rol."))
        old, target.org_role = target.org_role, org_role
    new = target.staff_role or target.org_role
    if old != new:
        audit.record(
            actor,
            "user.change_role",
            target,
            from_state=str(old),
            to_state=str(new),
            organisation_id=target.organisation_id,
        )


def deactivate_user(actor: User, target: User, reason: str = "") -> None:
    """Block a person's access and end their sessions; their history stays."""
    if not can_manage_user(actor, target):
        raise PermissionDenied(_("U mag deze persoon niet deactiveren."))
    if not target.is_active:
        raise OperationError(_("Deze persoon is al gedeactiveerd."))
    target.is_active = False
    target.deactivated_at = utcnow()
    target.session_version += 1
    audit.record(
        actor,
        "user.deactivate",
        target,
        from_state="active",
        to_state="inactive",
        reason=reason,
        organisation_id=target.organisation_id,
    )


def reactivate_user(actor: User, target: User) -> None:
    if not can_manage_user(actor, target):
        raise PermissionDenied(_("U mag deze persoon niet activeren."))
    if target.is_active:
        raise OperationError(_("Deze persoon is al actief."))
    target.is_active = True
    target.deactivated_at = None
    audit.record(
        actor,
        "user.reactivate",
        target,
        from_state="inactive",
        to_state="active",
        organisation_id=target.organisation_id,
    )
