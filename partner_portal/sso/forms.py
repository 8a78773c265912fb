"""Forms of single sign-on: choosing an organisation, proving an account, and managing providers."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, PasswordField, RadioField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.fields.choices import SelectChoice

from partner_portal.auth.models import STAFF_ROLE_LABELS
from partner_portal.core.forms import max_length, required, strip_filter
from partner_portal.sso.models import KIND_LABELS


class ChooseOrganisationForm(FlaskForm):
    organisation = RadioField(_l("Namens welke organisatie logt u in?"), validators=[required()], coerce=str)
    submit = SubmitField(_l("Verder"))


class ProvePasswordForm(FlaskForm):
    password = PasswordField(_l("Uw wachtwoord voor dit portaal"), validators=[required(), max_length(128)])
    submit = SubmitField(_l("Koppelen en inloggen"))


def _role_rules_description():
    roles = ", ".join(f"{role.value} ({label})" for role, label in STAFF_ROLE_LABELS.items())
    return _l(
        "Eén regel per waarde: waarde = rol, bijvoorbeeld „portaal-moderatoren = moderator”. Rollen: %(roles)s. "
        "Leeg: de rol blijft wat de beheerder in het portaal gaf.",
        roles=roles,
    )


class ProviderForm(FlaskForm):
    name = StringField(
        _l("Naam op de knop"),
        validators=[required(), max_length(120)],
        filters=[strip_filter],
        description=_l("Bijvoorbeeld „Gemeente Assen (medewerkers)” of „eHerkenning”."),
    )
    slug = StringField(
        _l("Korte naam in de adressen"),
        validators=[required(), max_length(60)],
        filters=[strip_filter],
        description=_l("Kleine letters, cijfers en streepjes; niet meer te wijzigen. Bijvoorbeeld „gemeente”."),
    )
    kind = SelectField(
        _l("Voor wie"), choices=[SelectChoice(kind.value, str(label)) for kind, label in KIND_LABELS.items()]
    )
    issuer = StringField(
        _l("Adres van de uitgever (issuer) of van het discovery-document"),
        validators=[required(), max_length(500)],
        filters=[strip_filter],
        description=_l("Bijvoorbeeld https://login.microsoftonline.com/<tenant-id>/v2.0"),
    )
    client_id = StringField(_l("Client-ID"), validators=[required(), max_length(255)], filters=[strip_filter])
    auth_method = SelectField(
        _l("Hoe het portaal zich meldt bij de inlogdienst"),
        choices=[
            SelectChoice("client_secret_basic", _l("Met een clientgeheim (client_secret_basic)")),
            SelectChoice("private_key_jwt", _l("Met een sleutelpaar van het portaal (private_key_jwt, aanbevolen)")),
        ],
    )
    client_secret = PasswordField(
        _l("Clientgeheim"),
        validators=[max_length(500)],
        description=_l("Wordt versleuteld bewaard en nooit meer getoond. Laat leeg om het bewaarde te houden."),
    )
    scopes = StringField(
        _l("Scopes"), validators=[max_length(500)], filters=[strip_filter], default="openid email profile"
    )
    acr_values = StringField(
        _l("Gevraagde betrouwbaarheidsniveaus (acr_values), laagste eerst"),
        validators=[max_length(500)],
        filters=[strip_filter],
        description=_l("Met spaties ertussen, bijvoorbeeld de eHerkenning-niveaus EH2, EH2+, EH3 van uw makelaar."),
    )
    min_acr = StringField(
        _l("Laagste geaccepteerde niveau (acr)"), validators=[max_length(200)], filters=[strip_filter]
    )
    role_claim = StringField(
        _l("Claim met groepen of rollen (medewerkers)"),
        validators=[max_length(100)],
        filters=[strip_filter],
        default="groups",
    )
    role_rules = TextAreaField(_l("Rolregels (medewerkers)"), validators=[max_length(4000)])
    email_domains = StringField(
        _l("Toegestane e-maildomeinen (medewerkers)"),
        validators=[max_length(1000)],
        filters=[strip_filter],
        description=_l("Met spaties ertussen, bijvoorbeeld assen.nl. Leeg: elk domein."),
    )
    kvk_claim = StringField(
        _l("Claim met het KvK-nummer (partners)"), validators=[max_length(100)], filters=[strip_filter], default="kvk"
    )
    vestiging_claim = StringField(
        _l("Claim met het vestigingsnummer (partners, niet verplicht)"),
        validators=[max_length(100)],
        filters=[strip_filter],
    )
    required_for_staff = BooleanField(
        _l("Medewerkers moeten via deze inlogdienst inloggen (geen wachtwoord, geen herstellinks)")
    )
    submit = SubmitField(_l("Opslaan"))

    def __init__(self, *args, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.role_rules.description = _role_rules_description()
        if editing:
            del self.slug


def parse_role_rules(text: str) -> tuple[dict[str, str], list[str]]:
    """The rules in a role-rules field, and the lines that are not "value = role"."""
    from partner_portal.auth.models import StaffRole

    rules, bad = {}, []
    for line in (text or "").splitlines():
        if not line.strip():
            continue
        value, sep, role = line.rpartition("=")
        role = role.strip()
        if not sep or not value.strip() or role not in StaffRole.__members__:
            bad.append(line.strip())
            continue
        rules[value.strip()] = role
    return rules, bad
