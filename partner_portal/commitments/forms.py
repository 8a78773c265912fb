"""Forms of the commitments' pages: the process manager's edit form, signing, co-signing, signing a
new version, and revoking or giving notice with a reason.

The forms carry the typed strings; what they mean (amounts, sources of this consultation, the
threshold) is checked by commitments/operations.py, which names every problem per field.
"""

from __future__ import annotations

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, PasswordField, RadioField, SelectField, StringField, TextAreaField

from partner_portal.commitments.models import TITLE_MAX, Commitment, InvitedParties, PledgeKind
from partner_portal.commitments.operations import IN_KIND_MAX, NAME_MAX, TEXT_MAX
from partner_portal.core.forms import MultiCheckboxField, max_length, strip_filter, version_field
from partner_portal.core.money import input_value
from partner_portal.core.workflow import REASON_MAX_LENGTH
from partner_portal.extensions import db
from partner_portal.partners.models import Organisation, SectorGroup

# Fields whose value is a list of ids, "1,4" in the strings the operations and the merge read.
MULTI = ("themes", "sectors", "organisations")
FLAGS = ("allows_money", "allows_hours", "allows_in_kind")


class CommitmentForm(FlaskForm):
    version = version_field()
    base = HiddenField("base")  # the fields as first shown (core/merge.py)
    # Only on a sector coordinator's new proposal, when they coordinate more than one group.
    group = SelectField(_l("Voorgesteld namens sectorgroep"), coerce=str, validate_choice=False)
    title = StringField(_l("Titel"), filters=[strip_filter], render_kw={"maxlength": TITLE_MAX})
    text = TextAreaField(
        _l("Tekst van de afspraak"),
        filters=[strip_filter],
        description=_l("Markdown: **vet**, *cursief*, lijstjes met '-'. Organisaties ondertekenen precies deze tekst."),
        render_kw={"rows": 14, "maxlength": TEXT_MAX},
    )
    themes = MultiCheckboxField(_l("Thema's"), validate_choice=False)
    invited = RadioField(
        _l("Wie mag ondertekenen?"),
        default=InvitedParties.all.value,
        validate_choice=False,
    )
    sectors = MultiCheckboxField(_l("Uitgenodigde sectorgroepen"), validate_choice=False)
    organisations = MultiCheckboxField(_l("Uitgenodigde organisaties"), validate_choice=False)
    threshold_organisations = StringField(
        _l("Drempel: aantal organisaties"),
        filters=[strip_filter],
        description=_l("Leeg: geen drempel in organisaties."),
        render_kw={"inputmode": "numeric", "autocomplete": "off"},
    )
    threshold = StringField(
        _l("Drempel: toegezegd bedrag per jaar"),
        filters=[strip_filter],
        description=_l("In euro's, bijvoorbeeld 25.000. Leeg: geen drempelbedrag."),
        render_kw={"inputmode": "decimal", "autocomplete": "off"},
    )
    allows_money = BooleanField(_l("Geld per jaar"))
    allows_hours = BooleanField(_l("Uren per jaar"))
    allows_in_kind = BooleanField(_l("In natura"))

    def values(self) -> dict[str, str]:
        """The typed fields as the strings operations.read_fields and the merge work with."""
        values = {}
        for f in self:
            if f.name in ("version", "base", "csrf_token"):
                continue
            if f.name in MULTI:
                values[f.name] = ",".join(str(v) for v in (f.data or []))
            elif f.name in FLAGS:
                values[f.name] = "1" if f.data else ""
            else:
                values[f.name] = f.data or ""
        return values


def field_values(commitment: Commitment) -> dict[str, str]:
    """The stored commitment as the edit form's strings, for the three-way merge of concurrent edits."""
    return {
        "title": commitment.title or "",
        "text": commitment.text or "",
        "themes": ",".join(str(i) for i in sorted(commitment.theme_ids)),
        "invited": commitment.invited.value,
        "sectors": ",".join(str(s.sector_group_id) for s in commitment.invited_sectors),
        "organisations": ",".join(str(o.organisation_id) for o in commitment.invited_organisations),
        "threshold_organisations": str(commitment.threshold_organisations or ""),
        "threshold": input_value(commitment.threshold_cents) if commitment.threshold_cents else "",
        "allows_money": "1" if commitment.allows_money else "",
        "allows_hours": "1" if commitment.allows_hours else "",
        "allows_in_kind": "1" if commitment.allows_in_kind else "",
    }


