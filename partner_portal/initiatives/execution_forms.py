"""Forms of the execution pages: milestones, spending, progress updates, hiding one, following.

The fields are plain text: the operations read and check the values (dates, weights, amounts)
and say in Dutch what is wrong, so the forms only carry the CSRF token and what was typed.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import StringField, TextAreaField

from partner_portal.core.forms import ConfirmForm, ReasonForm, strip_filter, version_field
from partner_portal.core.money import input_value
from partner_portal.core.workflow import REASON_MAX_LENGTH
from partner_portal.initiatives.loading import ledger_of

__all__ = ["ConfirmForm", "HideUpdateForm", "MilestoneDoneForm", "MilestoneForm", "UpdateForm", "spending_form"]


class MilestoneForm(FlaskForm):
    title = StringField(_l("Mijlpaal"), filters=[strip_filter])
    planned_on = StringField(_l("Geplande datum"), filters=[strip_filter])
    weight = StringField(
        _l("Gewicht"),
        default="1",
        filters=[strip_filter],
        description=_l("Een heel getal van 1 tot en met 100: hoe zwaar deze mijlpaal telt in de voortgang."),
    )


class MilestoneDoneForm(FlaskForm):
    """Done on a date, or (with `undo`) not done after all; `version` is the milestone's."""

    version = version_field()
    done_on = StringField(_l("Afgerond op"), filters=[strip_filter])
    undo = StringField("undo", filters=[strip_filter])


class UpdateForm(FlaskForm):
    body = TextAreaField(_l("Nieuws"), filters=[strip_filter])
    happened_on = StringField(_l("Datum"), filters=[strip_filter], description=_l("Leeg laten: vandaag."))
    file = FileField(
        _l("PDF of afbeelding (optioneel)"),
        description=_l("Een PDF-bestand of een PNG- of JPEG-afbeelding, hoogstens 10 MB."),
    )
    image_text = StringField(
        _l("Wat staat er op de afbeelding?"),
        filters=[strip_filter],
        description=_l(
            "Verplicht bij een afbeelding, voor wie haar niet kan zien; bijvoorbeeld: "
            "'De nieuwe bankjes op het Koopmansplein'. Hoogstens 300 tekens."
        ),
    )


class HideUpdateForm(ReasonForm):
    """The moderator's reason, shown on the timeline in the update's place (required)."""

    reason = TextAreaField(
        _l("Waarom wordt dit bericht verborgen? (verplicht; de reden staat openbaar op zijn plaats)"),
        filters=[strip_filter],
        render_kw={"maxlength": REASON_MAX_LENGTH},
    )


def spending_form(initiative, sources, *, posted: bool = False):
    """One amount field per funding source (`spent_<id>`), filled with what was reported so far
    (or, `posted`, with what was typed)."""

    class SpendingForm(FlaskForm):
        pass

    spent = ledger_of(initiative).spent
    for source in sources:
        setattr(
            SpendingForm,
            f"spent_{source.id}",
            StringField(
                _l("Uitgegeven van %(source)s", source=source.name),
                default=input_value(spent.get(source.id) or None),
                filters=[strip_filter],
            ),
        )
    form = SpendingForm() if posted else SpendingForm(formdata=None)
    form.source_fields = [(source, form[f"spent_{source.id}"]) for source in sources]
    return form
