"""Reading HTML back in tests: every element with its attributes, as a browser would parse it."""

from html.parser import HTMLParser


class _Elements(HTMLParser):
    def __init__(self):
        super().__init__()
        self.elements: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, dict(attrs)))


def elements(html: str) -> list[tuple[str, dict[str, str | None]]]:
    """(tag, attributes) of every element in `html`; escaped text yields none."""
    parser = _Elements()
    parser.feed(html)
    return parser.elements
