"""Routes: the commitments of a consultation, a commitment's page with its versions and
signatories, the verification of a receipt code, and the receipt page (see commitments/views.py).
The PDFs are in commitments/documents.py."""

from __future__ import annotations

import logging

import sqlalchemy as sa
from flask import abort, current_app, render_template, request
from flask_login import current_user, login_required
from limits import parse
from sqlalchemy import orm as so

from partner_portal.auth.throttle import client_address
from partner_portal.commitments import bp, operations, permissions
from partner_portal.commitments.models import (
    Commitment,
    CommitmentState,
    Signature,
)
from partner_portal.consultations.loading import load_consultation_light
from partner_portal.core.pagecache import public_page
from partner_portal.core.text import line_changes, markdown_to_plain, revision_pair
from partner_portal.extensions import db, limiter

log = logging.getLogger(__name__)

# Guessing an 80-bit code is hopeless anyway; the limit keeps the page from being used to try.
VERIFY_LIMIT_DEFAULT = "20 per minute"


def load_commitment(commitment_id: int) -> Commitment:
    """The commitment with its consultation and versions, or 404 when it does not exist or the
    user may not see it (no hint that a draft exists)."""
    commitment = db.session.scalar(
        sa.select(Commitment)
        .where(Commitment.id == commitment_id)
        .options(so.joinedload(Commitment.consultation), so.selectinload(Commitment.versions))
    )
    if commitment is None or not permissions.can_view_commitment(current_user, commitment):
        abort(404)
    return commitment


