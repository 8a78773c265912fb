"""The Nota as PDF on paper: long text whole and inside the margins, no heading alone at a page's foot,
characters outside the body font drawn, and a tagged PDF in the document's language."""

from __future__ import annotations

import re
import subprocess
import zlib
from html import unescape

import pytest

from partner_portal.extensions import db
from partner_portal.responses.models import ResponseState
from tests import factories
from tests.responses import factories as rf

S = ResponseState

# A pasted link of 400 characters without a space or hyphen: nowhere for a line to break.
LONG_URL = "https://www.assen.nl/binnenstad/koopmanskwartier?" + "&".join(
    f"plek{n}=brink{n}oudestraat{n}" for n in range(40)
)
LONG_URL = LONG_URL[:400]
assert len(LONG_URL) == 400
# A pictograph, symbols and letters that DejaVu Sans (the body font) has no glyph for.
OUTSIDE_BODY_FONT = "Terrassen 🍻 en markten 🛍 aan de Brink 😀"
PT_PER_CM = 72 / 2.54
A4_WIDTH = 21 * PT_PER_CM
A4_HEIGHT = 29.7 * PT_PER_CM
SIDE_MARGIN = 2 * PT_PER_CM  # the @page margins of the Nota: 2.2 cm, 2 cm, 2.4 cm
TOP_MARGIN, BOTTOM_MARGIN = 2.2 * PT_PER_CM, 2.4 * PT_PER_CM


