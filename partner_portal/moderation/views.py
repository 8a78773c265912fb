"""The gemeente's side: the moderation queue, reviewing a response, answers and the Nota van beantwoording."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from flask import Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from sqlalchemy import orm as so
from wtforms import SelectField
from wtforms.fields.choices import SelectChoice

from partner_portal import navigation
from partner_portal.auth.models import StaffRole, User
from partner_portal.commitments.models import Commitment, CommitmentState
from partner_portal.consultations.loading import load_consultation_light
from partner_portal.consultations.models import Consultation, ConsultationStatus
from partner_portal.core import csvexport, merge, workflow
from partner_portal.core.errors import Conflict, OperationError
from partner_portal.core.forms import LeanSelect, ReasonForm, conflict_panel, refill_conflict
from partner_portal.core.pagecache import public_page, shared_document, shared_fragment
from partner_portal.core.transaction import show_refusal
from partner_portal.extensions import db
from partner_portal.initiatives.models import Initiative, InitiativeState
from partner_portal.moderation import bp
from partner_portal.moderation.forms import PublishNotaForm, QueueFilterForm
from partner_portal.moderation.nota import nota_content
from partner_portal.partners.models import Organisation, SectorGroup
from partner_portal.responses import operations, permissions
from partner_portal.responses.forms import answer_form
from partner_portal.responses.fragments import response_fragment
from partner_portal.responses.loading import last_moderator_message, load_response
from partner_portal.responses.models import LABELS, SUBMITTED_STATES, FormalResponse, Publication, ResponseState
from partner_portal.responses.workflow import RESPONSE

PER_PAGE = 20

navigation.register("moderation.queue", _l("Moderatie"), permissions.can_moderate, order=65)
navigation.set_start_page(StaffRole.moderator, "moderation.queue")


def _require_moderation() -> None:
    if not permissions.can_moderate(current_user):
        abort(403)


# Queue ------------------------------------------------------------------------------------------


FILTER_CONSULTATIONS = 50


def _filter_consultations(selected: int | None) -> list:
    """The consultation filter's options: the newest ones and the one selected. Older consultations
    are reached from their own pages (the "Moderatie" link), so the list stays short at any size."""
    rows = db.session.execute(
        sa.select(Consultation.id, Consultation.title, Consultation.slug, Consultation.status)
        .order_by(Consultation.id.desc())
        .limit(FILTER_CONSULTATIONS)
    ).all()
    if selected and all(row.id != selected for row in rows):
        rows += db.session.execute(
            sa.select(Consultation.id, Consultation.title, Consultation.slug, Consultation.status).where(
                Consultation.id == selected
            )
        ).all()
    return rows


@bp.get("/beheer/reacties")
@login_required
def queue():
    """Everything ever submitted (drafts are the group's own), oldest submission first, filtered."""
    _require_moderation()
    # The list is the same for every gemeente user: rendered once per change (see core/pagecache.py).
    return render_template(
        "shared_list.html", title=_("Moderatie"), content=shared_fragment("moderation-queue", _queue_content)
    )


KINDS = {"alle", "reacties", "initiatieven", "convenanten"}
# Initiatives reach the queue once submitted: a draft is its initiators' own.
INITIATIVE_STATES = tuple(s for s in InitiativeState if s != InitiativeState.draft)
# Commitments proposed by a sector coordinator, in every state they can reach (the gemeente's own
# commitments are not proposals: they are on the consultation's commitments page).
PROPOSAL_STATES = tuple(CommitmentState)


class _QueueFilter(QueueFilterForm):
    """The queue's filter with the kind of item (responses, initiatives or both) and the initiative's state."""

    kind = SelectField(
        _l("Soort"),
        choices=[
            SelectChoice("alle", _l("reacties, initiatieven en voorgestelde convenanten")),
            SelectChoice("reacties", _l("alleen formele reacties")),
            SelectChoice("initiatieven", _l("alleen initiatieven")),
            SelectChoice("convenanten", _l("alleen voorgestelde convenanten")),
        ],
        default="alle",
        widget=LeanSelect(),
    )
    initiative_state = SelectField(
        _l("Status van het initiatief"),
        choices=[SelectChoice("", _l("alle"))] + [SelectChoice(s.value, s.label) for s in INITIATIVE_STATES],
        default="",
        widget=LeanSelect(),
    )
    commitment_state = SelectField(
        _l("Status van het voorgestelde convenant"),
        choices=[SelectChoice("", _l("alle"))] + [SelectChoice(s.value, s.label) for s in PROPOSAL_STATES],
        default="",
        widget=LeanSelect(),
    )


def _queue_content() -> str:
    consultations = _filter_consultations(request.args.get("consultation", type=int))
    groups = db.session.execute(sa.select(SectorGroup.id, SectorGroup.name).order_by(SectorGroup.position)).all()
    form = _QueueFilter(request.args)
    form.consultation.choices = [SelectChoice("", _("alle"))] + [
        SelectChoice(str(c.id), c.title) for c in consultations
    ]
    form.group.choices = [SelectChoice("", _("alle"))] + [SelectChoice(str(g.id), g.name) for g in groups]
    if request.args and not form.validate():
        abort(400)
    kind = form.kind.data if form.kind.data in KINDS else "alle"
    page = max(request.args.get("page", 1, type=int), 1)
    responses = _queue_responses(form, page) if kind in ("alle", "reacties") else None
    initiatives = (
        _queue_initiatives(form, page if kind == "initiatieven" else 1) if kind in ("alle", "initiatieven") else None
    )
    proposals = (
        _queue_proposals(form, page if kind == "convenanten" else 1) if kind in ("alle", "convenanten") else None
    )
    filters = {
        k: v
        for k, v in request.args.items()
        if k in ("consultation", "group", "state", "kind", "initiative_state", "commitment_state") and v
    }
    return render_template(
        "moderation/_queue.html",
        form=form,
        kind=kind,
        responses=responses,
        initiatives=initiatives,
        proposals=proposals,
        filters=filters,
        # The Nota of each running consultation, reachable from the moderators' start page.
        notas=[c for c in consultations if c.status != ConsultationStatus.draft][:5],
    )


def _counted_page(base, state_column, states, selected: str, options, order, page: int) -> dict:
    """One kind of the queue: the counts per state of `base` (one query) and one page of it, in
    `order`, filtered on the `selected` state (one query, loading only `options`)."""
    counts = dict(
        db.session.execute(base.with_only_columns(state_column, sa.func.count()).group_by(state_column)).all()
    )
    query = base.where(state_column == selected) if selected else base
    pagination = db.paginate(
        query.options(*options).order_by(*order),
        page=page,
        per_page=PER_PAGE,
        error_out=False,
        count=False,  # the counts per state already give the total
    )
    pagination.total = counts.get(selected, 0) if selected else sum(counts.values())
    return {
        "pagination": pagination,
        "counts": [(state, counts.get(state, 0)) for state in states],
        "total": sum(counts.values()),
    }


def _queue_responses(form, page: int) -> dict:
    """Submitted responses, oldest submission first."""
    base = sa.select(FormalResponse).where(FormalResponse.state.in_(SUBMITTED_STATES))
    if form.consultation.data:
        base = base.where(FormalResponse.consultation_id == int(form.consultation.data))
    if form.group.data:
        base = base.where(FormalResponse.sector_group_id == int(form.group.data))
    options = (
        # Only what a row shows: the list is the moderators' busiest page.
        so.load_only(FormalResponse.state, FormalResponse.publication, FormalResponse.submitted_at),
        so.joinedload(FormalResponse.sector_group).load_only(SectorGroup.name),
        so.joinedload(FormalResponse.consultation).load_only(Consultation.title),
    )
    order = (FormalResponse.submitted_at, FormalResponse.id)
    return _counted_page(base, FormalResponse.state, SUBMITTED_STATES, form.state.data, options, order, page)


def _queue_initiatives(form, page: int) -> dict:
    """Submitted initiatives (never drafts), oldest submission first. The sector group filter is
    the responses' own."""
    base = sa.select(Initiative).where(Initiative.state.in_(INITIATIVE_STATES))
    if form.consultation.data:
        base = base.where(Initiative.consultation_id == int(form.consultation.data))
    options = (
        so.load_only(Initiative.title, Initiative.state, Initiative.submitted_at),
        so.joinedload(Initiative.lead_organisation).load_only(Organisation.name),
        so.joinedload(Initiative.consultation).load_only(Consultation.title),
    )
    order = (Initiative.submitted_at, Initiative.id)
    return _counted_page(base, Initiative.state, INITIATIVE_STATES, form.initiative_state.data, options, order, page)


def _queue_proposals(form, page: int) -> dict:
    """Commitments proposed by sector coordinators, oldest proposal first, in every state (what was
    accepted or declined stays listed). The sector group filter is the proposing group."""
    base = sa.select(Commitment).where(Commitment.proposed_by_group_id.is_not(None))
    if form.consultation.data:
        base = base.where(Commitment.consultation_id == int(form.consultation.data))
    if form.group.data:
        base = base.where(Commitment.proposed_by_group_id == int(form.group.data))
    options = (
        so.load_only(Commitment.title, Commitment.state, Commitment.proposed_at),
        so.joinedload(Commitment.proposed_by_group).load_only(SectorGroup.name),
        so.joinedload(Commitment.consultation).load_only(Consultation.title),
    )
    order = (Commitment.proposed_at, Commitment.id)
    return _counted_page(base, Commitment.state, PROPOSAL_STATES, form.commitment_state.data, options, order, page)


# Review ----------------------------------------------------------------------------------------


def _review_page(
    response: FormalResponse,
    *,
    error: str | None = None,
    form=None,
    status: int = 200,
    failed_step: str | None = None,
    conflict: dict | None = None,
):
    themes = response.consultation.themes
    if form is None:
        stored = response.answer_values(themes)
        form = answer_form(
            response.consultation, data={**stored, "version": response.version, "base": merge.encode(stored)}
        )
    return (
        render_template(
            "moderation/review.html",
            response=response,
            consultation=response.consultation,
            transitions=[
                o.row
                for o in workflow.offered(current_user, response, RESPONSE, side="gemeente")
                if o.row.is_transition and o.open
            ],
            answer_form=form,
            answer_fields=[(t, form[f"verdict_{t.id}"], form[f"answer_{t.id}"]) for t in themes],
            moderator_message=last_moderator_message(response),
            content=response_fragment(response, "responses/_content.html", show_answers=False),
            error=error,
            conflict=conflict,
            # A refused step keeps what was typed in its reason field, and marks that field.
            failed_step=failed_step,
            typed_reason=request.form.get("reason", "") if failed_step else "",
        ),
        status,
    )


def _load_for_review(response_id: int, *, populate: bool = False) -> FormalResponse:
    _require_moderation()
    response = load_response(response_id, populate=populate)
    if response.state == ResponseState.draft:
        abort(404)
    return response


@bp.get("/beheer/reacties/<int:response_id>")
@login_required
def review(response_id: int):
    return _review_page(_load_for_review(response_id))


def _refused_review(error: OperationError, response_id: int, **_view_args):
    """The review page again after a refused step or answer, with what is stored and what was typed."""
    response = _load_for_review(response_id, populate=True)
    form = answer_form(response.consultation) if request.endpoint == "moderation.answer" else None
    if isinstance(error, operations.EditConflict):
        # Another moderator saved answers meanwhile: theirs merged in, only the answers both changed marked.
        refill_conflict(form, error, response.version)
        latest = max(response.answers, key=lambda a: a.drafted_at, default=None)
        by = db.session.get(User, latest.drafted_by_id) if latest and latest.drafted_by_id else None
        conflict = conflict_panel(form, error, by=by, me=current_user)
        return _review_page(response, form=form, status=409, conflict=conflict)
    return _review_page(
        response, form=form, error=error.message, status=error.status_code, failed_step=_view_args.get("name")
    )


@bp.post("/beheer/reacties/<int:response_id>/stap/<name>")
@login_required
@show_refusal(_refused_review)
def step(response_id: int, name: str):
    response = _load_for_review(response_id)
    transition = RESPONSE.transition(name)
    if transition is None or transition.side != "gemeente":
        abort(404)
    if not permissions.is_moderator(current_user):
        abort(403)  # the process manager follows the queue read-only
    form = ReasonForm()
    if not form.validate_on_submit():
        return _review_page(response, error=" ".join(str(e) for v in form.errors.values() for e in v), status=400)
    operations.take_step(current_user, response, name, version=form.version.data, reason=form.reason.data or "")
    flash(str(transition.success), "success")
    return redirect(url_for("moderation.review", response_id=response.id))


@bp.post("/beheer/reacties/<int:response_id>/antwoord")
@login_required
@show_refusal(_refused_review)
def answer(response_id: int):
    response = _load_for_review(response_id)
    if not workflow.can(current_user, response, RESPONSE, "answer"):
        abort(403)
    form = answer_form(response.consultation)
    if not form.validate_on_submit():
        return _review_page(response, form=form, status=400)
    themes = response.consultation.themes
    taken = operations.save_answers(
        current_user,
        response,
        {t.id: (form[f"verdict_{t.id}"].data or None, form[f"answer_{t.id}"].data) for t in themes},
        version=form.version.data,
        base=merge.decode(form.base.data),
    )
    if taken:
        flash(_("Een andere moderator had het antwoord intussen ook gewijzigd; die wijzigingen zijn bewaard."), "info")
    if response.answered_at:
        flash(_("Het antwoord is opgeslagen; elk thema is beantwoord. Het wordt openbaar met de Nota."), "success")
    else:
        flash(_("Het antwoord is opgeslagen als concept; nog niet elk thema is beantwoord."), "success")
    return redirect(url_for("moderation.review", response_id=response.id))


# Nota van beantwoording ----------------------------------------------------------------------------


def _load_nota(slug: str):
    """The consultation and its published Nota (None: a concept); before publication only for
    gemeente staff (404 for others)."""
    consultation = load_consultation_light(slug)
    nota = operations.nota_of(consultation)
    if nota is None and not permissions.can_see_draft_nota(current_user):
        abort(404)
    return consultation, nota


def _nota_page(slug: str, *, error: str | None = None, status: int = 200):
    consultation, nota = _load_nota(slug)

    def document() -> str:
        return render_template("moderation/_nota_document.html", content=nota_content(consultation, nota))

    return (
        render_template(
            "moderation/nota.html",
            consultation=consultation,
            nota=nota,
            # The same for everyone who may read it: rendered once per change (see core/pagecache.py).
            document=shared_fragment("nota", document),
            can_publish=permissions.can_publish_nota(current_user, consultation, nota),
            error=error,
        ),
        status,
    )


@bp.get("/consultaties/<slug>/nota")
@public_page
def nota(slug: str):
    return _nota_page(slug)


def _period(consultation) -> str:
    if not consultation.stages:
        return ""
    from partner_portal.consultations.stages import period_text

    return period_text(consultation.stages[0].starts_on, consultation.stages[-1].ends_on)


PRINT_CSS = Path(__file__).resolve().parent.parent / "static" / "css" / "nota-print.css"


def _css_text(text: str) -> str:
    """A translated text as a CSS string literal."""
    return '"' + str(text).replace("\\", "\\\\").replace('"', '\\"') + '"'


def _page_css(published: bool) -> str:
    """The page box: A4, page numbers ("Pagina 2 van 6") and, before publication, CONCEPT on every page."""
    font = 'font: 9pt "DejaVu Sans", sans-serif; color: #444;'
    # The texts are looked up outside the f-strings, where message extraction finds them.
    page, of, concept_text = _css_text(_("Pagina")), _css_text(_("van")), _css_text(_("CONCEPT"))
    concept = (
        ""
        if published
        else f'@top-right {{ content: {concept_text}; font: bold 10pt "DejaVu Sans", sans-serif; color: #b00020; }}'
    )
    return (
        "@page { size: A4; margin: 2.2cm 2cm 2.4cm; "
        f'@bottom-center {{ content: {page} " " counter(page) " " {of} " " '
        f"counter(pages); {font} }} {concept} }}\n"
        "@page :first { @bottom-center { content: none; } }"
    )


@bp.get("/consultaties/<slug>/nota.pdf")
def nota_pdf(slug: str):
    consultation, nota = _load_nota(slug)

    def render() -> bytes:
        from weasyprint import CSS, HTML  # heavy import, only where a PDF is made

        content = nota_content(consultation, nota)
        html = render_template("moderation/nota_pdf.html", consultation=consultation, content=content, period=_period)
        stylesheets = [CSS(filename=str(PRINT_CSS)), CSS(string=_page_css(content.is_published))]
        # One PDF is shared by every reader: resolve links against the configured site, never
        # against the Host header of whoever happened to ask first.
        base_url = current_app.config["BASE_URL"].rstrip("/") + "/"
        # PDF/UA-1: a tagged PDF (structure, reading order, the language of <html lang>), as a
        # gemeente must publish accessible documents.
        return HTML(string=html, base_url=base_url).write_pdf(stylesheets=stylesheets, pdf_variant="pdf/ua-1")

    # About 0.3 s to make, and the same for everyone who may read it: made once per change.
    pdf = shared_document("nota-pdf", render)
    name = f"nota-van-beantwoording-{consultation.slug}{'' if nota else '-concept'}.pdf"
    return Response(
        pdf,
        mimetype="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store"},
    )


