# Every target sets up what it needs on a fresh Debian/Ubuntu machine: Debian packages
# (installed only when missing), a virtual environment in .venv, and the Python packages.
PY      ?= python3
VENV    := .venv
BIN     := $(VENV)/bin
STAMP   := $(VENV)/.installed
DEB_PKGS := libzbar0 fonts-wqy-microhei tesseract-ocr tesseract-ocr-chi-sim chromium chromium-driver espeak-ng
export SDL_VIDEODRIVER ?= dummy
export SDL_AUDIODRIVER ?= dummy

.PHONY: setup debs demo test bench lint reliability clean

setup: debs $(STAMP)

debs:
	@bash scripts/install-debs.sh $(DEB_PKGS)

$(STAMP): pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	touch $(STAMP)

demo: setup
	$(BIN)/photoqueue demo --headless --exit $(DEMO_ARGS)

test: setup
	$(BIN)/ruff check photoqueue tests bench
	$(BIN)/python -m pytest $(PYTEST_ARGS)

bench: setup
	$(BIN)/python bench/run_all.py $(BENCH_ARGS)

# The fault-injection suite. CI runs tests/reliability as part of `make test`; this target also
# runs the long versions (more kills, a longer soak) that take too long for every CI run.
reliability: setup
	PHOTOQUEUE_LONG=1 $(BIN)/python -m pytest tests/reliability $(PYTEST_ARGS)

lint: setup
	$(BIN)/ruff check photoqueue tests bench

clean:
	rm -rf $(VENV) build dist *.egg-info .pytest_cache .ruff_cache