def _pdf(client, world, login_as, tmp_path):
    login_as(world.moderator)
    response = client.get(f"/consultaties/{world.consultation.slug}/nota.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    path = tmp_path / "nota.pdf"
    path.write_bytes(response.data)
    return path


def _run(*args) -> str:
    return subprocess.run(list(args), capture_output=True, text=True, check=True).stdout


def _words(path) -> list[list[dict]]:
    """Every word of every page with its box (points), from pdftotext's bounding-box output."""
    xhtml = _run("pdftotext", "-bbox", str(path), "-")
    pages = []
    for page in re.findall(r"<page (.*?)</page>", xhtml, re.S):
        words = []
        for attrs, text in re.findall(r"<word ([^>]*)>(.*?)</word>", page):
            box = {k: float(v) for k, v in re.findall(r'(\w+)="([\d.]+)"', attrs)}
            words.append({**box, "text": unescape(text)})
        pages.append(words)
    return pages


@pytest.fixture
def long_texts(world):
    r = rf.response(world.consultation, world.group, S.accepted, answered=True)
    r.positions[0].explanation = f"Zie de kaart: {LONG_URL}"
    r.answers[0].explanation = f"Antwoord met dezelfde kaart: {LONG_URL}"
    r.collaboration_conditions = f"Voorwaarden: {LONG_URL}"
    r.positions[1].explanation = OUTSIDE_BODY_FONT
    db.session.commit()
    return r


def test_long_unbroken_text_is_wrapped_whole_inside_the_margins(client, world, login_as, tmp_path, long_texts):
    pdf = _pdf(client, world, login_as, tmp_path)
    text = re.sub(r"\s+", "", _run("pdftotext", str(pdf), "-"))
    # Explanation, answer and conditions: all three links arrive whole (before: 83 of 400 characters).
    assert text.count(LONG_URL) == 3
    for number, words in enumerate(_words(pdf), start=1):
        for word in words:
            assert word["xMin"] >= SIDE_MARGIN - 1 and word["xMax"] <= A4_WIDTH - SIDE_MARGIN + 1, (
                f"page {number}: {word['text'][:40]!r} at x {word['xMin']:.0f}–{word['xMax']:.0f} pt "
                f"is outside the margins ({SIDE_MARGIN:.0f}–{A4_WIDTH - SIDE_MARGIN:.0f} pt)"
            )


def test_wide_tables_stay_inside_the_margins(client, world, login_as, tmp_path):
    """The summary has a column per position and per verdict (nine in all): it fits the text width."""
    rf.response(world.consultation, world.group, S.accepted, answered=True)
    db.session.commit()
    pdf = _pdf(client, world, login_as, tmp_path)
    summary = [page for page in _words(pdf) if any(w["text"] == "Samenvatting" for w in page)][-1]
    assert summary, "no summary page"
    for word in summary:
        assert word["xMin"] >= SIDE_MARGIN - 1 and word["xMax"] <= A4_WIDTH - SIDE_MARGIN + 1, word


def test_no_heading_is_left_alone_at_the_foot_of_a_page(client, world, login_as, tmp_path):
    """Many groups with long texts, so that page breaks fall everywhere: a page never ends with a heading."""
    groups = [world.group, world.other_group] + [factories.sector_group(f"groep-{n}", f"Groep {n}") for n in range(6)]
    paragraph = " ".join(["Een toelichting van de sectorgroep over dit thema, met redenen en voorwaarden."] * 6)
    for n, group in enumerate(groups):
        r = rf.response(world.consultation, group, S.accepted, answered=True)
        for k, position in enumerate(r.positions):
            position.explanation = "\n\n".join([paragraph] * (1 + (n * 5 + k) % 9))
        for k, answer in enumerate(r.answers):
            answer.explanation = "\n\n".join([paragraph] * (1 + (n * 3 + k) % 4))
    db.session.commit()
    pdf = _pdf(client, world, login_as, tmp_path)
    headings = {"Sectorgroep " + g.name for g in groups} | {t.title for t in world.consultation.themes}
    headings |= {"Reacties en antwoorden per thema", "Standpunten over de structurele samenwerking", "Samenvatting"}
    for number, words in enumerate(_words(pdf), start=1):
        # The page's own text, without what the page margins hold (CONCEPT above, page numbers below).
        body = [w for w in words if w["yMin"] >= TOP_MARGIN and w["yMax"] <= A4_HEIGHT - BOTTOM_MARGIN]
        if not body:
            continue
        last_line_y = max(w["yMax"] for w in body)
        last_line = " ".join(w["text"] for w in body if abs(w["yMax"] - last_line_y) < 2)
        assert last_line not in headings, f"page {number} ends with the heading {last_line!r}"
        # The label lines that open a position and an answer (each followed by its explanation here).
        assert not re.match(r"(Standpunt|Reactie gemeente):", last_line), f"page {number} ends with {last_line!r}"


def test_characters_outside_the_body_font_are_drawn(client, world, login_as, tmp_path, long_texts):
    pdf = _pdf(client, world, login_as, tmp_path)
    fonts = _run("pdffonts", str(pdf))
    # The body font has no pictographs: another font is embedded for them, and they read back as text.
    assert re.search(r"Symbola|Emoji", fonts), fonts
    text = _run("pdftotext", str(pdf), "-")
    assert OUTSIDE_BODY_FONT in re.sub(r"[ \t]*\n[ \t]*", " ", text)


def test_the_nota_pdf_is_tagged_and_has_its_language(client, world, login_as, tmp_path):
    rf.response(world.consultation, world.group, S.accepted, answered=True)
    db.session.commit()
    pdf = _pdf(client, world, login_as, tmp_path)
    info = _run("pdfinfo", str(pdf))
    assert re.search(r"^Tagged:\s+yes$", info, re.M), info
    assert "/Lang (nl)" in _catalog(pdf.read_bytes())
    # The structure tree has the document's headings and table structure.
    structure = _run("pdfinfo", "-struct", str(pdf))
    roles = {line.split()[0].rstrip(":") for line in structure.splitlines() if line.strip()}
    assert {"Document", "H1", "H2", "H3", "Table", "TH", "TD", "L", "LI"} <= roles, roles
    assert "/Headers" in structure  # data cells name their row and column headers


def _catalog(data: bytes) -> str:
    """The PDF's catalog dictionary (kept in a compressed object stream by a PDF 1.7 writer)."""
    for match in re.finditer(rb"stream\r?\n", data):
        end = data.find(b"endstream", match.end())
        try:
            chunk = zlib.decompress(data[match.end() : end])
        except zlib.error:
            continue
        found = re.search(rb"<</Type /Catalog.*?>>", chunk, re.S)
        if found:
            return found.group(0).decode("latin-1")
    found = re.search(rb"<</Type /Catalog.*?>>", data, re.S)
    return found.group(0).decode("latin-1") if found else ""
