#!/usr/bin/env bash
# CI's arm64 install test, run only when what it tests changed: `make test-install ARCH=arm64` (emulated,
# ~10 min warm, ~25 min cold) when systemd/, scripts/ or pyproject.toml differ from every state that has
# passed it on this machine; otherwise one line saying which run it stands on. amd64 runs every time.
#
#   scripts/arm64-if-changed.sh [--force]
#
# A pass leaves a stamp named by the hash of those paths' files in $PHOTOQUEUE_CI_CACHE/arm64-passed/
# (default /var/cache/photoqueue-ci, outside the clone, so a fresh checkout keeps it). A failure leaves none.
# $PHOTOQUEUE_ARM64_CMD replaces the command (the tests use it).
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
SRC="$(cd "$HERE/.." && pwd)"
CACHE="${PHOTOQUEUE_CI_CACHE:-/var/cache/photoqueue-ci}"
CMD="${PHOTOQUEUE_ARM64_CMD:-make test-install ARCH=arm64}"
FORCE=0
[ "${1:-}" = "--force" ] && FORCE=1

hash="$(cd "$SRC" && find systemd scripts pyproject.toml -type f ! -name '*.pyc' ! -path '*/__pycache__/*' -print0 \
    | sort -z | xargs -0 sha256sum | sha256sum | cut -c1-16)"
stamp="$CACHE/arm64-passed/$hash"
if [ "$FORCE" -eq 0 ] && [ -f "$stamp" ]; then
    echo "arm64 install: not run: systemd/, scripts/ and pyproject.toml are as when it passed ($(cat "$stamp"), $hash)"
    exit 0
fi
echo "arm64 install: systemd/, scripts/ or pyproject.toml changed since its last pass ($hash): $CMD"
# A CI machine that has never run arm64 roots: set qemu up through binfmt_misc (as root, once; docs/station.md
# "The install test"), so a new machine runs the stage instead of failing on a missing emulator.
if [ -z "${PHOTOQUEUE_ARM64_CMD:-}" ] && [ "$(uname -m)" != aarch64 ] && [ "$(id -u)" -eq 0 ] \
        && ! grep -qx enabled /proc/sys/fs/binfmt_misc/qemu-aarch64 2>/dev/null; then
    echo "arm64 install: setting up qemu-user-static through binfmt_misc"
    mountpoint -q /proc/sys/fs/binfmt_misc || mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc || true
    dpkg -s qemu-user-static binfmt-support arch-test >/dev/null 2>&1 \
        || bash "$HERE/install-debs.sh" qemu-user-static binfmt-support arch-test
    update-binfmts --enable qemu-aarch64 2>/dev/null || true
fi
(cd "$SRC" && bash -c "$CMD")
mkdir -p "$CACHE/arm64-passed"
date -u +%Y-%m-%dT%H:%M:%SZ > "$stamp"
echo "arm64 install: passed; stamp $stamp"
