"""Routes: review (see initiatives/views.py): the gemeente's review page of an initiative, its steps
(taking it in review, asking for changes, declining, cancelling) through a confirmation page, and
the process manager's adoption with a grant per funding source and the gemeente's answer.

Every rule comes from the workflow table (initiatives/workflow.py, the rows with side="gemeente");
every change goes through initiatives/operations.py."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from wtforms import StringField, TextAreaField

from partner_portal.core import workflow
from partner_portal.core.errors import Conflict, OperationError, PermissionDenied
from partner_portal.core.forms import ReasonForm, max_length, strip_filter, version_field
from partner_portal.core.money import input_value
from partner_portal.core.transaction import show_refusal
from partner_portal.initiatives import bp, operations, permissions
from partner_portal.initiatives.loading import load_initiative
from partner_portal.initiatives.models import Initiative, InitiativeState
from partner_portal.initiatives.workflow import INITIATIVE

STALE = _l(
    "Iemand anders heeft dit initiatief intussen behandeld of gewijzigd. Hieronder staat de huidige stand; "
    "bekijk die en probeer het zo nodig opnieuw."
)


@bp.app_context_processor
def review_helpers():
    # Only the user already loaded for the request: the initiative's page asks this without a query.
    return {"can_review_initiatives": lambda: permissions.is_gemeente(current_user)}


def _load(initiative_id: int, *, populate: bool = False) -> Initiative:
    """The initiative for the gemeente's pages: 403 for everyone else, 404 for a draft (never submitted)."""
    if not permissions.is_gemeente(current_user):
        abort(403)
    initiative = load_initiative(initiative_id, populate=populate)
    if initiative.state == InitiativeState.draft:
        abort(404)
    return initiative


def _message(error: OperationError) -> str:
    return str(STALE) if isinstance(error, Conflict) else error.message


# Review page ---------------------------------------------------------------------------------


def _review_page(initiative: Initiative, *, error: str | None = None, status: int = 200):
    offers = [o for o in workflow.offered(current_user, initiative, INITIATIVE, side="gemeente") if o.row.is_transition]
    sources = initiative.consultation.funding_sources
    latest = initiative.revisions[-1] if initiative.revisions else None
    return (
        render_template(
            "initiatives/review.html",
            initiative=initiative,
            consultation=initiative.consultation,
            sources=sources,
            offers=offers,
            latest=latest,
            latest_url=url_for("initiatives.revision", initiative_id=initiative.id, number=latest.number)
            if latest
            else None,
            form=ReasonForm(formdata=None, data={"version": initiative.version}),
            error=error,
        ),
        status,
    )


@bp.get("/beheer/initiatieven/<int:initiative_id>")
@login_required
def review(initiative_id: int):
    return _review_page(_load(initiative_id))


# Steps ---------------------------------------------------------------------------------------


def _transition(name: str) -> workflow.Transition:
    transition = INITIATIVE.transition(name)
    if transition is None or transition.side != "gemeente" or transition.form == "own":
        abort(404)
    return transition


def _confirm_page(initiative: Initiative, transition, *, form=None, error: str | None = None, status: int = 200):
    return (
        render_template(
            "initiatives/confirm_review_step.html",
            initiative=initiative,
            consultation=initiative.consultation,
            transition=transition,
            form=form or ReasonForm(formdata=None, data={"version": initiative.version}),
            error=error,
        ),
        status,
    )


def _refused_step(error: OperationError, initiative_id: int, name: str):
    """After a refused step: a missing or too long reason keeps the confirmation page with what was
    typed; anything else (changed meanwhile, not allowed now) shows the review page as it is stored."""
    initiative = _load(initiative_id, populate=True)
    transition = _transition(name)
    typed_again = (
        request.method == "POST"
        and transition.reason_required
        and not isinstance(error, (Conflict, PermissionDenied))
        and workflow.can(current_user, initiative, INITIATIVE, name)
    )
    if typed_again:
        form = ReasonForm()
        form.reason.errors = [error.message]
        form.version.data = str(initiative.version)
        return _confirm_page(initiative, transition, form=form, error=error.message, status=error.status_code)
    return _review_page(initiative, error=_message(error), status=error.status_code)


