"""Routes: signing for an organisation (see commitments/views.py): signing the current version with
a pledge, co-signing (joint authority), signing a new version, revoking while open and giving
notice once binding. Each signing step asks for the person's password again; failed attempts
count in the login throttle (auth/throttle.py), so the signing form cannot be used to guess a
password. Every refusal is the operation's own Dutch message, with nothing changed."""

from __future__ import annotations

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request
from flask_babel import gettext as _
from flask_login import current_user, login_required

from partner_portal.auth import throttle
from partner_portal.commitments import bp, operations, permissions
from partner_portal.commitments.forms import CosignForm, EndForm, ResignForm, sign_form
from partner_portal.commitments.manage import commitment_url, load_commitment
from partner_portal.commitments.models import STANDING_SIGNATURES, Commitment, Signature
from partner_portal.commitments.workflow import COMMITMENT
from partner_portal.core import workflow
from partner_portal.core.errors import OperationError
from partner_portal.core.forms import form_error, refusal_on_fields
from partner_portal.core.models import utcnow
from partner_portal.core.text import line_changes
from partner_portal.core.transaction import refused
from partner_portal.extensions import db
from partner_portal.sso import session as sso_session

# Errors raised after the password was found right: the attempt does not count as a failure.
AFTER_PASSWORD = (operations.TextChanged, operations.InvalidFields, operations.AlreadySigned)


def receipt_url(signature: Signature) -> str:
    """The signature's receipt page (public.py)."""
    return f"/convenanten/{signature.commitment_id}/ondertekeningen/{signature.id}/bewijs"


def _signature(commitment: Commitment, signature_id: int) -> Signature:
    """A signature of this commitment that the user speaks for: 404 for an unknown one, 403 for
    someone who is not a signatory or admin of the signature's organisation."""
    signature = next((s for s in commitment.signatures if s.id == signature_id), None) or abort(404)
    ours = signature.organisation_id == current_user.organisation_id
    if not ours or not permissions.speaks_for_organisation(current_user):
        abort(403)
    return signature


def _diff(commitment: Commitment, seen: int | None) -> dict | None:
    """The line diff between the version the form was shown with and the current one."""
    versions = {v.number: v for v in commitment.versions}
    old, new = versions.get(seen), commitment.current
    if old is None or new is None or old.number == new.number:
        return None
    return {"old": old, "new": new, "changes": line_changes(f"{old.title}\n\n{old.text}", f"{new.title}\n\n{new.text}")}


def _field_errors(form, exc: OperationError) -> str | None:
    return refusal_on_fields(form, exc, {"funding_source": "funding_source_id"})


def _checked(attempt: throttle.Attempt | None, run):
    """Run a signing operation with its password attempt counted (auth/throttle.py)."""
    if attempt is not None and attempt.refused:
        raise operations.WrongPassword(
            _(
                "Te veel onjuiste wachtwoorden. Probeer het over %(minutes)d minuten opnieuw.",
                minutes=attempt.retry_minutes,
            )
        )
    try:
        result = run()
    except AFTER_PASSWORD:
        if attempt is not None:
            throttle.succeeded(attempt)
        raise
    if attempt is not None:
        throttle.succeeded(attempt)
    return result


def _fresh_login() -> operations.FreshLogin | None:
    """This session's last login at the person's identity provider (None: a password login)."""
    at = sso_session.last_fresh_login()
    return operations.FreshLogin(at=at, acr=sso_session.achieved_acr()) if at else None


def _identity_step() -> dict:
    """How the page asks the signer to confirm it is them: a fresh login at their provider when the
    session came from one (`fresh`: it is recent enough, no password needed), else the password."""
    fresh = _fresh_login()
    recent = fresh is not None and (utcnow() - fresh.at).total_seconds() <= operations.FRESH_LOGIN_SECONDS
    return {"fresh_login_url": sso_session.fresh_login_url(request.path), "fresh_login_recent": recent}


def _attempt() -> throttle.Attempt | None:
    return throttle.begin(current_user.email) if current_user.email else None


def _page(template: str, commitment, form, *, signature=None, error=None, diff=None, status=200, **extra):
    if "password" in form:
        form.password.data = ""  # never sent back
    if diff is None and signature is not None and template == "commitments/sign_again.html":
        diff = _diff(commitment, signature.version_number)  # what changed since the organisation signed
    return (
        render_template(
            template,
            commitment=commitment,
            consultation=commitment.consultation,
            version=commitment.current,
            form=form,
            signature=signature,
            error=error,
            diff=diff,
            back_url=commitment_url(commitment),
            **_identity_step(),
            **extra,
        ),
        status,
    )


