# Commands for a fresh machine (Python 3.11, nothing installed):
#   make lab    set up .venv, build the synthetic data, print the linkage report, open JupyterLab
#   make test   set up .venv, then ruff, pytest and every notebook under nbval
#   make dashboard  set up .venv and the data, serve notebooks/dashboard.ipynb with Voila
#               on http://127.0.0.1:8866 (code hidden, charts offline); a token is required
#               (other local users cannot open it): open the URL with ?token= it prints once the
#               terminal says "dashboard ready" (SAZ_GEBOORTEZORG_DATA=FOLDER: other extracts); Ctrl-C stops it
#   make test-federated  the federated (vantage6) tests in their own venv, .venv-federated
# All are idempotent: the venv is (re)installed only when pyproject.toml changes.

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
DATA   ?= synthetic_data
LAB_ARGS ?=
DASHBOARD_PORT ?= 8866
# Voila template without CDN links, shipped in the package (saz_geboortezorg/present/jupyter/
# voila/templates/saz-offline; present/templates.py); the venv's own share/jupyter
# (labextensions) is always searched as well
DASHBOARD_ENV := JUPYTER_PATH=$(CURDIR)/saz_geboortezorg/present/jupyter$${JUPYTER_PATH:+:$$JUPYTER_PATH}
# Preheated kernel: Voila runs the dashboard notebook before anybody asks for the page (and
# again 3 s after each visitor took the prepared kernel), so the first chart arrives within
# seconds; the terminal says "saz_geboortezorg: dashboard ready" when it is prepared
# (saz_geboortezorg/explore/dashboard.py; tests/dashboard/voila_page.py uses the same options)
DASHBOARD_PREHEAT ?= --preheat_kernel=True --pool_size=1 --VoilaKernelManager.fill_delay=3
# JupyterLab refuses to start as root unless told to (containers and CI machines run as root)
ROOT_FLAG := $(shell [ "$$(id -u)" = 0 ] && echo --allow-root)

.PHONY: lab test test-federated data lint bench dashboard chromium clean

# The federated extra (vantage6-algorithm-tools) pins click, python-dateutil and SQLAlchemy
# and so holds pandas at 3.0.x: it gets a venv of its own, and the main venv is unchanged.
VENV_FED  ?= .venv-federated
FED_STAMP := $(VENV_FED)/.installed

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed (found %d.%d)" % sys.version_info[:2])'
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[notebooks,dashboard,reports,dev]'
	@touch $(STAMP)

$(FED_STAMP): pyproject.toml
	@test -x $(VENV_FED)/bin/python || $(PYTHON) -m venv $(VENV_FED)
	$(VENV_FED)/bin/python -m pip install --quiet --upgrade pip
	$(VENV_FED)/bin/python -m pip install --quiet -e '.[dev,federated]'
	@touch $(FED_STAMP)

data: $(STAMP)
	@test -f $(DATA)/perined_lvr2.csv || $(BIN)/saz-geboortezorg synth --out $(DATA)

lab: data
	$(BIN)/saz-geboortezorg validate $(DATA)
	$(BIN)/jupyter lab notebooks/00_start_hier.ipynb $(ROOT_FLAG) $(LAB_ARGS)

dashboard: data
	$(DASHBOARD_ENV) $(BIN)/voila notebooks/dashboard.ipynb --no-browser --Voila.ip=127.0.0.1 \
		--port=$(DASHBOARD_PORT) --template=saz-offline --strip_sources=True \
		--Voila.auto_token=True $(DASHBOARD_PREHEAT)

# The browser test (tests/dashboard) drives Debian's chromium; never a downloaded browser
chromium:
	@test -x /usr/bin/chromium || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "Installing Debian's chromium for the browser test (apt-get)"; \
	    export DEBIAN_FRONTEND=noninteractive; \
	    apt-get install -y -qq --no-install-recommends chromium >/dev/null 2>&1 || \
	    { apt-get update -qq && apt-get install -y -qq --no-install-recommends chromium >/dev/null; }; \
	  else \
	    echo "The browser test needs /usr/bin/chromium: install Debian's chromium (as root: apt-get install chromium)" >&2; \
	    exit 1; \
	  fi; }
	@test -x /usr/bin/chromium || { echo "apt-get did not install /usr/bin/chromium" >&2; exit 1; }

# lint also checks the layer contract of saz_geboortezorg/layers.py (tests/test_layers.py:
# no upward import, no import cycle, no private name imported from another module)
lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/pytest -q -p no:cacheprovider tests/test_layers.py

# The tests and the notebooks run on every core (pytest-xdist, at most 4 workers), one test
# file or notebook per worker at a time: a file's module fixtures (built reports) are made
# once, and a notebook's cells run in order in one kernel.
XDIST := -n auto --maxprocesses 4 --dist loadfile

test: lint chromium test-federated
	$(BIN)/pytest $(XDIST) --ignore=tests/federated
	SAZ_GEBOORTEZORG_PROGRESS=0 $(BIN)/pytest $(XDIST) --nbval --nbval-current-env --nbval-sanitize-with notebooks/nbval_sanitize.cfg notebooks/

# 17 regional nodes through vantage6's MockAlgorithmClient against the pooled analysis
test-federated: $(FED_STAMP)
	$(VENV_FED)/bin/pytest -p no:cacheprovider tests/federated

bench: data
	$(BIN)/python benchmarks/run.py

# The truth harness: false verdicts on cells without a true hospital effect and deliberate
# outliers found, on 10 synthetic datasets of 60,000 births (benchmarks/bench_truth.py),
# and the coverage of the O/E and random-effect intervals (bench_oe_coverage, bench_re_coverage)
.PHONY: truth
truth: $(STAMP)
	$(BIN)/python benchmarks/run.py truth oe_coverage re_coverage

clean:
	rm -rf $(VENV) $(VENV_FED) .pytest_cache .ruff_cache
