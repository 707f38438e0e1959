#!/usr/bin/env bash
# Install a photoqueue station on Raspberry Pi OS Bookworm (Pi 4 / Pi 5), from this source tree.
#
#   sudo systemd/install-pi.sh [--room ROOM] [--key FILE] [--wheelhouse DIR] [--no-enable] [--no-watchdog]
#                              [--dry-run]
#
# --room ROOM       this station's room, written into a new /etc/photoqueue/station.toml. Without it (one
#                   SD-card image for every room) set `room` in that file at first boot.
# --key FILE        the day's deployment key (the SAME file on every station). Optional: without it the
#                   key already in /etc/photoqueue is kept, or a new one is made (copy it to the others).
# --wheelhouse DIR  install the program from the wheels of `make wheelhouse`: no network for pip.
# --no-enable       install, but do not enable the service.
# --no-watchdog     no whole-Pi hardware watchdog (see docs/station.md, "The watchdog").
# --dry-run         print what would be done, change nothing.
# Safe to run again: it keeps the config, the key and the data, changes only what differs, and says so.
# It runs to the end in a chroot without systemd or udev (an image being prepared): the units are enabled
# for the next boot, the udev rules copied, and the live steps skipped with a note.
# The central service is installed by systemd/install-central.sh, never here.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive

PREFIX=/opt/photoqueue
CONF=/etc/photoqueue
DATA=/var/lib/photoqueue
# the witness kept outside the data dir (docs/station.md "The number gate"): a data dir deleted or restored
# from a plain copy is refused because this directory still knows how far the room numbered
WITNESS=/var/lib/photoqueue-witness
USER_NAME=photoqueue
GROUPS_WANTED="video render input lp gpio dialout audio"
SRC="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
KEY=""
ROOM=""
WHEELHOUSE=""
ENABLE=1
WATCHDOG=1
DRY=0
CHANGED=0

die() { echo "install-pi.sh: $*" >&2; exit 2; }
while [ $# -gt 0 ]; do
    case "$1" in
        --key) [ $# -ge 2 ] || die "--key needs a file"; KEY="$2"; shift 2 ;;
        --room) [ $# -ge 2 ] || die "--room needs a name"; ROOM="$2"; shift 2 ;;
        --wheelhouse) [ $# -ge 2 ] || die "--wheelhouse needs a folder"; WHEELHOUSE="$2"; shift 2 ;;
        --no-enable) ENABLE=0; shift ;;
        --no-watchdog) WATCHDOG=0; shift ;;
        --dry-run) DRY=1; shift ;;
        --central) die "the central service has its own script: systemd/install-central.sh" ;;
        -h|--help) sed -n '2,19p' "$0"; exit 0 ;;
        *) die "unknown option $1 (see --help)" ;;
    esac
done

# --- every argument is checked before anything is installed ---------------------------------------------
if [ -n "$KEY" ]; then
    [ -f "$KEY" ] && [ -r "$KEY" ] || die "--key $KEY: no such readable file (leave --key out on the first station: a key is made)"
    python3 - "$KEY" <<'EOF' || exit 2
import sys
text = open(sys.argv[1], encoding="ascii", errors="replace").read().strip()
try:
    key = bytes.fromhex(text)
except ValueError:
    sys.exit(f"install-pi.sh: --key {sys.argv[1]}: not a deployment key (hex text expected)")
if len(key) < 16:
    sys.exit(f"install-pi.sh: --key {sys.argv[1]}: too short ({len(key)} bytes, need at least 16)")
EOF
    KEY="$(cd "$(dirname "$KEY")" && pwd)/$(basename "$KEY")"
fi
if [ -n "$WHEELHOUSE" ]; then
    ls "$WHEELHOUSE"/photoqueue-*.whl >/dev/null 2>&1 || die "--wheelhouse $WHEELHOUSE: no photoqueue wheel there (make wheelhouse)"
    WHEELHOUSE="$(cd "$WHEELHOUSE" && pwd)"
