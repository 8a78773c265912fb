"""What templates share beyond Flask's own: date formats and marking Dutch content on pages in another language."""

from __future__ import annotations

from flask import current_app
from flask_babel import get_locale
from markupsafe import Markup, escape

from partner_portal.core import dates, money


def content_language() -> str:
    """The language of what the consultation and its partners write (its titles, themes, texts)."""
    return current_app.config.get("CONTENT_LANGUAGE", "nl")


def _foreign() -> str | None:
    """The content language when the page is in another one, else None."""
    language = content_language()
    locale = get_locale()
    return language if locale is not None and locale.language != language else None


def in_content_language(value) -> Markup:
    """`{{ theme.title|nl }}`: inline content in its own language, marked as such on a page in another language."""
    text = escape("" if value is None else value)
    language = _foreign()
    return Markup('<span lang="{}">{}</span>').format(language, text) if language and text else text


def block_in_content_language(value) -> Markup:
    """`{{ text|markdown|nl_block }}`: rendered text (paragraphs, lists) marked with its language elsewhere."""
    html = escape("" if value is None else value)
    language = _foreign()
    return Markup('<div lang="{}">{}</div>').format(language, html) if language and html else html


def content_lang_attribute() -> Markup:
    """`<section{{ content_lang() }}>`: ` lang="nl"` on a page in another language, else nothing."""
    language = _foreign()
    return Markup(' lang="{}"').format(language) if language else Markup("")


def csrf_input(form) -> Markup:
    """`{{ csrf_input(form) }}`: the form's CSRF token field without an id (a page has several forms, and an
    id must be unique), or nothing where CSRF protection is off (some tests)."""
    token = getattr(form, "csrf_token", None)
    return token(id=False) if token is not None else Markup("")  # WTForms renders Markup


def register(app) -> None:
    app.add_template_filter(dates.date_text, "date_text")
    app.add_template_filter(money.format_euros, "euros")
    app.add_template_filter(dates.datetime_text, "datetime_text")
    app.add_template_filter(dates.machine_datetime, "machine_datetime")
    app.add_template_filter(in_content_language, "nl")
    app.add_template_filter(block_in_content_language, "nl_block")
    app.add_template_global(content_lang_attribute, "content_lang")
    app.add_template_global(csrf_input, "csrf_input")
