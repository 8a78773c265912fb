"""User-written text: Markdown rendered without raw HTML and sanitised with an allow-list; line diffs."""

import difflib
import functools
import html as htmllib
import re

import nh3
from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml
from markupsafe import Markup

# Raw HTML in the source is shown as text, never passed through; tables and strikethrough on.
_markdown = MarkdownIt("commonmark", {"html": False, "breaks": True}).enable(["table", "strikethrough"])


def _image_as_text(self, tokens, idx, options, env) -> str:
    # Images are not allowed (no uploads through text); keep their description readable.
    return escapeHtml(self.renderInlineAsText(tokens[idx].children or [], options, env))


_markdown.add_render_rule("image", _image_as_text)

ALLOWED_TAGS = {
    "p",
    "br",
    "strong",
    "em",
    "s",
    "ul",
    "ol",
    "li",
    "a",
    "h2",
    "h3",
    "h4",
    "blockquote",
    "code",
    "pre",
    "hr",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
}
ALLOWED_ATTRIBUTES = {"a": {"href"}, "ol": {"start"}}
URL_SCHEMES = {"http", "https", "mailto"}
# The page owns its single <h1>: headings written by users start at level 2.
_HIGHEST_LEVEL, _LOWEST_LEVEL = 2, 4

_cleaner = nh3.Cleaner(
    tags=ALLOWED_TAGS,
    clean_content_tags={"script", "style"},
    attributes=ALLOWED_ATTRIBUTES,
    url_schemes=URL_SCHEMES,
    url_relative="deny",
    link_rel="nofollow noopener",
    set_tag_attribute_values={"th": {"scope": "col"}},
    strip_comments=True,
)


def _shift_headings(tokens) -> None:
    for token in tokens:
        if token.type in ("heading_open", "heading_close"):
            level = int(token.tag[1:]) + 1
            token.tag = f"h{min(max(level, _HIGHEST_LEVEL), _LOWEST_LEVEL)}"


def render_markdown(text: str | None) -> Markup:
    """Markdown to safe HTML: raw HTML is escaped, and only allow-listed tags, attributes and URL schemes remain."""
    if not text:
        return Markup("")
    return Markup(_safe_html(text))  # noqa: S704 (sanitised by the allow-list in _safe_html)


@functools.lru_cache(maxsize=2048)
def _safe_html(text: str) -> str:
    # A pure function of the text, and about 0.2 ms a text: a page with a response or the Nota
    # shows dozens, the same on every view, so the most recent results are kept per process.
    tokens = _markdown.parse(text)
    _shift_headings(tokens)
    html = _markdown.renderer.render(tokens, _markdown.options, {})
    return _cleaner.clean(html)


def diff_lines(old_text: str, new_text: str) -> list[tuple[str, str]]:
    """(kind, line) with kind "equal", "delete" or "insert", line by line."""
    old_lines, new_lines = old_text.splitlines(), new_text.splitlines()
    result: list[tuple[str, str]] = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(a=old_lines, b=new_lines, autojunk=False).get_opcodes():
        if tag == "equal":
            result.extend(("equal", line) for line in old_lines[i1:i2])
        else:
            result.extend(("delete", line) for line in old_lines[i1:i2])
            result.extend(("insert", line) for line in new_lines[j1:j2])
    return result


def line_changes(old_text: str, new_text: str) -> dict:
    """What changed between two versions of a text, for a page (templates/_macros/diff.html):
    the lines with text (blank lines that came or went say nothing to a reader) and how many
    were inserted and deleted."""
    lines = [(kind, line) for kind, line in diff_lines(old_text, new_text) if line.strip()]
    return {
        "lines": lines,
        "inserted": sum(1 for kind, _line in lines if kind == "insert"),
        "deleted": sum(1 for kind, _line in lines if kind == "delete"),
    }


def revision_pair(revisions, number: int, base_number: int | None):
    """(revision `number`, the one it is compared with) from an object's revisions: by default the
    one before (None for the first). None when either does not exist (the page answers 404)."""
    by_number = {r.number: r for r in revisions}
    base_number = number - 1 if base_number is None else base_number
    new = by_number.get(number)
    if new is None or base_number == number or (base_number >= 1 and base_number not in by_number):
        return None
    return new, by_number.get(base_number)


_BLOCK_END = re.compile(r"</(p|li|h[1-6]|blockquote|pre|tr)>|<br\s*/?>", re.I)


def markdown_to_plain(text: str | None) -> str:
    """User-written Markdown as the plain text a reader sees (for diffs and exports): no markers such
    as **, #, or list dashes; one line per paragraph or list item."""
    html = _BLOCK_END.sub("\n", str(render_markdown(text)))
    plain = htmllib.unescape(nh3.clean(html, tags=set()))
    return "\n".join(line.strip() for line in plain.splitlines() if line.strip())


def contains(column, text: str):
    """SQL condition: `column` contains `text`, case-insensitively, with `%` and `_` taken literally."""
    import sqlalchemy as sa

    escaped = text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return sa.func.lower(column).like(f"%{escaped}%", escape="\\")
