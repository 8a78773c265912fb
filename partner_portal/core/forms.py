"""Form helpers shared by every feature: trimmed strings, common validators and the confirm and reason forms."""

import re

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from markupsafe import Markup
from wtforms import HiddenField, SelectMultipleField, TextAreaField, ValidationError, widgets
from wtforms.validators import DataRequired, Email, Length

from partner_portal.core import merge
from partner_portal.core.workflow import REASON_MAX_LENGTH

KVK_RE = re.compile(r"^\d{8}$")


def strip_filter(value):
    """Trim text input; a field missing from the post becomes an empty string."""
    if value is None:
        return ""
    return value.strip() if isinstance(value, str) else value


def required(message=None):
    return DataRequired(message=message or _l("Vul dit veld in."))


def max_length(n: int):
    return Length(max=n, message=_l("Gebruik hoogstens %(max)d tekens.", max=n))


def email_address():
    return Email(
        message=_l("Vul een geldig e-mailadres in, bijvoorbeeld naam@voorbeeld.nl."), check_deliverability=False
    )


def kvk_number(form, field):
    if field.data and not KVK_RE.match(field.data):
        raise ValidationError(_l("Een KvK-nummer bestaat uit precies 8 cijfers."))


class LeanSelect(widgets.Select):
    """WTForms' select with a lean option renderer, for filters with many options on busy pages
    (the stock renderer builds every option's attributes generically, ~8x slower). Options carry
    only their value, label and selected state."""

    @classmethod
    def render_option(cls, choice, **kwargs):
        selected = Markup(" selected") if choice.selected else ""
        return Markup('<option value="{}"{}>{}</option>').format(choice.value, selected, choice.label or choice.value)


class MultiCheckboxField(SelectMultipleField):
    """Several choices as a list of checkboxes (rendered as a fieldset by _macros/forms.html)."""

    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


def version_field() -> HiddenField:
    """The version of the record the user saw (optimistic locking). The label is explicit because a
    field without one has its default label translated, which loads the form library's own
    catalogue from disk on every request that builds the form."""
    return HiddenField("version")


def form_error(form) -> str:
    """Why a posted form did not validate, in Dutch: an expired token, or its fields' messages."""
    if getattr(form, "csrf_token", None) is not None and form.csrf_token.errors:
        return _("Het formulier is verlopen of ongeldig. Laad de pagina opnieuw en probeer het nog eens.")
    return " ".join(str(e) for errors in form.errors.values() for e in errors)


def refusal_on_fields(form, exc, aliases: dict[str, str] | None = None) -> str | None:
    """Put a refused operation's per-field messages (`exc.errors`, e.g. InvalidFields) on the form's
    fields (`aliases` maps an operation's key to a field name); returns what has no field, or the
    whole message when there are no field messages, for the error summary."""
    errors = getattr(exc, "errors", None)
    if not errors:
        return exc.message
    loose = []
    for key, message in errors.items():
        key = (aliases or {}).get(key, key)
        if key in form:
            form[key].errors = [*form[key].errors, message]
        else:
            loose.append(message)
    return " ".join(loose) or None


class ConfirmForm(FlaskForm):
    """A POST with nothing but the CSRF token: logout, endorse, remove, publish."""


class ReasonForm(FlaskForm):
    """A workflow step or stage move: the version the user saw, and an optional or required reason."""

    version = version_field()
    reason = TextAreaField(_l("Reden"), validators=[max_length(REASON_MAX_LENGTH)], filters=[strip_filter])


def conflict_panel(form, exc, *, by, me) -> dict:
    """What a conflict panel shows after a refused concurrent save (an EditConflict `exc` on `form`):
    per field that both people changed, both texts and what differs. `by` saved meanwhile."""
    fields = []
    for key in exc.merge.conflicts:
        field = form[key]
        choices = {str(c.value): str(c.label) for c in getattr(field, "choices", None) or []}
        mine, theirs = exc.merge.values[key], exc.theirs.get(key, "")
        mine, theirs = choices.get(mine, mine), choices.get(theirs, theirs)
        fields.append(
            {
                "id": field.id,
                "label": field.label.text,
                "mine": mine,
                "theirs": theirs,
                "diff": merge.word_diff(theirs, mine),
            }
        )
    return {
        "fields": fields,
        "ids": [f["id"] for f in fields],
        "merged": len(exc.merge.theirs_changed),
        # The same person in another window or tab, or someone else.
        "same_person": by is not None and by.id == me.id,
        "by": by,
    }


def refill_conflict(form, conflict, version) -> None:
    """Put a refused concurrent save back in its form: the merged values (the person's own text
    where both changed a field), the current version, and what is stored now as the new base."""
    for key, value in conflict.merge.values.items():
        # Several choices travel through the merge as "1,4" (see Initiative.field_values).
        multiple = isinstance(form[key], SelectMultipleField)
        form[key].data = (value.split(",") if value else []) if multiple else value
    form.version.data = version
    form.base.data = merge.encode(conflict.theirs)
