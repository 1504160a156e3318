# Two commands for a newcomer: `make run` and `make test`. Everything else is optional.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
export SITE_URL ?= http://127.0.0.1:$(PORT)

# Front-end packages vendored into static/vendor (no CDN at run time).
NPM_PACKAGES := @picocss/pico@2.1.1 htmx.org@2.0.11 sortablejs@1.15.7

.PHONY: run test lint format messages vendor lock bench worker clean help backup restore

help:
	@echo "make run    serve the demo on http://127.0.0.1:$(PORT) (SQLite, tasks in-process)"
	@echo "make test   run the whole test suite"
	@echo "make lint   ruff, template checks and migration check"

$(VENV)/.installed-run: pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -c requirements.lock -e .
	@touch $@

$(VENV)/.installed-dev: pyproject.toml $(VENV)/.installed-run
	$(PY) -m pip install --quiet -c requirements.lock -e ".[dev]"
	@touch $@

run: $(VENV)/.installed-run
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo --if-empty
	$(PY) manage.py runserver 127.0.0.1:$(PORT)

# One pytest-xdist worker per CPU (TEST_WORKERS=0 runs in one process), longest tests first.
TEST_WORKERS ?= auto
test: $(VENV)/.installed-dev
	$(PY) -m pytest -n $(TEST_WORKERS) --dist worksteal $(PYTEST_ARGS)

lint: $(VENV)/.installed-dev
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(VENV)/bin/lint-imports
	$(PY) manage.py makemigrations --check --dry-run
	$(PY) manage.py check

format: $(VENV)/.installed-dev
	$(PY) -m ruff format .
	$(PY) -m ruff check --fix .

# Extract the strings to translate into locale/fr/LC_MESSAGES/django.po (needs gettext),
# then compile the catalogue.
messages: $(VENV)/.installed-dev
	$(PY) manage.py makemessages -l fr --no-obsolete --ignore='.venv/*' --ignore='static/vendor/*' --ignore='bench/*'
	$(PY) manage.py compilemessages --ignore=.venv

worker: $(VENV)/.installed-run
	$(VENV)/bin/celery -A concertation worker --loglevel=INFO

# Refresh the vendored front-end assets from the npm registry.
vendor:
	rm -rf .vendor-tmp && mkdir .vendor-tmp
	cd .vendor-tmp && npm pack --silent $(NPM_PACKAGES) >/dev/null && for f in *.tgz; do mkdir "$${f%.tgz}" && tar xzf "$$f" -C "$${f%.tgz}"; done
	mkdir -p static/vendor/pico static/vendor/htmx static/vendor/sortable
	cp .vendor-tmp/picocss-pico-*/package/css/pico.blue.min.css static/vendor/pico/
	cp .vendor-tmp/picocss-pico-*/package/LICENSE.md static/vendor/pico/
	cp .vendor-tmp/htmx.org-*/package/dist/htmx.min.js .vendor-tmp/htmx.org-*/package/LICENSE static/vendor/htmx/
	cp .vendor-tmp/sortablejs-*/package/Sortable.min.js .vendor-tmp/sortablejs-*/package/LICENSE static/vendor/sortable/
	rm -rf .vendor-tmp

# Pin every installed version (used as constraints by the install steps above).
lock: $(VENV)/.installed-dev
	$(PY) -m pip freeze --exclude-editable | grep -v '^-e' > requirements.lock

# Needs PostgreSQL and Redis on loopback (bash .ci/run starts them). Long: see bench/README.md.
bench: $(VENV)/.installed-dev
	$(PY) -m pip install --quiet "locust>=2.30,<3"
	$(PY) -m bench.run $(BENCH_ARGS)

clean:
	rm -rf $(VENV) .pytest_cache .test-media staticfiles

# Backups of the PostgreSQL database named by DATABASE_URL (see README, « Sauvegardes »).
# Uploaded and generated files live in MEDIA_ROOT: copy that folder alongside.
BACKUP_FILE ?= backups/concertation-$(shell date +%Y%m%d-%H%M%S).dump

backup:
	@test -n "$$DATABASE_URL" || { echo "Set DATABASE_URL to the PostgreSQL database to back up."; exit 1; }
	@mkdir -p "$(dir $(BACKUP_FILE))"
	pg_dump --format=custom --no-owner --no-privileges --file="$(BACKUP_FILE)" "$$DATABASE_URL"
	@echo "Backup written to $(BACKUP_FILE)"

restore:
	@test -n "$(FILE)" || { echo "Say which backup: make restore FILE=backups/….dump"; exit 1; }
	@test -n "$$DATABASE_URL" || { echo "Set DATABASE_URL to the PostgreSQL database to restore into."; exit 1; }
	pg_restore --clean --if-exists --no-owner --no-privileges --single-transaction --dbname="$$DATABASE_URL" "$(FILE)"
	@echo "Restored $(FILE)"
