#!/usr/bin/env bash
# The checks an installed station must pass; run inside the root by scripts/test-install.sh (as root).
set -uo pipefail
VENV=/opt/photoqueue/venv
fails=0
check() {  # check "what" command...
    local what="$1"; shift
    local out
    if out="$("$@" 2>&1)"; then echo "   ok   $what"; else echo "   FAIL $what"; echo "$out" | sed 's/^/        /'; fails=$((fails + 1)); fi
}

check "the venv imports picamera2 (the stand-in), numpy, cv2, pygame, gpiozero, evdev, lgpio" \
    env PYGAME_HIDE_SUPPORT_PROMPT=1 "$VENV/bin/python" -c 'import picamera2, numpy, cv2, pygame, gpiozero, evdev, lgpio'
check "numpy in the venv is the system's 1.24.x" "$VENV/bin/python" -c '
import numpy
assert numpy.__version__.startswith("1.24."), numpy.__version__
assert numpy.__file__.startswith("/usr/lib/python3/dist-packages/"), numpy.__file__'
check "one OpenCV: pip's headless wheel for that numpy, no apt python3-opencv beside it" bash -c '
! dpkg-query -W -f="\${Status}" python3-opencv 2>/dev/null | grep -q "install ok installed" &&
test "$('"$VENV"'/bin/python -m pip list --disable-pip-version-check 2>/dev/null | grep -ci "^opencv")" = 1'
check "the station's packages are apt's (scripts/pi_constraints.py check)" \
    env PYGAME_HIDE_SUPPORT_PROMPT=1 "$VENV/bin/python" /opt/src/scripts/pi_constraints.py check
check "fastapi, uvicorn, psycopg and openpyxl are not importable from the station venv" "$VENV/bin/python" -c '
import importlib.util
found = [m for m in ("fastapi", "uvicorn", "psycopg", "openpyxl") if importlib.util.find_spec(m)]
assert not found, found'
check "photoqueue --version from the PATH" bash -c 'command -v photoqueue && photoqueue --version'
check "photoqueue station --check on the installed config, with the real key as its credential" bash -c '
creds=$(mktemp -d) && install -m 0400 -o photoqueue /etc/photoqueue/deployment.key "$creds/deployment-key" &&
chown photoqueue "$creds" &&
runuser -u photoqueue -- env CREDENTIALS_DIRECTORY="$creds" photoqueue station --config /etc/photoqueue/station.toml --check'
check "every User=, Group= and SupplementaryGroups= of the installed units exists" bash -c '
for unit in /etc/systemd/system/photoqueue-*.service; do
    for u in $(sed -n "s/^User=//p" "$unit"); do getent passwd "$u" >/dev/null || { echo "$unit: no user $u"; exit 1; }; done
    for g in $(sed -n "s/^\(Group\|SupplementaryGroups\)=//p" "$unit"); do
        getent group "$g" >/dev/null || { echo "$unit: no group $g"; exit 1; }; done
done'
check "the central unit is not installed on a station" test ! -e /etc/systemd/system/photoqueue-central.service
check "systemd-analyze verify passes on the installed unit" bash -c '
out=$(systemd-analyze verify /etc/systemd/system/photoqueue-station.service 2>&1); rc=$?
echo "$out"; test $rc -eq 0 && ! echo "$out" | grep -q photoqueue-station'
check "the unit is enabled for the next boot" systemctl is-enabled photoqueue-station.service
check "the hardware watchdog drop-in and the udev rules are in place" test -f /etc/systemd/system.conf.d/photoqueue-watchdog.conf -a -f /etc/udev/rules.d/60-photoqueue-printers.rules
check "python3-evdev is installed (the HID scanner)" dpkg-query -W python3-evdev
check "the deployment key is root's alone" bash -c 'test "$(stat -c "%a %U" /etc/photoqueue/deployment.key)" = "600 root"'
exit $((fails > 0))
