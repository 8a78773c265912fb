"""Forms of the consultation pages: stage dates, stage moves, status steps and the vision editor."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField, DateField, HiddenField, IntegerField, StringField, SubmitField, TextAreaField
from wtforms.validators import Optional, ValidationError

from partner_portal.core.forms import max_length, required, strip_filter, version_field

TEXT_MAX = 50_000


class StageForm(FlaskForm):
    starts_on = DateField(_l("Begindatum"), validators=[required(_l("Vul een geldige begindatum in."))])
    ends_on = DateField(_l("Einddatum"), validators=[required(_l("Vul een geldige einddatum in."))])
    opens_responses = BooleanField(_l("In deze fase kunnen sectorgroepen formeel reageren"))
    opens_initiatives = BooleanField(_l("In deze fase kunnen partners initiatieven indienen"))
    opens_signing = BooleanField(_l("In deze fase kunnen organisaties afspraken ondertekenen"))
    version = version_field()
    submit = SubmitField(_l("Fase opslaan"))

    def validate_ends_on(self, field):
        if field.data and self.starts_on.data and field.data < self.starts_on.data:
            raise ValidationError(_l("De einddatum moet op of na de begindatum liggen."))


class VisionForm(FlaskForm):
    """The vision editor; `vision_form(consultation)` adds a text field per pillar and theme."""

    based_on = IntegerField(widget=HiddenField.widget)
    introduction = TextAreaField(
        _l("Inleiding"),
        validators=[required(), max_length(TEXT_MAX)],
        filters=[strip_filter],
        description=_l("Markdown: **vet**, *cursief*, lijstjes met '-', kopjes met '##'."),
    )
    pdf = FileField(_l("Volledige visie als PDF (optioneel)"), description=_l("Alleen PDF, hoogstens 20 MB."))
    remove_pdf = BooleanField(_l("De PDF van de vorige versie niet meer tonen"))
    change_note = StringField(
        _l("Wat is er veranderd?"),
        validators=[required(_l("Beschrijf kort wat er in deze versie is veranderd.")), max_length(500)],
        filters=[strip_filter],
        description=_l("Verschijnt openbaar in het procesverloop."),
    )
    submit = SubmitField(_l("Nieuwe versie publiceren"))


def vision_form(consultation, **kwargs) -> VisionForm:
    """A VisionForm class with a text area per pillar (pillar_<id>) and per theme (theme_<id>)."""

    class Form(VisionForm):
        pass

    for pillar in consultation.pillars:
        setattr(
            Form,
            f"pillar_{pillar.id}",
            TextAreaField(
                _l("Pijler: %(title)s", title=pillar.title),
                validators=[Optional(), max_length(TEXT_MAX)],
                filters=[strip_filter],
            ),
        )
    for theme in consultation.themes:
        setattr(
            Form,
            f"theme_{theme.id}",
            TextAreaField(
                _l("Thema: %(title)s", title=theme.title),
                validators=[Optional(), max_length(TEXT_MAX)],
                filters=[strip_filter],
            ),
        )
    return Form(**kwargs)