fi
case "$ROOM" in *'"'*|*'\'*) die "--room: quotes and backslashes are not allowed in a room name" ;; esac
if [ "$DRY" -eq 0 ] && [ "$(id -u)" -ne 0 ]; then
    die "run as root (sudo), or with --dry-run"
fi
. /etc/os-release
if [ "${VERSION_CODENAME:-}" != "bookworm" ]; then
    echo "install-pi.sh: warning: made for Raspberry Pi OS Bookworm, this is ${PRETTY_NAME:-unknown}" >&2
fi

# systemd and udev running? Not in a chroot preparing an image: then only their offline steps are done.
LIVE_SYSTEMD=0; [ -d /run/systemd/system ] && LIVE_SYSTEMD=1
LIVE_UDEV=0; [ -S /run/udev/control ] && LIVE_UDEV=1

say() { echo "== $*"; }
run() { if [ "$DRY" -eq 1 ]; then echo "   would run: $*"; else "$@"; fi; }
changed() { CHANGED=$((CHANGED + 1)); echo "   changed: $*"; }
# put_file SRC DEST MODE OWNER:GROUP: copy when the content or the mode differs; report it.
put_file() {
    local src="$1" dest="$2" mode="$3" owner="$4"
    if [ -f "$dest" ] && cmp -s "$src" "$dest" && [ "$(stat -c '%a %U:%G' "$dest")" = "${mode#0} $owner" ]; then
        return 0
    fi
    if [ "$DRY" -eq 1 ]; then echo "   would install $dest"; return 0; fi
    install -D -m "$mode" -o "${owner%%:*}" -g "${owner##*:}" "$src" "$dest"
    changed "$dest"
}

say "apt packages"
# picamera2 and libcamera come only from Raspberry Pi OS's apt; pygame from apt uses the system SDL, which
# has the KMS/DRM video driver (the screen without a desktop); lgpio drives GPIO on the Pi 4 and 5;
# evdev reads the HID barcode scanner; numpy/Pillow/pygame/gpiozero/pyserial/pyusb are apt's, and pip keeps
# them (scripts/station-venv.sh). OpenCV: pip's headless wheel for the system's numpy, not apt's
# python3-opencv (its ~200 dependencies: VTK, GDAL, Qt5, ffmpeg); see docs/station.md "OpenCV".
# The list is scripts/pi-apt-packages.txt: the same one tells pip what to keep and the wheelhouse what to leave out.
APT_PKGS="$(sed -e 's/#.*//' "$SRC/scripts/pi-apt-packages.txt" | awk 'NF { print $1 }')"
missing=()
for pkg in $APT_PKGS; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
    run apt-get update -qq
    run apt-get install -y -qq --no-install-recommends "${missing[@]}"
    [ "$DRY" -eq 1 ] || changed "apt: ${missing[*]}"
fi

say "service user and groups"
for group in $GROUPS_WANTED; do
    # gpio comes with Raspberry Pi OS (raspberrypi-sys-mods); SupplementaryGroups= needs every one to exist
    if ! getent group "$group" >/dev/null; then
        run groupadd --system "$group"; [ "$DRY" -eq 1 ] || changed "group $group"
    fi
done
if ! id "$USER_NAME" >/dev/null 2>&1; then
    run useradd --system --user-group --home-dir "$DATA" --no-create-home --shell /usr/sbin/nologin "$USER_NAME"
    [ "$DRY" -eq 1 ] || changed "user $USER_NAME"
fi
for group in $GROUPS_WANTED; do
    if ! id -nG "$USER_NAME" 2>/dev/null | tr ' ' '\n' | grep -qx "$group"; then
        run usermod -a -G "$group" "$USER_NAME"; [ "$DRY" -eq 1 ] || changed "$USER_NAME joins $group"
    fi
done

say "program in $PREFIX/venv"
# The install is skipped when the program and the system's packages are what the last run installed.
if [ -n "$WHEELHOUSE" ]; then
    stamp="$(cd "$WHEELHOUSE" && sha256sum ./*.whl | sha256sum | cut -c1-64)"
