"""The moderation queue's filter form (GET, no CSRF: it changes nothing)."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField
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
