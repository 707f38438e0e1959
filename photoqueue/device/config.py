"""The station's one config file (TOML), built from every part's settings dataclass.

- The schema is the dataclasses themselves: each section maps to one (``SECTIONS``), each key is
  a field with a default and a ``help``; the reference (docs/config.md) and the example
  (systemd/station.example.toml) are generated from them, and a test checks they are complete.
- ``load_config(path)`` reads and checks everything before anything is touched, and reports
  EVERY problem at once in one :class:`ConfigError` (exit status 2): unknown keys with a
  "did you mean", wrong types, missing sections, and each part's own ``validate()``.
- Secrets never come from the TOML: the deployment key and the central token are read from
  files (``key_file``/``token_file``) or systemd credentials ($CREDENTIALS_DIRECTORY).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import difflib
import importlib
import os
import tomllib
import types
import typing
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from photoqueue.errors import PhotoqueueError
from photoqueue.hints import did_you_mean

# section -> (module, class) candidates, first importable wins; the fallbacks keep the station
# usable before a part's own settings exist.
_SOURCES: dict[str, tuple[tuple[str, str], ...]] = {
    "station": (("photoqueue.device.station_settings", "StationSettings"),),
    "camera": (("photoqueue.scanner.settings", "ScannerSettings"),),
    "printer": (("photoqueue.printer.settings", "PrinterSettings"),),
    "display": (("photoqueue.display.settings", "DisplaySettings"),),
    "buttons": (("photoqueue.device.buttons", "ButtonSettings"),),
    "central": (("photoqueue.device.sync", "SyncSettings"),),
    "sound": (("photoqueue.device.station_settings", "SoundSettings"),),
    "codes": (("photoqueue.core.codecheck", "CodePolicy"),),
    "photos": (("photoqueue.device.photo_watch", "PhotoSettings"),),
}
REQUIRED_SECTIONS = ("station", "printer")
SECRET_WORDS = ("token", "password", "secret", "hmac_key", "deployment_key", "api_key")
CREDENTIAL_KEY = "deployment-key"
CREDENTIAL_TOKEN = "central-token"


class ConfigError(PhotoqueueError):
    """A config file that cannot be used; its message lists every problem. Exit status 2."""

    exit_status = 2


def sections() -> dict[str, type]:
    """The schema: section name -> settings dataclass (sections whose part is absent are left out)."""
    out = {}
    for name, candidates in _SOURCES.items():
        for module, cls in candidates:
            try:
                found = getattr(importlib.import_module(module), cls, None)
            except ImportError:
                continue
            if found is not None and dataclasses.is_dataclass(found):
                out[name] = found
                break
    return out


@dataclass
class Config:
    """A checked config: one settings object per section, and where it came from."""

    path: Path | None
    values: dict[str, Any]

    def __getattr__(self, name: str) -> Any:
        try:
            return self.__dict__["values"][name]
        except KeyError:
            raise AttributeError(name) from None


def defaults(**overrides: Any) -> Config:
    """A config of defaults, with some sections replaced (``station=StationSettings(room=...)``)."""
    values = {name: cls() for name, cls in sections().items()}
    values.update(overrides)
    return Config(None, values)


# --- types -----------------------------------------------------------------------------------------


def _hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls)


def _describe(hint: Any) -> str:
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        parts = [_describe(a) for a in typing.get_args(hint) if a is not type(None)]
        return " or ".join(parts)
    if origin is list:
        return f"a list of {_describe(typing.get_args(hint)[0])}"
    if origin is tuple:
        return "a list [w, h] or text \"WxH\""
    return {bool: "true or false", int: "a whole number", float: "a number", str: "text"}.get(hint, str(hint))


def _fits(value: Any, hint: Any) -> bool:
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        return any(_fits(value, a) for a in typing.get_args(hint) if a is not type(None))
    if origin is list:
        (item,) = typing.get_args(hint) or (Any,)
        return isinstance(value, list) and all(_fits(v, item) for v in value)
    if origin is tuple:
        args = [a for a in typing.get_args(hint) if a is not Ellipsis]
        if isinstance(value, str):
            return True  # e.g. a size "1280x720"; the part's own check parses it
        return isinstance(value, list) and all(_fits(v, args[0] if args else Any) for v in value)
    if hint is Any:
        return True
    if hint is bool:
        return isinstance(value, bool)
    if hint is int:
        return isinstance(value, int) and not isinstance(value, bool)
    if hint is float:
        return isinstance(value, int | float) and not isinstance(value, bool)
    if isinstance(hint, type):
        return isinstance(value, hint)
    return True


def _convert(value: Any, hint: Any) -> Any:
    """TOML value -> field value: ints for floats, lists for tuples (not already done by TOML)."""
    args = [a for a in typing.get_args(hint) if a is not type(None)]
    target = args[0] if typing.get_origin(hint) in (typing.Union, types.UnionType) and len(args) == 1 else hint
    if target is float and isinstance(value, int):
        return float(value)
    if typing.get_origin(target) is tuple and isinstance(value, list):
        return tuple(value)
    return value


# --- loading ---------------------------------------------------------------------------------------


def _own_problems(obj: Any) -> list[str]:
    """A part's own validate(): returns a list of messages, or raises one error listing them."""
    validate = getattr(obj, "validate", None)
    if validate is None:
        return []
    try:
        result = validate()
    except PhotoqueueError as exc:
        lines = [ln.strip()[2:] for ln in str(exc).splitlines() if ln.strip().startswith("- ")]
        return lines or [str(exc)]
    return list(result) if isinstance(result, list | tuple) else []


