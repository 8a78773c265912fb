"""Forms of one member's page (link by hand, invite) and of the reminder."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField, TextAreaField
from wtforms.validators import Optional

from partner_portal.core.forms import email_address, kvk_number, max_length, required, strip_filter
from partner_portal.mkb.operations import SUBJECT_MAX, TEXT_MAX


class LinkForm(FlaskForm):
    """Link a member by hand: the organisation's KvK number typed, or one chosen from the list."""

    kvk = StringField(
        _l("KvK-nummer van de organisatie"),
        description=_l("8 cijfers. Of kies hieronder een organisatie die nog aan geen lid gekoppeld is."),
        validators=[Optional(), kvk_number],
        filters=[strip_filter],
    )
    organisation = SelectField(_l("Of kies een organisatie"), choices=[], validate_choice=False)


class InviteForm(FlaskForm):
    """The contact person who becomes the new organisation's admin; the sector when the member has none."""

    name = StringField(
        _l("Naam van de contactpersoon"), validators=[required(), max_length(120)], filters=[strip_filter]
    )
    email = StringField(
        _l("E-mailadres van de contactpersoon"),
        validators=[required(), max_length(254), email_address()],
        filters=[strip_filter],
    )
    function_title = StringField(_l("Functie (niet verplicht)"), validators=[max_length(120)], filters=[strip_filter])
    sector = SelectField(_l("Sectorgroep van de organisatie"), choices=[], validate_choice=False)


class ReminderForm(FlaskForm):
    """The reminder's subject and text, editable; the members come from the query string."""

    subject = StringField(_l("Onderwerp"), validators=[required(), max_length(SUBJECT_MAX)], filters=[strip_filter])
    text = TextAreaField(
        _l("Tekst"),
        description=_l(
            "Platte tekst. Elke ontvanger krijgt deze tekst met een aanhef en een link om zich af te melden."
        ),
        validators=[required(), max_length(TEXT_MAX)],
        filters=[strip_filter],
        render_kw={"rows": 14},
    )
