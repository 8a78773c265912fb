"""On English pages, Dutch content (titles, themes, stages, texts people wrote) carries lang="nl"."""

from __future__ import annotations

from html.parser import HTMLParser

from partner_portal.consultations import operations as consultation_operations
from partner_portal.extensions import db
from partner_portal.responses.models import ResponseState
from tests.consultations import factories as cf
from tests.responses import factories as rf

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
SKIPPED = {"title", "script", "style", "option", "textarea"}  # text that cannot carry its own lang


class _TextLanguages(HTMLParser):
    """Every piece of text of a page with the language it is in (the nearest lang attribute)."""

    def __init__(self):
        super().__init__()
        self.stack: list[tuple[str, str | None]] = []
        self.texts: list[tuple[str, str]] = []

    def handle_starttag(self, tag, attrs):
        if tag not in VOID:
            self.stack.append((tag, dict(attrs).get("lang")))

    def handle_endtag(self, tag):
        for i in range(len(self.stack) - 1, -1, -1):
            if self.stack[i][0] == tag:
                del self.stack[i:]
                return

    def handle_data(self, data):
        if data.strip() and not any(tag in SKIPPED for tag, _ in self.stack):
            lang = next((lang for _, lang in reversed(self.stack) if lang), "")
            self.texts.append((lang, data))


def _unmarked(html: str, needles: set[str]) -> set[str]:
    parser = _TextLanguages()
    parser.feed(html)
    return {needle for lang, text in parser.texts if lang != "nl" for needle in needles if needle in text}


def test_dutch_content_is_marked_on_english_pages(client, world, login_as):
    c = world.consultation
    cf.vision_version(c)
    c.themes[0].summary = "Goed bereikbaar met de fiets, de bus en de auto."
    r = rf.response(c, world.group, ResponseState.accepted, answered=True, statement="Wij steunen de visie.")
    r.positions[0].explanation = "Parkeren in Mercurius blijft betaalbaar."
    r.answers[0].explanation = "De gemeente onderzoekt het avondtarief."
    r.collaboration_conditions = "Een eerlijke verdeling van de bijdrage."
    db.session.commit()
    consultation_operations.advance_stage(world.pm, c, version=c.version, reason="De reactietermijn is voorbij.")
    db.session.commit()
    dutch = {
        c.title,
        c.goal,
        *(t.title for t in c.themes),
        *(p.title for p in c.pillars),
        *(s.title for s in c.stages),
        c.themes[0].summary,
        "Wij steunen de visie.",
        "Parkeren in Mercurius blijft betaalbaar.",
        "De gemeente onderzoekt het avondtarief.",
        "Een eerlijke verdeling van de bijdrage.",
        "De reactietermijn is voorbij.",
        f"Tekst {c.pillars[0].title}",
    }
    login_as(world.admin)  # reads every page listed: the public ones, the moderation and the process pages
    with client.session_transaction() as session:
        session["locale"] = "en"
    base = f"/consultaties/{c.slug}"
    pages = [
        "/",
        "/consultaties",
        base,
        f"{base}/tijdlijn",
        f"{base}/procesverloop",
        f"{base}/visie",
        f"{base}/visie/versies",
        f"{base}/visie/pijlers/{c.pillars[0].slug}",
        f"{base}/visie/themas/{c.themes[0].slug}",
        f"{base}/reacties",
        f"/reacties/{r.id}",
        f"/beheer/reacties/{r.id}",
        "/beheer/reacties",
        f"{base}/nota",
        f"{base}/beheer",
        "/beheer/audittrail",
    ]
    problems = {}
    for path in pages:
        response = client.get(path)
        assert response.status_code == 200, path
        html = response.get_data(as_text=True)
        assert '<html lang="en" class="utrecht-root">' in html, path
        unmarked = _unmarked(html, dutch)
        if unmarked:
            problems[path] = sorted(unmarked)
    assert not problems, problems


def test_dutch_pages_carry_no_extra_lang(client, world):
    """On Dutch pages the content is in the page's own language: no lang attribute is added."""
    html = client.get(f"/consultaties/{world.consultation.slug}").get_data(as_text=True)
    assert '<html lang="nl" class="utrecht-root">' in html and 'lang="nl"' not in html.replace(
        '<html lang="nl" class="utrecht-root">', ""
    )