def _refusal_page(commitment, message: str, status: int, *, signature=None):
    return (
        render_template(
            "commitments/sign_refused.html",
            commitment=commitment,
            consultation=commitment.consultation,
            signature=signature,
            refusal=message,
            back_url=commitment_url(commitment),
        ),
        status,
    )


def _after_refusal(commitment_id: int, form, exc: OperationError, template: str, signature_id: int | None = None):
    """A refused signing step: the form again with the message on its field (wrong password, a
    pledge, a changed text with the diff), or the refusal alone when the step is closed."""
    refused(exc)
    commitment = load_commitment(commitment_id, populate=True)
    signature = _signature(commitment, signature_id) if signature_id is not None else None
    if isinstance(exc, operations.TextChanged):
        form.version_hash.data = commitment.current_hash
        diff = _diff(commitment, exc.seen)
        return _page(template, commitment, form, signature=signature, error=exc.message, diff=diff, status=409)
    if isinstance(exc, operations.WrongPassword):
        form.password.errors = [exc.message]
        return _page(template, commitment, form, signature=signature, status=400)
    if isinstance(exc, operations.InvalidFields):
        return _page(template, commitment, form, signature=signature, error=_field_errors(form, exc), status=400)
    step = request.endpoint.split(".")[-1]
    standing = signature is not None and signature.is_standing
    if "reason" in form and standing and workflow.can(current_user, commitment, COMMITMENT, step):
        form.reason.errors = [exc.message]  # no reason, or too long: the typed text stays
        return _page(template, commitment, form, signature=signature, status=exc.status_code)
    return _refusal_page(commitment, exc.message, exc.status_code, signature=signature)


def _not_yet(commitment, name: str) -> OperationError | None:
    """Why the user may not take the step now (who, state, stage), or None."""
    try:
        if not permissions.speaks_for_organisation(current_user):
            raise operations.NotASigner(
                _("Alleen een tekenbevoegde of beheerder van een partnerorganisatie kan ondertekenen.")
            )
        if name in ("sign", "cosign", "resign") and not permissions.is_invited(current_user, commitment):
            raise operations.NotInvited(_("Uw organisatie is niet uitgenodigd om deze afspraak te ondertekenen."))
        if name in ("sign", "cosign", "resign") and commitment.state != commitment.state.open:
            raise operations.NotOpen(
                _(
                    "Deze afspraak staat niet open voor ondertekening (status: %(state)s).",
                    state=commitment.state.label,
                )
            )
        workflow.require(current_user, commitment, COMMITMENT, name)
    except OperationError as exc:
        return exc
    return None


# Signing --------------------------------------------------------------------------------------------


@bp.route("/convenanten/<int:commitment_id>/ondertekenen", methods=["GET", "POST"])
@login_required
def sign(commitment_id: int):
    """Sign the current version for the user's organisation, with a pledge and the password."""
    commitment = load_commitment(commitment_id)
    refusal = _not_yet(commitment, "sign")
    if refusal is not None:
        return _refusal_page(commitment, refusal.message, refusal.status_code)
    signed = db.session.scalar(
        sa.select(Signature).where(
            Signature.commitment_id == commitment.id,
            Signature.organisation_id == current_user.organisation_id,
            Signature.state.in_(STANDING_SIGNATURES),
        )
    )
    if signed is not None:  # the operation refuses it too (under the lock); this says so before the form
        message = _(
            "Uw organisatie heeft deze afspraak al ondertekend (of een handtekening wacht op de tweede "
            "ondertekenaar). Een organisatie ondertekent één keer."
        )
        return _refusal_page(commitment, message, 409, signature=signed)
    template = "commitments/sign.html"
    if request.method == "GET":
        form = sign_form(
            commitment,
            formdata=None,
            data={"version_hash": commitment.current_hash, "signer_name": current_user.name, "pledge_kind": "none"},
        )
        return _page(template, commitment, form)
    form = sign_form(commitment)
    if not form.validate_on_submit():
        return _page(template, commitment, form, error=form_error(form), status=400)
    try:
        signature = _checked(
            _attempt(),
            lambda: operations.sign(
                current_user,
                commitment,
                password=form.password.data or "",
                fresh_login=_fresh_login(),
                version_hash=form.version_hash.data or "",
                signer_name=form.signer_name.data or "",
                function=form.function.data or "",
                pledge_kind=form.pledge_kind.data or "none",
                amount=form.amount.data,
                funding_source_id=form.funding_source_id.data,
                hours=form.hours.data,
                in_kind=form.in_kind.data,
            ),
        )
    except OperationError as exc:
        return _after_refusal(commitment_id, form, exc, template)
    if signature.state.value == "pending_second":
        flash(
            _(
                "U hebt getekend. Uw organisatie is gezamenlijk bevoegd: de handtekening telt zodra een tweede "
                "tekenbevoegde meetekent."
            ),
            "success",
        )
    else:
        flash(str(COMMITMENT.action("sign").success), "success")
    return redirect(receipt_url(signature), 303)


