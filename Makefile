# Partnerportaal Binnenstad. Needs only Python 3.11+ for `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app partner_portal
PYBABEL := $(BIN)/pybabel

.PHONY: install run test lint format translations extract-messages bench clean browser-deps pdf-deps

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)

# Install pinned versions (constraints.txt) so a fresh clone gets exactly what was tested.
$(VENV)/.installed: $(BIN)/activate pyproject.toml constraints.txt
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -c constraints.txt -e '.[dev]'
	touch $@

install: $(VENV)/.installed translations

# Compile the message catalogues (the .mo files are build output, not committed).
translations: $(VENV)/.installed
	$(PYBABEL) compile -d translations

# Re-extract user-facing text after changing it, then translate the new entries in translations/en.
extract-messages: $(VENV)/.installed
	$(PYBABEL) extract -F babel.cfg -k _l -k lazy_gettext -o translations/messages.pot .
	$(PYBABEL) update -i translations/messages.pot -d translations --no-fuzzy-matching

run: install
	$(FLASK) db upgrade
	$(FLASK) seed-demo
	$(FLASK) run --host 127.0.0.1 --port 5000

test: install
	$(BIN)/pytest

lint: $(VENV)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(VENV)/.installed
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

clean:
	rm -rf $(VENV) instance/*.sqlite .pytest_cache
