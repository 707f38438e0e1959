# Every target sets up what it needs on a fresh Debian/Ubuntu machine: Debian packages
# (installed only when missing), a virtual environment in .venv, and the Python packages.
PY      ?= python3
VENV    := .venv
BIN     := $(VENV)/bin
STAMP   := $(VENV)/.installed
DEB_PKGS := libzbar0 fonts-wqy-microhei tesseract-ocr tesseract-ocr-chi-sim chromium chromium-driver espeak-ng
# The Pi's Python, here: a venv over Debian's /usr/bin/python3 with apt's numpy, Pillow, pygame, OpenCV...
# (the versions Raspberry Pi OS Bookworm runs), built by the same script as systemd/install-pi.sh.
PIVENV  := .venv-pi
PI_STAMP := $(PIVENV)/.installed
# test-pi stands alone: besides the Pi's Python packages, the tools its tests use (OCR of the screen and the
# ticket, the spoken call), so it needs no `make setup` first.
PI_DEBS := python3 python3-venv python3-pip python3-numpy python3-pil python3-pygame \
           python3-serial python3-usb python3-evdev python3-gpiozero libzbar0 fonts-wqy-microhei \
           tesseract-ocr tesseract-ocr-chi-sim espeak-ng
# Raspberry Pi OS ships gpiozero 2.0.x, Debian 1.6.2 (.venv-pi's): the GPIO tests run again with 2.0.1 put
# ahead of apt's on PYTHONPATH (a folder holding only that wheel; the rest is .venv-pi's).
PI_GPIOZERO2 := $(PIVENV)/gpiozero2
PI_GPIO_TESTS := tests/device/test_buttons.py tests/device/test_date_confirm.py tests/device/test_diagnose.py \
                 tests/device/test_diagnose_one_line.py
# The station-side suite on the Pi's Python: of the tests of what runs on the Pi, those marked `pi`, the ones
# whose outcome can depend on a library the Pi takes from apt at an older version (numpy, OpenCV, Pillow,
# pygame, gpiozero, the barcode decoders, escpos...) and the station's imports. The rest (the queue, the
# timetable, the store, the sync) is plain Python on the same CPython 3.11 and SQLite: test-main runs it.
PI_TESTS := tests/core tests/timetable tests/scanner tests/printer tests/display tests/device \
            tests/test_station_imports.py
# test-main's parallel run: pytest-xdist workers (auto: one per core), a test file to one worker (its
# module-scoped servers start once); then the tests marked `serial` alone.
PYTEST_JOBS ?= auto
WHEELHOUSE ?= dist/wheelhouse
export SDL_VIDEODRIVER ?= dummy
export SDL_AUDIODRIVER ?= dummy

.PHONY: setup debs pi-debs demo test test-main test-parallel test-serial test-pi test-install wheelhouse bench lint reliability clean

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

# The whole suite in the dev venv, then the version-sensitive tests again on the Pi's Python (test-pi).
# The Pi's run goes beside the parallel run (neither measures time, and the parallel run leaves a core idle
# while its last big files finish); the serial tests run alone after both. -Otarget: each part's output
# whole, not interleaved.
test: setup pi-debs
	$(MAKE) --no-print-directory -j2 -Otarget test-parallel test-pi
	$(MAKE) --no-print-directory test-serial

test-main: test-parallel test-serial

test-parallel: setup
	$(BIN)/ruff check photoqueue tests bench scripts
	@bash scripts/ensure-postgres.sh
	$(BIN)/python -m pytest -n $(PYTEST_JOBS) --dist loadfile -m "not serial" $(PYTEST_ARGS)

test-serial: setup
	@bash scripts/ensure-postgres.sh
	$(BIN)/python -m pytest -m serial $(PYTEST_ARGS) || [ $$? -eq 5 ]  # 5: PYTEST_ARGS chose none of them

pi-debs:
	@bash scripts/install-debs.sh $(PI_DEBS)

# The [station] install on apt's packages (the constraints keep them), plus the test tools; the central
# extra too, only because the sync client's tests start a real centre in process (the station's own
# code never imports it: tests/test_station_imports.py).
$(PI_STAMP): pyproject.toml scripts/station-venv.sh scripts/pi_constraints.py
	bash scripts/station-venv.sh $(PIVENV) --editable --extras station,central --opencv pip
	$(PIVENV)/bin/pip install -q --disable-pip-version-check -c $(PIVENV)/constraints-system.txt pytest hypothesis
	touch $(PI_STAMP)

$(PI_GPIOZERO2)/.installed: $(PI_STAMP)
	$(PIVENV)/bin/pip install -q --disable-pip-version-check --no-deps --target $(PI_GPIOZERO2) gpiozero==2.0.1
	touch $@

test-pi: pi-debs $(PI_STAMP) $(PI_GPIOZERO2)/.installed
	PYGAME_HIDE_SUPPORT_PROMPT=1 $(PIVENV)/bin/python scripts/pi_constraints.py check --import numpy,cv2,pygame,gpiozero
	PYTHONPATH=$(CURDIR) $(PIVENV)/bin/python -m pytest -p no:cacheprovider -m pi $(PI_TESTS) $(PYTEST_ARGS)
	PYTHONPATH=$(PI_GPIOZERO2):$(CURDIR) $(PIVENV)/bin/python -c 'import importlib.metadata as m, sys; \
	    v = m.version("gpiozero"); sys.exit(0 if v.startswith("2.0.") else f"gpiozero {v}: expected 2.0.x")'
	PYTHONPATH=$(PI_GPIOZERO2):$(CURDIR) $(PIVENV)/bin/python -m pytest -p no:cacheprovider $(PI_GPIO_TESTS) $(PYTEST_ARGS)

# Every wheel a station needs beyond apt's packages (photoqueue's own included), for amd64 and arm64,
# so that `systemd/install-pi.sh --wheelhouse DIR` installs without a network.
wheelhouse: pi-debs
	bash scripts/wheelhouse.sh $(WHEELHOUSE)

# install-pi.sh for real in a throwaway Debian bookworm root (slow: CI's .ci/run, not `make test`).
# ARCH=amd64 (default): offline, from `make wheelhouse`. ARCH=arm64: the Pi's architecture, emulated by
# qemu-user-static through binfmt_misc (set-up in docs/station.md "The install test"; ~25 min cold), with
# pip from the network as a Pi installs by default. The root and apt's .debs are kept in
# /var/cache/photoqueue-ci between runs; each run's figures in test-install-ARCH.last there.
ARCH ?= amd64
ifeq ($(ARCH),amd64)
test-install: pi-debs wheelhouse
	bash scripts/test-install.sh --arch amd64 --wheelhouse $(WHEELHOUSE)
else
test-install:
	bash scripts/test-install.sh --arch $(ARCH)
endif

bench: setup
	$(BIN)/python bench/run_all.py $(BENCH_ARGS)

# The fault-injection suite. CI runs tests/reliability as part of `make test`; this target also
# runs the long versions (more kills, a longer soak) that take too long for every CI run.
reliability: setup
	PHOTOQUEUE_LONG=1 $(BIN)/python -m pytest tests/reliability $(PYTEST_ARGS)

lint: setup
	$(BIN)/ruff check photoqueue tests bench

clean:
	rm -rf $(VENV) $(PIVENV) dist build dist *.egg-info .pytest_cache .ruff_cache