CSV_COLUMNS = [
    "consultatie",
    "sectorgroep",
    "reactie",
    "openbaar",
    "thema",
    "standpunt",
    "toelichting",
    "reactie_gemeente",
    "toelichting_gemeente",
]


@bp.get("/consultaties/<slug>/nota.csv")
def nota_csv(slug: str):
    """One row per accepted response and theme; non-public responses without their text (Dutch Excel CSV)."""
    consultation, nota = _load_nota(slug)
    content = nota_content(consultation, nota)
    hidden = _("(niet openbaar)")
    rows = [CSV_COLUMNS]
    for section in content.sections:
        for entry in section.entries:
            public = entry.is_public
            position = entry.position.position if entry.position and entry.position.position else None
            rows.append(
                [
                    consultation.title,
                    entry.response.sector_group.name,
                    entry.response.id,
                    "ja" if public else "nee",
                    section.theme.title,
                    (LABELS[position] if position else "") if public else hidden,
                    (entry.position.explanation if entry.position else "") if public else hidden,
                    LABELS[entry.answer.verdict] if entry.answer else "",
                    (entry.answer.explanation if entry.answer else "") if public else hidden,
                ]
            )
    return csvexport.csv_response(csvexport.rows_text(rows), f"nota-van-beantwoording-{consultation.slug}.csv")


