"""Routes: execution — milestones, spending, progress updates, hiding an update, following (see initiatives/views.py).

Every form lives on the initiative's page (templates/initiatives/_execution.html and its
milestones and news sections). A POST that succeeds redirects (303) back to the page with a
flash; a refused one shows the page again with the Dutch reason, what was typed still in its
form, and the operation's status (400, 403, 409). Who may do what comes from the workflow
table (initiatives/workflow.py), through the operations.
"""

from __future__ import annotations

from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from partner_portal.core import uploads, workflow
from partner_portal.core.errors import OperationError, PermissionDenied
from partner_portal.core.forms import form_error
from partner_portal.core.models import utcnow
from partner_portal.core.transaction import show_refusal
from partner_portal.initiatives import bp, operations
from partner_portal.initiatives.execution_forms import (
    ConfirmForm,
    HideUpdateForm,
    MilestoneDoneForm,
    MilestoneForm,
    UpdateForm,
    spending_form,
)
from partner_portal.initiatives.loading import load_initiative
from partner_portal.initiatives.models import Initiative, Milestone, ProgressUpdate
from partner_portal.initiatives.public import render_show
from partner_portal.initiatives.workflow import INITIATIVE

# The form of each POST endpoint, as `g.execution_typed` keys it, so the page shows it as typed.
_FORM_OF_ENDPOINT = {
    "initiatives.add_milestone": "milestone",
    "initiatives.report_spending": "spending",
    "initiatives.post_update": "news",
}


# What the page's templates use -------------------------------------------------------------------


@bp.app_context_processor
def execution_helpers():
    return {
        "execution_forms": execution_forms,
        "execution_can": execution_can,
        "execution_following": execution_following,
        "execution_done_form": execution_done_form,
        "execution_is_image": uploads.is_image,
        "execution_today": lambda: utcnow().date().isoformat(),  # as operations.post_update's default
    }


def execution_can(initiative: Initiative, name: str) -> bool:
    return workflow.can(current_user, initiative, INITIATIVE, name)


def execution_following(initiative: Initiative) -> bool:
    return operations.is_following(current_user, initiative)


def execution_forms(initiative: Initiative) -> dict:
    """The execution forms the page shows: as typed after a refused POST, else fresh (built once per request)."""
    forms = g.get("execution_forms")
    if forms is None or forms.get("initiative_id") != initiative.id:
        forms = {"initiative_id": initiative.id, "follow": ConfirmForm(formdata=None)}
        if execution_can(initiative, "update_progress"):
            forms["milestone"] = MilestoneForm(formdata=None)
            forms["spending"] = spending_form(initiative, initiative.consultation.funding_sources)
        if execution_can(initiative, "post_update"):
            forms["news"] = UpdateForm(formdata=None)
        forms.update({k: v for k, v in g.get("execution_typed", {}).items() if k in forms})
        g.execution_forms = forms
    return forms


def execution_done_form(milestone: Milestone) -> MilestoneDoneForm:
    """The done/not done form of one milestone (as typed when that one was refused)."""
    typed = g.get("execution_typed", {}).get(f"milestone_{milestone.id}")
    if typed is not None:
        typed.version.data = milestone.version
        return typed
    return MilestoneDoneForm(formdata=None, data={"version": milestone.version})


# The page again, after a refusal ----------------------------------------------------------------


def _page(initiative: Initiative, *, error: str | None = None, status: int = 200, typed: dict | None = None):
    """The initiative's page (the same as initiatives.show renders), with `error` at the top and the
    `typed` forms instead of fresh ones."""
    g.execution_typed = typed or {}
    g.pop("execution_forms", None)
    return render_show(initiative, error=error), status


def _typed_forms() -> dict:
    """The form that was posted, rebuilt from the request so that nothing typed is lost."""
    key = _FORM_OF_ENDPOINT.get(request.endpoint)
    if key == "milestone":
        return {"milestone": MilestoneForm()}
    if key == "news":
        return {"news": UpdateForm()}
    if key == "spending":
        initiative_id = request.view_args["initiative_id"]
        initiative = load_initiative(initiative_id)
        return {"spending": spending_form(initiative, initiative.consultation.funding_sources, posted=True)}
    if request.endpoint == "initiatives.set_milestone":
        return {f"milestone_{request.view_args['milestone_id']}": MilestoneDoneForm()}
    return {}


