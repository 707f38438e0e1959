#!/usr/bin/env bash
# Install the photoqueue central service (API, dashboard, reports) on a Debian 12 machine (or a Raspberry
# Pi OS Bookworm one): one per collection day, never on the stations (install-pi.sh does those).
#
#   sudo systemd/install-central.sh [--wheelhouse DIR] [--no-enable] [--dry-run]
#
# Makes the service user photoqueue-central, the program in /opt/photoqueue/venv (photoqueue[central],
# beside a station's program when both share a machine), the unit photoqueue-central.service (SQLite in
# /var/lib/photoqueue-central; for PostgreSQL edit its --db, see docs/central.md). Safe to run again.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive

PREFIX=/opt/photoqueue
USER_NAME=photoqueue-central
SRC="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
WHEELHOUSE=""
ENABLE=1
DRY=0
die() { echo "install-central.sh: $*" >&2; exit 2; }
while [ $# -gt 0 ]; do
    case "$1" in
        --wheelhouse) [ $# -ge 2 ] || die "--wheelhouse needs a folder"; WHEELHOUSE="$(cd "$2" && pwd)"; shift 2 ;;
        --no-enable) ENABLE=0; shift ;;
        --dry-run) DRY=1; shift ;;
        -h|--help) sed -n '2,9p' "$0"; exit 0 ;;
        *) die "unknown option $1 (see --help)" ;;
    esac
done
[ "$DRY" -eq 1 ] || [ "$(id -u)" -eq 0 ] || die "run as root (sudo), or with --dry-run"
run() { if [ "$DRY" -eq 1 ]; then echo "   would run: $*"; else "$@"; fi; }

echo "== apt packages"
bash "$SRC/scripts/install-debs.sh" python3 python3-venv python3-pip

echo "== service user"
if ! id "$USER_NAME" >/dev/null 2>&1; then
    run useradd --system --user-group --home-dir /var/lib/photoqueue-central --no-create-home \
        --shell /usr/sbin/nologin "$USER_NAME"
fi

echo "== program in $PREFIX/venv"
run install -d -m 0755 "$PREFIX"
args=("$PREFIX/venv" --src "$SRC" --extras central --check-imports "fastapi,uvicorn,photoqueue.central.app")
[ -n "$WHEELHOUSE" ] && args+=(--wheelhouse "$WHEELHOUSE")
[ "$DRY" -eq 1 ] && args+=(--dry-run)
bash "$SRC/scripts/station-venv.sh" "${args[@]}"
run ln -sfn "$PREFIX/venv/bin/photoqueue" /usr/local/bin/photoqueue

echo "== systemd unit"
run install -m 0644 "$SRC/systemd/photoqueue-central.service" /etc/systemd/system/photoqueue-central.service
if [ -d /run/systemd/system ]; then run systemctl daemon-reload; fi
if [ "$ENABLE" -eq 1 ]; then
    run systemctl enable photoqueue-central.service
    if [ -d /run/systemd/system ]; then run systemctl restart photoqueue-central.service; fi
fi
echo "== next: sudo photoqueue central add-user --db sqlite:////var/lib/photoqueue-central/central.db --name NAME"
echo "   and for each room: photoqueue central add-station --db ... --room ROOM (its token goes to that station)"
