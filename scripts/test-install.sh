#!/usr/bin/env bash
# systemd/install-pi.sh for real, in a throwaway Debian bookworm root (the userland of Raspberry Pi OS
# Bookworm Lite), then the checks a Pi must pass. Slow: `make test-install [ARCH=arm64]` and CI's .ci/run,
# not `make test`.
#
#   scripts/test-install.sh [--wheelhouse DIR] [--arch amd64|arm64|all] [--keep]
#
# The root is made once by mmdebstrap and kept as a tarball in $PHOTOQUEUE_CI_CACHE (default
# /var/cache/photoqueue-ci; rebuilt after 7 days), with apt's downloaded .debs (per architecture), so a
# second run downloads nothing from apt. A network install downloads its wheels each run (Bookworm's pip
# 23.0.1 stores no HTTP cache in the root); the run reports how much, from pip's log. Three packages only the Raspberry Pi archive has are
# stand-ins, served from a local apt folder: python3-picamera2 (depends on python3-numpy and, as the real
# one does through simplejpeg, fails to import under numpy 2), python3-libcamera and python3-lgpio.
# Without --wheelhouse pip installs from the network (what a Pi does by default); with it, offline.
# arm64 runs under qemu-user-static through binfmt_misc (emulated: ~10x slower); without it the run FAILS
# with the set-up to do (docs/station.md "The install test"):
#   mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc   # where it is not mounted (a container)
#   apt-get install -y qemu-user-static binfmt-support arch-test && arch-test arm64   # prints "arm64: ok"
# Each architecture's figures (wall time, apt and pip downloads, venv size) go to
# $PHOTOQUEUE_CI_CACHE/test-install-ARCH.last, and are printed at the end.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
SRC="$(cd "$HERE/.." && pwd)"
CACHE="${PHOTOQUEUE_CI_CACHE:-/var/cache/photoqueue-ci}"
WHEELHOUSE=""
ARCH=amd64
KEEP=0
MIRROR="http://deb.debian.org/debian"
while [ $# -gt 0 ]; do
    case "$1" in
        --wheelhouse) WHEELHOUSE="$(cd "$2" && pwd)"; shift 2 ;;
        --arch) ARCH="$2"; shift 2 ;;
        --keep) KEEP=1; shift ;;
        -h|--help) sed -n '2,21p' "$0"; exit 0 ;;
        *) echo "test-install.sh: unknown option $1" >&2; exit 2 ;;
    esac
done
[ "$(id -u)" -eq 0 ] || { echo "test-install.sh: needs root (chroot, mounts)" >&2; exit 2; }
bash "$SRC/scripts/install-debs.sh" mmdebstrap dpkg-dev systemd
mkdir -p "$CACHE/debs"

standins() {  # $1: arch, $2: output folder (a flat apt repository)
    local arch="$1" out="$2" work
    work="$(mktemp -d)"
    mkdir -p "$out"
    make_deb() {  # name depends python-module-body
        local name="$1" depends="$2" module="$3" body="$4" dir="$work/$1"
        mkdir -p "$dir/DEBIAN" "$dir/usr/lib/python3/dist-packages/$module"
        printf '%s\n' "$body" > "$dir/usr/lib/python3/dist-packages/$module/__init__.py"
        cat > "$dir/DEBIAN/control" <<EOF
Package: $name
Version: 0.0.1+photoqueue.standin
Architecture: $arch
Maintainer: photoqueue CI <ci@localhost>
Depends: $depends
Description: stand-in for Raspberry Pi OS's $name (photoqueue install test)
EOF
        dpkg-deb --root-owner-group -b "$dir" "$out/${name}_0.0.1_$arch.deb" >/dev/null
    }
    make_deb python3-libcamera python3 libcamera 'controls = None'
    make_deb python3-lgpio python3 lgpio 'def gpiochip_open(n):
    raise OSError("no GPIO chip (stand-in)")'
    make_deb python3-picamera2 "python3, python3-numpy, python3-libcamera" picamera2 'import numpy
# the real picamera2 imports simplejpeg, built against numpy 1.x: under numpy 2 it raises this
if int(numpy.__version__.split(".")[0]) >= 2:
    raise ValueError("numpy.dtype size changed, may indicate binary incompatibility. "
                     "Expected 96 from C header, got 88 from PyObject")


class Picamera2:
    def __init__(self, camera_num=0):
        raise IndexError("list index out of range")  # what picamera2 says with no camera attached'
    (cd "$out" && dpkg-scanpackages --multiversion . /dev/null 2>/dev/null > Packages)
    rm -rf "$work"
}

