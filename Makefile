# Tiến độ. The two commands a newcomer needs: `make run` and `make test` (see README.md).

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app app
CATALOGS := $(wildcard app/translations/*/LC_MESSAGES/messages.po)
COMPILED := $(CATALOGS:.po=.mo)

.PHONY: run serve test browser faults fuzz lint bench load translations requirements clean

## run: install, migrate, load the demo into an empty database, serve on http://127.0.0.1:5000
run: $(VENV)/.runtime-installed $(COMPILED)
	$(FLASK) db upgrade
	$(FLASK) demo --if-empty
	@echo "Serving on http://127.0.0.1:5000 (Ctrl+C to stop)"
	$(FLASK) run --host 127.0.0.1 --port 5000

## serve: like run, but served by gunicorn with docs/deploy/gunicorn.conf.py on 127.0.0.1:8000
serve: $(VENV)/.runtime-installed $(COMPILED)
	$(FLASK) db upgrade
	$(FLASK) demo --if-empty
	$(BIN)/gunicorn -c docs/deploy/gunicorn.conf.py

## test: install the dev tools, lint, run the suite on every core (on TEST_DATABASE_URL when set)
test: $(VENV)/.dev-installed $(COMPILED) lint
	$(BIN)/pytest -n auto $(PYTEST_ARGS)

## browser: only the browser tests (Debian's Chromium through Playwright; docs/browser-tests.md),
## screenshots in test-artifacts/browser/
browser: $(VENV)/.dev-installed $(COMPILED)
	$(BIN)/pytest -n auto tests/browser $(PYTEST_ARGS)

## faults: the fault tests, slow ones included: a web server killed during an Excel import, a
## PostgreSQL restart, killed schedulers (docs/faults.md); on TEST_DATABASE_URL when set
faults: $(VENV)/.dev-installed $(COMPILED)
	FAULTS=all $(BIN)/pytest -n 2 tests/faults $(PYTEST_ARGS)

## fuzz: schemathesis against the API of a server holding the demo (docs/fuzz.md); FUZZ_SECONDS
## (300), FUZZ_EXAMPLES (50), FUZZ_DATABASE_URL for PostgreSQL, reports in test-artifacts/fuzz/
fuzz: $(VENV)/.dev-installed $(COMPILED)
	$(BIN)/python -m bench.fuzz

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

## load: load test, 100 users for 60 s on gunicorn (4 workers) and PostgreSQL (docs/load.md);
## LOAD_DATABASE_URL (default postgresql://postgres@127.0.0.1:5432/tiendo_load), LOAD_USERS,
## LOAD_SECONDS, LOAD_THINK_SECONDS, LOAD_WORKERS
load: $(VENV)/.dev-installed $(COMPILED)
	$(BIN)/python -m bench.load