def _mark_errors(forms: dict, error: OperationError) -> str | None:
    """Put an InvalidFields' messages on the fields they name; returns what no field shows."""
    errors = getattr(error, "errors", None)
    if not errors:
        return error.message
    rest = []
    for name, message in errors.items():
        field = next((f[name] for f in forms.values() if hasattr(f, "_fields") and name in f._fields), None)
        if field is None:
            rest.append(message)
        else:
            field.errors = [message]
    return " ".join(rest) or None


def _refused(error: OperationError, initiative_id: int, **_view_args):
    """The page again with what is stored, the refused form as typed and the reason."""
    typed = _typed_forms()
    message = _mark_errors(typed, error)
    initiative = load_initiative(initiative_id, populate=True)
    if "news" in typed and not hasattr(error, "errors") and execution_can(initiative, "post_update"):
        typed["news"].file.errors = [error.message]  # allowed and complete, so the file was refused
    if message is None:
        message = _("Er is iets niet goed ingevuld; zie de velden hieronder.")
    return _page(initiative, error=message, status=error.status_code, typed=typed)


def _invalid_form(initiative: Initiative, form, name: str, key: str):
    """A form that did not validate (an expired token): who may not act gets the table's refusal
    (403, or 400 for the state), who may gets the page again with the form as typed (400)."""
    workflow.require(current_user, initiative, INITIATIVE, name)
    return _page(initiative, error=form_error(form), status=400, typed={key: form})


def _back(initiative: Initiative, message: str):
    flash(message, "success")
    return redirect(url_for("initiatives.show", initiative_id=initiative.id), 303)


def _milestone(initiative: Initiative, milestone_id: int) -> Milestone:
    # Looked up among the initiative's own: another initiative's milestone id gives 404.
    return next((m for m in initiative.milestones if m.id == milestone_id), None) or abort(404)


def _update(initiative: Initiative, update_id: int) -> ProgressUpdate:
    return next((u for u in initiative.updates if u.id == update_id), None) or abort(404)


# Milestones and spending ---------------------------------------------------------------------------


@bp.post("/initiatieven/<int:initiative_id>/mijlpalen")
@login_required
@show_refusal(_refused)
def add_milestone(initiative_id: int):
    initiative = load_initiative(initiative_id, lock=True)
    form = MilestoneForm()
    if not form.validate_on_submit():
        return _invalid_form(initiative, form, "update_progress", "milestone")
    milestone = operations.add_milestone(
        current_user, initiative, title=form.title.data, planned_on=form.planned_on.data, weight=form.weight.data
    )
    return _back(
        initiative,
        _(
            "De mijlpaal '%(title)s' is toegevoegd; de voortgang is nu %(pct)d%%.",
            title=milestone.title,
            pct=initiative.progress,
        ),
    )


@bp.post("/initiatieven/<int:initiative_id>/mijlpalen/<int:milestone_id>")
@login_required
@show_refusal(_refused)
def set_milestone(initiative_id: int, milestone_id: int):
    """Done on the date given, or (the "not done" button) open again; the milestone's version guards
    against marking it on a stale page."""
    initiative = load_initiative(initiative_id, lock=True)
    milestone = _milestone(initiative, milestone_id)
    form = MilestoneDoneForm()
    if not form.validate_on_submit():
        return _invalid_form(initiative, form, "update_progress", f"milestone_{milestone.id}")
    undo = bool(form.undo.data)
    if not undo and not form.done_on.data:
        workflow.require(current_user, initiative, INITIATIVE, "update_progress")
        raise operations.InvalidFields({"done_on": _("Afgerond op: vul de datum in waarop de mijlpaal klaar was.")})
    operations.set_milestone_done(
        current_user, initiative, milestone, done_on=None if undo else form.done_on.data, version=form.version.data
    )
    if undo:
        message = _(
            "'%(title)s' staat weer open; de voortgang is nu %(pct)d%%.", title=milestone.title, pct=initiative.progress
        )
    else:
        message = _(
            "'%(title)s' is afgerond; de voortgang is nu %(pct)d%%.", title=milestone.title, pct=initiative.progress
        )
    return _back(initiative, message)


@bp.post("/initiatieven/<int:initiative_id>/uitgaven")
@login_required
@show_refusal(_refused)
def report_spending(initiative_id: int):
    initiative = load_initiative(initiative_id, lock=True)
    sources = initiative.consultation.funding_sources
    form = spending_form(initiative, sources, posted=True)
    if not form.validate_on_submit():
        return _invalid_form(initiative, form, "update_progress", "spending")
    typed = {s.id: form[f"spent_{s.id}"].data for s in sources if f"spent_{s.id}" in request.form}
    operations.report_spending(current_user, initiative, typed)
    return _back(initiative, _("De uitgaven zijn bijgewerkt."))


