"""Uploaded files: checked by content, stored outside the web root under a random name, served as attachments.

PDFs and PNG/JPEG images are accepted, each recognised by its content (never by its name).
Features keep a `StoredFile` per upload (a vision PDF, a response attachment) and decide who
may download it; `send_stored_file` sends it with Content-Disposition: attachment.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime
from pathlib import Path
from urllib.parse import quote

import sqlalchemy as sa
from flask import Response, current_app
from flask_babel import gettext as _
from sqlalchemy import orm as so
from werkzeug.datastructures import FileStorage

from partner_portal.core.errors import OperationError
from partner_portal.core.models import UTCDateTime, utcnow
from partner_portal.extensions import db

PDF_MAGIC = b"%PDF-"
DEFAULT_MAX_PDF_BYTES = 20 * 1024 * 1024
MAX_PDF_PAGES = 500
_CHUNK = 64 * 1024
# Markup a browser would sniff as HTML in the first bytes (a "%PDF-" + <script> polyglot).
_HTML_MARKERS = (b"<script", b"<html", b"<!doctype", b"<body", b"<iframe", b"<svg", b"<?xml")
# Actions that run code or open other programs, wherever they hang in the document.
_ACTIVE_ACTIONS = {"/JavaScript", "/Launch", "/ImportData", "/RichMediaExecute"}
_ACTIVE_KEYS = {"/JS", "/JavaScript"}


class StoredFile(db.Model):
    """One uploaded file: where it is on disk (random name), what it was called, its size and hash."""

    __tablename__ = "stored_file"
    page_cache_unshown = True  # shown on no cached page: its attachment row is (see core/pagecache.py)
    __table_args__ = (sa.CheckConstraint("size_bytes > 0", name="not_empty"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    stored_name: so.Mapped[str] = so.mapped_column(sa.String(80), unique=True)
    original_name: so.Mapped[str] = so.mapped_column(sa.String(255))
    content_type: so.Mapped[str] = so.mapped_column(sa.String(100))
    size_bytes: so.Mapped[int]
    sha256: so.Mapped[str] = so.mapped_column(sa.String(64))
    uploaded_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    uploaded_by_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("user.id", ondelete="RESTRICT"), index=True)

    @property
    def path(self) -> Path:
        return upload_folder() / self.stored_name


def upload_folder() -> Path:
    folder = Path(current_app.config["UPLOAD_FOLDER"])
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _safe_original_name(name: str | None, default: str) -> str:
    name = (name or "").replace("\\", "/").rsplit("/", 1)[-1].strip()
    name = "".join(ch for ch in name if ch.isprintable() and ch not in '"<>:|?*')
    return name[:255] or default


def _unreadable() -> OperationError:
    return OperationError(_("Dit PDF-bestand kan niet worden gelezen: het is beschadigd of geen echte PDF."))


def _active_content(root) -> bool:
    """True when any object reachable from `root` is a JavaScript or launch action (or holds one)."""
    from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject

    seen: set[tuple[int, int]] = set()
    todo = [root]
    while todo:
        node = todo.pop()
        if isinstance(node, IndirectObject):
            key = (node.idnum, node.generation)
            if key in seen:
                continue
            seen.add(key)
            node = node.get_object()
        if isinstance(node, DictionaryObject):
            if str(node.get("/S", "")) in _ACTIVE_ACTIONS or _ACTIVE_KEYS & set(node.keys()):
                return True
            todo.extend(node.values())
        elif isinstance(node, ArrayObject):
            todo.extend(node)
    return False


def check_pdf(path: Path) -> None:
    """Refuse (OperationError) a PDF that does not parse, is locked, has more than MAX_PDF_PAGES
    pages, or carries JavaScript or launch actions (document open actions, name tree,
    page and annotation actions, form fields: everything reachable from the catalogue)."""
    from pypdf import PdfReader

    with path.open("rb") as fh:
        head = fh.read(1024).lower()
    if any(marker in head for marker in _HTML_MARKERS):
        raise _unreadable()
    try:
        reader = PdfReader(str(path), strict=False)
        if reader.is_encrypted and not reader.decrypt(""):
            raise OperationError(_("Dit PDF-bestand is beveiligd met een wachtwoord. Kies een PDF zonder wachtwoord."))
        pages = len(reader.pages)
        active = _active_content(reader.trailer["/Root"])
    except OperationError:
        raise
    except Exception as exc:  # pypdf raises many kinds of errors on broken files
        raise _unreadable() from exc
    if pages > MAX_PDF_PAGES:
        raise OperationError(
            _(
                "Dit PDF-bestand heeft %(pages)d pagina's; het mag er hoogstens %(max)d hebben.",
                pages=pages,
                max=MAX_PDF_PAGES,
            )
        )
    if active:
        raise OperationError(
            _("Dit PDF-bestand bevat JavaScript of een actie die een programma start. Kies een PDF zonder.")
        )


def _too_large(limit: int) -> OperationError:
    return OperationError(
        _("Het bestand is te groot; het mag hoogstens %(mb)d MB zijn.", mb=max(limit // (1024 * 1024), 1))
    )


def _store(file: FileStorage, head: bytes, *, suffix: str, limit: int, check) -> tuple[str, int, str]:
    """Write the upload (its first bytes `head` already read) under a random name, stopping at
    `limit` bytes, then run `check(path)`; anything refused leaves no file behind.
    Returns (stored name, size, sha256)."""
    stored_name = secrets.token_hex(20) + suffix
    target = upload_folder() / stored_name
    digest = hashlib.sha256(head)
    size = len(head)
    if size > limit:
        raise _too_large(limit)
    try:
        with target.open("xb") as out:
            out.write(head)
            while chunk := file.stream.read(_CHUNK):
                size += len(chunk)
                if size > limit:
                    raise _too_large(limit)
                digest.update(chunk)
                out.write(chunk)
        check(target)
    except BaseException:
        target.unlink(missing_ok=True)
        raise
    return stored_name, size, digest.hexdigest()


def _stored_file(file: FileStorage, actor, stored: tuple[str, int, str], *, content_type: str, default: str):
    stored_name, size, sha256 = stored
    row = StoredFile(
        stored_name=stored_name,
        original_name=_safe_original_name(file.filename, default),
        content_type=content_type,
        size_bytes=size,
        sha256=sha256,
        uploaded_by_id=getattr(actor, "id", None),
    )
    db.session.add(row)
    db.session.flush()
    return row


def _pdf_limit(max_bytes: int | None) -> int:
    return max_bytes or current_app.config.get("UPLOAD_MAX_PDF_BYTES", DEFAULT_MAX_PDF_BYTES)


def save_pdf(file: FileStorage, actor=None, *, max_bytes: int | None = None) -> StoredFile:
    """Store an uploaded PDF. Refuses (OperationError, nothing stored) an empty file, a file that is
    not a PDF by its content (it must start with %PDF- and parse, see `check_pdf`), one larger
    than the limit, one with too many pages, and one with JavaScript or launch actions."""
    head = file.stream.read(len(PDF_MAGIC))
    if not head:
        raise OperationError(_("Het bestand is leeg. Kies een PDF-bestand."))
    if head != PDF_MAGIC:
        raise OperationError(_("Dit bestand is geen PDF. Kies een PDF-bestand."))
    stored = _store(file, head, suffix=".pdf", limit=_pdf_limit(max_bytes), check=check_pdf)
    return _stored_file(file, actor, stored, content_type="application/pdf", default="document.pdf")


# Images: PNG and JPEG, recognised by their first bytes, then decoded in full ------------------------

# (magic bytes, content type, suffix, the decoder's name for the format)
IMAGE_TYPES = (
    (b"\x89PNG\r\n\x1a\n", "image/png", ".png", "PNG"),
    (b"\xff\xd8\xff", "image/jpeg", ".jpg", "JPEG"),
)
IMAGE_HEAD = 8  # enough bytes to tell the types above apart
DEFAULT_MAX_IMAGE_BYTES = 10 * 1024 * 1024
MAX_IMAGE_PIXELS = 40_000_000  # a small file that unpacks to a huge picture is refused too


def image_type(head: bytes) -> tuple[str, str, str] | None:
    """(content type, suffix, format) of a PNG or JPEG by its first bytes, or None."""
    for magic, content_type, suffix, fmt in IMAGE_TYPES:
        if head.startswith(magic):
            return content_type, suffix, fmt
    return None


def _unreadable_image() -> OperationError:
    return OperationError(_("Deze afbeelding kan niet worden gelezen: ze is beschadigd of geen echte PNG of JPEG."))


def check_image(path: Path, fmt: str) -> None:
    """Refuse (OperationError) an image that does not decode as `fmt`, or unpacks to too many pixels."""
    from PIL import Image

    with path.open("rb") as fh:
        head = fh.read(1024).lower()
    if any(marker in head for marker in _HTML_MARKERS):
        raise _unreadable_image()
    try:
        with Image.open(path, formats=[fmt]) as image:
            width, height = image.size
            if width * height > MAX_IMAGE_PIXELS:
                raise OperationError(_("Deze afbeelding is te groot om te tonen; kies een kleinere."))
            image.verify()
        with Image.open(path, formats=[fmt]) as image:
            image.load()  # verify() reads the structure; this decodes every pixel (a cut-off file fails)
    except OperationError:
        raise
    except Exception as exc:  # Pillow raises many kinds of errors on broken files
        raise _unreadable_image() from exc


def save_image(file: FileStorage, actor=None, *, max_bytes: int | None = None) -> StoredFile:
    """Store an uploaded PNG or JPEG. Refuses (OperationError, nothing stored) an empty file, one that
    is not a PNG or JPEG by its content (the name does not count), one larger than the limit, and
    one that does not decode."""
    head = file.stream.read(IMAGE_HEAD)
    if not head:
        raise OperationError(_("Het bestand is leeg. Kies een PNG- of JPEG-afbeelding."))
    kind = image_type(head)
    if kind is None:
        raise OperationError(_("Dit bestand is geen PNG- of JPEG-afbeelding."))
    content_type, suffix, fmt = kind
    limit = max_bytes or current_app.config.get("UPLOAD_MAX_IMAGE_BYTES", DEFAULT_MAX_IMAGE_BYTES)
    stored = _store(file, head, suffix=suffix, limit=limit, check=lambda path: check_image(path, fmt))
    return _stored_file(file, actor, stored, content_type=content_type, default="afbeelding" + suffix)


def save_pdf_or_image(file: FileStorage, actor=None, *, max_bytes: int | None = None) -> StoredFile:
    """Store an upload that is a PDF or a PNG or JPEG image, by its content (the rules of
    `save_pdf` and `save_image`); anything else is refused with one message naming all three."""
    head = file.stream.read(IMAGE_HEAD)
    file.stream.seek(0)
    if not head:
        raise OperationError(_("Het bestand is leeg. Kies een PDF-bestand of een PNG- of JPEG-afbeelding."))
    if head.startswith(PDF_MAGIC):
        return save_pdf(file, actor, max_bytes=max_bytes)
    if image_type(head) is not None:
        return save_image(file, actor, max_bytes=max_bytes)
    raise OperationError(_("Dit bestand is geen PDF en geen PNG- of JPEG-afbeelding."))


def is_image(stored: StoredFile) -> bool:
    return stored.content_type.startswith("image/")


def send_stored_file(stored: StoredFile, *, inline: bool = False) -> Response:
    """Send the file as a download (never rendered inline by the browser); `inline`: an image shown
    on a page (only PNG and JPEG that decoded in full when stored, see `save_image`).

    The file is opened only when the body is read, and closed when it is done.
    """
    path = stored.path

    def chunks():
        with path.open("rb") as fh:
            while chunk := fh.read(_CHUNK):
                yield chunk

    name = stored.original_name
    ascii_name = name.encode("ascii", "ignore").decode() or "document.pdf"
    response = Response(chunks(), mimetype=stored.content_type, direct_passthrough=True)
    response.headers["Content-Length"] = str(path.stat().st_size)
    disposition = "inline" if inline and is_image(stored) else "attachment"
    response.headers["Content-Disposition"] = (
        f"{disposition}; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name)}"
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "no-store"
    return response