def _refused_publish(error: OperationError, slug: str):
    if isinstance(error, Conflict):  # published meanwhile (a second click, a colleague): show the Nota
        flash(error.message, "info")
        return redirect(url_for("moderation.nota", slug=slug)), 303
    return _publish_page(slug, form=PublishNotaForm(), error=error.message, status=error.status_code)


def _publish_page(slug: str, *, form=None, error: str | None = None, status: int = 200):
    """The confirmation page of publishing the Nota: what it does, and what is still open."""
    consultation, nota = _load_nota(slug)
    if not permissions.can_publish_nota(current_user, consultation, nota):
        abort(403)
    return (
        render_template(
            "moderation/publish_nota.html",
            consultation=consultation,
            readiness=operations.nota_readiness(consultation),
            form=form or PublishNotaForm(formdata=None),
            error=error,
        ),
        status,
    )


@bp.route("/consultaties/<slug>/nota/publiceren", methods=["GET", "POST"])
@login_required
@show_refusal(_refused_publish)
def publish_nota(slug: str):
    if not permissions.is_moderator(current_user):
        abort(403)
    if request.method == "GET":
        return _publish_page(slug)
    consultation = load_consultation_light(slug)
    form = PublishNotaForm()
    if not form.validate_on_submit():
        abort(400)
    operations.publish_nota(current_user, consultation, despite_open_stage=form.despite_open_stage.data)
    flash(_("De Nota van beantwoording is gepubliceerd; alle partners krijgen bericht."), "success")
    return redirect(url_for("moderation.nota", slug=slug))


@bp.app_context_processor
def moderation_helpers():
    return {"Publication": Publication, "ConsultationStatus": ConsultationStatus}
