"""The engagement dashboard (`/mkb/dashboard`): what each member did, per sector, and the exports.

Only current members of the registry are listed, by their organisation (never a person of it);
what counts is public activity (engagement.py reads it from activity.py), never a draft.
"""

from __future__ import annotations

from flask import redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from partner_portal import navigation
from partner_portal.auth.models import StaffRole
from partner_portal.commitments.models import PledgeKind
from partner_portal.commitments.permissions import can_view_commitment
from partner_portal.core import csvexport
from partner_portal.core.dates import date_text
from partner_portal.core.models import utcnow
from partner_portal.core.money import format_euros
from partner_portal.endorsements.kinds import BY_NAME
from partner_portal.mkb import bp, engagement
from partner_portal.mkb.permissions import abort_unless_registry, can_use_registry

navigation.register("mkb.dashboard", _l("MKB-dashboard"), can_use_registry, order=75)
navigation.set_start_page(StaffRole.mkb_staff, "mkb.dashboard")


def _filters() -> tuple[engagement.Filters, list, list]:
    sectors = engagement.sector_choices()
    consultations = engagement.consultation_choices()
    return engagement.read_filters(request.args, sectors, consultations), sectors, consultations


def pledge_text(signature) -> str:
    """What a signature promises per year: "€ 5.000 per jaar (Binnenstadsfonds)", "40 uur per jaar", "in natura: …"."""
    if signature.pledge_kind == PledgeKind.money:
        text = _("%(amount)s per jaar", amount=format_euros(signature.pledge_cents))
        return f"{text} ({signature.funding_source.name})" if signature.funding_source else text
    if signature.pledge_kind == PledgeKind.hours:
        return _("%(hours)d uur per jaar", hours=signature.pledge_hours)
    if signature.pledge_kind == PledgeKind.in_kind:
        return _("in natura: %(what)s", what=signature.pledge_in_kind)
    return ""


def response_state_text(response) -> str:
    """The state of a sector group's formal response; a draft (never loaded here) reads as not submitted."""
    return response.state.label if response is not None else _("nog niet ingediend")


def _link(kind: str, item) -> str | None:
    registered = BY_NAME[kind]
    return registered.url(item) if registered.can_view(current_user._get_current_object(), item) else None


def _commitment_link(commitment) -> str | None:
    if not can_view_commitment(current_user._get_current_object(), commitment):
        return None
    return url_for("commitments.show", commitment_id=commitment.id)


@bp.get("/mkb/dashboard")
@login_required
def dashboard():
    """Current members, 25 a page: what each endorsed, signed, leads and co-initiates; filters, search, sort."""
    abort_unless_registry()
    filters, sectors, consultations = _filters()
    page = engagement.member_page(filters)
    return render_template(
        "mkb/dashboard.html",
        filters=filters,
        page=page,
        sectors=sectors,
        consultations=consultations,
        link=_link,
        commitment_link=_commitment_link,
        pledge_text=pledge_text,
        response_state_text=response_state_text,
    )


def export_header() -> list[str]:
    return [
        _("Naam"),
        _("KvK-nummer"),
        _("Lidnummer"),
        _("Organisatie op het portaal"),
        _("Sectorgroep(en)"),
        _("Onderschreven formele reacties"),
        _("Onderschreven initiatieven"),
        _("Onderschreven convenanten"),
        _("Ondertekende convenanten (toezegging)"),
        _("Trekker van initiatieven"),
        _("Mede-initiatiefnemer van initiatieven"),
        _("Formele reactie van de sectorgroep"),
        _("Actief"),
        _("Laatste activiteit"),
        _("Laatste herinnering"),
    ]


def _joined(texts) -> str:
    return " | ".join(t for t in texts if t)


def export_cells(row: engagement.MemberRow, *, dates_as_text: bool) -> list:
    """One member as export cells (text made formula-safe by the writer)."""
    member = row.member

    def when(value):
        if value is None:
            return ""
        return date_text(value) if dates_as_text else value.date()

    responses = (
        [f"{r.consultation.title}: {response_state_text(r)}" for r in row.group_responses]
        if row.group_responses
        else [response_state_text(None)]
    )
    signatures = [
        f"{s.commitment.title} ({pledge_text(s)})" if pledge_text(s) else s.commitment.title for s in row.signatures
    ]
    return [
        member.name,
        member.kvk_number,
        member.member_number,
        row.organisation.name if row.organisation else _("niet op het portaal"),
        _joined(g.name for g in row.sector_groups),
        _joined(BY_NAME["formal_response"].title(r) for r in row.endorsed_responses),
        _joined(i.title for i in row.endorsed_initiatives),
        _joined(c.title for c in row.endorsed_commitments),
        _joined(signatures),
        _joined(i.title for i in row.leads),
        _joined(i.title for i in row.co_initiates),
        _joined(responses),
        _("ja") if row.is_active else _("nee"),
        when(row.last_at),
        when(row.reminded_at),
    ]


def _filename(extension: str) -> str:
    return f"mkb-dashboard-{utcnow().date().isoformat()}.{extension}"


@bp.get("/mkb/dashboard.csv")
@login_required
def dashboard_csv():
    """The filtered members, all pages, one row each (Dutch Excel CSV: `;`, BOM, formula-safe)."""
    abort_unless_registry()
    filters, _sectors, _consultations = _filters()
    rows = [export_header(), *(export_cells(r, dates_as_text=True) for r in engagement.all_member_rows(filters))]
    return csvexport.csv_response(csvexport.rows_text(rows), _filename("csv"))


@bp.get("/mkb/dashboard.xlsx")
@login_required
def dashboard_xlsx():
    """The same rows as the CSV, as a workbook: text cells formula-safe, dates as dates."""
    from openpyxl import Workbook

    abort_unless_registry()
    filters, _sectors, _consultations = _filters()
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "MKB-dashboard"
    sheet.append(export_header())
    for row in engagement.all_member_rows(filters):
        sheet.append(
            [csvexport.safe_cell(c) if isinstance(c, str) else c for c in export_cells(row, dates_as_text=False)]
        )
    dates = len(export_header()) - 1  # the last two columns: last activity, last reminder
    for cells in sheet.iter_rows(min_row=2, min_col=dates, max_col=dates + 1):
        for cell in cells:
            cell.number_format = "dd-mm-yyyy"
    sheet.freeze_panes = "B2"
    sheet.column_dimensions["A"].width = 40
    return csvexport.xlsx_response(workbook, _filename("xlsx"))


@bp.get("/mkb/sectoren")
@login_required
def sectors():
    """Per registry sector: members, active members and their share, also over the last 30 days; activity per week."""
    abort_unless_registry()
    consultations = engagement.consultation_choices()
    slug = (request.args.get("consultatie") or "").strip()
    consultation = next((c for c in consultations if c.slug == slug), None) if slug else None
    problem = _("Onbekende consultatie; alle consultaties worden getoond.") if slug and consultation is None else None
    consultation_id = consultation.id if consultation else None
    now = utcnow()
    rows, total = engagement.sector_numbers(consultation_id, now)
    weeks = engagement.weekly(consultation_id, now)
    return render_template(
        "mkb/sectors.html",
        rows=rows,
        total=total,
        weeks=weeks,
        largest=max((w.activities for w in weeks), default=0),
        consultations=consultations,
        consultation=consultation,
        problem=problem,
        recent_days=engagement.RECENT_DAYS,
    )


@bp.get("/mkb/onderschrijvingen")
@login_required
def endorsements_redirect():
    """The former overview of endorsements by members: now part of the dashboard."""
    abort_unless_registry()
    return redirect(url_for("mkb.dashboard"), 301)
