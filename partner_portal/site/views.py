"""Home, the personal start page, the language switch and /healthz."""

from flask import current_app, has_request_context, jsonify, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from wtforms import HiddenField

from partner_portal import database_ok
from partner_portal.consultations.loading import featured_consultation
from partner_portal.core.pagecache import public_page
from partner_portal.core.security import safe_next
from partner_portal.extensions import csrf
from partner_portal.responses.overview import next_steps
from partner_portal.site import bp


class LanguageForm(FlaskForm):
    # Hidden fields with explicit labels: a field without one has its default label translated,
    # which loads the form library's catalogue on every request (this form is on every page).
    locale = HiddenField("locale")
    next = HiddenField("next")


@bp.get("/")
@public_page
def home():
    return render_template("site/home.html", consultation=featured_consultation())


@bp.get("/mijn")
@login_required
def dashboard():
    return render_template("site/dashboard.html", rounds=next_steps(current_user))


@bp.post("/taal")
def set_language():
    form = LanguageForm()
    if form.validate_on_submit() and form.locale.data in current_app.config["LANGUAGES"]:
        session["locale"] = form.locale.data
        if current_user.is_authenticated:
            current_user.locale = form.locale.data
    return redirect(safe_next(form.next.data) or url_for("site.home"))


@bp.get("/healthz")
@csrf.exempt
def healthz():
    if database_ok():
        return jsonify(status="ok", database="ok")
    return jsonify(status="error", database="unreachable"), 503


@bp.app_context_processor
def language_form():
    if not has_request_context():
        return {}
    # The page to come back to after switching language; a path that is not a safe target
    # (a 404 for "/\t/evil.example", say) is not echoed into the form.
    return {
        "language_form": LanguageForm(formdata=None),
        "current_path": safe_next(request.full_path.rstrip("?")) or "/",
    }