def _build(section: str, cls: type, table: dict, problems: list[str]) -> Any:
    hints = _hints(cls)
    names = [f.name for f in dataclasses.fields(cls)]
    kwargs = {}
    for key, value in table.items():
        if key not in names:
            if any(word in key.lower() for word in SECRET_WORDS):
                problems.append(f"[{section}] {key!r}: secrets are never read from the config file; put it in a "
                                f"file named by [station] key_file / [central] token_file, or a systemd "
                                f"credential ({CREDENTIAL_KEY}, {CREDENTIAL_TOKEN})")
            else:
                problems.append(f"[{section}] {key!r}: unknown key{did_you_mean(key, names, list_known=True)}")
            continue
        if hints[key] is int and isinstance(value, str) and _int_text(value) is not None:
            value = _int_text(value)  # e.g. a USB id written as "0x0416"
        if not _fits(value, hints[key]):
            problems.append(f"[{section}] {key}: expected {_describe(hints[key])}, got {value!r}")
            continue
        kwargs[key] = _convert(value, hints[key])
    from_dict = getattr(cls, "from_dict", None)
    try:
        obj = from_dict(kwargs) if callable(from_dict) else cls(**kwargs)
        if isinstance(obj, tuple):  # from_dict -> (settings, problems)
            obj, more = obj
            problems.extend(f"[{section}] {line}" for line in more)
    except (PhotoqueueError, TypeError, ValueError) as exc:
        for line in _own_problems(_Raiser(exc)):
            problems.append(f"[{section}] {line}")
        return None
    for line in _own_problems(obj):
        problems.append(f"[{section}] {line}")
    return obj


def _int_text(value: str) -> int | None:
    try:
        return int(value, 0)
    except ValueError:
        return None


class _Raiser:
    def __init__(self, exc: Exception):
        self.exc = exc

    def validate(self):
        if isinstance(self.exc, PhotoqueueError):
            raise self.exc
        return [str(self.exc)]


