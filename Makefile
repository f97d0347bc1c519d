# Two commands matter: `make run` (set up, migrate, load demo data when empty, serve)
# and `make test` (set up, run the whole suite). Everything else is a step of those.
SHELL := /bin/bash
PYTHON ?= python3
UV_VERSION := 0.13.9
TOOLS := .tools
UV := $(TOOLS)/bin/uv
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8501
# `make run` listens on this machine only; `ORDERS_HOST=0.0.0.0 make run` opens it to the network
# (put a TLS proxy in front first: README, "Behind a reverse proxy with TLS").
ORDERS_HOST ?= 127.0.0.1
# Two workers: each test owns its databases, so the suite runs in parallel safely.
PYTEST_ARGS ?= -n 2
export UV_PROJECT_ENVIRONMENT := $(CURDIR)/$(VENV)
export UV_PYTHON_DOWNLOADS := never

.PHONY: setup run test lint bench bench-browser db demo browser pdf-libs proxy clean help

help:
	@echo "make run    set up, migrate, load demo data when the database is empty, serve the app"
	@echo "make test   set up and run the whole test suite (SQLite, PostgreSQL, SMTP, Chromium)"
	@echo "make bench  time the query layer and bulk services on 100k/1M generated orders"
	@echo "make bench-browser  time pages in Chromium with 1 and 5 users at once (1M orders)"
	@echo "           (BENCH_ARGS=\"--small\": on 10k orders; --only PATTERN, --runs N)"

$(UV):
	$(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/pip install --quiet uv==$(UV_VERSION)

# The virtual environment is built from uv.lock exactly (--frozen: the lock is never rewritten).
$(VENV)/.synced: uv.lock pyproject.toml | $(UV)
	$(UV) sync --frozen --all-groups --python $(PYTHON)
	touch $@

setup: $(VENV)/.synced

db: setup
	$(BIN)/orders db upgrade

# The worker (email sender and periodic jobs) runs beside the app; Ctrl-C stops both (the trap
# also stops the worker when the app exits on its own).
run: db pdf-libs
	$(BIN)/orders demo --if-empty
	$(BIN)/orders users bootstrap
	$(BIN)/orders worker & worker=$$!; \
	trap 'kill -TERM $$worker 2>/dev/null; wait $$worker' EXIT; \
	$(BIN)/streamlit run server.py --server.address $(ORDERS_HOST) --server.port $(PORT)

# Browser tests need Debian's Chromium; install it when we can (root with apt), never a
# downloaded browser. Without it the browser tests skip and say why.
browser:
	@if [ ! -x /usr/bin/chromium ] && command -v apt-get >/dev/null && [ "$$(id -u)" = 0 ]; then \
		echo "installing Debian's chromium for the browser tests"; \
		(apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
			|| echo "could not install chromium: browser tests will skip"; \
	fi

# The invoices' and e-tickets' PDFs (WeasyPrint) need Pango and a font, from Debian's packages
# the same way (the Python libraries come from uv.lock). HarfBuzz's subsetter cuts the embedded
# fonts far faster than fontTools, WeasyPrint's fallback: an invoice renders in ~0.4 s, not ~2 s.
PDF_PACKAGES := libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core
pdf-libs:
	@if ! ldconfig -p | grep -q libpangoft2-1.0 || ! ldconfig -p | grep -q libharfbuzz-subset \
		|| [ ! -d /usr/share/fonts/truetype/dejavu ]; then \
		if command -v apt-get >/dev/null && [ "$$(id -u)" = 0 ]; then \
			echo "installing Debian's $(PDF_PACKAGES) for the documents' PDFs"; \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(PDF_PACKAGES) >/dev/null; \
		else echo "Pango is missing: install $(PDF_PACKAGES) (Debian) to render invoices and e-tickets"; fi; \
	fi

# Lint, format and types are part of the suite: a change that breaks them fails `make test`.
# mypy is strict on orders_core/ and queries/ (pyproject.toml, [tool.mypy]).
lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

test: setup browser pdf-libs proxy lint
	$(BIN)/python -m pytest $(PYTEST_ARGS)

bench: setup
	$(BIN)/python -m bench $(BENCH_ARGS)

# nginx in front of several app processes (deploy/nginx-app-processes.conf) for the browser
# benchmark's `--processes N`: Debian's nginx-light, the same way as Chromium.
proxy:
	@if ! command -v nginx >/dev/null && [ ! -x /usr/sbin/nginx ] && command -v apt-get >/dev/null \
		&& [ "$$(id -u)" = 0 ]; then \
		echo "installing Debian's nginx-light for the several-process benchmark"; \
		(apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx-light >/dev/null) \
			|| echo "could not install nginx: use --processes N --no-proxy"; \
	fi

# What users wait for in Chromium, 1 and 5 users at once, on the 1M-order PostgreSQL database
# (BENCH_BROWSER_ARGS="--small" for the 10k one); figures in bench/results/browser.json.
bench-browser: setup browser proxy
	$(BIN)/python -m bench.browser $(BENCH_BROWSER_ARGS)

clean:
	rm -rf $(VENV) $(TOOLS) .pytest_cache
