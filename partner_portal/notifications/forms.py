"""Forms for notification preferences, unsubscribing and retrying mail."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, SubmitField
from wtforms.fields.choices import SelectChoice

from partner_portal.notifications.kinds import NotificationMode


class CsrfOnlyForm(FlaskForm):
    """Only the CSRF token: for POST buttons (unsubscribe, retry)."""


def preferences_form(kinds, modes: dict[str, NotificationMode]):
    """A form with one choice per optional kind, named after the kind."""

    class PreferencesForm(FlaskForm):
        submit = SubmitField(_l("Meldingen opslaan"))

    choices = [SelectChoice(mode.value, mode.label) for mode in NotificationMode]
    for kind in kinds:
        setattr(
            PreferencesForm,
            kind.name,
            SelectField(kind.label, choices=choices, default=str(modes[kind.name])),
        )
    return PreferencesForm()


class StatusFilterForm(FlaskForm):
    class Meta:
        csrf = False

    status = SelectField(_l("Status"), choices=[], default="")