def parse_config(data: dict, path: Path | None = None) -> Config:
    """Check a parsed TOML document; one ConfigError with every problem, or a Config."""
    schema = sections()
    problems: list[str] = []
    values: dict[str, Any] = {}
    for name in data:
        if name not in schema:
            problems.append(f"[{name}]: unknown section{did_you_mean(name, list(schema), list_known=True)}")
    for name in REQUIRED_SECTIONS:
        if name not in data and not any(difflib.get_close_matches(k, [name], n=1, cutoff=0.75) for k in data):
            hint = {"printer": "say which printer this station uses, e.g. [printer] with its kind/connection",
                    "station": "it names the room (room = \"...\") and the data_dir"}[name]
            problems.append(f"[{name}]: missing section; {hint}")
    for name, cls in schema.items():
        table = data.get(name, {})
        if not isinstance(table, dict):
            problems.append(f"[{name}]: expected a table of settings, got {table!r}")
            continue
        values[name] = _build(name, cls, table, problems)
    if problems:
        where = str(path) if path else "config"
        head = (f"{where}: {len(problems)} problem(s); nothing was started or changed / "
                f"配置文件有 {len(problems)} 处错误，未作任何更改")
        raise ConfigError(head + "\n  - " + "\n  - ".join(problems))
    return Config(path, values)


def load_config(path: str | Path) -> Config:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"{path}: no such config file / 找不到配置文件") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read the config file: {exc}") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc} / 配置文件格式错误") from None
    return parse_config(data, path)


def check_files(config: Config, today: dt.date | None = None) -> list[str]:
    """The files the station reads at its start (timetable, deployment key) load, the timetable has no
    errors and has this room (and the [station] date), and the data_dir can be written; one ConfigError
    with every problem and its fix otherwise. Returns notes that do not stop a start (today's date is not
    in the timetable while no date is set: a check the day before is fine). Read-only: nothing is made."""
    from photoqueue.device.keyfile import load_key

    problems = timetable_problems(config.station)
    notes = []
    if config.station.timetable and not problems and not config.station.date:
        notes += _today_note(config.station, today or dt.date.today())
    path, create = key_path(config.station)
    if not create:
        try:
            load_key(path, create=False)
        except PhotoqueueError as exc:
            problems.append(f"[station] key_file: {exc}")
    data_dir = data_dir_problem(Path(config.station.data_dir))
    if data_dir:
        problems.append(f"[station] data_dir: {data_dir}")
    else:
        from photoqueue.device.store import db_path
        from photoqueue.device.store_guard import check_station_file

        try:  # a damaged or incomplete database: named here, with the way out, before the station refuses it
            check_station_file(db_path(config.station.data_dir))
        except PhotoqueueError as exc:
            problems.append(f"[station] data_dir: {exc}")
    if problems:
        where = str(config.path) if config.path else "config"
        raise ConfigError(f"{where}: {len(problems)} problem(s) with the files it names; nothing was started or "
                          f"changed / 配置文件所指文件有 {len(problems)} 处错误，未作任何更改\n  - "
                          + "\n  - ".join(problems))
    return notes


def timetable_problems(station) -> list[str]:
    """The [station] timetable loads, has the room (and the [station] date when one is set), and has no
    errors in this room's rows (another room's mistakes are that room's to fix; they do not stop this one)."""
    from photoqueue.timetable import load_timetable
    from photoqueue.timetable.fit import date_problem, errors_problem, findings_of, room_problem

    if not station.timetable:
        return []
    try:
        timetable = load_timetable(station.timetable)
    except PhotoqueueError as exc:
        return [f"[station] timetable: {exc}"]
    room = room_problem(timetable, station.room)
    if room:
        return [f"[station] room: {room}"]
    day = dt.date.fromisoformat(station.date) if station.date else None
    problems = []
    if day is not None:
        date = date_problem(timetable, station.room, day)
        if date:
            problems.append(f"[station] date: {date}")
    rows = {s.row for s in timetable.slots if s.room == station.room and (day is None or s.date == day)}
    errors = errors_problem(station.timetable, [f for f in findings_of(timetable) if f.row in rows])
    if errors:
        problems.append(f"[station] timetable ({station.room}): {errors}")
    return problems


def _today_note(station, today: dt.date) -> list[str]:
    from photoqueue.timetable import load_timetable
    from photoqueue.timetable.fit import date_problem

    problem = date_problem(load_timetable(station.timetable), station.room, today)
    return [f"note: today {problem}; the station will refuse to start on such a day unless [station] date is set"
            ] if problem else []


