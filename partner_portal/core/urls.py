"""Absolute URLs for links that leave the site (mail, exports), the same in a request and in a worker."""

from flask import current_app


def external_url(endpoint: str, **values) -> str:
    """An absolute URL built on BASE_URL, so that links are the same in a request and in a worker."""
    base = current_app.config["BASE_URL"].rstrip("/")
    # Built on the URL map directly: url_for needs a request (or SERVER_NAME) to build at all.
    return base + current_app.url_map.bind("localhost").build(endpoint, values)
