# Two commands for a fresh machine (Python 3.11, nothing installed):
#   make lab    set up .venv, build the synthetic data, print the linkage report, open JupyterLab
#   make test   set up .venv, then ruff, pytest and every notebook under nbval
# Both are idempotent: the venv is (re)installed only when pyproject.toml changes.

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
DATA   ?= synthetic_data
LAB_ARGS ?=
# JupyterLab refuses to start as root unless told to (containers and CI machines run as root)
ROOT_FLAG := $(shell [ "$$(id -u)" = 0 ] && echo --allow-root)

.PHONY: lab test data lint bench dashboard clean

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed (found %d.%d)" % sys.version_info[:2])'
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[notebooks,dashboard,reports,dev]'
	@touch $(STAMP)

data: $(STAMP)
	@test -f $(DATA)/perined_lvr2.csv || $(BIN)/saz-geboortezorg synth --out $(DATA)

lab: data
	$(BIN)/saz-geboortezorg validate $(DATA)
	$(BIN)/jupyter lab notebooks/00_start_hier.ipynb $(ROOT_FLAG) $(LAB_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

test: lint
	$(BIN)/pytest
	$(BIN)/pytest --nbval --nbval-current-env --nbval-sanitize-with notebooks/nbval_sanitize.cfg notebooks/

bench: data
	$(BIN)/python benchmarks/run.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
