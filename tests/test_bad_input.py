"""Input the database cannot take never gives a 500: every GET parameter the app reads and
every text field of every form, on both databases.

The routes come from the authorization matrix (every route in app.url_map has a rule there,
with the world its URLs are built from). The GET parameters a page reads are discovered by
recording which query keys it looks at; the forms by rendering the pages and reading their
fields. Then each parameter gets integers beyond 64 bits, a NUL and CR/LF, and each text
field of each form a NUL.
"""

from __future__ import annotations

from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from werkzeug.datastructures import ImmutableMultiDict

from tests.access import ROLES, build_world, log_in
from tests.test_access_matrix import RULES

HUGE = ["9" * 25, str(2**63)]
TEXT_BAD = ["a\x00b", "/\r\nSet-Cookie: x=1"]
TEXT_INPUTS = {"text", "search", "email", "password", "url", "tel", "hidden", "number", "date", ""}

_read_keys: set[str] = set()


class RecordingArgs(ImmutableMultiDict):
    """Query arguments that remember which keys a view asked for."""

    def get(self, key, default=None, type=None):
        _read_keys.add(key)
        return super().get(key, default, type)

    def getlist(self, key, type=None):
        _read_keys.add(key)
        return super().getlist(key, type)

    def __getitem__(self, key):
        _read_keys.add(key)
        return super().__getitem__(key)

    def __contains__(self, key):
        _read_keys.add(key)
        return super().__contains__(key)


class Forms(HTMLParser):
    """The forms of a page: method, action and their named fields (tag, type, value)."""

    def __init__(self):
        super().__init__()
        self.forms: list[dict] = []
        self._current: dict | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self._current = {
                "method": (a.get("method") or "get").lower(),
                "action": a.get("action") or "",
                "fields": [],
            }
            self.forms.append(self._current)
        elif self._current is not None and tag in ("input", "textarea", "select") and a.get("name"):
            kind = "textarea" if tag == "textarea" else ("select" if tag == "select" else (a.get("type") or "").lower())
            self._current["fields"].append((a["name"], kind, a.get("value") or ""))

    def handle_endtag(self, tag):
        if tag == "form":
            self._current = None


PREFERENCE = ("moderator", "administrator", "process_manager", "mkb_staff", "coordinator", "org_admin", "signatory")


def _roles_for(rule) -> list[str]:
    """One role that sees the page (staff first: they see the most forms), else anonymous."""
    seeing = [role for role in ROLES if rule.status_for(role) == 200]
    for role in PREFERENCE + ROLES:
        if role in seeing:
            return [role]
    return []


def _client(app, world, role):
    client = app.test_client()
    if role != "anonymous":
        log_in(client, world.users[role])
    return client


@pytest.fixture
def recording_app(app):
    app.request_class = type("RecordingRequest", (app.request_class,), {"parameter_storage_class": RecordingArgs})
    return app


@pytest.mark.app_config(WTF_CSRF_ENABLED=False, RATELIMIT_ENABLED=False)
def test_no_input_gives_a_500_on_any_get_parameter_or_form_field(recording_app):
    app = recording_app
    world = build_world()
    failures: list[str] = []
    forms_seen: set[tuple] = set()
    get_rules = [rule for rule in RULES if rule.method == "GET"]
    assert len(get_rules) > 30

    def check(response, what):
        if response.status_code >= 500:
            failures.append(f"{what}: {response.status_code}")

    for rule in get_rules:
        url = rule.url(world)
        for role in _roles_for(rule):
            client = _client(app, world, role)
            _read_keys.clear()
            page = client.get(url)
            if page.status_code != 200:
                continue
            parameters = set(_read_keys) - {"csrf_token"}
            parser = Forms()
            if page.mimetype == "text/html":
                parser.feed(page.get_data(as_text=True))
            for form in parser.forms:
                if form["method"] == "get":
                    parameters |= {name for name, _kind, _value in form["fields"]}
            for name in sorted(parameters):
                for value in HUGE + TEXT_BAD:
                    check(client.get(url, query_string={name: value}), f"{role} GET {url}?{name}={value!r}")
            for value in HUGE[:1] + TEXT_BAD[:1]:
                everything = dict.fromkeys(parameters, value)
                check(client.get(url, query_string=everything), f"{role} GET {url} with all of {sorted(parameters)}")

            for form in parser.forms:
                if form["method"] != "post":
                    continue
                action = urlsplit(form["action"]).path or urlsplit(url).path
                names = tuple(name for name, _kind, _value in form["fields"])
                if (action, names, role) in forms_seen:
                    continue
                forms_seen.add((action, names, role))
                defaults = {name: value for name, kind, value in form["fields"] if name != "csrf_token"}
                for name, kind, _value in form["fields"]:
                    if name == "csrf_token" or kind not in TEXT_INPUTS | {"textarea"}:
                        continue
                    data = {**defaults, name: "tekst\x00met een NUL"}
                    check(client.post(action, data=data), f"{role} POST {action} {name}=NUL (form on {url})")
                    if role != "anonymous":
                        log_in(client, world.users[role])
    assert forms_seen, "no form was found on any page"
    assert not failures, f"{len(failures)} requests gave a 500:\n" + "\n".join(failures[:60])


@pytest.mark.app_config(WTF_CSRF_ENABLED=False)
@pytest.mark.parametrize("target", ["/\r\nSet-Cookie: x=1", "/consultaties\n", "/\x0b/evil.example"])
def test_control_characters_in_the_language_switchs_next_return_home(client, target):
    response = client.post("/taal", data={"locale": "en", "next": target})
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