@bp.route("/beheer/initiatieven/<int:initiative_id>/stap/<name>", methods=["GET", "POST"])
@login_required
@show_refusal(_refused_step)
def review_step(initiative_id: int, name: str):
    """GET: the confirmation page (with the reason field when the step needs one); POST: take the step."""
    initiative = _load(initiative_id)
    transition = _transition(name)
    # Who and when from the table: someone who may not take this step gets 403, a wrong state 400.
    workflow.require(current_user, initiative, INITIATIVE, name)
    if request.method == "GET":
        return _confirm_page(initiative, transition)
    form = ReasonForm()
    if not form.validate_on_submit() or not (form.version.data or "").isdigit():
        message = _("Het formulier is verlopen of onvolledig. Laad de pagina opnieuw en probeer het nog eens.")
        return _review_page(initiative, error=message, status=400)
    operations.take_step(current_user, initiative, name, version=form.version.data, reason=form.reason.data or "")
    flash(str(transition.success), "success")
    return redirect(url_for("initiatives.review", initiative_id=initiative.id), 303)


# Adoption ------------------------------------------------------------------------------------


def adoption_form(sources, data: dict | None = None, *, formdata=None):
    """The adoption form: a grant per funding source (typed Dutch amounts) and the gemeente's answer."""

    class AdoptionForm(FlaskForm):
        version = version_field()
        answer = TextAreaField(
            _l("Antwoord van de gemeente"),
            description=_l("Openbaar bij het initiatief: wat de gemeente ermee doet en waarom."),
            validators=[max_length(operations.TEXT_MAX)],
            filters=[strip_filter],
        )

    for source in sources:
        setattr(
            AdoptionForm,
            f"grant_{source.id}",
            StringField(
                _l("Toekenning uit %(source)s", source=source.name),
                description=_l("In euro's, bijvoorbeeld 12.500,50. Leeg of 0: niets uit deze bron."),
                filters=[strip_filter],
            ),
        )
    if formdata is None:
        return AdoptionForm(formdata=None, data=data or {})
    return AdoptionForm()


def _adoption_data(initiative: Initiative, sources) -> dict:
    data = {"version": initiative.version, "answer": initiative.answer}
    for source in sources:
        requested = initiative.requested_for(source.id)
        data[f"grant_{source.id}"] = input_value(requested) if requested else ""
    return data


def _adoption_page(initiative: Initiative, *, form=None, error: str | None = None, status: int = 200):
    sources = initiative.consultation.funding_sources
    remaining = operations.remaining_per_source(initiative.consultation)
    form = form or adoption_form(sources, _adoption_data(initiative, sources))
    return (
        render_template(
            "initiatives/adopt.html",
            initiative=initiative,
            consultation=initiative.consultation,
            rows=[(s, form[f"grant_{s.id}"], initiative.requested_for(s.id), remaining.get(s.id, 0)) for s in sources],
            form=form,
            error=error,
        ),
        status,
    )


def _refused_adoption(error: OperationError, initiative_id: int):
    """The form again as typed, wrong amounts marked at their own field, nothing saved; when the
    initiative cannot be adopted (any more) by this user, the review page with the reason."""
    initiative = _load(initiative_id, populate=True)
    invalid = isinstance(error, operations.InvalidFields)
    if request.method != "POST" or not (invalid or workflow.can(current_user, initiative, INITIATIVE, "adopt")):
        return _review_page(initiative, error=_message(error), status=error.status_code)
    form = adoption_form(initiative.consultation.funding_sources, formdata=True)
    extra = []
    for key, message in (error.errors if invalid else {}).items():
        if key in form:
            form[key].errors = [message]
        else:
            extra.append(message)
    if isinstance(error, Conflict):  # still open for adoption: the next try goes with what is stored now
        form.version.data = str(initiative.version)
    message = " ".join(extra) or (None if invalid else _message(error))
    return _adoption_page(initiative, form=form, error=message, status=error.status_code)


@bp.route("/beheer/initiatieven/<int:initiative_id>/opnemen", methods=["GET", "POST"])
@login_required
@show_refusal(_refused_adoption)
def adopt(initiative_id: int):
    """The process manager adopts the initiative into the execution programme with grants."""
    initiative = _load(initiative_id)
    workflow.require(current_user, initiative, INITIATIVE, "adopt")
    if request.method == "GET":
        return _adoption_page(initiative)
    sources = initiative.consultation.funding_sources
    form = adoption_form(sources, formdata=True)
    if not form.validate_on_submit() or not (form.version.data or "").isdigit():
        message = _("Het formulier is verlopen of onvolledig. Laad de pagina opnieuw en probeer het nog eens.")
        return _adoption_page(initiative, form=form, error=message, status=400)
    operations.adopt(
        current_user,
        initiative,
        version=form.version.data,
        grants={s.id: form[f"grant_{s.id}"].data or "" for s in sources},
        answer=form.answer.data or "",
    )
    flash(str(INITIATIVE.transition("adopt").success), "success")
    return redirect(url_for("initiatives.show", initiative_id=initiative.id), 303)