else
    stamp="$(cd "$SRC" && find pyproject.toml photoqueue -type f ! -name '*.pyc' -print0 | sort -z | xargs -0 sha256sum | sha256sum | cut -c1-64)"
fi
stamp="$stamp $(python3 "$SRC/scripts/pi_constraints.py" constraints | sha256sum | cut -c1-64)"
if [ -f "$PREFIX/venv/.photoqueue-stamp" ] && [ "$(cat "$PREFIX/venv/.photoqueue-stamp")" = "$stamp" ]; then
    echo "   unchanged"
else
    args=("$PREFIX/venv" --src "$SRC" --check-imports "picamera2,numpy,cv2,pygame,gpiozero,photoqueue.device.station.app")
    [ -n "$WHEELHOUSE" ] && args+=(--wheelhouse "$WHEELHOUSE")
    [ "$DRY" -eq 1 ] && args+=(--dry-run)
    run install -d -m 0755 "$PREFIX"
    bash "$SRC/scripts/station-venv.sh" "${args[@]}"
    if [ "$DRY" -eq 0 ]; then echo "$stamp" > "$PREFIX/venv/.photoqueue-stamp"; changed "$PREFIX/venv"; fi
fi
if [ "$(readlink /usr/local/bin/photoqueue 2>/dev/null)" != "$PREFIX/venv/bin/photoqueue" ]; then
    run ln -sfn "$PREFIX/venv/bin/photoqueue" /usr/local/bin/photoqueue
    [ "$DRY" -eq 1 ] || changed "/usr/local/bin/photoqueue"
fi

# The unit's StateDirectory= makes the data directory when the service starts; the check below runs
# before that (as the service user, who cannot create it under /var/lib), so make it now, the same way.
if [ ! -d "$DATA" ]; then
    run install -d -m 0750 -o "$USER_NAME" -g "$USER_NAME" "$DATA"
    [ "$DRY" -eq 1 ] || changed "$DATA"
fi
if [ ! -d "$WITNESS" ]; then
    run install -d -m 0700 -o "$USER_NAME" -g "$USER_NAME" "$WITNESS"
    [ "$DRY" -eq 1 ] || changed "$WITNESS"
fi

say "config and key in $CONF"
if [ ! -d "$CONF" ]; then run install -d -m 0750 -o root -g "$USER_NAME" "$CONF"; fi
if [ ! -f "$CONF/station.toml" ]; then
    tmp="$(mktemp)"
    sed -e "s|^data_dir = .*|data_dir = \"$DATA\"|" -e "s|^room = .*|room = \"$ROOM\"|" \
        -e "s|^witness_dir = .*|witness_dir = \"$WITNESS\"|" \
        "$SRC/systemd/station.example.toml" > "$tmp"
    put_file "$tmp" "$CONF/station.toml" 0640 "root:$USER_NAME"
    rm -f "$tmp"
elif [ -n "$ROOM" ] && ! grep -qx "room = \"$ROOM\"" "$CONF/station.toml"; then
    echo "   $CONF/station.toml is kept as it is; its room is not \"$ROOM\": edit it if this station moved"
fi
if [ -n "$KEY" ]; then
    put_file "$KEY" "$CONF/deployment.key" 0600 root:root
elif [ ! -f "$CONF/deployment.key" ]; then
    if [ "$DRY" -eq 1 ]; then echo "   would make a new deployment key"; else
        (umask 077; python3 -c 'import secrets; print(secrets.token_hex(32))' > "$CONF/deployment.key")
        changed "$CONF/deployment.key (new: copy it to every other station of the day)"
    fi
fi

