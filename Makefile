# Partnerportaal Binnenstad. Needs Python 3.11+ and npm (the NL Design System CSS; the browser tests' checkers).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app partner_portal
PYBABEL := $(BIN)/pybabel

.PHONY: install vendor-css run sso-demo test test-fast lint format translations extract-messages bench clean browser-deps pdf-deps

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)

# Install pinned versions (constraints.txt) so a fresh clone gets exactly what was tested.
$(VENV)/.installed: $(BIN)/activate pyproject.toml constraints.txt
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -c constraints.txt -e '.[dev]'
	touch $@

install: $(VENV)/.installed translations vendor-css

# The browser tests' checkers, npm packages pinned by package-lock.json: axe-core (accessibility) and
# vnu-jar (the Nu HTML checker, run with Java). Without npm the browser tests skip with the reason
# shown (or fail under REQUIRE_BROWSER=1).
AXE := node_modules/axe-core/axe.min.js
VNU := node_modules/vnu-jar/build/dist/vnu.jar
browser-deps: node_modules/.installed
	@command -v java >/dev/null 2>&1 || echo "java not found: the HTML checks of the browser tests cannot run"
node_modules/.installed: package.json package-lock.json
	@if command -v npm >/dev/null 2>&1; then \
	  npm ci --no-audit --no-fund --loglevel=error && test -f $(AXE) && test -f $(VNU) && touch $@; \
	else echo "npm not found: the NL Design System styles and the browser tests' accessibility and HTML checks are not installed"; fi

# The NL Design System's CSS components and design tokens (npm, pinned by package-lock.json), copied into
# the static folder so the app serves them itself (no CDN). The copy is build output (.gitignore). Without
# npm the pages still work, unstyled but for static/css/site.css and the theme.
UTRECHT := node_modules/@utrecht
VENDOR := partner_portal/static/vendor/utrecht
vendor-css: $(VENDOR)/.copied
$(VENDOR)/.copied: node_modules/.installed
	@if [ -f $(UTRECHT)/component-library-css/dist/index.css ]; then \
	  mkdir -p $(VENDOR) && \
	  cp $(UTRECHT)/component-library-css/dist/index.css $(VENDOR)/component-library.css && \
	  cp $(UTRECHT)/design-tokens/dist/root.css $(VENDOR)/design-tokens.css && \
	  cp $(UTRECHT)/component-library-css/LICENSE.md $(VENDOR)/LICENSE.md && touch $@; \
	else echo "NL Design System CSS not installed (needs npm): pages are served without it"; fi

# Compile the message catalogues (the .mo files are build output, not committed).
translations: $(VENV)/.installed
	$(PYBABEL) compile -d translations

# Re-extract user-facing text after changing it, then translate the new entries in translations/en.
extract-messages: $(VENV)/.installed
	$(PYBABEL) extract -F babel.cfg -k _l -k lazy_gettext --ignore-dirs='.*' -o translations/messages.pot .
	$(PYBABEL) update -i translations/messages.pot -d translations --no-fuzzy-matching

run: install
	$(FLASK) db upgrade
	$(FLASK) seed-demo
	$(FLASK) run --host 127.0.0.1 --port 5000

# A test OpenID Connect provider on http://localhost:5001 with two demo providers pointing at it;
# run it next to `make run` (another terminal) and log in with the buttons on /login.
sso-demo: install
	$(FLASK) db upgrade
	$(FLASK) sso demo-provider --port 5001

# Tests run in parallel, one worker per core (pytest-xdist); WORKERS=0 runs them in this process.
WORKERS ?= auto

# The whole suite, as CI runs it: both databases, the browser tests.
test: install browser-deps
	$(BIN)/pytest -n $(WORKERS)

# The inner loop: every test that does not need a browser, on SQLite only.
test-fast: install
	$(BIN)/pytest -n $(WORKERS) --db=sqlite -m "not browser"

lint: $(VENV)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(VENV)/.installed
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Benchmark of the key pages (not a test): see the docstring of bench/run.py; BENCH_QUICK=1 for a short run,
# BENCH_SMOKE=1 for a small data set that only checks the bench runs.
bench: install
	@command -v wrk >/dev/null 2>&1 || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }
	$(BIN)/python -m bench.run

clean:
	rm -rf $(VENV) instance/*.sqlite .pytest_cache node_modules $(VENDOR)