# Progress updates ------------------------------------------------------------------------------------


@bp.post("/initiatieven/<int:initiative_id>/nieuws")
@login_required
@show_refusal(_refused)
def post_update(initiative_id: int):
    initiative = load_initiative(initiative_id, lock=True)
    form = UpdateForm()
    if not form.validate_on_submit():
        return _invalid_form(initiative, form, "post_update", "news")
    operations.post_update(
        current_user,
        initiative,
        body=form.body.data,
        happened_on=form.happened_on.data,
        file=request.files.get("file"),
        image_text=form.image_text.data,
    )
    return _back(initiative, str(INITIATIVE.action("post_update").success))


@bp.get("/initiatieven/<int:initiative_id>/nieuws/<int:update_id>/afbeelding")
def update_image(initiative_id: int, update_id: int):
    """The update's image shown on the timeline (inline), for whoever may see the initiative; 404 once
    hidden or when the attachment is a PDF."""
    update = _update(load_initiative(initiative_id), update_id)
    if update.hidden_at is not None or update.file is None or not uploads.is_image(update.file):
        abort(404)
    if not update.file.path.exists():
        abort(404)
    return uploads.send_stored_file(update.file, inline=True)


@bp.get("/initiatieven/<int:initiative_id>/nieuws/<int:update_id>/bestand")
def update_file(initiative_id: int, update_id: int):
    """The update's PDF or image, for whoever may see the initiative; 404 once hidden."""
    update = _update(load_initiative(initiative_id), update_id)
    if update.hidden_at is not None or update.file is None or not update.file.path.exists():
        abort(404)
    return uploads.send_stored_file(update.file)


def _refused_hide(error: OperationError, initiative_id: int, update_id: int):
    if isinstance(error, PermissionDenied):
        abort(403)  # not the confirmation page: it would show a hidden update's text
    initiative = load_initiative(initiative_id, populate=True)
    form = HideUpdateForm()
    message = _mark_errors({"hide": form}, error)
    return _hide_page(initiative, _update(initiative, update_id), form, error=message, status=error.status_code)


def _hide_page(initiative, update, form, *, error=None, status=200):
    return (
        render_template(
            "initiatives/hide_update.html",
            initiative=initiative,
            consultation=initiative.consultation,
            update=update,
            form=form,
            error=error,
        ),
        status,
    )


@bp.route("/initiatieven/<int:initiative_id>/nieuws/<int:update_id>/verbergen", methods=["GET", "POST"])
@login_required
@show_refusal(_refused_hide)
def hide_update(initiative_id: int, update_id: int):
    """The moderator's confirmation page with the reason (GET), and hiding the update (POST)."""
    initiative = load_initiative(initiative_id, lock=request.method == "POST")
    update = _update(initiative, update_id)
    workflow.require(current_user, initiative, INITIATIVE, "hide_update")
    if update.hidden_at is not None:
        flash(_("Dit nieuwsbericht is al verborgen."), "info")
        return redirect(url_for("initiatives.show", initiative_id=initiative.id), 303)
    if request.method == "GET":
        return _hide_page(initiative, update, HideUpdateForm(formdata=None))
    form = HideUpdateForm()
    if not form.validate_on_submit():
        return _hide_page(initiative, update, form, error=form_error(form), status=400)
    operations.hide_update(current_user, initiative, update, reason=form.reason.data)
    return _back(initiative, str(INITIATIVE.action("hide_update").success))


# Following ----------------------------------------------------------------------------------------------


@bp.post("/initiatieven/<int:initiative_id>/volgen")
@login_required
@show_refusal(_refused)
def follow(initiative_id: int):
    initiative = load_initiative(initiative_id)
    form = ConfirmForm()
    if not form.validate_on_submit():
        return _invalid_form(initiative, form, "follow", "follow")
    operations.follow(current_user, initiative)
    return _back(initiative, _("U volgt dit initiatief. U krijgt bericht van nieuws en van elke stap."))


@bp.post("/initiatieven/<int:initiative_id>/ontvolgen")
@login_required
@show_refusal(_refused)
def unfollow(initiative_id: int):
    initiative = load_initiative(initiative_id)
    form = ConfirmForm()
    if not form.validate_on_submit():
        return _page(initiative, error=form_error(form), status=400)
    operations.unfollow(current_user, initiative)
    return _back(initiative, _("U volgt dit initiatief niet meer."))
