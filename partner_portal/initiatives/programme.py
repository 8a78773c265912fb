"""Routes: the execution programme of a consultation (see initiatives/views.py).

- the public page: the initiatives in the programme per pillar and theme with their state and
  progress, and per funding source its amount, what was granted, spent and is left to grant
  (a chart with the same numbers in a table);
- the same as a PDF report (tagged, like the Nota's) and as CSV and XLSX (one row per initiative);
- the bulk update: the process manager uploads the edited CSV or XLSX, sees every change and
  every problem, and confirms; the changes are applied all or nothing (operations.bulk_update).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path

import sqlalchemy as sa
from flask import Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import orm as so
from wtforms import HiddenField

from partner_portal.commitments import operations as commitments
from partner_portal.consultations.loading import load_consultation
from partner_portal.consultations.models import Consultation, FundingSource
from partner_portal.core import csvexport, tables
from partner_portal.core.errors import OperationError
from partner_portal.core.pagecache import public_page, shared_document
from partner_portal.core.transaction import show_refusal
from partner_portal.extensions import db
from partner_portal.initiatives import bp, ledger, operations
from partner_portal.initiatives.models import PROGRAMME_STATES, Initiative, InitiativeTheme, SourceLedger

MAX_UPLOAD_BYTES = 2 * 1024 * 1024
PRINT_CSS = Path(__file__).resolve().parent.parent / "static" / "css" / "nota-print.css"
_SALT = "partner-portal-programme-bulk-update"


# What the programme shows ------------------------------------------------------------------------


@dataclass
class SourceTotals:
    """One funding source in cents: its amount, granted to initiatives, spent by them, left to grant,
    and pledged per year on commitments (convenanten; shown apart, never counted as granted)."""

    source: FundingSource
    amount: int
    granted: int
    spent: int
    pledged: int = 0

    @property
    def remaining(self) -> int:
        return self.amount - self.granted


@dataclass
class ThemeGroup:
    theme: object
    initiatives: list[Initiative] = field(default_factory=list)  # on the page: the latest PER_THEME
    more: bool = False  # the theme has more in the programme than the page shows


@dataclass
class PillarGroup:
    pillar: object | None  # None: the themes without a pillar
    themes: list[ThemeGroup] = field(default_factory=list)


@dataclass
class Programme:
    consultation: Consultation
    initiatives: list[Initiative]  # the report and the files: all; the page: those it shows
    pillars: list[PillarGroup]
    sources: list[SourceTotals]
    count: int = 0  # initiatives in the programme

    @property
    def largest(self) -> int:
        return max((max(s.amount, s.granted, s.spent) for s in self.sources), default=0)

    def totals(self) -> SourceTotals:
        return SourceTotals(
            None,
            sum(s.amount for s in self.sources),
            sum(s.granted for s in self.sources),
            sum(s.spent for s in self.sources),
            sum(s.pledged for s in self.sources),
        )

    @property
    def has_pledges(self) -> bool:
        return any(s.pledged for s in self.sources)


def source_totals(consultation_id: int) -> list[SourceTotals]:
    """Every source of the consultation with what was granted and spent of it (the ledger's totals)."""
    rows = db.session.execute(
        sa.select(
            FundingSource, ledger.granted_column(), ledger.spent_column(), commitments.pledged_column(FundingSource.id)
        )
        .outerjoin(SourceLedger, SourceLedger.funding_source_id == FundingSource.id)
        .where(FundingSource.consultation_id == consultation_id)
        .order_by(FundingSource.position, FundingSource.id)
    ).all()
    return [SourceTotals(s, s.amount_euros * 100, int(g), int(sp), int(p)) for s, g, sp, p in rows]


def programme_initiatives(consultation_id: int, *, money: bool = False, latest: int | None = None) -> list[Initiative]:
    """The initiatives in the programme (adopted and after), in order of adoption, with what the pages
    show; `latest`: only the that many adopted last (still in order of adoption)."""
    options = [so.selectinload(Initiative.themes), so.selectinload(Initiative.milestones)]
    if money:  # the report and the files: also the lead organisation and the money per source
        options += [so.selectinload(Initiative.grants), so.selectinload(Initiative.spending)]
    else:  # the page shows no organisation: not its join, nor its sectors' query
        options.append(so.lazyload(Initiative.lead_organisation))
    query = sa.select(Initiative).where(
        Initiative.consultation_id == consultation_id,
        Initiative.adopted_at.is_not(None),
        Initiative.state.in_(PROGRAMME_STATES),
    )
    if latest is not None:
        newest = query.order_by(Initiative.adopted_at.desc(), Initiative.id.desc()).limit(latest)
        query = sa.select(Initiative).where(Initiative.id.in_(newest.with_only_columns(Initiative.id)))
    return db.session.scalars(query.options(*options).order_by(Initiative.adopted_at, Initiative.id)).all()


def _load(slug: str, **kwargs) -> Consultation:
    return load_consultation(
        slug, loads=(so.selectinload(Consultation.pillars), so.selectinload(Consultation.themes)), **kwargs
    )


PER_THEME = 10  # the page shows the latest ten per theme, and links to the rest in the list
# The report reads as a document: per theme the latest 50, and the money of the latest 200 adopted;
# a programme larger than that is complete in the CSV and XLSX files, as the report says.
PDF_PER_THEME = 50
PDF_DETAILS = 200


def latest_per_theme(consultation, limit: int) -> tuple[dict[int, list[Initiative]], dict[int, bool], int]:
    """Per theme the `limit` latest adopted initiatives and whether it has more, and how many the
    programme has: per theme a LIMIT read newest first from ix_initiative_programme (joined by UNION
    ALL into one statement), the initiatives with the count, their milestones; whatever the size."""
    # adopted_at IS NOT NULL: the index's NULLs (never adopted) come first newest-first; skip them in the index.
    in_programme = (
        Initiative.consultation_id == consultation.id,
        Initiative.adopted_at.is_not(None),
        Initiative.state.in_(PROGRAMME_STATES),
    )
    parts = [
        sa.select(sa.literal(theme.id).label("theme_id"), Initiative.id.label("initiative_id"))
        .join(InitiativeTheme, InitiativeTheme.initiative_id == Initiative.id)
        .where(*in_programme, InitiativeTheme.theme_id == theme.id)
        .order_by(Initiative.adopted_at.desc(), Initiative.id.desc())
        .limit(limit + 1)  # one more: is there more than the page shows?
        .subquery()
        for theme in consultation.themes
    ]
    pairs = db.session.execute(sa.union_all(*(sa.select(part) for part in parts))).all() if parts else []
    ids = {initiative_id for _theme_id, initiative_id in pairs}
    # The programme's count (the ledger's) rides along with the initiatives' row (one statement less).
    count_column = ledger.programme_count_column(consultation.id)
    rows = db.session.execute(
        sa.select(Initiative, count_column)
        .where(Initiative.id.in_(ids))
        .options(so.selectinload(Initiative.milestones), so.lazyload(Initiative.lead_organisation))
    ).all()
    loaded = {i.id: i for i, _count in rows}
    by_theme: dict[int, list[Initiative]] = {}
    for theme_id, initiative_id in pairs:
        by_theme.setdefault(theme_id, []).append(loaded[initiative_id])
    newest_first = {
        theme_id: sorted(items, key=lambda i: (i.adopted_at, i.id), reverse=True)
        for theme_id, items in by_theme.items()
    }
    more = {theme_id: len(items) > limit for theme_id, items in newest_first.items()}
    by_theme = {theme_id: items[:limit] for theme_id, items in newest_first.items()}
    return by_theme, more, rows[0][1] if rows else 0


def programme(consultation: Consultation, *, money: bool = False, per_theme: int | None = None) -> Programme:
    """The programme per pillar and theme (an initiative with two themes shows under both) in a fixed
    handful of queries: the initiatives with their themes and milestones, the totals per source.
    `per_theme`: only the latest that many per theme (the page); else all (the report, the files)."""
    if per_theme is None:
        initiatives = programme_initiatives(consultation.id, money=money)
        by_theme: dict[int, list[Initiative]] = {}
        for initiative in initiatives:
            for link in initiative.themes:
                by_theme.setdefault(link.theme_id, []).append(initiative)
        more = {}
        count = len(initiatives)
    else:
        by_theme, more, count = latest_per_theme(consultation, per_theme)
        initiatives = list({i.id: i for items in by_theme.values() for i in items}.values())
    pillars = [PillarGroup(p) for p in consultation.pillars] + [PillarGroup(None)]
    index = {p.pillar.id: p for p in pillars if p.pillar is not None}
    for theme in consultation.themes:
        group = index.get(theme.pillar_id, pillars[-1])
        group.themes.append(ThemeGroup(theme, by_theme.get(theme.id, []), more.get(theme.id, False)))
    pillars = [p for p in pillars if p.themes]
    return Programme(consultation, initiatives, pillars, source_totals(consultation.id), count)


# The page and the report ---------------------------------------------------------------------------


@bp.get("/consultaties/<slug>/uitvoeringsprogramma")
@public_page
def programme_page(slug: str):
    consultation = _load(slug)
    return render_template(
        "initiatives/programme.html",
        consultation=consultation,
        programme=programme(consultation, per_theme=PER_THEME),
        may_update=operations.may_bulk_update(current_user),
    )


def _page_css() -> str:
    font = 'font: 9pt "DejaVu Sans", sans-serif; color: #444;'
    page, of = (_css_text(_("Pagina")), _css_text(_("van")))
    return (
        "@page { size: A4; margin: 2.2cm 2cm 2.4cm; "
        f'@bottom-center {{ content: {page} " " counter(page) " " {of} " " counter(pages); {font} }} }}'
    )


def _css_text(text: str) -> str:
    return '"' + str(text).replace("\\", "\\\\").replace('"', '\\"') + '"'


@bp.get("/consultaties/<slug>/uitvoeringsprogramma.pdf")
def programme_pdf(slug: str):
    consultation = _load(slug)

    def render() -> bytes:
        from weasyprint import CSS, HTML  # heavy import, only where a PDF is made

        html = render_template(
            "initiatives/programme_pdf.html",
            consultation=consultation,
            programme=programme(consultation, per_theme=PDF_PER_THEME),
            details=programme_initiatives(consultation.id, money=True, latest=PDF_DETAILS),
            per_theme=PDF_PER_THEME,
            today=date.today(),
        )
        stylesheets = [CSS(filename=str(PRINT_CSS)), CSS(string=_page_css())]
        # One PDF for every reader: links resolve against the configured site, not the Host header.
        base_url = current_app.config["BASE_URL"].rstrip("/") + "/"
        # PDF/UA-1: a tagged PDF (structure, reading order, language), as the Nota's.
        return HTML(string=html, base_url=base_url).write_pdf(stylesheets=stylesheets, pdf_variant="pdf/ua-1")

    pdf = shared_document("programme-pdf", render)
    return Response(
        pdf,
        mimetype="application/pdf",
        headers={
            "Content-Disposition": f'attachment; filename="uitvoeringsprogramma-{consultation.slug}.pdf"',
            "Cache-Control": "no-store",
        },
    )


# The spreadsheet (written here, read back by the bulk update) ------------------------------------


def header(sources: list[FundingSource]) -> list[str]:
    columns = [
        operations.COLUMN_ID,
        operations.COLUMN_TITLE,
        operations.COLUMN_STATE,
        operations.COLUMN_PROGRESS,
        operations.COLUMN_MILESTONES_DONE,
        operations.COLUMN_MILESTONES_TOTAL,
    ]
    for source in sources:
        columns += [operations.granted_column(source), operations.spent_column(source)]
    return columns


def csv_amount(cents: int) -> str:
    """Euros as Dutch spreadsheets read a number: a decimal comma, no thousands separator ("1250000,50")."""
    whole, fraction = divmod(cents, 100)
    return f"{whole},{fraction:02d}"


def table(consultation: Consultation) -> tuple[list[FundingSource], list[Initiative]]:
    sources = [t.source for t in source_totals(consultation.id)]
    return sources, programme_initiatives(consultation.id, money=True)


def _cells(initiative: Initiative, sources, amount) -> list:
    row = [
        initiative.id,
        initiative.title,
        initiative.state.label,
        initiative.progress,
        initiative.milestones_done,
        len(initiative.milestones),
    ]
    for source in sources:
        row += [amount(initiative.granted_for(source.id)), amount(initiative.spent_for(source.id))]
    return row


@bp.get("/consultaties/<slug>/uitvoeringsprogramma.csv")
def programme_csv(slug: str):
    """One row per initiative in the programme (Dutch Excel CSV: `;`, BOM, decimal comma)."""
    consultation = _load(slug)
    sources, initiatives = table(consultation)
    rows = [header(sources), *(_cells(i, sources, csv_amount) for i in initiatives)]
    return csvexport.csv_response(csvexport.rows_text(rows), f"uitvoeringsprogramma-{consultation.slug}.csv")


@bp.get("/consultaties/<slug>/uitvoeringsprogramma.xlsx")
def programme_xlsx(slug: str):
    """The same rows as the CSV, as a workbook: amounts are numbers in euros with two decimals."""
    from openpyxl import Workbook

    consultation = _load(slug)
    sources, initiatives = table(consultation)
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Uitvoeringsprogramma"
    sheet.append(header(sources))
    for initiative in initiatives:
        cells = _cells(initiative, sources, lambda cents: Decimal(cents) / 100)
        cells[1], cells[2] = csvexport.safe_cell(cells[1]), csvexport.safe_cell(cells[2])
        sheet.append(cells)
    for row in sheet.iter_rows(min_row=2, min_col=7):
        for cell in row:
            cell.number_format = "#,##0.00"
    sheet.freeze_panes = "B2"
    sheet.column_dimensions["B"].width = 50
    return csvexport.xlsx_response(workbook, f"uitvoeringsprogramma-{consultation.slug}.xlsx")


# The bulk update ------------------------------------------------------------------------------------


class UploadForm(FlaskForm):
    file = FileField(
        _l("Bestand (CSV of Excel)"),
        description=_l("Het bestand dat u hierboven downloadt, na het bijwerken. Hoogstens 2 MB."),
    )


class ConfirmForm(FlaskForm):
    plan = HiddenField()


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=_SALT)