def commitment_form(
    consultation, *, values: dict[str, str] | None = None, groups: list | None = None, **kwargs
) -> CommitmentForm:
    """The edit form with the consultation's themes, the sector groups and the active organisations;
    with `groups` (a coordinator's new proposal, more than one group) the choice of group."""
    if values is not None:
        data = {}
        for key, value in values.items():
            if key in MULTI:
                data[key] = value.split(",") if value else []
            elif key in FLAGS:
                data[key] = bool(value)
            else:
                data[key] = value
        kwargs = {"formdata": None, "data": {**data, **kwargs.pop("data", {})}, **kwargs}
    form = CommitmentForm(**kwargs)
    if groups and len(groups) > 1:
        form.group.choices = [("", _l("kies een sectorgroep"))] + [(str(g.id), g.name) for g in groups]
    else:
        del form.group
    form.invited.choices = [(p.value, p.label) for p in InvitedParties]
    form.themes.choices = [(str(t.id), t.title) for t in consultation.themes]
    form.sectors.choices = [
        (str(g.id), g.name) for g in db.session.scalars(sa.select(SectorGroup).order_by(SectorGroup.name))
    ]
    form.organisations.choices = [
        (str(o.id), o.name)
        for o in db.session.scalars(sa.select(Organisation).where(Organisation.is_active).order_by(Organisation.name))
    ]
    return form


def choice_labels(form: CommitmentForm, key: str, value: str) -> str:
    """A multi field's "1,4" as the names a person chose, for the conflict panel."""
    names = {str(v): str(label) for v, label in form[key].choices}
    return ", ".join(names.get(i, i) for i in value.split(",") if i)


# Signing ---------------------------------------------------------------------------------------


def _password() -> PasswordField:
    return PasswordField(
        _l("Uw wachtwoord"),
        description=_l("Ter bevestiging dat u het zelf bent: het wachtwoord waarmee u inlogt."),
        render_kw={"autocomplete": "current-password"},
    )


def _typed(label) -> StringField:
    return StringField(label, filters=[strip_filter], render_kw={"maxlength": NAME_MAX})


class SignForm(FlaskForm):
    version_hash = HiddenField("version_hash")
    signer_name = _typed(_l("Vertegenwoordigd door (uw naam)"))
    function = _typed(_l("Functie"))
    pledge_kind = RadioField(_l("Toezegging"), default=PledgeKind.none.value, validate_choice=False)
    amount = StringField(
        _l("Bedrag per jaar"),
        filters=[strip_filter],
        description=_l("In euro's, bijvoorbeeld 2.500."),
        render_kw={"inputmode": "decimal", "autocomplete": "off"},
    )
    funding_source_id = SelectField(_l("Financieringsbron"), coerce=str, validate_choice=False)
    hours = StringField(
        _l("Uren per jaar"), filters=[strip_filter], render_kw={"inputmode": "numeric", "autocomplete": "off"}
    )
    in_kind = TextAreaField(
        _l("Bijdrage in natura"),
        filters=[strip_filter],
        description=_l("Bijvoorbeeld: ruimte, materiaal of diensten."),
        render_kw={"rows": 3, "maxlength": IN_KIND_MAX},
    )
    password = _password()


def sign_form(commitment: Commitment, **kwargs) -> SignForm:
    """The signing form with the pledge kinds the commitment allows and its consultation's sources."""
    form = SignForm(**kwargs)
    form.pledge_kind.choices = [(k.value, k.label) for k in PledgeKind if commitment.allows(k)]
    form.funding_source_id.choices = [("", _l("kies een financieringsbron"))] + [
        (str(s.id), s.name) for s in commitment.consultation.funding_sources
    ]
    return form


class CosignForm(FlaskForm):
    version_hash = HiddenField("version_hash")
    signer_name = _typed(_l("Vertegenwoordigd door (uw naam)"))
    function = _typed(_l("Functie"))
    password = _password()


class ResignForm(FlaskForm):
    version_hash = HiddenField("version_hash")
    password = _password()


class EndForm(FlaskForm):
    """Revoking or giving notice: the public reason."""

    reason = TextAreaField(
        _l("Reden (verplicht; staat openbaar bij de handtekening)"),
        validators=[max_length(REASON_MAX_LENGTH)],
        filters=[strip_filter],
        render_kw={"rows": 5, "maxlength": REASON_MAX_LENGTH},
    )
