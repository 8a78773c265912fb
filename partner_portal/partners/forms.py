"""Forms for the partner registry: sector groups, organisations and people."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    EmailField,
    IntegerField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Optional

from partner_portal.auth.models import ORG_ROLE_LABELS, STAFF_ROLE_LABELS
from partner_portal.core.forms import (
    MultiCheckboxField,
    email_address,
    kvk_number,
    max_length,
    required,
    strip_filter,
    version_field,
)


class SectorGroupForm(FlaskForm):
    name = StringField(_l("Naam"), validators=[required(), max_length(120)], filters=[strip_filter])
    description = TextAreaField(_l("Omschrijving"), validators=[max_length(2000)], filters=[strip_filter])
    coordinators = MultiCheckboxField(_l("Coördinatoren"), coerce=int, validate_choice=True)
    version = version_field()
    submit = SubmitField(_l("Opslaan"))


def _id_or_zero(value) -> int:
    return 0 if value in ("", None) else int(value)


class OrganisationForm(FlaskForm):
    name = StringField(_l("Naam"), validators=[required(), max_length(200)], filters=[strip_filter])
    kvk_number = StringField(
        _l("KvK-nummer"),
        validators=[required(), kvk_number],
        filters=[strip_filter, lambda v: v.replace(" ", "") if isinstance(v, str) else v],
        description=_l("8 cijfers, zoals op het uittreksel van de Kamer van Koophandel."),
    )
    # The placeholder option is empty (""), as HTML wants for a required select; it reads as no choice (0).
    primary_sector = SelectField(
        _l("Hoofdsector"), coerce=_id_or_zero, validators=[required(_l("Kies een hoofdsector."))]
    )
    other_sectors = MultiCheckboxField(_l("Andere sectorgroepen"), coerce=int)
    contact_email = EmailField(
        _l("Contactadres (e-mail)"), validators=[Optional(), email_address(), max_length(254)], filters=[strip_filter]
    )
    joint_authority = BooleanField(
        _l("Gezamenlijk bevoegd: een handtekening namens de organisatie vraagt twee tekenbevoegden"),
        description=_l(
            "Zoals de statuten het zeggen. Een convenant telt dan pas als een tweede tekenbevoegde meetekent."
        ),
    )
    version = version_field()
    submit = SubmitField(_l("Opslaan"))


class InvitePersonForm(FlaskForm):
    name = StringField(_l("Naam"), validators=[required(), max_length(120)], filters=[strip_filter])
    email = EmailField(
        _l("E-mailadres"), validators=[required(), email_address(), max_length(254)], filters=[strip_filter]
    )
    function_title = StringField(_l("Functie"), validators=[max_length(120)], filters=[strip_filter])
    org_role = SelectField(_l("Rol"), choices=[SelectChoice(k.value, v) for k, v in ORG_ROLE_LABELS.items()])
    submit = SubmitField(_l("Uitnodigen"))


class InviteStaffForm(InvitePersonForm):
    org_role = None
    staff_role = SelectField(_l("Rol"), choices=[SelectChoice(k.value, v) for k, v in STAFF_ROLE_LABELS.items()])


class PersonRoleForm(FlaskForm):
    role = SelectField(_l("Rol"))
    submit = SubmitField(_l("Rol opslaan"))


class DeactivateForm(FlaskForm):
    reason = StringField(_l("Reden (optioneel)"), validators=[max_length(500)], filters=[strip_filter])
    submit = SubmitField(_l("Deactiveren"))


class SearchForm(FlaskForm):
    class Meta:
        csrf = False

    q = StringField(_l("Zoeken"), validators=[max_length(100)], filters=[strip_filter])
    page = IntegerField(validators=[Optional()])