def data_dir_problem(path: Path) -> str | None:
    """Why the station could not write its data dir (or make it), with the fix; None when it can. Looks
    only: the nearest existing directory must be writable by this user."""
    probe = path
    while not probe.exists():
        if probe.parent == probe:
            break
        probe = probe.parent
    if probe.exists() and not probe.is_dir():
        return (f"{path}: {probe} is a file, not a directory; choose another data_dir / "
                f"{probe} 是文件，不是目录，请换一个 data_dir")
    if os.access(probe, os.W_OK | os.X_OK):
        return None
    what = "is read-only for this user" if probe == path else f"cannot be created: {probe} is read-only for this user"
    return (f"{path} {what}; fix: `sudo install -d -o $(id -un) {path}`, or set data_dir to a directory "
            f"this user can write / 数据目录不可写（或无法创建），请创建并授权该目录，或换一个 data_dir")


# --- secrets ---------------------------------------------------------------------------------------


def credential_path(name: str) -> Path | None:
    """A systemd credential's file (LoadCredential=NAME:...), when the service has one."""
    directory = os.environ.get("CREDENTIALS_DIRECTORY")
    if directory and (Path(directory) / name).is_file():
        return Path(directory) / name
    return None


def key_path(station) -> tuple[Path, bool]:
    """(deployment key file, whether a missing one may be made)."""
    if station.key_file:
        return secret_path(station.key_file), False
    cred = credential_path(CREDENTIAL_KEY)
    if cred is not None:
        return cred, False
    return Path(station.data_dir) / "deployment.key", True


def secret_path(text: str) -> Path:
    """A secret file's path; ``$CREDENTIALS_DIRECTORY`` (systemd's LoadCredential=) is expanded."""
    return Path(os.path.expandvars(text))


def read_token(central) -> str | None:
    """The central token from [central] token_file, else the systemd credential; None: run offline."""
    path = secret_path(central.token_file) if getattr(central, "token_file", "") else credential_path(CREDENTIAL_TOKEN)
    if path is None:
        return None
    try:
        token = path.read_text(encoding="utf-8").strip()
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read the central token: {exc.strerror or exc}") from None
    return token or None


# --- reference and example -------------------------------------------------------------------------


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    return repr(value)


def _default(f: dataclasses.Field) -> Any:
    if f.default is not dataclasses.MISSING:
        return f.default
    if f.default_factory is not dataclasses.MISSING:  # type: ignore[misc]
        return f.default_factory()  # type: ignore[misc]
    return None


def reference_markdown() -> str:
    """docs/config.md's key reference: every section and key, its type, default and help."""
    lines = []
    for name, cls in sections().items():
        lines += [f"### [{name}]", "", f"From `{cls.__module__}.{cls.__name__}`.", "",
                  "| key | type | default | meaning |", "|---|---|---|---|"]
        hints = _hints(cls)
        for f in dataclasses.fields(cls):
            default = _default(f)
            shown = "(unset)" if default is None else _toml_value(default)
            help_text = f.metadata.get("help", "").replace("|", "\\|")
            lines.append(f"| `{f.name}` | {_describe(hints[f.name])} | `{shown}` | {help_text} |")
        lines.append("")
    return "\n".join(lines)


def example_toml(room: str = "第一组") -> str:
    """systemd/station.example.toml: every key with its default and help; unset ones commented out."""
    out = ["# photoqueue station config. Every key is shown with its default; see docs/config.md.",
           "# Secrets (the deployment key, the central token) never go here: see [station] key_file/token_file.", ""]
    for name, cls in sections().items():
        out.append(f"[{name}]")
        for f in dataclasses.fields(cls):
            out.append(f"# {f.metadata.get('help', '')}")
            default = _default(f)
            if name == "station" and f.name == "room":
                out.append(f"room = {_toml_value(room)}")
            elif default is None:
                out.append(f"# {f.name} =")
            else:
                out.append(f"{f.name} = {_toml_value(default)}")
        out.append("")
    return "\n".join(out)
