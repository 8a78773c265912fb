"""PDF uploads are checked by content and stored under a random name; Markdown is sanitised."""

import pytest
from flask import current_app

from partner_portal.core import uploads
from partner_portal.core.errors import OperationError
from partner_portal.core.text import render_markdown
from tests.consultations.factories import pdf_upload

pytestmark = pytest.mark.sqlite_only  # files on disk and Markdown: nothing here depends on the database


def _stored_files():
    folder = uploads.upload_folder()
    return sorted(p.name for p in folder.iterdir())


def test_save_pdf_stores_under_a_random_name_outside_static(app):
    stored = uploads.save_pdf(pdf_upload(name="../../etc/Visie Assen.pdf"))
    assert stored.original_name == "Visie Assen.pdf"
    assert stored.stored_name != stored.original_name and stored.stored_name.endswith(".pdf")
    assert stored.path.read_bytes().startswith(b"%PDF-")
    assert str(stored.path).startswith(current_app.config["UPLOAD_FOLDER"])
    assert stored.size_bytes == stored.path.stat().st_size and len(stored.sha256) == 64


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "leeg"),
        (b"<html><script>alert(1)</script></html>", "geen PDF"),
        (b"PK\x03\x04 zip pretending to be a pdf", "geen PDF"),
    ],
)
def test_save_pdf_refuses_bad_content(app, content, message):
    with pytest.raises(OperationError, match=message):
        uploads.save_pdf(pdf_upload(content, name="visie.pdf"))
    assert _stored_files() == []


def test_save_pdf_refuses_a_too_large_file_and_leaves_nothing(app):
    with pytest.raises(OperationError, match="te groot"):
        uploads.save_pdf(pdf_upload(b"%PDF-" + b"x" * 200_000), max_bytes=100_000)
    assert _stored_files() == []


def test_markdown_is_sanitised():
    html = str(
        render_markdown(
            "# Kop\n\n<script>alert(1)</script>\n\n[klik](javascript:alert(1)) [ok](https://assen.nl) **vet**"
        )
    )
    assert "<h1>" not in html and "<h2>Kop</h2>" in html
    assert "<script>" not in html and "&lt;script&gt;" in html and 'href="javascript' not in html
    assert 'href="https://assen.nl"' in html and "<strong>vet</strong>" in html
    assert render_markdown("") == ""
