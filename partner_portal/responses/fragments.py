"""Shared page fragments of a formal response, rendered once per change for everyone who sees the same."""

from __future__ import annotations

from flask import render_template
from markupsafe import Markup

from partner_portal.core.pagecache import shared_fragment
from partner_portal.responses.models import FormalResponse


def response_fragment(response: FormalResponse, template: str, **flags: bool) -> Markup:
    """`template` about the response, rendered once per change for everyone who may see the page
    and sees it with the same `flags` (see core/pagecache.py); nothing personal goes in it."""

    def render() -> str:
        return render_template(template, response=response, consultation=response.consultation, **flags)

    return shared_fragment(template, render, variant=",".join(sorted(name for name, on in flags.items() if on)))
