# Tiến độ. The two commands a newcomer needs: `make run` and `make test` (see README.md).

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app app
CATALOGS := $(wildcard app/translations/*/LC_MESSAGES/messages.po)
COMPILED := $(CATALOGS:.po=.mo)

.PHONY: run test lint bench translations requirements clean

## run: install, migrate, load the demo into an empty database, serve on http://127.0.0.1:5000
run: $(VENV)/.runtime-installed $(COMPILED)
	$(FLASK) db upgrade
	$(FLASK) demo --if-empty
	@echo "Serving on http://127.0.0.1:5000 (Ctrl+C to stop)"
	$(FLASK) run --host 127.0.0.1 --port 5000

## test: install the dev tools, lint, run the suite on every core (on TEST_DATABASE_URL when set)
test: $(VENV)/.dev-installed $(COMPILED) lint
	$(BIN)/pytest -n auto $(PYTEST_ARGS)

lint: $(VENV)/.dev-installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

$(VENV)/bin/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Tiến độ needs Python 3.11 or newer; set PYTHON=python3.x")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.runtime-installed: requirements.txt | $(VENV)/bin/python
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev-installed: requirements.txt requirements-dev.txt | $(VENV)/bin/python
	$(BIN)/pip install --quiet -r requirements.txt -r requirements-dev.txt
	touch $@ $(VENV)/.runtime-installed

%.mo: %.po $(VENV)/.runtime-installed
	$(BIN)/pybabel compile --statistics -i $< -o $@

## translations: collect new messages from the code into the catalogs (then translate them)
translations: $(VENV)/.runtime-installed
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext --no-location --sort-output -o app/translations/messages.pot .
	$(BIN)/pybabel update -i app/translations/messages.pot -d app/translations --no-fuzzy-matching --ignore-obsolete

## requirements: re-pin requirements*.txt from requirements*.in (needs pip-tools)
requirements: $(VENV)/.dev-installed
	$(BIN)/pip install --quiet pip-tools
	$(BIN)/pip-compile --quiet --strip-extras --no-emit-find-links --no-emit-index-url --no-emit-trusted-host requirements.in -o requirements.txt
	$(BIN)/pip-compile --quiet --strip-extras --no-emit-find-links --no-emit-index-url --no-emit-trusted-host requirements-dev.in -o requirements-dev.txt

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache $(COMPILED)

## bench: time the unit tree and the results on national-size data (docs/benchmarks.md);
## BENCH_DATABASE_URL for PostgreSQL, BENCH_SCALE=small for a quick run of the results
bench: $(VENV)/.dev-installed
	$(BIN)/python -m bench.unit_tree
	$(BIN)/python -m bench.results
