"""The deployment key: the HMAC key every station of one day shares (see :mod:`photoqueue.core.digest`).

One resolution, :func:`resolve_key`, for every command that reads a station's config (the service,
``station --check``, ``diagnose``, the staff CLI ``photoqueue queue`` and ``photoqueue scan``), so the key a
person checks is the key the service numbers with. The order:

1. the systemd credential ``deployment-key``: ``$CREDENTIALS_DIRECTORY/deployment-key`` inside the service;
   outside it (a person running ``sudo photoqueue diagnose``), the file the installed unit hands over
   (its ``LoadCredential=deployment-key:PATH``) when that unit runs this station (its ``--config`` file
   names the same data dir), so a check run by hand reads what the service will get;
2. ``[station] key_file``;
3. the data dir's own ``deployment.key`` (a station without a centre makes it at its first start);
4. none: a station with a centre receives the centre's key at its hello (:func:`save_received_key` keeps
   it in the data dir, where the next start reads it).

A key that cannot be used gives the same message whichever command reads it.
"""

from __future__ import annotations

import logging
import os
import re
import secrets
from dataclasses import dataclass
from pathlib import Path

from photoqueue.device.errors import StationError

log = logging.getLogger(__name__)

KEY_BYTES = 32
KEY_FILE_NAME = "deployment.key"
CREDENTIAL_KEY = "deployment-key"
# The unit install-pi.sh installs, and its drop-ins: where a command run by hand learns the credential's file.
SERVICE_UNIT = Path("/etc/systemd/system/photoqueue-station.service")
ORIGINS = ("credential", "key_file", "data_dir", "none")
_FIX = ("fix: put the day's key there (hex text, the same on every station; `photoqueue central show-key` "
        "prints the centre's), then restart the station / 请放入当天的部署密钥（十六进制文本）后重启工作站")


@dataclass(frozen=True)
class KeySource:
    """Where a station's deployment key comes from. ``key`` is None when there is none yet (``origin``
    "none"; ``path`` is then where it will be made or saved)."""

    key: bytes | None
    path: Path
    origin: str  # one of ORIGINS
    unit: Path | None = None  # for a credential read outside the service: the unit that names its file

    @property
    def label(self) -> str:
        """The source as a person names it; the same in the service and in a check run by hand."""
        if self.origin == "credential":
            return f"systemd credential {CREDENTIAL_KEY}"
        if self.origin == "key_file":
            return f"[station] key_file: {self.path}"
        return str(self.path)

    def describe(self) -> str:
        """Which file is used, for the check's and diagnose's line and the service's log."""
        if self.origin == "credential" and self.unit is not None:
            return f"{self.label}: {self.path} (LoadCredential= of {self.unit})"
        if self.origin == "credential":
            return f"{self.label}: {self.path}"
        if self.origin == "none":
            return f"none yet ({self.path})"
        return self.label


def _directive(unit: Path, name: str) -> list[str]:
    """The values of ``name=`` in the unit and its drop-ins (in systemd's order); an empty one resets the list."""
    values: list[str] = []
    for file in [unit] + sorted(Path(f"{unit}.d").glob("*.conf")):
        try:
            text = file.read_text(encoding="utf-8")
        except OSError:
            continue
        for line in text.splitlines():
            m = re.fullmatch(rf"\s*{name}\s*=\s*(.*?)\s*", line)
            if m is not None:
                values = values + [m.group(1)] if m.group(1) else []
    return values


def unit_credential(name: str, unit: Path | None = None) -> Path | None:
    """The file the unit (and its drop-ins, later ones winning) hands over as credential ``name``; None when
    the unit is not installed or names none. An empty ``LoadCredential=`` resets the list, as systemd does."""
    found: Path | None = None
    for value in _directive(unit or SERVICE_UNIT, "LoadCredential"):
        cred, _, source = value.partition(":")
        if cred == name:
            found = Path(source) if source.startswith("/") else None
    return found


