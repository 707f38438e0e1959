"""The station's one config file (TOML), built from every part's settings dataclass.

- The schema is :class:`Config`: one field per section, each a part's settings dataclass whose fields
  are :func:`photoqueue.settings.setting` declarations (a default, a help line, the allowed values);
  the reference (docs/config.md) and the example (systemd/station.example.toml) are generated from
  them, and a test checks they are complete.
- ``load_config(path)`` reads and checks everything before anything is touched, and reports EVERY
  problem at once in one :class:`ConfigError` (exit status 2): unknown sections and keys with a "did
  you mean", secrets, wrong types, every declared constraint (:func:`photoqueue.settings.parse`, one
  generic check for every part) and each part's cross-field rules (its ``validate()``).
- Secrets never come from the TOML: the deployment key and the central token are read from
  files (``key_file``/``token_file``) or systemd credentials ($CREDENTIALS_DIRECTORY).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import difflib
import os
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from photoqueue.core.codecheck import CodePolicy
from photoqueue.device.station.buttons import ButtonSettings
from photoqueue.device.station.photo_watch import PhotoSettings
from photoqueue.device.station.settings import SoundSettings, StationSettings
from photoqueue.device.sync.settings import SyncSettings
from photoqueue.display.settings import DisplaySettings
from photoqueue.errors import PhotoqueueError
from photoqueue.hints import did_you_mean
from photoqueue.printer.settings import PrinterSettings
from photoqueue.scanner.settings import ScannerSettings
from photoqueue.settings import allowed, default_of, describe, parse, type_hints
from photoqueue.textfile import read_text

REQUIRED_SECTIONS = ("station", "printer")
SECRET_WORDS = ("token", "password", "secret", "hmac_key", "deployment_key", "api_key")
CREDENTIAL_KEY = "deployment-key"
CREDENTIAL_TOKEN = "central-token"


class ConfigError(PhotoqueueError):
    """A config file that cannot be used; its message lists every problem. Exit status 2."""

    exit_status = 2


@dataclass
class Config:
    """A checked config: one settings object per section, and the file it came from. The sections are the
    fields, so the schema is this class; ``Config(station=StationSettings(room="A"))`` is a config of
    defaults with one section replaced."""

    station: StationSettings = dataclasses.field(default_factory=StationSettings)
    camera: ScannerSettings = dataclasses.field(default_factory=ScannerSettings)
    printer: PrinterSettings = dataclasses.field(default_factory=PrinterSettings)
    display: DisplaySettings = dataclasses.field(default_factory=DisplaySettings)
    buttons: ButtonSettings = dataclasses.field(default_factory=ButtonSettings)
    central: SyncSettings = dataclasses.field(default_factory=SyncSettings)
    sound: SoundSettings = dataclasses.field(default_factory=SoundSettings)
    codes: CodePolicy = dataclasses.field(default_factory=CodePolicy)
    photos: PhotoSettings = dataclasses.field(default_factory=PhotoSettings)
    path: Path | None = None

    @property
    def values(self) -> dict[str, Any]:
        """The sections by name (``config.codes`` says the same, typed)."""
        return {name: getattr(self, name) for name in sections()}


def sections() -> dict[str, type]:
    """The schema: section name -> settings dataclass, in the order of the reference and the example."""
    hints = type_hints(Config)
    return {f.name: hints[f.name] for f in dataclasses.fields(Config) if f.name != "path"}


# --- loading ---------------------------------------------------------------------------------------


def _secret_problem(section: str, key: str) -> str:
    return (f"[{section}] {key!r}: secrets are never read from the config file; put it in a file named by "
            f"[station] key_file / [central] token_file, or a systemd credential ({CREDENTIAL_KEY}, "
            f"{CREDENTIAL_TOKEN})")


def _section(name: str, cls: type, table: dict, problems: list[str]) -> Any:
    """One section's settings; its problems (each prefixed with the section) are added to ``problems``."""
    names = {f.name for f in dataclasses.fields(cls)}
    secrets = [k for k in table if k not in names and any(word in k.lower() for word in SECRET_WORDS)]
    problems.extend(_secret_problem(name, key) for key in secrets)
    obj, found = parse(cls, {k: v for k, v in table.items() if k not in secrets})
    problems.extend(f"[{name}] {line}" for line in found)
    return obj


def _section_problems(data: dict, schema: dict[str, type]) -> list[str]:
    """Unknown and missing sections."""
    problems = []
    for name in data:
        if name not in schema:
            problems.append(f"[{name}]: unknown section{did_you_mean(name, list(schema), list_known=True)}")
    for name in REQUIRED_SECTIONS:
        if name not in data and not any(difflib.get_close_matches(k, [name], n=1, cutoff=0.75) for k in data):
            hint = {"printer": "say which printer this station uses, e.g. [printer] with its kind/connection",
                    "station": "it names the room (room = \"...\") and the data_dir"}[name]
            problems.append(f"[{name}]: missing section; {hint}")
    return problems