def progress(commitment: Commitment, counted: operations.Totals) -> dict | None:
    """How far the threshold is: per set part its target, reached value and percentage (capped)."""
    if not commitment.has_threshold:
        return None
    parts = []
    if commitment.threshold_organisations is not None:
        parts.append(("organisations", counted.organisations, commitment.threshold_organisations))
    if commitment.threshold_cents is not None:
        parts.append(("cents", counted.cents_per_year, commitment.threshold_cents))
    return {
        "parts": [
            {"kind": kind, "value": value, "target": target, "percent": min(100, value * 100 // target)}
            for kind, value, target in parts
        ],
        "reached": operations.threshold_reached(commitment, counted),
    }


def commitment_context(commitment: Commitment) -> dict:
    """What the page and its PDF show: totals, threshold progress and the signatures."""
    counted = operations.totals(commitment)
    return {
        "commitment": commitment,
        "consultation": commitment.consultation,
        "version": commitment.current,
        "totals": counted,
        "progress": progress(commitment, counted),
        "signatures": operations.signatures_of(commitment),
        "states": CommitmentState,
    }


PER_PAGE = 20


@bp.get("/consultaties/<slug>/convenanten")
@public_page
def index(slug: str):
    """The consultation's commitments the user may see (permissions.can_view_commitment, as a
    condition), newest first, PER_PAGE a page, each with its state, totals and threshold."""
    consultation = load_consultation_light(slug)
    query = sa.select(Commitment).where(
        Commitment.consultation_id == consultation.id, permissions.visible_condition(current_user, consultation)
    )
    page = db.paginate(
        query.options(so.selectinload(Commitment.versions)).order_by(Commitment.id.desc()),
        page=max(request.args.get("page", 1, type=int), 1),
        per_page=PER_PAGE,
        error_out=False,
    )
    for commitment in page.items:
        commitment.consultation = consultation
    counted = operations.totals_of([c.id for c in page.items])
    rows = [{"commitment": c, "totals": counted[c.id], "progress": progress(c, counted[c.id])} for c in page.items]
    return render_template(
        "commitments/index.html", consultation=consultation, rows=rows, page=page, may_create=_may_create(consultation)
    )


def _may_create(consultation) -> str | None:
    """ "draft" for the process manager, "propose" for a sector coordinator, else None."""
    if consultation.status != "published":
        return None
    if permissions.is_process_manager(current_user):
        return "draft"
    return "propose" if permissions.may_propose(current_user, consultation) else None


@bp.get("/convenanten/<int:commitment_id>")
@public_page
def show(commitment_id: int):
    """The current text with its hash, the earlier versions, the signatories, totals and threshold."""
    return render_template("commitments/show.html", **commitment_context(load_commitment(commitment_id)))


@bp.get("/convenanten/<int:commitment_id>/versies/<int:number>")
@public_page
def version(commitment_id: int, number: int):
    """Version `number`: its text, its hash and what changed since the version before."""
    commitment = load_commitment(commitment_id)
    new, old = revision_pair(commitment.versions, number, None) or abort(404)
    return render_template(
        "commitments/version.html",
        commitment=commitment,
        consultation=commitment.consultation,
        version=new,
        old=old,
        changes=line_changes(_plain(old) if old else "", _plain(new)),
    )


def _plain(version) -> str:
    return version.title + "\n" + markdown_to_plain(version.text)


# Verification -------------------------------------------------------------------------------------


def _verification_allowed() -> bool:
    """One attempt more for this address; False past the limit. A store that cannot be reached
    never blocks the page (the codes are long enough anyway)."""
    if not current_app.config.get("RATELIMIT_ENABLED", True):
        return True
    limit = parse(current_app.config.get("VERIFICATION_LIMIT", VERIFY_LIMIT_DEFAULT))
    try:
        return limiter.limiter.hit(limit, "verificatie", client_address())
    except Exception:  # an unreachable store must not take the page down
        log.warning("Rate limit storage unreachable: verification not limited", exc_info=True)
        return True


@bp.get("/verificatie")
def verify():
    """A form for a receipt code; with `code`: the signature it belongs to, or "niet gevonden" (404).
    Never page-cached (every lookup counts against the address's limit)."""
    code = (request.args.get("code") or "").strip()[:64]
    if not code:
        return render_template("commitments/verify.html", code="", found=None, searched=False)
    if not _verification_allowed():
        return render_template("commitments/verify.html", code=code, found=None, searched=False, limited=True), 429
    found = operations.verify_code(code)
    status = 200 if found is not None else 404
    # Drafts are never signed; checked all the same.
    if found is not None and not permissions.can_view_commitment(current_user, found.signature.commitment):
        found, status = None, 404
    return render_template("commitments/verify.html", code=code, found=found, searched=True), status


# Receipts -----------------------------------------------------------------------------------------


def may_see_receipt(user, signature: Signature) -> bool:
    """The signing organisation's people and the gemeente."""
    return permissions.is_gemeente(user) or (
        permissions.partner_organisation_id(user) is not None and user.organisation_id == signature.organisation_id
    )


def load_signature(commitment_id: int, signature_id: int) -> Signature:
    """The signature for its receipt, or 404 (not of this commitment) / 403 (someone else's)."""
    commitment = load_commitment(commitment_id)
    signature = db.session.get(Signature, signature_id)
    if signature is None or signature.commitment_id != commitment.id:
        abort(404)
    if not may_see_receipt(current_user, signature):
        abort(403)
    return signature


def receipt_context(signature: Signature) -> dict:
    commitment = signature.commitment
    return {
        "signature": signature,
        "commitment": commitment,
        "consultation": commitment.consultation,
        "signed_version": next((v for v in commitment.versions if v.number == signature.version_number), None),
    }


@bp.get("/convenanten/<int:commitment_id>/ondertekeningen/<int:signature_id>/bewijs")
@login_required
def receipt(commitment_id: int, signature_id: int):
    """The receipt of a signature: what was signed, by whom, and the verification code."""
    return render_template("commitments/receipt.html", **receipt_context(load_signature(commitment_id, signature_id)))


# The organisation's page ------------------------------------------------------------------------


@bp.app_context_processor
def public_helpers():
    return {"signed_by_organisation": operations.signed_by_organisation}
