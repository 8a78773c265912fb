"""Forms for logging in, invitations, password reset and the own profile."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, SelectField, StringField, SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import EqualTo

from partner_portal.core.forms import email_address, max_length, required, strip_filter


class LoginForm(FlaskForm):
    email = EmailField(_l("E-mailadres"), validators=[required(), max_length(254)], filters=[strip_filter])
    password = PasswordField(_l("Wachtwoord"), validators=[required(), max_length(128)])
    remember = BooleanField(_l("Ingelogd blijven op dit apparaat"))
    submit = SubmitField(_l("Inloggen"))


class SetPasswordForm(FlaskForm):
    password = PasswordField(
        _l("Nieuw wachtwoord"),
        validators=[required(), max_length(128)],
        description=_l("Minstens 12 tekens. Een zin van een paar woorden werkt goed."),
    )
    confirm = PasswordField(
        _l("Herhaal het nieuwe wachtwoord"),
        validators=[required(), EqualTo("password", message=_l("De twee wachtwoorden zijn niet gelijk."))],
    )
    submit = SubmitField(_l("Wachtwoord opslaan"))


class ChangePasswordForm(SetPasswordForm):
    current = PasswordField(_l("Huidig wachtwoord"), validators=[required(), max_length(128)])
    submit = SubmitField(_l("Wachtwoord wijzigen"))


class ForgotPasswordForm(FlaskForm):
    email = EmailField(
        _l("E-mailadres"), validators=[required(), email_address(), max_length(254)], filters=[strip_filter]
    )
    submit = SubmitField(_l("Stuur een herstellink"))


class ProfileForm(FlaskForm):
    name = StringField(_l("Naam"), validators=[required(), max_length(120)], filters=[strip_filter])
    function_title = StringField(_l("Functie"), validators=[max_length(120)], filters=[strip_filter])
    locale = SelectField(_l("Taal"), choices=[SelectChoice("nl", "Nederlands"), SelectChoice("en", "English")])
    submit = SubmitField(_l("Profiel opslaan"))
