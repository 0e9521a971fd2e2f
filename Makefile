# Stageline: `make run` checks, draws, measures and simulates every example; `make test` runs the whole suite.
# Each target sets itself up on a fresh Debian machine with Python 3.11 (venv, pip installs, and
# the Debian packages it needs: cairo for PDF, Chromium for the browser tests).

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# The real event logs the examples are bound to (see ../shared/data/eventlogs/SOURCES.md).
LOGS ?= ../shared/data/eventlogs

.PHONY: run test lint typecheck unit bench clean system browser java golden

# Debian packages, installed when missing (as root) or named for the user to install.
define need_debian
	@missing=""; for pkg in $(1); do dpkg -s $$pkg >/dev/null 2>&1 || missing="$$missing $$pkg"; done; \
	if [ -n "$$missing" ]; then \
		if [ "$$(id -u)" = 0 ]; then \
			apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $$missing; \
		else echo "Stageline needs the Debian packages:$$missing (sudo apt-get install$$missing)"; exit 1; fi; \
	fi
endef

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV) || { \
		[ "$$(id -u)" = 0 ] && apt-get update && apt-get install -y python3-venv && $(PYTHON) -m venv $(VENV); }
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev,pdf,spark]'
	touch $(STAMP)

system:
	$(call need_debian,libcairo2)

browser:
	$(call need_debian,libcairo2 chromium)
	@command -v java >/dev/null 2>&1 || $(MAKE) --no-print-directory java

# Java for the Spark engine's tests (the machine may have its own Java 17 already).
java:
	$(call need_debian,openjdk-17-jre-headless)

run: $(STAMP) system
	@for f in examples/*.yaml; do \
		$(BIN)/stageline validate "$$f" || exit 1; \
		$(BIN)/stageline show "$$f" || exit 1; \
		$(BIN)/stageline check "$$f" --fail-on never || exit 1; \
		$(BIN)/stageline render "$$f" --all-views out/$$(basename "$$f" .yaml) || exit 1; \
	done
	@for pair in loan-application:bpic2012.xes.gz help-desk:helpdesk.xes.gz permit-application:receipt.parquet; do \
		name=$${pair%%:*}; log=$(LOGS)/$${pair#*:}; \
		if [ ! -f "$$log" ]; then echo "skipped measuring $$name: $$log is not here"; continue; fi; \
		$(BIN)/stageline measure examples/$$name.yaml --log "$$log" -o out/$$name/metrics.json || exit 1; \
		$(BIN)/stageline check examples/$$name.yaml --metrics out/$$name/metrics.json --fail-on never \
			--format markdown -o out/$$name/check-measured.md || exit 1; \
		$(BIN)/stageline render examples/$$name.yaml --metrics out/$$name/metrics.json \
			-o out/$$name/$$name-measured.html || exit 1; \
	done
	@for f in examples/*.yaml; do \
		grep -q '^simulation:' "$$f" || continue; name=$$(basename "$$f" .yaml); \
		$(BIN)/stageline simulate "$$f" -o out/$$name/simulated.json --html out/$$name/simulation.html || exit 1; \
	done
	@echo "Drawings of every example in every view: out/*/ (open the .html files in a browser)"
	@echo "Measured against the real event logs: out/*/metrics.json, check-measured.md, *-measured.html"
	@echo "Simulated what-if scenarios: out/*/simulation.html, simulated.*.json"

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks

typecheck: $(STAMP)
	$(BIN)/mypy

unit: $(STAMP) browser
	$(BIN)/pytest -q

test: lint typecheck unit

# Rewrite the golden drawings after a deliberate change; look at them before committing.
golden: $(STAMP)
	STAGELINE_UPDATE_GOLDEN=1 $(BIN)/pytest -q tests/test_render.py -k golden

bench: $(STAMP)
	$(call need_debian,graphviz)
	$(BIN)/python benchmarks/load.py
	$(BIN)/python benchmarks/analysis.py
	$(BIN)/python benchmarks/render.py
	$(BIN)/python benchmarks/data.py
	$(BIN)/python benchmarks/simulate.py

clean:
	rm -rf $(VENV) out .mypy_cache .pytest_cache .ruff_cache .hypothesis
