# The front door: `make run` serves the demo locally, `make test` runs the whole suite.
# Both set everything up first; running them again only redoes what changed.

VENV := .venv
PY := $(VENV)/bin/python
GOVUK_DIST := node_modules/govuk-frontend/dist/govuk
GOVUK_BUILD := build/govuk
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test bench setup pdf-libraries lint format messages check-deploy backup restore audit clean

# PORT is passed on to the settings, so links in emails printed to the console use it too.
run: setup
	$(PY) manage.py migrate --no-input --verbosity 0
	PORT=$(PORT) $(PY) manage.py seed_demo
	@echo "\nServing on http://$(HOST):$(PORT)/ (admin: http://$(HOST):$(PORT)/admin/). Stop with Ctrl+C."
	PORT=$(PORT) $(PY) manage.py runserver $(HOST):$(PORT)

test: setup
	$(PY) manage.py makemigrations --check --dry-run
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/pytest $(PYTEST_ARGS)

# Load test: PostgreSQL, gunicorn with production settings, wrk on loopback (see the README).
# Recreates the databases named by DATABASE_URL (default feedback_bench on 127.0.0.1) and its
# "_tenth" twin; it refuses any database whose name lacks "bench". Needs Redis (BENCH_REDIS_URL,
# default redis://127.0.0.1:6379/3) and runs the full data a second time on two instances behind
# HAProxy.
bench: setup
	@command -v wrk >/dev/null 2>&1 || apt-get install -y wrk || \
	  { echo "make bench needs wrk: apt-get install wrk"; exit 1; }
	@command -v haproxy >/dev/null 2>&1 || apt-get install -y haproxy || \
	  { echo "make bench needs HAProxy for its two-instance run: apt-get install haproxy"; exit 1; }
	$(PY) -u tests/benchmarks/run.py

setup: $(VENV)/.installed $(GOVUK_BUILD)/.built pdf-libraries

# WeasyPrint, which makes the board packs' PDFs, loads Pango from the system and needs a font.
pdf-libraries: $(VENV)/.installed
	@$(PY) -c "import weasyprint" >/dev/null 2>&1 || \
	  { apt-get update -qq && apt-get install -y -qq libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core; } || \
	  { echo "Board packs' PDFs need Pango and a font: 'apt-get install libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core' (or 'brew install pango' on a Mac)."; exit 1; }

lint:
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format:
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

# The Welsh catalogue: adds new strings marked for translation to locale/cy/LC_MESSAGES/django.po
# (translate them there) and compiles the committed django.mo. Needs GNU gettext (apt-get install
# gettext); running the service does not, as the .mo is committed.
messages: setup
	@command -v msgfmt >/dev/null 2>&1 || { echo "make messages needs GNU gettext: apt-get install gettext"; exit 1; }
	$(PY) manage.py makemessages --locale cy
	$(PY) manage.py compilemessages --locale cy --ignore .venv --ignore node_modules

# Finds Python 3.12 or newer: $(PYTHON) if given, then the usual names, then pyenv's versions.
$(PY):
	@py=""; \
	for cand in $(PYTHON) python3.14 python3.13 python3.12 python3 \
	    $$(pyenv root 2>/dev/null)/versions/3.1[2-9]*/bin/python; do \
	  if command -v "$$cand" >/dev/null 2>&1 && \
	     "$$cand" -c 'import sys; sys.exit(sys.version_info < (3, 12))' >/dev/null 2>&1; then \
	    py="$$cand"; break; \
	  fi; \
	done; \
	if [ -z "$$py" ]; then \
	  echo "Python 3.12 or newer is required (Django 6.1 needs it) and none was found."; \
	  echo "Install it, e.g. 'apt-get install python3.12 python3.12-venv' or 'pyenv install 3.13',"; \
	  echo "or name one: make PYTHON=/path/to/python3.13 run"; \
	  exit 1; \
	fi; \
	echo "Creating $(VENV) with $$py ($$("$$py" --version))"; \
	"$$py" -m venv $(VENV)

$(VENV)/.installed: $(PY) requirements-dev.txt
	$(PY) -m pip install --quiet uv
	$(VENV)/bin/uv pip install --quiet --python $(PY) -r requirements-dev.txt
	touch $@

node_modules/.package-lock.json: package.json package-lock.json
	@command -v npm >/dev/null 2>&1 || { echo "npm is required for GOV.UK Frontend: install Node.js 20 or newer (e.g. 'apt-get install nodejs npm')."; exit 1; }
	npm ci --no-audit --no-fund --silent

# GOV.UK Frontend's CSS points at /assets/; copy it next to its assets with relative URLs so it
# works under STATIC_URL and the manifest storage can hash every file it refers to.
$(GOVUK_BUILD)/.built: node_modules/.package-lock.json
	rm -rf $(GOVUK_BUILD) && mkdir -p $(GOVUK_BUILD)
	cp -R $(GOVUK_DIST)/assets $(GOVUK_BUILD)/assets
	cp $(GOVUK_DIST)/govuk-frontend.min.js $(GOVUK_DIST)/govuk-frontend.min.js.map $(GOVUK_BUILD)/
	sed 's#url(/assets/#url(assets/#g' $(GOVUK_DIST)/govuk-frontend.min.css > $(GOVUK_BUILD)/govuk-frontend.min.css
	cp $(GOVUK_DIST)/govuk-frontend.min.css.map $(GOVUK_BUILD)/
	touch $@

check-deploy: setup
	DEBUG=false SECRET_KEY=check-deploy-$$(od -An -N32 -tx1 /dev/urandom | tr -d ' \n') \
	  ALLOWED_HOSTS=feedback.example.gov.uk CSRF_TRUSTED_ORIGINS=https://feedback.example.gov.uk \
	  $(PY) manage.py check --deploy --fail-level WARNING

# Backs up the PostgreSQL database named by DATABASE_URL and the uploaded files into BACKUP
# (default: a new folder under backups/).
backup: setup
	$(PY) manage.py backup $(BACKUP)

# Restores BACKUP into the empty database named by DATABASE_URL; FORCE=1 replaces one in use.
restore: setup
	@test -n "$(BACKUP)" || { echo "Name the backup: make restore BACKUP=backups/<folder>"; exit 1; }
	$(PY) manage.py restore "$(BACKUP)" $(if $(filter 1,$(FORCE)),--force)
# Known vulnerabilities in the pinned dependencies fail; an unreachable service is reported, not passed.
audit: setup
	$(PY) .ci/audit.py

clean:
	rm -rf $(VENV) node_modules build staticfiles
