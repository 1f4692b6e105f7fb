# Two commands set everything up on a fresh machine: `make run` and `make test`.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
HOST ?= 127.0.0.1
PORT ?= 8000
# System packages the tests need: the browser, R with the reference packages,
# gettext for message catalogues, poppler for reading PDFs, and the PostgreSQL
# and Redis servers the chaos tests start scratch instances of.
TEST_DEBS := chromium r-cran-survey r-cran-psych r-cran-survival r-cran-jsonlite \
	gettext poppler-utils fonts-noto-cjk postgresql redis-server
PYTEST_ARGS ?=

.PHONY: run test install install-dev system-deps migrate demo worker beat lint messages clean

$(VENV)/.installed: requirements.txt
	test -x $(PY) || python3 -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt $(VENV)/.installed
	$(PIP) install --quiet -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

system-deps:
	@missing=$$(for p in $(TEST_DEBS); do dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null \
		| grep -q "install ok installed" || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		echo "Installing system packages: $$missing"; \
		SUDO=$$([ "$$(id -u)" = 0 ] || echo sudo); \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
		$$SUDO apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	fi

migrate: install
	$(PY) manage.py migrate --no-input

demo: migrate
	$(PY) manage.py load_demo --site-url http://$(HOST):$(PORT)

run: demo
	@echo "Serving on http://$(HOST):$(PORT)/ (admin: http://$(HOST):$(PORT)/admin/)"
	$(PY) manage.py runserver $(HOST):$(PORT)

test: install-dev system-deps
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports
	$(PY) -m pytest $(PYTEST_ARGS); status=$$?; \
	if [ $$status -eq 5 ]; then echo "pytest collected no tests for this selection"; exit 0; fi; \
	exit $$status

lint: install-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports

messages: install-dev
	$(PY) manage.py makemessages -l zh_Hans --no-obsolete --ignore='.venv/*' \
		--ignore='tests/*' --ignore='benchmarks/*'
	$(PY) manage.py compilemessages --ignore='.venv/*'

worker: install
	$(VENV)/bin/celery -A surveyportal worker --loglevel=INFO --concurrency=2

beat: install
	$(VENV)/bin/celery -A surveyportal beat --loglevel=INFO

clean:
	rm -rf $(VENV) staticfiles .pytest_cache
