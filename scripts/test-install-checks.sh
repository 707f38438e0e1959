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
check "pip fetched at most one OpenCV wheel (the bound in pyproject.toml: one download for numpy 1.24)" bash -c '
n=$(grep -oE "(Downloading|Using cached) [^ ]*opencv_python[^ ]*\.whl" /opt/pip.log 2>/dev/null | sed "s|.*/||; s|^.* ||" | sort -u | wc -l)
echo "$n OpenCV wheel(s) fetched"; test "$n" -le 1'
check "a garbage key: station --check run by hand, diagnose, and the check as the service runs it refuse with one message" bash -c '
set -u; key=/etc/photoqueue/deployment.key; cp -p "$key" /tmp/key.good
trap "cp -p /tmp/key.good $key" EXIT
echo "not a key" > "$key"
by_hand=$(photoqueue station --config /etc/photoqueue/station.toml --check 2>&1) && exit 1
diag=$(photoqueue diagnose --config /etc/photoqueue/station.toml --only key 2>&1) && exit 1
creds=$(mktemp -d) && install -m 0400 -o photoqueue "$key" "$creds/deployment-key" && chown photoqueue "$creds"
service=$(timeout 300 runuser -u photoqueue -- env CREDENTIALS_DIRECTORY="$creds" photoqueue station --config /etc/photoqueue/station.toml 2>&1) && exit 1
msg="systemd credential deployment-key: the deployment key must be hex text"
for out in "$by_hand" "$diag" "$service"; do echo "$out" | grep -qF "$msg" || { echo "$out"; exit 1; }; done
line=$(echo "$service" | grep -F "$msg" | sed "s/^.*\($msg\)/\1/")
echo "$by_hand$diag" | grep -qF "$line" || { echo "not the same: $line"; exit 1; }
! echo "$by_hand$diag$service" | grep -q Traceback'
check "diagnose (buttons on the lgpio stand-in, key, disk, clock) prints no traceback, each failure with its fix" bash -c '
out=$(photoqueue diagnose --config /etc/photoqueue/station.toml --only buttons,key,disk,clock --wait 0.2 2>&1)
echo "$out"; ! echo "$out" | grep -q Traceback && echo "$out" | grep -q "pin_factory = \"mock\"" &&
! echo "$out" | grep -q "see the log"'
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
