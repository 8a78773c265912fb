"""The look: the NL Design System's CSS served by the app itself, and the gemeente's theme chosen by THEME."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from flask import Flask

from partner_portal import ROOT, check_theme

pytestmark = pytest.mark.sqlite_only

STATIC = ROOT / "partner_portal" / "static"
VENDOR = STATIC / "vendor" / "utrecht"


def _vendored_or_skip(name: str) -> Path:
    path = VENDOR / name
    if not path.is_file():
        reason = f"{path} is missing: `make install` copies it from npm"
        if os.environ.get("REQUIRE_BROWSER") == "1":
            pytest.fail(f"REQUIRE_BROWSER=1 but {reason}")
        pytest.skip(reason)
    return path


@pytest.mark.parametrize(
    ("name", "sample"),
    [("component-library.css", ".utrecht-button"), ("design-tokens.css", "--utrecht-button-primary-action-")],
)
def test_the_app_serves_the_nl_design_system_css_itself(client, name, sample):
    _vendored_or_skip(name)
    response = client.get(f"/static/vendor/utrecht/{name}")
    body = response.get_data(as_text=True)
    response.close()  # a static file is sent from an open file
    assert response.status_code == 200
    assert response.mimetype == "text/css"
    assert sample in body


def test_the_theme_file_is_served_and_holds_design_tokens_only(client):
    response = client.get("/static/themes/assen.css")
    body = response.get_data(as_text=True)
    response.close()
    assert response.status_code == 200 and response.mimetype == "text/css"
    css = re.sub(r"/\*.*?\*/", "", body, flags=re.S)
    blocks = re.findall(r"([^{}]+)\{([^{}]*)\}", css)
    assert [selector.strip() for selector, _ in blocks] == [":root"]
    declarations = [d.strip() for d in blocks[0][1].split(";") if d.strip()]
    assert declarations and all(d.startswith("--") for d in declarations), "a theme sets custom properties only"
    tokens = dict(d.split(":", 1) for d in declarations)
    assert tokens["--utrecht-button-primary-action-background-color"].strip() == "var(--assen-color-primary)"


def test_every_page_links_tokens_components_theme_then_layout_in_that_order(client):
    page = client.get("/login").get_data(as_text=True)
    sheets = re.findall(r'<link rel="stylesheet" href="([^"]+)"', page)
    assert sheets == [
        "/static/vendor/utrecht/design-tokens.css",
        "/static/vendor/utrecht/component-library.css",
        "/static/themes/assen.css",
        "/static/css/site.css",
    ]
    assert 'class="utrecht-root"' in page and 'class="utrecht-document' in page


def _app_with_themes(tmp_path: Path, theme: str, files=("assen", "utrecht")) -> Flask:
    (tmp_path / "themes").mkdir()
    for name in files:
        (tmp_path / "themes" / f"{name}.css").write_text(":root { --utrecht-color-white: #fff; }\n")
    app = Flask(__name__, static_folder=str(tmp_path))
    app.config["THEME"] = theme
    return app


def test_the_theme_setting_selects_the_token_file(tmp_path):
    app = _app_with_themes(tmp_path, "utrecht")
    check_theme(app)
    assert app.jinja_env.globals["theme_stylesheet"] == "themes/utrecht.css"


@pytest.mark.parametrize("theme", ["groningen", "../css/site", "Assen", ""])
def test_an_unknown_theme_stops_the_start_naming_the_known_ones(tmp_path, theme):
    app = _app_with_themes(tmp_path, theme)
    with pytest.raises(SystemExit, match=r"THEME=.*known themes: assen, utrecht"):
        check_theme(app)


def test_the_theme_environment_variable_is_read_at_start_up(tmp_path):
    """THEME in the environment reaches the factory; a typo there fails before any page is served."""
    code = "from partner_portal import create_app; print(create_app().jinja_env.globals['theme_stylesheet'])"
    env = {**os.environ, "APP_ENV": "development", "DATABASE_URL": f"sqlite:///{tmp_path / 'x.sqlite'}"}
    good = subprocess.run(
        [sys.executable, "-c", code], env={**env, "THEME": "assen"}, cwd=ROOT, capture_output=True, text=True
    )
    assert good.returncode == 0 and good.stdout.strip() == "themes/assen.css", good.stderr
    bad = subprocess.run(
        [sys.executable, "-c", code], env={**env, "THEME": "asen"}, cwd=ROOT, capture_output=True, text=True
    )
    assert bad.returncode != 0 and "THEME='asen'" in bad.stderr and "known themes: assen" in bad.stderr
