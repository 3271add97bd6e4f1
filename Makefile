# Two entry points: `make course` to learn, `make test` to check everything.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PORT   ?= 8888

.PHONY: course test lint notebooks bench clean js

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Stamp files re-run the install when pyproject.toml changes.
$(VENV)/.course: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[course]'
	touch $@

$(VENV)/.test: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@ $(VENV)/.course

# JupyterLab refuses to run as root unless told it may (containers, root shells).
ROOT_FLAG := $(if $(filter 0,$(shell id -u)),--allow-root,)

course: $(VENV)/.course
	$(BIN)/jupyter lab --port=$(PORT) --ServerApp.root_dir=$(CURDIR) $(ROOT_FLAG) notebooks/00-welcome.ipynb

lint: $(VENV)/.test
	$(BIN)/ruff check npkit tests benchmarks tools

test: lint
	$(BIN)/pytest tests npkit
	NPKIT_PROGRESS=off $(BIN)/pytest --nbval-lax --sanitize-with tests/nbval-sanitize.cfg $(wildcard notebooks/*.ipynb labs/*.ipynb)

# Notebooks and labs are built from their jupytext sources (notebooks/src, labs/src); see CONTRIBUTING.md.
notebooks: $(VENV)/.test
	$(BIN)/python tools/notebooks.py

# The widgets' browser code: js/src (CodeMirror 6, the matrix and diagram) bundled by esbuild into
# npkit/widgets/static/, which is committed, so installing npkit never needs node. Needs node and npm.
js:
	cd js && npm ci --no-audit --no-fund && node build.mjs

bench: $(VENV)/.test
	$(BIN)/python benchmarks/bench_widgets.py
	$(BIN)/python benchmarks/bench_matrix.py
	$(BIN)/python benchmarks/bench_loading.py
	$(BIN)/python benchmarks/bench_lint.py
	$(BIN)/python benchmarks/bench_local_lab.py

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .ruff_cache .hypothesis
