"""PDF uploads are checked by content and stored under a random name; Markdown is sanitised."""

import pytest
from flask import current_app
from pypdf.generic import NameObject

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


def _pdf(build) -> bytes:
    """A one-page PDF made here with pypdf; `build(writer, page)` adds what the case needs."""
    import io

    from pypdf import PdfWriter

    writer = PdfWriter()
    page = writer.add_blank_page(width=595, height=842)
    build(writer, page)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _action(kind: str, **entries):
    from pypdf.generic import DictionaryObject, TextStringObject

    action = DictionaryObject({NameObject("/S"): NameObject(kind)})
    for key, value in entries.items():
        action[NameObject(f"/{key}")] = value if not isinstance(value, str) else TextStringObject(value)
    return action


def _open_action_js(writer, page):
    writer._root_object[NameObject("/OpenAction")] = writer._add_object(_action("/JavaScript", JS="app.alert(1)"))


def _names_js(writer, page):
    from pypdf.generic import ArrayObject, DictionaryObject, TextStringObject

    tree = DictionaryObject(
        {NameObject("/Names"): ArrayObject([TextStringObject("init"), _action("/JavaScript", JS="app.alert(0)")])}
    )
    writer._root_object[NameObject("/Names")] = DictionaryObject({NameObject("/JavaScript"): tree})


def _page_aa(writer, page):
    from pypdf.generic import DictionaryObject

    page[NameObject("/AA")] = DictionaryObject({NameObject("/O"): _action("/JavaScript", JS="app.alert(2)")})


def _annotation(action_builder):
    def build(writer, page):
        from pypdf.annotations import Link

        link = Link(rect=(50, 50, 200, 80), url="https://assen.nl")
        link[NameObject("/A")] = action_builder()
        writer.add_annotation(page_number=0, annotation=link)

    return build


def _chained_js():
    # An innocent-looking URI action whose /Next runs JavaScript.
    from pypdf.generic import TextStringObject

    return _action("/URI", URI=TextStringObject("https://assen.nl"), Next=_action("/JavaScript", JS="app.alert(3)"))


def _many_pages(count):
    def build(writer, page):
        for _ in range(count - 1):
            writer.add_blank_page(width=595, height=842)

    return build


def _locked(writer, page):
    writer.encrypt(user_password="geheim", owner_password="nog-geheimer", algorithm="AES-128")


ACTIVE = "JavaScript of een actie die een programma start"
UNREADABLE = "kan niet worden gelezen"


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (_open_action_js, ACTIVE),
        (_names_js, ACTIVE),
        (_page_aa, ACTIVE),
        (_annotation(lambda: _action("/Launch", F="C:\\Windows\\System32\\calc.exe")), ACTIVE),
        (_annotation(lambda: _action("/JavaScript", JS="app.alert(4)")), ACTIVE),
        (_annotation(_chained_js), ACTIVE),
        (_many_pages(501), "hoogstens 500"),
        (_locked, "wachtwoord"),
    ],
    ids=[
        "open-action-js",
        "names-js",
        "page-aa",
        "launch-annotation",
        "js-annotation",
        "chained-js",
        "501-pages",
        "locked",
    ],
)
def test_save_pdf_refuses_active_content_too_many_pages_and_locked_files(app, build, message):
    with pytest.raises(OperationError, match=message):
        uploads.save_pdf(pdf_upload(_pdf(build)))
    assert _stored_files() == []


@pytest.mark.parametrize(
    "content",
    [
        b"%PDF-<script>alert(document.domain)</script>",
        b"%PDF-1.4\n<html><body><script>alert(1)</script></body></html>\n%%EOF\n",
        b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer <<>>\n%%EOF\n",
        b"%PDF-1.4\n" + b"\x00\xff" * 500,
    ],
    ids=["polyglot", "html-polyglot", "no-pages", "garbage"],
)
def test_save_pdf_refuses_files_that_do_not_parse(app, content):
    with pytest.raises(OperationError, match=UNREADABLE):
        uploads.save_pdf(pdf_upload(content))
    assert _stored_files() == []


def test_a_polyglot_hiding_markup_behind_a_real_pdf_header_is_refused(app):
    from tests.consultations.factories import pdf_bytes

    real = pdf_bytes()
    header, rest = real.split(b"\n", 1)
    with pytest.raises(OperationError, match=UNREADABLE):
        uploads.save_pdf(pdf_upload(header + b"\n%<script>alert(1)</script>\n" + rest))


def test_save_pdf_accepts_plain_links_and_500_pages(app):
    from pypdf.annotations import Link

    def build(writer, page):
        writer.add_annotation(page_number=0, annotation=Link(rect=(50, 50, 200, 80), url="https://assen.nl"))
        _many_pages(500)(writer, page)

    stored = uploads.save_pdf(pdf_upload(_pdf(build)))
    assert stored.size_bytes > 0


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