say "systemd unit, udev rules, watchdog"
put_file "$SRC/systemd/photoqueue-station.service" /etc/systemd/system/photoqueue-station.service 0644 root:root
put_file "$SRC/systemd/60-photoqueue-printers.rules" /etc/udev/rules.d/60-photoqueue-printers.rules 0644 root:root
if [ "$WATCHDOG" -eq 1 ]; then
    # systemd feeds the Pi's hardware watchdog (bcm2835-wdt, at most 15 s): a hung kernel reboots the Pi
    put_file "$SRC/systemd/photoqueue-watchdog.conf" /etc/systemd/system.conf.d/photoqueue-watchdog.conf 0644 root:root
elif [ -f /etc/systemd/system.conf.d/photoqueue-watchdog.conf ]; then
    run rm -f /etc/systemd/system.conf.d/photoqueue-watchdog.conf
    [ "$DRY" -eq 1 ] || changed "watchdog off"
fi
if [ "$LIVE_UDEV" -eq 1 ]; then
    run udevadm control --reload
    # "add", not the default "change": the usblp rule (and its /dev/photoqueue-lp link) matches only add
    run udevadm trigger --action=add --subsystem-match=usb --subsystem-match=usbmisc || true
else
    echo "   udev is not running here (an image?): the rules apply at the next boot"
fi
if [ "$LIVE_SYSTEMD" -eq 1 ]; then
    run systemctl daemon-reload
    [ "$WATCHDOG" -eq 1 ] && echo "   the hardware watchdog takes effect at the next boot (or: systemctl daemon-reexec)"
else
    echo "   systemd is not running here (an image?): the unit starts at the next boot"
fi

say "checking the config, with the key the service will get"
CHECK_OK=1
if [ "$DRY" -eq 1 ]; then
    echo "   would run: photoqueue station --config $CONF/station.toml --check (as $USER_NAME)"
elif grep -qx 'room = ""' "$CONF/station.toml"; then
    echo "   no room yet (one image for every room): set room in $CONF/station.toml at first boot, then check it"
    echo "   as the service runs (its user, the key as its credential) and start it:"
    echo "   sudo systemd-run --pipe --wait --quiet --collect -p User=$USER_NAME -p LoadCredential=deployment-key:$CONF/deployment.key \\"
    echo "       $PREFIX/venv/bin/photoqueue station --config $CONF/station.toml --check && sudo systemctl restart photoqueue-station"
else
    # The unit hands the key over as a credential (LoadCredential=deployment-key:...): do the same here, so
    # the check reads the real key and never falls back to making one in the data directory.
    creds="$(mktemp -d)"
    install -m 0400 -o "$USER_NAME" -g "$USER_NAME" "$CONF/deployment.key" "$creds/deployment-key"
    chown "$USER_NAME:$USER_NAME" "$creds"
    if ! runuser -u "$USER_NAME" -- env CREDENTIALS_DIRECTORY="$creds" \
            "$PREFIX/venv/bin/photoqueue" station --config "$CONF/station.toml" --check; then
        CHECK_OK=0
        echo "   fix $CONF/station.toml (see docs/config.md), then: sudo systemctl restart photoqueue-station"
    fi
    rm -rf "$creds"
fi

if [ "$ENABLE" -eq 1 ]; then
    if ! systemctl is-enabled --quiet photoqueue-station.service 2>/dev/null; then
        run systemctl enable photoqueue-station.service
        [ "$DRY" -eq 1 ] || changed "photoqueue-station enabled"
    fi
    if [ "$LIVE_SYSTEMD" -eq 1 ] && [ "$CHECK_OK" -eq 1 ] && [ "$CHANGED" -gt 0 ]; then
        run systemctl restart photoqueue-station.service
        echo "   running: journalctl -u photoqueue-station -f"
    fi
fi
if [ "$DRY" -eq 1 ]; then
    echo "== dry run: nothing was changed"
elif [ "$CHANGED" -eq 0 ]; then
    echo "== nothing changed: the station was already installed as this run would install it"
else
    echo "== done: $CHANGED change(s); check the parts with: sudo photoqueue diagnose --config $CONF/station.toml"
fi
[ "$CHECK_OK" -eq 1 ] || exit 1
