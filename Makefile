# Entitle — `make run` serves the portal with demo data; `make test` runs the whole suite.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
UV_VERSION := 0.13.9
MANAGE := $(BIN)/python manage.py

.PHONY: run test test-postgres bench lint format install install-dev migrate demo totp clean messages catalogues

$(BIN)/uv:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

# --inexact keeps uv itself in the venv; --frozen installs exactly what uv.lock pins.
install: $(BIN)/uv
	$(BIN)/uv sync --frozen --inexact --no-dev

install-dev: $(BIN)/uv
	$(BIN)/uv sync --frozen --inexact

var: catalogues
	mkdir -p var/mail var/broker/queue var/broker/processed var/broker/control var/cache var/media

# E2: the translation catalogues (locale/<language>/LC_MESSAGES/django.po, kept in git) are
# compiled here with Babel (pure Python: no GNU gettext needed at set-up); `make messages`
# (a developer's step, needs xgettext) extracts new strings into them.
LANGUAGES_TRANSLATED := pl zh_Hant
CATALOGUES := $(foreach l,$(LANGUAGES_TRANSLATED),locale/$(l)/LC_MESSAGES/django.mo)
catalogues: $(CATALOGUES)

locale/%/LC_MESSAGES/django.mo: locale/%/LC_MESSAGES/django.po | $(BIN)/uv
	@test -x $(BIN)/pybabel || $(BIN)/uv sync --frozen --inexact --no-dev
	$(BIN)/pybabel --quiet compile -l $* -i $< -o $@

messages: install-dev
	$(MANAGE) makemessages $(foreach l,$(LANGUAGES_TRANSLATED),-l $(l)) --add-location file \
		--ignore=.venv --ignore=var --ignore=tests --ignore=staticfiles --no-obsolete

migrate: install var
	$(MANAGE) migrate --noinput

demo: migrate
	$(MANAGE) demo_data

run: demo
	@echo "Serving http://127.0.0.1:8000 with a Celery worker and beat (Ctrl-C stops all three)."
	$(BIN)/honcho start -f Procfile

# Two workers (pytest-xdist): CI's machine has two cores; TEST_WORKERS=0 runs in one process.
# TEST_MARKERS picks the tests (CI's PostgreSQL pass leaves out the browser tests: see .ci/run).
TEST_WORKERS ?= 2
TEST_MARKERS ?= not bench
test: install-dev var
	$(BIN)/python -m pytest -m "$(TEST_MARKERS)" -n $(TEST_WORKERS)

# The suite on a throw-away PostgreSQL cluster and redis-server (.ci/run starts and removes
# them): where the `postgres` tests of concurrent writers run. CI runs both passes: .ci/run
test-postgres:
	.ci/run postgres

bench: install-dev var
	$(BIN)/python -m pytest tests/bench -m bench -s

# lint-imports: the layer contracts in pyproject.toml (STYLE: imports go one way);
# .ci/security: bandit, check --deploy with production settings, pip-audit where reachable.
lint: install-dev
	$(BIN)/lint-imports
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/djlint templates --lint
	.ci/security  # issue #10 item 5: bandit, check --deploy, pip-audit

format: install-dev
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .
	$(BIN)/djlint templates --reformat --quiet || true

totp: install
	$(MANAGE) demo_totp $(EMAIL)

clean:
	rm -rf var $(VENV)
