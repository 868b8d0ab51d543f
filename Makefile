# The two commands of README.md: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test checks lint typecheck unit prod bench bench-scores lock clean

# Runtime dependencies only, so `make run` is quick on a new machine.
$(VENV)/.runtime: pyproject.toml requirements.lock
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(PYTHON) .ci/deps.py > $(VENV)/runtime.txt
	$(BIN)/pip install -q --disable-pip-version-check -c requirements.lock -r $(VENV)/runtime.txt
	touch $@

$(VENV)/.dev: $(VENV)/.runtime
	$(PYTHON) .ci/deps.py dev > $(VENV)/dev.txt
	$(BIN)/pip install -q --disable-pip-version-check -c requirements.lock -r $(VENV)/dev.txt
	touch $@

## run: the app on SQLite with in-process tasks and demo data at http://$(HOST):$(PORT)
run: $(VENV)/.runtime
	DEBUG=1 $(BIN)/python manage.py migrate --noinput
	DEBUG=1 $(BIN)/python manage.py seed_demo
	DEBUG=1 $(BIN)/python manage.py runserver $(HOST):$(PORT)

## test: lint, type check and the whole suite against real PostgreSQL, Redis and a Celery worker
test: $(VENV)/.dev
	$(PYTHON) .ci/stack.py --install -- $(MAKE) --no-print-directory checks

# What `make test` runs inside the stack; needs DATABASE_URL and REDIS_URL.
checks: lint typecheck unit

lint: $(VENV)/.dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

typecheck: $(VENV)/.dev
	$(BIN)/mypy .

unit: $(VENV)/.dev
	$(BIN)/python manage.py check
	$(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/python manage.py test --keepdb --noinput $(TESTS)

## prod: gunicorn + Celery worker against the PostgreSQL and Redis in DATABASE_URL / REDIS_URL
prod: $(VENV)/.runtime
	@test -n "$$DATABASE_URL" -a -n "$$REDIS_URL" -a -n "$$SECRET_KEY" || \
		{ echo "Set DATABASE_URL, REDIS_URL, SECRET_KEY and ALLOWED_HOSTS (see README)"; exit 2; }
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py collectstatic --noinput -v 0
	$(BIN)/python manage.py load_reference_data
	$(BIN)/celery -A config worker -Q default,exports,recompute --loglevel INFO & \
	trap 'kill $$!' EXIT INT TERM; \
	$(BIN)/gunicorn config.wsgi --bind $(HOST):$(PORT) --workers $${WEB_WORKERS:-4} --access-logfile -

## bench: answer POSTs per second through gunicorn on PostgreSQL, beside a one-INSERT ceiling
bench: $(VENV)/.runtime
	$(PYTHON) .ci/stack.py --install --no-worker -- $(BIN)/python tests/benchmarks/survey_answers.py $(BENCH_ARGS)

## bench-scores: recompute and exports for 325 and 10,000 communities, beside their ceilings
bench-scores: $(VENV)/.runtime
	$(PYTHON) .ci/stack.py --install --no-worker -- $(BIN)/python tests/benchmarks/scores.py $(BENCH_ARGS)

## lock: re-pin every transitive dependency after changing pyproject.toml
lock:
	rm -rf /tmp/lock-venv && $(PYTHON) -m venv /tmp/lock-venv
	$(PYTHON) .ci/deps.py dev > /tmp/lock-venv/all.txt
	/tmp/lock-venv/bin/pip install -q -r /tmp/lock-venv/all.txt
	/tmp/lock-venv/bin/pip freeze --exclude-editable > requirements.lock

clean:
	rm -rf $(VENV) var
