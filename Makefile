# Two entry points: `make course` to learn, `make test` to check everything.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PORT   ?= 8888

# Every install takes its versions from the lock (constraints.txt), refreshed by `make lock`.
LOCK    := constraints.txt
INSTALL := $(BIN)/python -m pip install --quiet --constraint $(LOCK)
UV      := uv==0.13.8

.PHONY: course test lint lock notebooks messages bench clean js

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Stamp files re-run the install when pyproject.toml or the lock changes.
$(VENV)/.course: pyproject.toml $(LOCK) | $(BIN)/python
	$(INSTALL) -e '.[course]'
	touch $@

$(VENV)/.test: pyproject.toml $(LOCK) | $(BIN)/python
	$(INSTALL) -e '.[test]'
	touch $@ $(VENV)/.course

# JupyterLab refuses to run as root unless told it may (containers, root shells).
ROOT_FLAG := $(if $(filter 0,$(shell id -u)),--allow-root,)

# The edition npkit's own language rule picks (NPKIT_LANG, else the locale): notebooks/zh-CN/ for Chinese.
# (`=`, not `:=`: expanded when the recipe runs, once the venv exists.)
EDITION = $(shell $(BIN)/python -c 'from npkit.i18n import edition; print(edition() and edition() + "/")')

course: $(VENV)/.course
	$(BIN)/jupyter lab --port=$(PORT) --ServerApp.root_dir=$(CURDIR) $(ROOT_FLAG) notebooks/$(EDITION)00-welcome.ipynb

# All three run even when one fails, so one run shows every problem.
lint: $(VENV)/.test
	@status=0; \
	echo "ruff check npkit tests benchmarks tools"; $(BIN)/ruff check npkit tests benchmarks tools || status=1; \
	echo "mypy"; $(BIN)/mypy || status=1; \
	echo "lint-imports"; $(BIN)/lint-imports --no-logo || status=1; \
	exit $$status

# Re-resolve the lock after a change to the dependencies in pyproject.toml: every extra, for any
# Python from 3.10 (requires-python) on any platform (uv's universal resolution). Versions already
# locked stay unless they must move; `make lock UPGRADE=1` moves everything to the newest allowed.
lock: | $(BIN)/python
	$(BIN)/python -m pip install --quiet '$(UV)'
	$(BIN)/uv pip compile pyproject.toml --universal --python-version 3.10 --extra test --quiet \
	  --custom-compile-command 'make lock' $(if $(UPGRADE),--upgrade,) -o $(LOCK)

# The notebooks' labs observe on the local backend only when opted in: CI does so explicitly, as root
# (it creates network namespaces and nftables rules); elsewhere they predict. NPKIT_LAB_BACKEND=... overrides.
NPKIT_LAB_BACKEND ?= $(if $(filter 0,$(shell id -u)),local,predict)

test: lint
	$(BIN)/pytest tests npkit
	NPKIT_LANG=en NPKIT_PROGRESS=off NPKIT_LAB_BACKEND=$(NPKIT_LAB_BACKEND) $(BIN)/pytest --nbval-lax \
		--sanitize-with tests/nbval-sanitize.cfg $(wildcard notebooks/*.ipynb labs/*.ipynb notebooks/zh-CN/*.ipynb labs/zh-CN/*.ipynb)

# Notebooks and labs are built from their jupytext sources (notebooks/src, labs/src), in two editions
# (English, and zh-CN/); see CONTRIBUTING.md.
notebooks: $(VENV)/.test
	$(BIN)/python tools/notebooks.py

# npkit's message catalogs (npkit/locale/zh_CN/LC_MESSAGES/<domain>.po, .mo): extract every message of
# the code and the course data, update the .po files (translations kept), compile the .mo files.
# See docs/translating.md; `tools/messages.py --stats` counts what is left to translate.
messages: $(VENV)/.test
	$(BIN)/python tools/messages.py

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
	$(BIN)/python benchmarks/bench_connlist.py
	$(BIN)/python benchmarks/bench_scale.py

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .ruff_cache .mypy_cache .hypothesis .import_linter_cache .grimp_cache
