#!/usr/bin/env bash
# Build (or update) a station venv over Debian's Python, keeping apt's packages: the one way the station's
# Python is installed, used by systemd/install-pi.sh on the Pi and by `make test-pi` / `make wheelhouse` here.
#
#   scripts/station-venv.sh VENV [--src DIR] [--wheelhouse DIR] [--extras station] [--check-imports M,..]
#                                [--opencv auto|pip] [--editable] [--python /usr/bin/python3] [--dry-run]
#
# 1. VENV made with --system-site-packages by /usr/bin/python3 (3.11 on Bookworm, as on Raspberry Pi OS).
# 2. VENV/constraints-system.txt generated now, from the installed Debian packages' versions
#    (scripts/pi_constraints.py), so pip keeps apt's numpy, Pillow, pygame, gpiozero, pyserial, pyusb, evdev.
# 3. photoqueue[EXTRAS] installed with those constraints; the `opencv` extra (pip's OpenCV wheel) is added
#    only when the system's Python cannot import cv2, so there is never a second OpenCV beside apt's
#    (--opencv pip: always, for `make test-pi` on a machine that has apt's for other reasons).
#    --wheelhouse DIR: from that folder only, no network (see `make wheelhouse`).
# 4. scripts/pi_constraints.py check: the key packages are the system's and the named modules import.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
VENV=""
SRC="$(cd "$HERE/.." && pwd)"
WHEELHOUSE=""
EXTRAS="station"
IMPORTS="numpy,cv2,pygame,gpiozero,PIL,serial,usb,photoqueue.device.station.app"
EDITABLE=0
PYTHON=/usr/bin/python3
DRY=0
OPENCV=auto

while [ $# -gt 0 ]; do
    case "$1" in
        --src) SRC="$2"; shift 2 ;;
        --wheelhouse) WHEELHOUSE="$2"; shift 2 ;;
        --extras) EXTRAS="$2"; shift 2 ;;
        --check-imports) IMPORTS="$2"; shift 2 ;;
        --editable) EDITABLE=1; shift ;;
        --opencv) OPENCV="$2"; shift 2 ;;
        --python) PYTHON="$2"; shift 2 ;;
        --dry-run) DRY=1; shift ;;
        -h|--help) sed -n '2,15p' "$0"; exit 0 ;;
        -*) echo "station-venv.sh: unknown option $1" >&2; exit 2 ;;
        *) VENV="$1"; shift ;;
    esac
done
[ -n "$VENV" ] || { echo "station-venv.sh: name the venv directory" >&2; exit 2; }
if [ -n "$WHEELHOUSE" ] && ! ls "$WHEELHOUSE"/photoqueue-*.whl >/dev/null 2>&1; then
    echo "station-venv.sh: $WHEELHOUSE has no photoqueue wheel (make it with: make wheelhouse)" >&2
    exit 2
fi

run() { if [ "$DRY" -eq 1 ]; then echo "   would run: $*"; else "$@"; fi; }

if [ ! -x "$VENV/bin/python" ]; then
    run "$PYTHON" -m venv --system-site-packages "$VENV"
fi
case ",$EXTRAS," in *,station,*) station=1 ;; *) station=0 ;; esac
if [ "$station" -eq 1 ] && { [ "$OPENCV" = pip ] || ! "$PYTHON" -c 'import cv2' >/dev/null 2>&1; }; then
    EXTRAS="$EXTRAS,opencv"  # no apt OpenCV: pip's wheel, built for the system's numpy by the constraints
fi
CONSTRAINTS="$VENV/constraints-system.txt"
if [ "$DRY" -eq 1 ]; then
    echo "   would write $CONSTRAINTS:"; "$PYTHON" "$HERE/pi_constraints.py" constraints | grep -v '^#' | sed 's/^/     /'
else
    "$PYTHON" "$HERE/pi_constraints.py" constraints > "$CONSTRAINTS"
fi

pip_args=(--disable-pip-version-check --quiet -c "$CONSTRAINTS")
if [ -n "$WHEELHOUSE" ]; then
    # offline: every wheel comes from the folder; photoqueue's own is prebuilt (no setuptools needed)
    pip_args+=(--no-index --find-links "$WHEELHOUSE")
    target="photoqueue[$EXTRAS]"
elif [ "$EDITABLE" -eq 1 ]; then
    target=(-e "$SRC[$EXTRAS]")
else
    target="$SRC[$EXTRAS]"
fi
run "$VENV/bin/pip" install "${pip_args[@]}" "${target[@]}"
if [ "$DRY" -eq 0 ]; then
    PYGAME_HIDE_SUPPORT_PROMPT=1 "$VENV/bin/python" "$HERE/pi_constraints.py" check --import "$IMPORTS"
fi
