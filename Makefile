# reportqa: `make run` sets up, loads the sample letters and starts the product; `make test` checks it.
VENV      ?= .venv
PYTHON    ?= python3
BIN       := $(VENV)/bin
SAMPLES   := data/sample/letters evals/suites/small/letters
HOST      ?= 127.0.0.1
PORT      ?= 8000

export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export ANONYMIZED_TELEMETRY := False
export TOKENIZERS_PARALLELISM := false

.PHONY: install run ingest test lint browser bench eval clean

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

ingest: install
	$(BIN)/reportqa ingest $(SAMPLES)

run: ingest
	$(BIN)/reportqa serve --host $(HOST) --port $(PORT)

# Debian's Chromium for the browser tests (root only; elsewhere those tests skip with the reason).
browser:
	@command -v chromium >/dev/null 2>&1 || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null && \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
	  || echo "chromium not installed: browser tests will be skipped"; }

lint: install
	$(BIN)/ruff check .
	$(BIN)/mypy

test: install lint browser
	$(BIN)/pytest

bench: install
	$(BIN)/python -m evals.bench_ingest

eval: install
	$(BIN)/reportqa eval --suite small --out reports/small

clean:
	rm -rf $(VENV) data/store reports .pytest_cache .mypy_cache .ruff_cache
