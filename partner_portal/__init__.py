"""Partnerportaal Binnenstad: the application factory."""

import logging
import os
import re
from pathlib import Path

import sqlalchemy as sa
from flask import Flask, flash, redirect, render_template, request, session, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException
from werkzeug.middleware.proxy_fix import ProxyFix

from config import Config, config_from_env
from partner_portal.extensions import babel, csrf, db, limiter, login_manager, migrate

ROOT = Path(__file__).resolve().parent.parent
log = logging.getLogger(__name__)


def create_app(config: type[Config] | dict | None = None) -> Flask:
    """Build the app. `config` is a config class, or a dict of overrides on top of the environment's."""
    app = Flask(
        __name__,
        template_folder=str(ROOT / "templates"),
        static_folder="static",
        instance_path=str(ROOT / "instance"),
    )
    config_class = config if isinstance(config, type) else config_from_env()
    app.config.from_object(config_class)
    if isinstance(config, dict):
        app.config.update(config)
    check_required_settings(app, config_class)
    check_theme(app)
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite:///"):
        Path(app.instance_path).mkdir(parents=True, exist_ok=True)

    register_extensions(app)
    register_blueprints(app)
    register_errorhandlers(app)
    register_request_hooks(app)
    register_template_filters(app)
    register_commands(app)
    return app


def check_required_settings(app: Flask, config_class: type[Config]) -> None:
    for name in getattr(config_class, "REQUIRED", ()):
        if not os.environ.get(name):
            raise SystemExit(f"Configuration error: the environment variable {name} must be set in production.")


THEME_NAME = re.compile(r"[a-z0-9][a-z0-9-]*")


def check_theme(app: Flask) -> None:
    """Fail at start-up on a THEME without its token file: a typo would otherwise serve every page unthemed."""
    name = app.config["THEME"]
    themes = Path(app.static_folder) / "themes"
    if not (isinstance(name, str) and THEME_NAME.fullmatch(name) and (themes / f"{name}.css").is_file()):
        known = ", ".join(sorted(p.stem for p in themes.glob("*.css"))) or "none"
        raise SystemExit(
            f"Configuration error: THEME={name!r} has no theme file static/themes/<name>.css (known themes: {known})."
        )
    app.jinja_env.globals["theme_stylesheet"] = f"themes/{name}.css"


def select_locale() -> str:
    supported = current_app_languages()
    if request and session.get("locale") in supported:
        return session["locale"]
    if current_user and current_user.is_authenticated and current_user.locale in supported:
        return current_user.locale
    return "nl"


def current_app_languages() -> tuple[str, ...]:
    from flask import current_app

    return tuple(current_app.config["LANGUAGES"])


def register_extensions(app: Flask) -> None:
    from partner_portal.core import inputcheck, pagecache, security, transaction
    from partner_portal.core import logging as request_logging

    db.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"), render_as_batch=True, compare_type=True)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = None
    login_manager.session_protection = None  # sessions are revoked through the session version
    csrf.init_app(app)
    inputcheck.init_app(app)  # before any view or cache reads the input
    babel.init_app(app, locale_selector=select_locale, default_translation_directories=str(ROOT / "translations"))
    limiter.init_app(app)
    if app.config["PROXY_FIX_HOPS"]:
        hops = app.config["PROXY_FIX_HOPS"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops, x_prefix=hops)
    security.init_app(app)
    request_logging.init_app(app)
    pagecache.init_app(app)
    transaction.init_app(app)

    import partner_portal.auth.sessions  # noqa: F401  (registers the user loader)
    from partner_portal import models  # noqa: F401  (every model, for migrations)


def register_blueprints(app: Flask) -> None:
    # Importing a feature's views attaches its routes to its blueprint.
    from partner_portal.audit_log import views as audit_log_views
    from partner_portal.auth import views as auth_views
    from partner_portal.commitments import views as commitments_views
    from partner_portal.consultations import views as consultations_views
    from partner_portal.endorsements import views as endorsements_views
    from partner_portal.initiatives import views as initiatives_views
    from partner_portal.mkb import views as mkb_views
    from partner_portal.moderation import views as moderation_views
    from partner_portal.notifications import views as notifications_views
    from partner_portal.partners import views as partners_views
    from partner_portal.responses import views as responses_views
    from partner_portal.site import views as site_views
    from partner_portal.sso import admin as sso_admin  # noqa: F401  (the provider pages, on the sso blueprint)
    from partner_portal.sso import views as sso_views

    for views in (
        site_views,
        auth_views,
        partners_views,
        consultations_views,
        audit_log_views,
        notifications_views,
        responses_views,
        endorsements_views,
        initiatives_views,
        commitments_views,
        mkb_views,
        moderation_views,
        sso_views,
    ):
        app.register_blueprint(views.bp)


def register_errorhandlers(app: Flask) -> None:
    from partner_portal.core.errors import OperationError

    def render_error(code: int, message: str | None = None):
        return render_template(f"errors/{code}.html", message=message), code

    @app.errorhandler(CSRFError)
    def csrf_error(error):
        db.session.rollback()
        return render_error(
            400, _("Het formulier is verlopen of ongeldig. Laad de pagina opnieuw en probeer het nog eens.")
        )

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        db.session.rollback()
        if error.code in (400, 403, 404, 405, 413, 429):
            return render_error(error.code)
        return error

    @app.errorhandler(OperationError)
    def operation_error(error: OperationError):
        # A refused operation that a view did not catch itself: show the message, change nothing.
        db.session.rollback()
        code = error.status_code if error.status_code in (400, 403, 409) else 400
        return render_template("errors/operation.html", message=error.message), code

    @app.errorhandler(Exception)
    def unhandled(error: Exception):
        db.session.rollback()
        log.exception("Unhandled error")
        return render_error(500)


def register_request_hooks(app: Flask) -> None:
    from partner_portal.auth.sessions import enforce_session_limits

    @app.before_request
    def session_limits():
        if request.endpoint == "static":
            return None
        # Resolve the locale now; Flask-Babel keeps it for the request (and `refresh_locale`
        # re-resolves it where a view changes it). A message built after a failed flush, such as
        # "changed meanwhile", must not read the user from a session that needs a rollback.
        get_locale()
        if enforce_session_limits():
            flash(_("U bent uitgelogd omdat u een tijd niet actief was. Log opnieuw in."), "info")
            return redirect(url_for("auth.login", next=request.path if request.method == "GET" else None))
        return None

    @app.context_processor
    def template_globals():
        from partner_portal import navigation

        return {"nav_items": navigation.items_for(current_user), "current_locale": select_locale()}


def register_template_filters(app: Flask) -> None:
    from partner_portal.core import templating
    from partner_portal.core.text import render_markdown

    # `{{ text|markdown }}`: user-written Markdown as sanitised HTML (the only way rich text reaches a page).
    app.add_template_filter(render_markdown, "markdown")
    # `{{ d|date_text }}`, `{{ t|datetime_text }}`: the one date and moment format of each language;
    # `{{ theme.title|nl }}`: Dutch content marked lang="nl" on English pages.
    templating.register(app)


def register_commands(app: Flask) -> None:
    from partner_portal import commands

    commands.register(app)


def database_ok() -> bool:
    try:
        db.session.execute(sa.text("SELECT 1"))
        return True
    except Exception:  # any driver error means "unreachable"
        db.session.rollback()
        return False