ROOT=""  # the throwaway root of the run in progress (global: the EXIT trap needs it after run_arch returns)

run_arch() {
    local arch="$1" tarball="$CACHE/bookworm-$1.tar" root start cold=no
    start=$(date +%s)
    # a cache left by an older run as a directory (mmdebstrap guesses its output format from the name)
    [ -d "$tarball" ] && rm -rf --one-file-system "$tarball"
    if [ ! -f "$tarball" ] || [ -n "$(find "$tarball" -mtime +7)" ]; then
        cold=yes
        echo "== building the bookworm $arch root (once; cached in $tarball)"
        rm -rf --one-file-system "$tarball.tmp"
        mmdebstrap --quiet --format=tar --arch="$arch" --variant=minbase \
            --include=systemd,systemd-sysv,udev,python3,ca-certificates,sudo bookworm "$tarball.tmp" \
            "deb $MIRROR bookworm main" "deb http://deb.debian.org/debian-security bookworm-security main"
        mv "$tarball.tmp" "$tarball"
    fi
    root="$(mktemp -d /var/tmp/photoqueue-root.XXXXXX)"
    ROOT="$root"
    cleanup() {
        [ -n "$ROOT" ] || return 0
        for m in "$ROOT/proc" "$ROOT/dev"; do mountpoint -q "$m" && umount -l "$m"; done
        if [ "$KEEP" -eq 0 ]; then rm -rf --one-file-system "$ROOT"; else echo "   kept: $ROOT"; fi
    }
    trap cleanup EXIT
    tar -xf "$tarball" -C "$root"
    mount --bind /dev "$root/dev"
    mount -t proc proc "$root/proc"
    cp /etc/resolv.conf "$root/etc/resolv.conf"
    # the site's own CA certificates (Debian's place for them), as a Pi on that network would be given: behind a
    # TLS-inspecting proxy pip reaches PyPI only with them (apt's mirror is plain http)
    if ls /usr/local/share/ca-certificates/*.crt >/dev/null 2>&1; then
        mkdir -p "$root/usr/local/share/ca-certificates"
        cp /usr/local/share/ca-certificates/*.crt "$root/usr/local/share/ca-certificates/"
        cat /usr/local/share/ca-certificates/*.crt >> "$root/etc/ssl/certs/ca-certificates.crt"
    fi
    standins "$arch" "$root/opt/standins"
    echo "deb [trusted=yes] file:/opt/standins ./" > "$root/etc/apt/sources.list.d/standins.list"
    mkdir -p "$CACHE/debs/$arch"
    cp -n "$CACHE/debs/$arch/"*.deb "$root/var/cache/apt/archives/" 2>/dev/null || true
    ls "$root/var/cache/apt/archives/"*.deb 2>/dev/null | sort > "$root/opt/debs-before.txt" || true
    mkdir -p "$root/opt/src"
    (cd "$SRC" && git ls-files -co --exclude-standard -z | tar --null -cf - -T -) | tar -xf - -C "$root/opt/src"
    local args=(--room 第一组)
    if [ -n "$WHEELHOUSE" ]; then cp -r "$WHEELHOUSE" "$root/opt/wheelhouse"; args+=(--wheelhouse /opt/wheelhouse); fi

    echo "== install-pi.sh in the $arch root ${args[*]}"
    local t0 t1
    t0=$(date +%s)
    # PIP_LOG: pip's full log (every wheel it downloaded, or took from its cache), read by the checks
    local install_rc=0
    chroot "$root" /usr/bin/env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 \
        PIP_LOG=/opt/pip.log bash /opt/src/systemd/install-pi.sh "${args[@]}" 2>&1 | tee "$root/opt/install-1.log" \
        | grep -v '^WARNING: Location' || install_rc=$?
    t1=$(date +%s)
    # apt's downloads are kept even when the install failed: the next run starts from them
    cp -n "$root/var/cache/apt/archives/"*.deb "$CACHE/debs/$arch/" 2>/dev/null || true
    if [ "$install_rc" -ne 0 ]; then
        echo "FAIL: install-pi.sh in the $arch root (exit $install_rc); pip's log:" >&2
        grep -E "ERROR|Error|error:" "$root/opt/pip.log" 2>/dev/null | tail -20 >&2 || true
        exit 1
    fi
    local new_debs
    new_debs="$(comm -13 "$root/opt/debs-before.txt" <(ls "$root/var/cache/apt/archives/"*.deb | sort))"
    local bytes=0
    [ -n "$new_debs" ] && bytes="$(echo "$new_debs" | xargs du -cb | tail -1 | cut -f1)"
    local pip_bytes apt_count opencv_wheels venv_mb
    # what pip downloaded: the sizes its log gives ("Downloading NAME (29.5 MB)"), build dependencies included
    # (grep finds nothing after an offline install from the wheelhouse: not a failure under pipefail)
    pip_bytes="$({ grep -oE 'Downloading [^ ]+ \([0-9.]+ [kMG]?B\)' "$root/opt/pip.log" 2>/dev/null || true; } | tr -d '()' \
        | awk '{ m = ($4 == "kB") ? 1e3 : ($4 == "MB") ? 1e6 : ($4 == "GB") ? 1e9 : 1; s += $3 * m }
               END { printf "%d", s }')"
    apt_count="$(echo "$new_debs" | grep -c . || true)"
    opencv_wheels="$(grep -oE '(Downloading|Using cached) [^ ]*opencv_python[^ ]*\.whl' "$root/opt/pip.log" 2>/dev/null \
        | sed 's|.*/||; s|^.* ||' | sort -u | grep -c . || true)"
    venv_mb="$(du -sm "$root/opt/photoqueue/venv" | cut -f1)"
    echo "   install: $((t1 - t0)) s; apt downloaded $apt_count packages," \
         "$(awk -v b="$bytes" 'BEGIN {printf "%.1f MB", b/1e6}') (cached in $CACHE/debs for the next run);" \
         "pip downloaded $(awk -v b="$pip_bytes" 'BEGIN {printf "%.1f MB", b/1e6}') ($opencv_wheels OpenCV wheel(s));" \
         "station venv $venv_mb MB"
    cp -n "$root/var/cache/apt/archives/"*.deb "$CACHE/debs/$arch/" 2>/dev/null || true

    echo "== the checks in the installed root"
    chroot "$root" /usr/bin/env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 \
        bash -s < "$HERE/test-install-checks.sh"

    echo "== a second run changes nothing"
    chroot "$root" /usr/bin/env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 \
        bash /opt/src/systemd/install-pi.sh "${args[@]}" > "$root/opt/install-2.log" 2>&1
    grep -q "== nothing changed" "$root/opt/install-2.log" || { cat "$root/opt/install-2.log"; echo "FAIL: the second run changed something" >&2; exit 1; }
    echo "   ok: $(tail -1 "$root/opt/install-2.log")"
    cleanup
    trap - EXIT
    {
        echo "arch=$arch"
        echo "finished=$(date -u +%Y-%m-%dT%H:%M:%SZ)"
        echo "cold_root=$cold"
        echo "source=$([ -n "$WHEELHOUSE" ] && echo wheelhouse || echo network)"
        echo "wall_s=$(( $(date +%s) - start ))"
        echo "install_s=$((t1 - t0))"
        echo "apt_packages_downloaded=$apt_count"
        echo "apt_bytes_downloaded=$bytes"
        echo "pip_bytes_downloaded=$pip_bytes"
        echo "opencv_wheels_fetched=$opencv_wheels"
        echo "venv_mb=$venv_mb"
    } > "$CACHE/test-install-$arch.last"
    sed 's/^/   /' "$CACHE/test-install-$arch.last"
}

arm64_runs() { [ "$(uname -m)" = aarch64 ] || grep -qx enabled /proc/sys/fs/binfmt_misc/qemu-aarch64 2>/dev/null; }
case "$ARCH" in
    amd64) run_arch amd64 ;;
    arm64|all)
        if ! arm64_runs; then  # never a silent skip: the arm64 proof was asked for
            echo "test-install.sh: arm64 roots cannot run here: no qemu-aarch64 in binfmt_misc. Set it up once:" >&2
            echo "  mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc   # if it is not mounted" >&2
            echo "  apt-get install -y qemu-user-static binfmt-support arch-test && arch-test arm64" >&2
            exit 2
        fi
        [ "$ARCH" = all ] && run_arch amd64
        run_arch arm64 ;;
    *) echo "test-install.sh: --arch amd64, arm64 or all" >&2; exit 2 ;;
esac
echo "== test-install: passed"