def _signature_step(commitment_id: int, signature_id: int, name: str, template: str, make_form, run):
    commitment = load_commitment(commitment_id)
    signature = _signature(commitment, signature_id)
    refusal = _not_yet(commitment, name)
    if refusal is not None:
        return _refusal_page(commitment, refusal.message, refusal.status_code, signature=signature)
    if name == "cosign" and signature.signer_id == current_user.id and signature.state.value == "pending_second":
        message = _("U hebt zelf al getekend. Een tweede, andere tekenbevoegde van uw organisatie moet meetekenen.")
        return _refusal_page(commitment, message, 400, signature=signature)
    if name == "resign" and signature.is_standing and not signature.is_stale:
        message = _("Uw organisatie heeft de huidige versie al ondertekend.")
        return _refusal_page(commitment, message, 400, signature=signature)
    if request.method == "GET":
        form = make_form(commitment, signature, formdata=None)
        return _page(template, commitment, form, signature=signature)
    form = make_form(commitment, signature)
    if not form.validate_on_submit():
        return _page(template, commitment, form, signature=signature, error=form_error(form), status=400)
    try:
        signature = run(commitment, signature, form)
    except OperationError as exc:
        return _after_refusal(commitment_id, form, exc, template, signature_id)
    flash(str(COMMITMENT.action(name).success), "success")
    return redirect(receipt_url(signature) if name in ("cosign", "resign") else commitment_url(commitment), 303)


def _cosign_form(commitment, signature, **kwargs):
    if kwargs.get("formdata", True) is None:
        kwargs["data"] = {"version_hash": commitment.current_hash, "signer_name": current_user.name}
    return CosignForm(**kwargs)


@bp.route(
    "/convenanten/<int:commitment_id>/ondertekeningen/<int:signature_id>/medeondertekenen", methods=["GET", "POST"]
)
@login_required
def cosign(commitment_id: int, signature_id: int):
    """The second signatory of a joint-authority organisation completes its signature."""

    def run(commitment, signature, form):
        return _checked(
            _attempt(),
            lambda: operations.cosign(
                current_user,
                signature,
                password=form.password.data or "",
                fresh_login=_fresh_login(),
                version_hash=form.version_hash.data or "",
                signer_name=form.signer_name.data or "",
                function=form.function.data or "",
            ),
        )

    return _signature_step(commitment_id, signature_id, "cosign", "commitments/sign_cosign.html", _cosign_form, run)


def _resign_form(commitment, signature, **kwargs):
    if kwargs.get("formdata", True) is None:
        kwargs["data"] = {"version_hash": commitment.current_hash}
    return ResignForm(**kwargs)


@bp.route("/convenanten/<int:commitment_id>/ondertekeningen/<int:signature_id>/opnieuw", methods=["GET", "POST"])
@login_required
def resign(commitment_id: int, signature_id: int):
    """Sign the new version for a signature on an earlier one: one click plus the password."""

    def run(commitment, signature, form):
        return _checked(
            _attempt(),
            lambda: operations.resign(
                current_user,
                signature,
                password=form.password.data or "",
                fresh_login=_fresh_login(),
                version_hash=form.version_hash.data or "",
            ),
        )

    return _signature_step(commitment_id, signature_id, "resign", "commitments/sign_again.html", _resign_form, run)


def _end_form(commitment, signature, **kwargs):
    return EndForm(**kwargs)


def _end_page(name: str):
    def page(commitment_id: int, signature_id: int):
        def run(commitment, signature, form):
            operation = operations.revoke if name == "revoke" else operations.give_notice
            return operation(current_user, signature, form.reason.data or "")

        return _signature_step(commitment_id, signature_id, name, "commitments/confirm_end.html", _end_form, run)

    return page


@bp.route("/convenanten/<int:commitment_id>/ondertekeningen/<int:signature_id>/intrekken", methods=["GET", "POST"])
@login_required
def revoke(commitment_id: int, signature_id: int):
    """Revoke the organisation's signature while the commitment is open, with a public reason."""
    return _end_page("revoke")(commitment_id, signature_id)


@bp.route("/convenanten/<int:commitment_id>/ondertekeningen/<int:signature_id>/opzeggen", methods=["GET", "POST"])
@login_required
def give_notice(commitment_id: int, signature_id: int):
    """Give notice once the commitment is binding, with a reason shown publicly with the date."""
    return _end_page("give_notice")(commitment_id, signature_id)