def unit_data_dir(unit: Path | None = None) -> Path | None:
    """The data dir of the station the unit runs (its ExecStart's ``--config`` file's ``[station] data_dir``);
    None when there is no such unit or its config cannot be read by this user."""
    import shlex
    import tomllib

    commands = _directive(unit or SERVICE_UNIT, "ExecStart")
    try:
        words = shlex.split(commands[-1]) if commands else []
        config = Path(words[words.index("--config") + 1])
        station = tomllib.loads(config.read_text(encoding="utf-8")).get("station", {})
    except (ValueError, IndexError, OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return None
    data_dir = station.get("data_dir", "/var/lib/photoqueue") if isinstance(station, dict) else None
    return Path(data_dir) if isinstance(data_dir, str) and data_dir else None


def _same_dir(a: str | os.PathLike, b: str | os.PathLike) -> bool:
    return os.path.realpath(a) == os.path.realpath(b)


def _credential(station_settings, credentials_dir: str | None, unit: Path | None) -> KeySource | None:
    if credentials_dir:  # inside the service: what systemd handed over, and nothing else
        path = Path(credentials_dir) / CREDENTIAL_KEY
        return KeySource(None, path, "credential") if path.exists() else None
    # run by hand: the credential the installed unit hands over, when this is the station that unit runs
    unit = unit or SERVICE_UNIT
    source = unit_credential(CREDENTIAL_KEY, unit)
    if source is None:
        return None
    served = unit_data_dir(unit)
    if served is None or not _same_dir(served, station_settings.data_dir):
        return None
    return KeySource(None, source, "credential", unit)


def _expand(text: str) -> Path:
    return Path(os.path.expandvars(text))


def _read(source: KeySource) -> KeySource:
    """``source`` with its key read; StationError (the one message for every command) when it cannot be used."""
    where = source.label
    try:
        text = source.path.read_text(encoding="ascii").strip()
    except FileNotFoundError:
        raise StationError(f"{where}: deployment key file not found / 找不到部署密钥文件; {_FIX}") from None
    except PermissionError:
        raise StationError(f"{where}: the deployment key cannot be read by this user ({source.path}); run the "
                           "command with sudo / 无权读取部署密钥，请用 sudo 运行") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise StationError(f"{where}: cannot read the deployment key ({exc}); {_FIX}") from None
    try:
        key = bytes.fromhex(text)
    except ValueError:
        raise StationError(f"{where}: the deployment key must be hex text / 密钥须为十六进制文本; {_FIX}") from None
    if len(key) < 16:
        raise StationError(f"{where}: the deployment key is too short ({len(key)} bytes, need at least 16) "
                           f"/ 密钥太短; {_FIX}")
    return KeySource(key, source.path, source.origin, source.unit)


def locate_key(station_settings, *, credentials_dir: str | None = None,
               unit: Path | None = None) -> KeySource:
    """Where :func:`resolve_key` reads the key (``key`` left None); looks only at which files exist."""
    if credentials_dir is None:
        credentials_dir = os.environ.get("CREDENTIALS_DIRECTORY")
    source = _credential(station_settings, credentials_dir, unit)
    if source is None and getattr(station_settings, "key_file", ""):
        source = KeySource(None, _expand(station_settings.key_file), "key_file")
    if source is None:
        path = Path(station_settings.data_dir) / KEY_FILE_NAME
        source = KeySource(None, path, "data_dir" if path.exists() else "none")
    return source


def resolve_key(station_settings, *, credentials_dir: str | None = None,
                unit: Path | None = None) -> KeySource:
    """The station's deployment key by the one order (module doc): credential, ``key_file``, the data dir's
    own file, none. Reads only. ``station_settings`` needs ``key_file`` and ``data_dir``; ``credentials_dir``
    None is ``$CREDENTIALS_DIRECTORY`` as it is now ("": none, the installed unit's credential is then looked
    up). StationError, with the same message for every command, when the key found cannot be used."""
    source = locate_key(station_settings, credentials_dir=credentials_dir, unit=unit)
    return source if source.origin == "none" else _read(source)


def ensure_key(station_settings, *, make: bool, credentials_dir: str | None = None,
               unit: Path | None = None) -> KeySource:
    """:func:`resolve_key`; with none found and ``make`` (a station without a centre), a new key is made in the
    data dir (mode 0600), today's behaviour for a station that works alone."""
    source = resolve_key(station_settings, credentials_dir=credentials_dir, unit=unit)
    if source.origin != "none" or not make:
        return source
    return KeySource(_make_key(source.path), source.path, "data_dir")


def save_received_key(station_settings, key: bytes, *, credentials_dir: str | None = None,
                      unit: Path | None = None) -> Path:
    """Keep the centre's key where the next start reads it: the data dir's file (atomic, mode 0600). A
    credential or ``key_file`` already holding this key is left as it is (its path is returned); one holding a
    DIFFERENT key is refused: the person who put it there decides (the caller refuses to number)."""
    from photoqueue.atomicfile import atomic_write

    if len(key) < 16:
        raise StationError(f"the centre's deployment key is too short ({len(key)} bytes)")
    source = resolve_key(station_settings, credentials_dir=credentials_dir, unit=unit)
    if source.origin in ("credential", "key_file"):
        if source.key == key:
            return source.path
        raise StationError(
            f"{source.label}: the deployment key differs from the centre's; this station would digest codes with "
            f"another key than every other room. Fix: replace that file with the centre's key (`photoqueue central "
            f"show-key`), or remove it (and the LoadCredential= / key_file naming it) so the station keeps the "
            f"centre's / 本机部署密钥与中心不同：请换成中心的密钥，或删除本机密钥文件")
    if source.key == key:
        return source.path
    try:
        atomic_write(source.path, key.hex() + "\n", mode=0o600)
    except OSError as exc:
        raise StationError(f"{source.path}: cannot keep the centre's deployment key: {exc.strerror or exc} "
                           "/ 无法保存中心的部署密钥") from None
    log.info("deployment key: the centre's kept in %s", source.path)
    return source.path


def _make_key(path: Path) -> bytes:
    key = secrets.token_bytes(KEY_BYTES)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(key.hex() + "\n")
    except OSError as exc:
        raise StationError(f"{path}: cannot make the deployment key: {exc.strerror or exc}; make the directory "
                           f"writable by this user, or set key_file / 无法创建部署密钥文件，请检查目录权限") from None
    return key


def load_key(path: str | Path, *, create: bool = False) -> bytes:
    """Read one key file (hex text); with ``create``, a missing one is made (mode 0600). For tools and tests
    that name the file; a station's commands use :func:`resolve_key`."""
    path = Path(path)
    if create and not path.exists():
        return _make_key(path)
    return _read(KeySource(None, path, "data_dir")).key
