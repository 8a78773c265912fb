"""The withdrawal form (endorsing itself is a CSRF-only confirmation)."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import TextAreaField

from partner_portal.core.forms import max_length, strip_filter
from partner_portal.endorsements.operations import REASON_MAX


class WithdrawForm(FlaskForm):
    """Withdraw an endorsement, with an optional explanation that is kept with it."""

    reason = TextAreaField(
        _l("Toelichting (niet verplicht)"),
        description=_l("Blijft bij de ingetrokken onderschrijving bewaard."),
        validators=[max_length(REASON_MAX)],
        filters=[strip_filter],
    )
