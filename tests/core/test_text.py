"""Markdown rendering and sanitising: nothing executable survives, ordinary text stays readable."""

from urllib.parse import urlsplit

import pytest
from flask import render_template_string
from markupsafe import Markup

from partner_portal.core.text import ALLOWED_TAGS, render_markdown
from tests.conftest import make_app
from tests.htmlcheck import elements

HOSTILE = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    '<a href="javascript:alert(1)">klik</a>',
    "[klik](javascript:alert(1))",
    "[klik](JaVaScRiPt:alert(1))",
    "[klik](vbscript:msgbox(1))",
    "[klik](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "![x](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)",
    '<p style="color:red" onclick="alert(1)">tekst</p>',
    '<div onmouseover="alert(1)">tekst</div>',
    "<iframe src=https://evil.example></iframe>",
    "<svg><script>alert(1)</script></svg>",
    '<form action="https://evil.example"><input name=x></form>',
    "<style>body{display:none}</style>",
    '[klik](https://example.org "titel" onclick=alert(1))',
]


@pytest.mark.parametrize("source", HOSTILE)
def test_nothing_executable_survives(source):
    for tag, attrs in elements(str(render_markdown(source))):
        assert tag in ALLOWED_TAGS, f"tag <{tag}> survived"
        assert set(attrs) <= {"href", "rel", "start", "scope"}, f"attributes {attrs} survived on <{tag}>"
        if "href" in attrs:
            assert urlsplit(attrs["href"]).scheme in {"http", "https", "mailto"}, attrs["href"]


@pytest.mark.parametrize("source", HOSTILE)
def test_raw_html_is_shown_as_text_never_as_tags(source):
    html = str(render_markdown(source))
    for tag in ("<script", "<img", "<iframe", "<div", "<svg", "<form", "<style", "<input"):
        assert tag not in html


def test_event_handler_and_style_attributes_never_survive_sanitising():
    # Even if HTML got past the Markdown step, the allow-list drops the attributes.
    from partner_portal.core.text import _cleaner

    cleaned = _cleaner.clean('<p style="x" onclick="y">a</p><a href="https://a.nl" onfocus="z" style="q">b</a>')
    assert "style" not in cleaned and "onclick" not in cleaned and "onfocus" not in cleaned
    assert 'href="https://a.nl"' in cleaned


def test_only_http_https_and_mailto_links_remain():
    html = str(
        render_markdown("[a](https://a.nl) [b](http://b.nl) [c](mailto:c@example.org) [d](ftp://d.nl) [e](/relatief)")
    )
    hrefs = [attrs.get("href") for tag, attrs in elements(html) if tag == "a"]
    assert hrefs == ["https://a.nl", "http://b.nl", "mailto:c@example.org", None, None]
    assert html.count('rel="nofollow noopener"') == html.count("<a ")


def test_ordinary_markdown_renders():
    html = str(
        render_markdown(
            "# Kop\n\n**vet** en *schuin*\n\n- een\n- twee\n\n1. eerste\n\n> citaat\n\n`code`\n\n"
            "| a | b |\n|---|---|\n| 1 | 2 |"
        )
    )
    for fragment in (
        "<h2>Kop</h2>",
        "<strong>vet</strong>",
        "<em>schuin</em>",
        "<ul>",
        "<ol>",
        "<blockquote>",
        "<code>code</code>",
        '<th scope="col">a</th>',
        "<td>1</td>",
    ):
        assert fragment in html


def test_headings_never_compete_with_the_page_h1():
    html = str(render_markdown("# een\n\n## twee\n\n##### vijf"))
    assert "<h1" not in html and "<h5" not in html
    assert "<h2>een</h2>" in html and "<h3>twee</h3>" in html and "<h4>vijf</h4>" in html


def test_empty_text_gives_empty_markup():
    assert render_markdown("") == Markup("")
    assert render_markdown(None) == Markup("")


def test_special_characters_are_escaped_not_lost():
    html = str(render_markdown('Tom & Jerry < 3 > 2 "quote" café €'))
    assert "Tom &amp; Jerry &lt; 3 &gt; 2" in html
    assert "café €" in html


def test_markdown_template_filter_is_registered_and_safe():
    app = make_app("sqlite://")
    with app.test_request_context():
        rendered = render_template_string("{{ text|markdown }}", text="**ja** <script>alert(1)</script>")
    assert "<strong>ja</strong>" in rendered
    assert "<script>" not in rendered and "&lt;script&gt;" in rendered
