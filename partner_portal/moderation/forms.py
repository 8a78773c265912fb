"""Forms of the moderation side: the queue's filter (GET, no CSRF: it changes nothing) and publishing the Nota."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField
from wtforms.fields.choices import SelectChoice

from partner_portal.core.forms import LeanSelect
from partner_portal.responses.models import LABELS, SUBMITTED_STATES


class QueueFilterForm(FlaskForm):
    class Meta:
        csrf = False

    consultation = SelectField(_l("Consultatie"), coerce=str, default="", widget=LeanSelect())
    group = SelectField(_l("Sectorgroep"), coerce=str, default="", widget=LeanSelect())
    state = SelectField(
        _l("Status"),
        choices=[SelectChoice("", _l("alle"))] + [SelectChoice(s.value, LABELS[s]) for s in SUBMITTED_STATES],
        default="",
        widget=LeanSelect(),
    )


class PublishNotaForm(FlaskForm):
    """Publishing the Nota; while the responses stage is still open, an explicit extra confirmation."""

    despite_open_stage = BooleanField(
        _l(
            "Ik weet dat de reactiefase nog loopt, en publiceer de Nota toch: "
            "daarna kan geen sectorgroep meer reageren."
        )
    )