def parse_config(data: dict, path: Path | None = None) -> Config:
    """Check a parsed TOML document; one ConfigError with every problem, or a Config."""
    schema = sections()
    problems = _section_problems(data, schema)
    values: dict[str, Any] = {}
    for name, cls in schema.items():
        table = data.get(name, {})
        if not isinstance(table, dict):
            problems.append(f"[{name}]: expected a table of settings, got {table!r}")
            continue
        values[name] = _section(name, cls, table, problems)
    if problems:
        where = str(path) if path else "config"
        head = (f"{where}: {len(problems)} problem(s); nothing was started or changed / "
                f"配置文件有 {len(problems)} 处错误，未作任何更改")
        raise ConfigError(head + "\n  - " + "\n  - ".join(problems))
    return Config(**values, path=path)


def load_config(path: str | Path) -> Config:
    path = Path(path)
    text = read_text(path, "config file", ConfigError, missing_zh="找不到配置文件")
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
    problems = timetable_problems(config.station)
    notes = []
    if config.station.timetable and not problems:
        notes += _day_notes(config.station, today or dt.date.today())
    if config.station.timetable and not problems and not config.station.date:
        notes += _today_note(config.station, today or dt.date.today())
    key_note = key_problem_or_note(config)
    (notes if key_note.startswith("key: ") else problems).append(key_note)
    data_dir = data_dir_problem(Path(config.station.data_dir))
    if data_dir:
        problems.append(f"[station] data_dir: {data_dir}")
    else:
        from photoqueue.device.store.events import db_path
        from photoqueue.device.store.guard import check_station_file

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
    """The [station] timetable loads and has the room (and the [station] date when one is set)."""
    from photoqueue.timetable import load_timetable
    from photoqueue.timetable.fit import date_problem, room_problem

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
    return problems  # the rows' own mistakes never stop the room: _day_notes warns of them


def _day_notes(station, today: dt.date) -> list[str]:
    """The room's own day (the [station] date, else today when the room has classes today, else each of
    its days) by the one rule the centre and the demo apply too (timetable.fit.day_warnings): warnings,
    never a stop."""
    from photoqueue.timetable import load_timetable
    from photoqueue.timetable.fit import date_problem, day_warnings

    timetable = load_timetable(station.timetable)
    day = dt.date.fromisoformat(station.date) if station.date else today
    if date_problem(timetable, station.room, day):
        day = None
    return [f"warning: {w}" for w in day_warnings(timetable, station.room, day)]


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
    """(deployment key file, whether none is there yet), by :func:`photoqueue.device.store.keyfile.resolve_key`'s
    order (credential, key_file, the data dir's file); looks only at which files exist."""
    from photoqueue.device.store.keyfile import locate_key

    source = locate_key(station)
    return source.path, source.origin == "none"


def key_problem_or_note(config) -> str:
    """``station --check``'s line for the deployment key, found as the service finds it: ``"key: <which
    file>"``, or the problem (the same message the service and ``diagnose`` give)."""
    from photoqueue.device.store.keyfile import resolve_key

    try:
        source = resolve_key(config.station)
    except PhotoqueueError as exc:
        return str(exc)
    if source.origin != "none":
        return f"key: {source.describe()}"
    if config.central.url:
        return f"key: none yet; the centre hands its key over at the first hello, kept in {source.path}"
    return (f"key: none yet; the station makes {source.path} at its first start (no centre: every room must be "
            "given the same key for the duplicate check across rooms)")


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


def reference_markdown() -> str:
    """docs/config.md's key reference: every section and key, its type, allowed values, default and help."""
    lines = []
    for name, cls in sections().items():
        lines += [f"### [{name}]", "", f"From `{cls.__module__}.{cls.__name__}`.", "",
                  "| key | type | allowed | default | meaning |", "|---|---|---|---|---|"]
        hints = type_hints(cls)
        for f in dataclasses.fields(cls):
            default = default_of(f)
            shown = "(unset)" if default is None else _toml_value(default)
            help_text = f.metadata.get("help", "").replace("|", "\\|")
            lines.append(f"| `{f.name}` | {describe(hints[f.name])} | {allowed(f)} | `{shown}` | {help_text} |")
        lines.append("")
    return "\n".join(lines)


def example_toml(room: str = "第一组") -> str:
    """systemd/station.example.toml: every key with its default and help; unset ones commented out."""
    out = ["# photoqueue station config. Every key is shown with its default; see docs/config.md.",
           "# Secrets (the deployment key, the central token) never go here: see [station] key_file/token_file.", ""]
    for name, cls in sections().items():
        out.append(f"[{name}]")
        for f in dataclasses.fields(cls):
            limits = allowed(f)
            out.append(f"# {f.metadata.get('help', '')}" + (f" ({limits})" if limits else ""))
            default = default_of(f)
            if name == "station" and f.name == "room":
                out.append(f"room = {_toml_value(room)}")
            elif default is None:
                out.append(f"# {f.name} =")
            else:
                out.append(f"{f.name} = {_toml_value(default)}")
        out.append("")
    return "\n".join(out)
