#!/usr/bin/env bash
# Every wheel a station needs beyond apt's packages, photoqueue's own included, for amd64 and arm64 (the Pi):
# `systemd/install-pi.sh --wheelhouse DIR` then installs with no network and no build (Bookworm's
# setuptools is enough, since nothing is built on the Pi).
#
#   scripts/wheelhouse.sh DIR
#
# What "beyond apt" means is decided by pip's own resolver, in a scratch venv (no system site packages) where
# the Python packages of the Pi's apt list, scripts/pi-apt-packages.txt (numpy, Pillow, pygame, pyserial,
# pyusb, evdev, gpiozero, colorzero, pycups), are marked installed at the list's Bookworm versions: what this
# machine has from Debian plays no part (`pi_constraints.py constraints --pi-list`). OpenCV is pip's
# headless wheel for that numpy (the station's choice, docs/station.md). Every other distribution is pinned
# in DIR/station-requirements.txt. DIR/arm64-missing.txt lists the distributions with no arm64 wheel (they
# would build from source on a Pi).
#
# The wheels beyond photoqueue's own are kept in $PHOTOQUEUE_CI_CACHE/wheelhouse/KEY (default
# /var/cache/photoqueue-ci, outside the clone), KEY a hash of what decides them (pyproject.toml, this
# script, pi_constraints.py, the Pi's apt list, the Python): a second run with the same inputs within 7 days
# builds only photoqueue's wheel and copies the rest; a fresh machine, or a change, resolves and downloads.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
SRC="$(cd "$HERE/.." && pwd)"
DIR="${1:?usage: scripts/wheelhouse.sh DIR}"
PYTHON=/usr/bin/python3
mkdir -p "$DIR"
DIR="$(cd "$DIR" && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
pip_q=(--disable-pip-version-check --quiet)

echo "== photoqueue's wheel"
rm -f "$DIR"/photoqueue-*.whl
"$PYTHON" -m pip wheel "${pip_q[@]}" --no-deps -w "$DIR" "$SRC"

CACHE="${PHOTOQUEUE_CI_CACHE:-/var/cache/photoqueue-ci}"
key="$( (cd "$SRC" && cat pyproject.toml scripts/wheelhouse.sh scripts/pi_constraints.py scripts/pi-apt-packages.txt \
    && "$PYTHON" --version && uname -m) | sha256sum | cut -c1-16)"
cached="$CACHE/wheelhouse/$key"
if [ -f "$cached/station-requirements.txt" ] && [ -z "$(find "$cached/station-requirements.txt" -mtime +7)" ]; then
    echo "== the other wheels: from $cached (resolved $(date -r "$cached/station-requirements.txt" -u +%FT%TZ)" \
         "for the same inputs)"
    cp "$cached"/*.whl "$cached/station-requirements.txt" "$cached/arm64-missing.txt" "$DIR/"
    echo "== $DIR: $(ls "$DIR"/*.whl | wc -l) wheels, $(du -sh "$DIR" | cut -f1)"
    exit 0
fi

echo "== what a station needs beyond apt"
"$PYTHON" "$HERE/pi_constraints.py" constraints --pi-list > "$work/constraints.txt"
"$PYTHON" -m venv "$work/venv"
site="$("$work/venv/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')"
grep -v '^#' "$work/constraints.txt" | while IFS='=' read -r dist _ version; do
    # a bare dist-info: pip counts the package as installed, as it sees apt's in a --system-site-packages venv
    mkdir -p "$site/$dist-$version.dist-info"
    printf 'Metadata-Version: 2.1\nName: %s\nVersion: %s\n' "$dist" "$version" > "$site/$dist-$version.dist-info/METADATA"
    echo "apt" > "$site/$dist-$version.dist-info/INSTALLER"
    : > "$site/$dist-$version.dist-info/RECORD"
done
wheel="$(ls "$DIR"/photoqueue-*.whl)"
"$work/venv/bin/pip" install "${pip_q[@]}" --dry-run --report "$work/report.json" -c "$work/constraints.txt" \
    "photoqueue[station,opencv] @ file://$wheel"
"$PYTHON" - "$work/report.json" > "$work/needed.txt" <<'EOF'
import json, sys
for item in json.load(open(sys.argv[1]))["install"]:
    meta = item["metadata"]
    if meta["name"].lower() != "photoqueue":
        print(f'{meta["name"]}=={meta["version"]}')
EOF
sed 's/^/   /' "$work/needed.txt"

echo "== wheels for this machine and for arm64"
"$PYTHON" -m pip download "${pip_q[@]}" --no-deps --only-binary=:all: -d "$work/wheels" -r "$work/needed.txt"
: > "$DIR/arm64-missing.txt"
while read -r req; do
    if ! "$PYTHON" -m pip download "${pip_q[@]}" --no-deps --only-binary=:all: -d "$work/wheels" --python-version 3.11 \
            --implementation cp --abi cp311 --platform manylinux2014_aarch64 --platform manylinux_2_17_aarch64 \
            --platform manylinux_2_28_aarch64 --platform linux_aarch64 "$req" >/dev/null 2>&1; then
        echo "$req" >> "$DIR/arm64-missing.txt"
    fi
done < "$work/needed.txt"
cp "$work/needed.txt" "$DIR/station-requirements.txt"
cp "$work/wheels"/*.whl "$DIR/"
mkdir -p "$cached.tmp" && cp "$work/wheels"/*.whl "$DIR/station-requirements.txt" "$DIR/arm64-missing.txt" "$cached.tmp/"
rm -rf "$cached" && mv "$cached.tmp" "$cached"
echo "== $DIR: $(ls "$DIR"/*.whl | wc -l) wheels, $(du -sh "$DIR" | cut -f1)"
if [ -s "$DIR/arm64-missing.txt" ]; then
    echo "   no arm64 wheel (a Pi would build these from source): $(tr '\n' ' ' < "$DIR/arm64-missing.txt")"
else
    echo "   every one has an arm64 wheel: nothing builds from source on a Pi"
fi
