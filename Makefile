# Entitle — `make run` serves the portal with demo data; `make test` runs the whole suite.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
UV_VERSION := 0.13.9
MANAGE := $(BIN)/python manage.py

.PHONY: run test test-postgres bench load lint format install install-dev migrate demo totp clean messages catalogues

$(BIN)/uv:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

# --inexact keeps uv itself in the venv; --frozen installs exactly what uv.lock pins.
# --compile-bytecode, and compileall for the project's own code: where PYTHONDONTWRITEBYTECODE
# is set (these machines set it), Python never caches what it compiles, so every process —
# each manage.py, Celery worker, gunicorn worker and test worker — compiled Django and the
# rest from source at start-up: `manage.py check` took 8.7 s instead of 4.0 s.
UV_SYNC := $(BIN)/uv sync --frozen --inexact --compile-bytecode
COMPILE_PROJECT := $(BIN)/python -m compileall -q -j 0 portal accounts licensing renewals \
	support tests tools manage.py >/dev/null
install: $(BIN)/uv
	$(UV_SYNC) --no-dev
	$(COMPILE_PROJECT)

install-dev: $(BIN)/uv
	$(UV_SYNC)
	$(COMPILE_PROJECT)

# Issue #10: Noto Sans TC for Chinese pages and PDFs, from the npm registry at set-up
# (pinned, integrity-checked; tools/fetch_cjk_font.py). Not in git: static/vendor/.
CJK_FONT := static/vendor/noto-sans-tc/.version
$(CJK_FONT): tools/fetch_cjk_font.py | $(BIN)/uv
	@test -x $(BIN)/pybabel || $(UV_SYNC) --no-dev
	$(BIN)/python tools/fetch_cjk_font.py static/vendor/noto-sans-tc

var: catalogues $(CJK_FONT)
	mkdir -p var/mail var/broker/queue var/broker/processed var/broker/control var/cache var/media

# E2: the translation catalogues (locale/<language>/LC_MESSAGES/django.po, kept in git) are
# compiled here with Babel (pure Python: no GNU gettext needed at set-up); `make messages`
# (a developer's step, needs xgettext) extracts new strings into them.
LANGUAGES_TRANSLATED := pl zh_Hant
CATALOGUES := $(foreach l,$(LANGUAGES_TRANSLATED),locale/$(l)/LC_MESSAGES/django.mo)
catalogues: $(CATALOGUES)

locale/%/LC_MESSAGES/django.mo: locale/%/LC_MESSAGES/django.po | $(BIN)/uv
	@test -x $(BIN)/pybabel || $(UV_SYNC) --no-dev
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
# The fault tests (marker `fault`) build a production stack of their own: they run after the
# rest, once, in one process (`make faults`); FAULTS=0 leaves them out (CI's PostgreSQL pass).
TEST_MARKERS ?= not bench and not fault
FAULTS ?= 1
test: install-dev var
	$(BIN)/python -m pytest -m "$(TEST_MARKERS)" -n $(TEST_WORKERS)
	@if [ "$(FAULTS)" != 0 ]; then $(MAKE) --no-print-directory faults; fi

# The suite on a throw-away PostgreSQL cluster and redis-server (.ci/run starts and removes
# them): where the `postgres` tests of concurrent writers run. CI runs both passes: .ci/run
test-postgres:
	.ci/run postgres

bench: install-dev var
	$(BIN)/python -m pytest tests/bench -m bench -s

# Issue #10 item 4: the fault tests (tests/faults, marker `fault`), each on a production stack
# of its own (PostgreSQL, redis-server, Celery worker, gunicorn); one process, in order.
# FAULT_REPEAT=N runs each fault N times (the full run by hand; CI runs each once).
.PHONY: faults
faults: install-dev var
	$(BIN)/python -m pytest tests/faults -m fault -p no:xdist -s

# Issue #10 item 3: the load test on a production-like stack of its own (tests/load/run.py
# starts and removes PostgreSQL, redis-server, gunicorn and a Celery worker on the loopback);
# the report goes to var/load/. By hand: make load LOAD_SCALE=large LOAD_SECONDS=300
# LOAD_USERS=50; CI: make load LOAD_SCALE=small LOAD_SECONDS=60 LOAD_STEP_SECONDS=15.
load: install-dev
	$(BIN)/python tests/load/run.py

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
