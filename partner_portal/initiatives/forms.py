"""Forms of the initiators' pages: the draft (money per funding source), co-initiators, invitations.

The forms carry the typed strings; what they mean (amounts, dates, themes of this consultation,
parts adding up) is checked by operations.read_fields, which names every problem per field.
"""

from __future__ import annotations

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from sqlalchemy import orm as so
from wtforms import HiddenField, SelectField, StringField, TextAreaField
from wtforms.widgets import DateInput

from partner_portal.core.forms import MultiCheckboxField, strip_filter, version_field
from partner_portal.extensions import db
from partner_portal.initiatives.models import SUMMARY_MAX
from partner_portal.initiatives.operations import TEXT_MAX, TITLE_MAX

# Fields whose value is a list of ids, stored in the form's strings as "1,4,5" (see Initiative.field_values).
MULTI = ("themes", "locations", "responses")


def _amount(label) -> StringField:
    return StringField(label, filters=[strip_filter], render_kw={"inputmode": "decimal", "autocomplete": "off"})


class InitiativeForm(FlaskForm):
    """The draft; `initiative_form(consultation)` adds request_<funding source id> and the choices."""

    version = version_field()
    # The fields as the editor first saw them (core/merge.py), for merging a concurrent save.
    base = HiddenField("base")
    title = StringField(_l("Titel"), filters=[strip_filter], render_kw={"maxlength": TITLE_MAX})
    summary = TextAreaField(
        _l("Korte samenvatting"),
        filters=[strip_filter],
        description=_l("Hoogstens %(max)d tekens; deze tekst staat in de lijst van initiatieven.", max=SUMMARY_MAX),
        render_kw={"rows": 3, "maxlength": SUMMARY_MAX},
    )
    description = TextAreaField(
        _l("Beschrijving"),
        filters=[strip_filter],
        description=_l("Markdown: **vet**, *cursief*, lijstjes met '-'."),
        render_kw={"rows": 10, "maxlength": TEXT_MAX},
    )
    expected_effect = TextAreaField(
        _l("Verwacht effect"), filters=[strip_filter], render_kw={"rows": 4, "maxlength": TEXT_MAX}
    )
    themes = MultiCheckboxField(_l("Thema's"), validate_choice=False)
    locations = MultiCheckboxField(_l("Locaties"), validate_choice=False)
    responses = MultiCheckboxField(
        _l("Reacties waarop dit initiatief antwoordt (niet verplicht)"),
        validate_choice=False,
        description=_l("Openbare formele reacties op deze consultatie."),
    )
    planned_start = StringField(_l("Geplande start"), filters=[strip_filter], widget=DateInput())
    planned_end = StringField(_l("Gepland einde"), filters=[strip_filter], widget=DateInput())
    total_cost = _amount(_l("Totale kosten"))
    own_contribution = _amount(_l("Eigen bijdrage van de initiatiefnemers"))
    # Uploaded with the text: the attachment button posts the whole form, so nothing typed is lost.
    file = FileField(
        _l("PDF-bijlage"), description=_l("Alleen PDF, hoogstens 10 MB per bestand, hoogstens 5 bijlagen.")
    )

    def request_fields(self) -> list:
        return [f for f in self if f.name.startswith("request_")]

    def values(self) -> dict[str, str]:
        """The typed fields as the strings operations.read_fields and the merge work with."""
        values = {}
        for f in self:
            if f.name in ("version", "base", "csrf_token", "file"):
                continue
            data = f.data
            if f.name in MULTI:
                data = ",".join(str(v) for v in (data or []))
            values[f.name] = data or ""
        return values


def initiative_form(consultation, *, values: dict[str, str] | None = None, **kwargs) -> InitiativeForm:
    """The draft form for `consultation`: a request field per funding source, its themes, locations
    and public responses as choices; `values` (strings as Initiative.field_values) fill it."""

    class Form(InitiativeForm):
        pass

    for source in consultation.funding_sources:
        setattr(Form, f"request_{source.id}", _amount(source.name))
    if values is not None:
        data = {k: (v.split(",") if v else []) if k in MULTI else v for k, v in values.items()}
        kwargs = {"formdata": None, "data": {**data, **kwargs.pop("data", {})}, **kwargs}
    form = Form(**kwargs)
    form.themes.choices = [(str(t.id), t.title) for t in consultation.themes]
    form.locations.choices = [(str(loc.id), loc.label) for loc in consultation.locations]
    form.responses.choices = [(str(r.id), r.title) for r in _citable(consultation)]
    return form


def _citable(consultation) -> list:
    """The consultation's public formal responses, which an initiative may say it answers."""
    from partner_portal.responses.models import FormalResponse, Publication, ResponseState

    if not consultation.is_public:
        return []
    rows = db.session.scalars(
        sa.select(FormalResponse)
        .where(
            FormalResponse.consultation_id == consultation.id,
            FormalResponse.state == ResponseState.accepted,
            FormalResponse.publication == Publication.public,
        )
        .options(so.joinedload(FormalResponse.sector_group))
    ).all()
    return sorted(rows, key=lambda r: r.title)


def choice_labels(form: InitiativeForm, key: str, value: str) -> str:
    """A multi field's "1,4" as the names a person chose, for the conflict panel."""
    names = {str(v): str(label) for v, label in form[key].choices}
    return ", ".join(names.get(i, i) for i in value.split(",") if i)


class InviteForm(FlaskForm):
    organisation_id = SelectField(_l("Organisatie"), coerce=str, validate_choice=False)


class AnswerInvitationForm(FlaskForm):
    answer = HiddenField("answer")