def _require_manager(slug: str) -> Consultation:
    consultation = load_consultation(slug, loads=(so.selectinload(Consultation.funding_sources),))
    if not operations.may_bulk_update(current_user):
        abort(403)
    return consultation


def _upload_page(consultation: Consultation, *, form=None, error: str | None = None, status: int = 200):
    return (
        render_template(
            "initiatives/programme_upload.html",
            consultation=consultation,
            form=form or UploadForm(formdata=None),
            error=error,
        ),
        status,
    )


def _refused_upload(error: OperationError, slug: str):
    return _upload_page(_require_manager(slug), error=error.message, status=error.status_code)


@bp.route("/consultaties/<slug>/uitvoeringsprogramma/bijwerken", methods=["GET", "POST"])
@login_required
@show_refusal(_refused_upload)
def programme_upload(slug: str):
    consultation = _require_manager(slug)
    if request.method == "GET":
        return _upload_page(consultation)
    form = UploadForm()
    if not form.validate_on_submit():
        return _upload_page(
            consultation, form=form, error=_("Het formulier is verlopen; probeer het opnieuw."), status=400
        )
    file = form.file.data
    if file is None or not getattr(file, "filename", ""):
        return _upload_page(consultation, form=form, error=_("Kies een CSV- of Excel-bestand."), status=400)
    data = file.read(MAX_UPLOAD_BYTES + 1)
    if len(data) > MAX_UPLOAD_BYTES:
        return _upload_page(consultation, form=form, error=_("Het bestand is groter dan 2 MB."), status=400)
    plan = operations.check_bulk_update(current_user, consultation, tables.read_table(data, file.filename))
    confirm = ConfirmForm(formdata=None, plan=_serializer().dumps(plan.payload))
    return render_template(
        "initiatives/programme_preview.html",
        consultation=consultation,
        plan=plan,
        form=confirm,
        filename=file.filename,
    ), (400 if plan.errors else 200)


def _refused_confirm(error: OperationError, slug: str):
    consultation = _require_manager(slug)
    return render_template(
        "initiatives/programme_upload.html",
        consultation=consultation,
        form=UploadForm(formdata=None),
        error=error.message,
    ), error.status_code


@bp.post("/consultaties/<slug>/uitvoeringsprogramma/bevestigen")
@login_required
@show_refusal(_refused_confirm)
def programme_confirm(slug: str):
    consultation = _require_manager(slug)
    form = ConfirmForm()
    if not form.validate_on_submit():
        raise OperationError(_("Het formulier is verlopen; lees het bestand opnieuw in."))
    try:
        payload = _serializer().loads(form.plan.data or "")
    except BadSignature as exc:
        raise OperationError(_("De gegevens van de controle zijn onleesbaar. Lees het bestand opnieuw in.")) from exc
    count = operations.bulk_update(current_user, consultation, payload)
    flash(
        ngettext(
            "Het uitvoeringsprogramma is bijgewerkt (%(num)d initiatief).",
            "Het uitvoeringsprogramma is bijgewerkt (%(num)d initiatieven).",
            count,
        ),
        "success",
    )
    return redirect(url_for("initiatives.programme_page", slug=consultation.slug), 303)
