"""Forms of formal responses: the draft (a position per theme), submission, attachments, answers."""

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from markupsafe import Markup, escape
from wtforms import HiddenField, SelectField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Optional

from partner_portal.core.forms import max_length, strip_filter, version_field
from partner_portal.core.templating import in_content_language
from partner_portal.responses.models import LABELS, CollaborationStance, Position, Publication, Verdict

TEXT_MAX = 20_000


def _choices(enum_cls, empty_label):
    return [SelectChoice("", empty_label)] + [SelectChoice(m.value, LABELS[m]) for m in enum_cls]


class CreateResponseForm(FlaskForm):
    """Start the response of one of the user's sector groups."""

    group_id = SelectField(_l("Sectorgroep"), coerce=int, validate_choice=False)


class ResponseForm(FlaskForm):
    """The draft; `response_form(consultation)` adds position_<theme id> and explanation_<theme id>."""

    version = version_field()
    # The fields as the editor first saw them (core/merge.py), for merging a concurrent save.
    base = HiddenField("base")
    statement = TextAreaField(
        _l("Algemeen standpunt over de visie"),
        validators=[Optional(), max_length(TEXT_MAX)],
        filters=[strip_filter],
        description=_l("Markdown: **vet**, *cursief*, lijstjes met '-'."),
    )
    collaboration_stance = SelectField(
        _l("Standpunt over de beoogde structurele samenwerking"),
        choices=_choices(CollaborationStance, _l("nog geen keuze")),
        validators=[Optional()],
    )
    collaboration_conditions = TextAreaField(
        _l("Voorwaarden voor de samenwerking"),
        validators=[Optional(), max_length(TEXT_MAX)],
        filters=[strip_filter],
    )
    # Uploaded with the text: the attachment buttons post the whole form, so nothing typed is lost.
    file = FileField(
        _l("PDF-bijlage"), description=_l("Alleen PDF, hoogstens 10 MB per bestand, hoogstens 5 bijlagen.")
    )


def _theme_label(text: str, theme) -> Markup:
    """A label naming a theme, whose title keeps its own language (lang="nl") on an English page."""
    return escape(text) % {"theme": in_content_language(theme.title)}


def response_form(consultation, **kwargs) -> ResponseForm:
    class Form(ResponseForm):
        pass

    for theme in consultation.themes:
        setattr(
            Form,
            f"position_{theme.id}",
            SelectField(
                _theme_label(_("Standpunt: %(theme)s"), theme),
                choices=_choices(Position, _l("nog geen keuze")),
                validators=[Optional()],
            ),
        )
        setattr(
            Form,
            f"explanation_{theme.id}",
            TextAreaField(
                _theme_label(_("Toelichting: %(theme)s"), theme),
                validators=[Optional(), max_length(TEXT_MAX)],
                filters=[strip_filter],
            ),
        )
    return Form(**kwargs)


class SubmitForm(FlaskForm):
    version = version_field()
    publication = SelectField(
        _l("Publicatie"),
        choices=_choices(Publication, _l("kies")),
        validators=[InputRequired(message=_l("Kies of de reactie openbaar wordt of niet."))],
        description=_l(
            "Een niet-openbare reactie wordt wel beantwoord en meegeteld in de Nota van beantwoording, "
            "maar zonder haar tekst."
        ),
    )


class AnswerForm(FlaskForm):
    """The gemeente's answer; `answer_form(consultation)` adds verdict_<theme id> and answer_<theme id>."""

    version = version_field()
    # The answers as the moderator first saw them (core/merge.py), for merging a concurrent save.
    base = HiddenField("base")


def answer_form(consultation, **kwargs) -> AnswerForm:
    class Form(AnswerForm):
        pass

    for theme in consultation.themes:
        setattr(
            Form,
            f"verdict_{theme.id}",
            SelectField(
                _theme_label(_("Reactie gemeente: %(theme)s"), theme),
                choices=_choices(Verdict, _l("nog geen antwoord")),
                validators=[Optional()],
            ),
        )
        setattr(
            Form,
            f"answer_{theme.id}",
            TextAreaField(
                _theme_label(_("Toelichting gemeente: %(theme)s"), theme),
                validators=[Optional(), max_length(TEXT_MAX)],
                filters=[strip_filter],
            ),
        )
    return Form(**kwargs)
