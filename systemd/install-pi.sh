#!/usr/bin/env bash
# Install a photoqueue station on Raspberry Pi OS Bookworm (Pi 4 / Pi 5), from this source tree.
#
#   sudo systemd/install-pi.sh [--key FILE] [--room ROOM] [--no-enable]
#
# --key FILE   the day's deployment key (the SAME file on every station; copy it from the first one).
#              Without it a new key is made in /etc/photoqueue/deployment.key.
# --room ROOM  write this room into a new /etc/photoqueue/station.toml.
# Safe to run again: it upgrades the program and keeps the config, the key and the data.
set -euo pipefail

PREFIX=/opt/photoqueue
CONF=/etc/photoqueue
DATA=/var/lib/photoqueue
USER_NAME=photoqueue
SRC="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
KEY=""
ROOM=""
ENABLE=1

while [ $# -gt 0 ]; do
    case "$1" in
        --key) KEY="$2"; shift 2 ;;
        --room) ROOM="$2"; shift 2 ;;
        --no-enable) ENABLE=0; shift ;;
        -h|--help) sed -n '2,10p' "$0"; exit 0 ;;
        *) echo "install-pi.sh: unknown option $1" >&2; exit 2 ;;
    esac
done

if [ "$(id -u)" -ne 0 ]; then
    echo "install-pi.sh: run as root (sudo)" >&2
    exit 1
fi
. /etc/os-release
if [ "${VERSION_CODENAME:-}" != "bookworm" ]; then
    echo "install-pi.sh: warning: made for Raspberry Pi OS Bookworm, this is ${PRETTY_NAME:-unknown}" >&2
fi

echo "== apt packages"
# picamera2 and libcamera come only from Raspberry Pi OS's apt; pygame from apt uses the system SDL,
# which has the KMS/DRM video driver (the screen without a desktop); lgpio drives GPIO on the Pi 5.
apt-get update
apt-get install -y --no-install-recommends \
    python3 python3-venv python3-pip \
    python3-picamera2 python3-libcamera \
    python3-pygame libsdl2-2.0-0 \
    python3-lgpio python3-gpiozero \
    python3-numpy python3-pil python3-opencv \
    python3-usb python3-cups \
    libzbar0 fonts-wqy-microhei espeak-ng

echo "== service user"
if ! id "$USER_NAME" >/dev/null 2>&1; then
    useradd --system --user-group --home-dir "$DATA" --shell /usr/sbin/nologin "$USER_NAME"
fi
for group in video render input lp gpio dialout audio; do
    if getent group "$group" >/dev/null; then
        usermod -a -G "$group" "$USER_NAME"
    fi
done

echo "== program in $PREFIX/venv"
install -d -m 0755 "$PREFIX"
# --system-site-packages: the venv sees apt's picamera2, pygame (system SDL with kmsdrm), lgpio,
# numpy, pillow and opencv; pip adds only what apt does not have.
if [ ! -x "$PREFIX/venv/bin/python" ]; then
    python3 -m venv --system-site-packages "$PREFIX/venv"
fi
"$PREFIX/venv/bin/pip" install --quiet --upgrade pip
"$PREFIX/venv/bin/pip" install --quiet "$SRC"

echo "== config and key in $CONF"
install -d -m 0750 -o root -g "$USER_NAME" "$CONF"
if [ ! -f "$CONF/station.toml" ]; then
    install -m 0640 -o root -g "$USER_NAME" "$SRC/systemd/station.example.toml" "$CONF/station.toml"
    sed -i "s|^data_dir = .*|data_dir = \"$DATA\"|" "$CONF/station.toml"
    if [ -n "$ROOM" ]; then
        sed -i "s|^room = .*|room = \"$ROOM\"|" "$CONF/station.toml"
    fi
fi
if [ -n "$KEY" ]; then
    install -m 0600 -o root -g root "$KEY" "$CONF/deployment.key"
elif [ ! -f "$CONF/deployment.key" ]; then
    (umask 077; python3 -c 'import secrets; print(secrets.token_hex(32))' > "$CONF/deployment.key")
    echo "   made a new deployment key: copy $CONF/deployment.key to every other station of the day"
fi

echo "== systemd units and udev rules"
install -m 0644 "$SRC/systemd/photoqueue-station.service" /etc/systemd/system/photoqueue-station.service
install -m 0644 "$SRC/systemd/photoqueue-central.service" /etc/systemd/system/photoqueue-central.service
install -m 0644 "$SRC/systemd/60-photoqueue-printers.rules" /etc/udev/rules.d/60-photoqueue-printers.rules
udevadm control --reload
udevadm trigger --subsystem-match=usb --subsystem-match=usbmisc || true
systemctl daemon-reload

echo "== checking the config"
if ! runuser -u "$USER_NAME" -- "$PREFIX/venv/bin/photoqueue" station --config "$CONF/station.toml" --check; then
    echo "   fix $CONF/station.toml (see docs/config.md), then: sudo systemctl restart photoqueue-station"
    ENABLE=0
fi
if [ "$ENABLE" -eq 1 ]; then
    systemctl enable --now photoqueue-station.service
    echo "== running: journalctl -u photoqueue-station -f"
else
    echo "== installed, not started: sudo systemctl enable --now photoqueue-station"
fi
