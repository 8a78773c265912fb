"""Routes: the commitment's PDF with its signatories (for publication) and a signature's PDF
receipt with its verification code. Tagged PDFs (PDF/UA-1), as the Nota's."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from flask import Response, current_app, render_template
from flask_babel import gettext as _
from flask_login import login_required

from partner_portal.commitments import bp
from partner_portal.commitments.public import commitment_context, load_commitment, load_signature, receipt_context
from partner_portal.core.pagecache import shared_document
from partner_portal.core.urls import external_url

PRINT_CSS = Path(__file__).resolve().parent.parent / "static" / "css" / "nota-print.css"


def _css_text(text: str) -> str:
    return '"' + str(text).replace("\\", "\\\\").replace('"', '\\"') + '"'


def _page_css() -> str:
    font = 'font: 9pt "DejaVu Sans", sans-serif; color: #444;'
    page, of = (_css_text(_("Pagina")), _css_text(_("van")))
    return (
        "@page { size: A4; margin: 2.2cm 2cm 2.4cm; "
        f'@bottom-center {{ content: {page} " " counter(page) " " {of} " " counter(pages); {font} }} }}'
    )


def write_pdf(html: str) -> bytes:
    from weasyprint import CSS, HTML  # heavy import, only where a PDF is made

    stylesheets = [CSS(filename=str(PRINT_CSS)), CSS(string=_page_css())]
    # One PDF for every reader: links resolve against the configured site, not the Host header.
    base_url = current_app.config["BASE_URL"].rstrip("/") + "/"
    return HTML(string=html, base_url=base_url).write_pdf(stylesheets=stylesheets, pdf_variant="pdf/ua-1")


def _pdf_response(pdf: bytes, filename: str) -> Response:
    return Response(
        pdf,
        mimetype="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{filename}"', "Cache-Control": "no-store"},
    )


@bp.get("/convenanten/<int:commitment_id>/convenant.pdf")
def commitment_pdf(commitment_id: int):
    """The current text with its hash, the totals and every signatory, for publication."""
    commitment = load_commitment(commitment_id)

    def render() -> bytes:
        context = commitment_context(commitment)
        page_url = external_url("commitments.show", commitment_id=commitment.id)
        return write_pdf(
            render_template("commitments/commitment_pdf.html", today=date.today(), page_url=page_url, **context)
        )

    return _pdf_response(shared_document("commitment-pdf", render), f"convenant-{commitment.id}.pdf")


@bp.get("/convenanten/<int:commitment_id>/ondertekeningen/<int:signature_id>/bewijs.pdf")
@login_required
def receipt_pdf(commitment_id: int, signature_id: int):
    """The signature's receipt with its verification code and the link to check it."""
    signature = load_signature(commitment_id, signature_id)
    context = receipt_context(signature)
    verify_url = external_url("commitments.verify", code=signature.verification_code)
    html = render_template("commitments/receipt_pdf.html", verify_url=verify_url, **context)
    return _pdf_response(write_pdf(html), f"ondertekening-{signature.id}.pdf")
