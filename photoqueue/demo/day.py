"""`photoqueue demo`: a whole simulated collection day on this machine.

One process per room (photoqueue.demo.room) runs a real station on a simulated clock, with
its own data dir DATA_DIR/<room>/; this parent starts them (and the central service, when this
build has one), draws a progress bar on stderr (its total known from the day's plan), and prints the
day's summary in the glossary's words: per room and class 应拍 / 已取号 / 已拍 / 过号 / 作废 / 未到, the
files written (also saved as DATA_DIR/summary.json), and the dashboard's address and login. The central
service then stays up until Ctrl-C, so the dashboard of the finished day can be looked at; ``--exit``
(scripts, ``make demo``, the tests) ends at once.

Run it again with the same --data-dir and it resumes: the stations replay their logs, students
already numbered are not sent again, and those still in line who scan again get their old numbers.

Part way through the day the first room's Pi dies and a spare takes the room over (``--swap-at``, default
0.4 of its students; 0: off; only with the central service): see demo/swap.py.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from photoqueue.demo.summary import DEMO_STAFF, format_summary
from photoqueue.errors import PhotoqueueError

log = logging.getLogger(__name__)

DEFAULT_SPEED = 100.0
SHIPPED_TIMETABLE = "timetable-2024.csv"


def shipped_timetable() -> Path:
    return Path(str(resources.files("photoqueue.data").joinpath(SHIPPED_TIMETABLE)))


@dataclass
class DemoOptions:
    data_dir: Path
    timetable: Path
    date: str | None = None
    rooms: list[str] | None = None
    students: int | None = None
    speed: float = DEFAULT_SPEED
    headless: bool = False
    seed: int = 2024
    progress: bool = True
    stay: bool = False  # keep the central service up after the day until Ctrl-C
    swap_at: float = 0.0  # the first room's Pi dies after this fraction of its students (0: never)

    @classmethod
    def from_args(cls, args) -> DemoOptions:
        from photoqueue.demo.swap import check_fraction

        if args.students is not None and args.students < 1:
            raise PhotoqueueError("--students must be at least 1", exit_status=2)
        speed = DEFAULT_SPEED if args.speed is None else args.speed
        if speed < 0:
            raise PhotoqueueError("--speed must be 0 (as fast as it can) or more", exit_status=2)
        return cls(data_dir=Path(args.data_dir), timetable=Path(args.timetable) if args.timetable else shipped_timetable(),
                   date=args.date, rooms=[r.strip() for r in args.rooms.split(",") if r.strip()] if args.rooms else None,
                   students=args.students, speed=speed, headless=args.headless, seed=args.seed,
                   progress=not args.no_progress, stay=not getattr(args, "exit", False),
                   swap_at=check_fraction(getattr(args, "swap_at", None)))


def _has_screen() -> bool:
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")) and \
        os.environ.get("SDL_VIDEODRIVER", "") not in ("dummy", "offscreen")


def _resolve(options: DemoOptions):
    from photoqueue.timetable import load_timetable

    tt = load_timetable(options.timetable)
    if not tt.dates:
        raise PhotoqueueError(f"{options.timetable}: the timetable has no classes", exit_status=2)
    if options.date:
        try:
            date = dt.date.fromisoformat(options.date)
        except ValueError:
            raise PhotoqueueError(f"--date {options.date!r} 格式错误，应为 YYYY-MM-DD / "
                                  f"--date {options.date!r} is not a date (YYYY-MM-DD)", exit_status=2) from None
        if date not in tt.dates:
            raise PhotoqueueError(f"--date {date}：时间表中这一天没有班级 / the timetable has no classes that day (it has "
                                  f"{', '.join(d.isoformat() for d in tt.dates)})", exit_status=2)
    else:
        date = tt.dates[0]
    available = tt.rooms_on(date)
    rooms = options.rooms or available
    unknown = [r for r in rooms if r not in available]
    if unknown:
        raise PhotoqueueError(f"--rooms: no room {', '.join(unknown)} on {date} (rooms that day: "
                              f"{', '.join(available)})", exit_status=2)
    from photoqueue.timetable.fit import day_warnings

    for room in rooms:  # the stations' and the centre's one rule: the room's own day, warnings only
        for warning in day_warnings(tt, room, date):
            log.warning("%s", warning)
    return date, rooms


class Progress:
    """A one-line progress bar on stderr (only when stderr is a terminal or asked for). ``totals``: each
    room's students, known from the day's plan before any room starts, so the total never jumps."""

    def __init__(self, totals: dict[str, int], enabled: bool):
        self.done = dict.fromkeys(totals, 0)
        self.total = dict(totals)
        self.enabled = enabled
        self.tty = sys.stderr.isatty()
        self._last = 0.0
        self._lock = threading.Lock()

    def update(self, room: str, done: int, total: int) -> None:
        with self._lock:
            self.done[room] = done
            self.total[room] = max(self.total.get(room, 0), total)
            now = time.monotonic()
            if not self.enabled or (now - self._last < (0.1 if self.tty else 5.0) and done < total):
                return
            self._last = now
            d, t = sum(self.done.values()), max(sum(self.total.values()), 1)
            width = 30
            filled = int(width * d / t)
            line = f"模拟 [{'#' * filled}{'.' * (width - filled)}] {d}/{t} 名同学 " + \
                " ".join(f"{r}:{self.done[r]}/{self.total[r]}" for r in self.done)
            sys.stderr.write(("\r" + line) if self.tty else (line + "\n"))
            sys.stderr.flush()

    def finish(self) -> None:
        if self.enabled and self.tty:
            sys.stderr.write("\n")


def planned_students(timetable: Path, date: dt.date, rooms: list[str], seed: int) -> dict[str, int]:
    """How many students each room's plan sends (absent ones included, as the rooms count them)."""
    from photoqueue.demo.plan import plan_students
    from photoqueue.timetable import load_timetable

    tt = load_timetable(timetable)
    return {room: len(plan_students(tt.room_day(room, date), seed)) for room in rooms}


def write_day(options: DemoOptions, date: dt.date, rooms: list[str]) -> Path:
    """The day's timetable as the demo runs it (headcounts scaled by --students): DATA_DIR/timetable.csv,
    read by every room's station and by the central service, so their expected counts agree."""
    import csv

    from photoqueue.demo.plan import scale_room_day
    from photoqueue.timetable import load_timetable

    tt = load_timetable(options.timetable)
    path = options.data_dir / "timetable.csv"
    with open(path, "w", newline="", encoding="utf-8") as f:
        out = csv.writer(f)
        out.writerow(["date", "room", "location", "start", "end", "college", "class_name", "headcount"])
        for room in rooms:
            for c in scale_room_day(tt.room_day(room, date), options.students).classes:
                out.writerow([c.date.isoformat(), c.room, c.location, c.start.strftime("%H:%M") if c.start else "",
                              c.end.strftime("%H:%M") if c.end else "", c.college, c.name, c.headcount])
    return path


def _start_central(options: DemoOptions, rooms: list[str], timetable: Path):
    """The central service as its own process with DATA_DIR/central.db: (process, url, token files)."""
    try:
        from photoqueue.central import admin
        from photoqueue.central.process import free_port, wait_ready
    except ImportError:  # a build without the central part: the stations run offline
        return None, None, {}
    db_url = central_db_url(options.data_dir)
    tokens = {}
    for room in rooms:
        token_file = options.data_dir / room / "central-token"
        if not token_file.exists():  # a resumed demo keeps its stations' registrations
            token_file.parent.mkdir(parents=True, exist_ok=True)
            token_file.write_text(admin.add_station(db_url, room, label="demo") + "\n", encoding="utf-8")
            token_file.chmod(0o600)
        tokens[room] = str(token_file)
    admin.load_timetable(db_url, timetable)
    admin.add_user(db_url, *DEMO_STAFF)
    key_file = options.data_dir / "deployment.key"
    if not key_file.exists():  # the centre's key: a station with another refuses to number (docs/station.md)
        key_file.write_text(admin.deployment_key(db_url).hex() + "\n", encoding="ascii")
        key_file.chmod(0o600)
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    with open(options.data_dir / "central.log", "ab") as log_file:
        proc = subprocess.Popen([sys.executable, "-m", "photoqueue", "central", "serve", "--db", db_url,
                                 "--host", "127.0.0.1", "--port", str(port)],
                                stdout=log_file, stderr=subprocess.STDOUT, preexec_fn=die_with_parent)
    try:
        wait_ready(url, 60, alive=lambda: proc.poll() is None)
    except PhotoqueueError:
        proc.kill()
        raise
    return proc, url, tokens


def die_with_parent() -> None:
    """In a child, before exec (Linux): the kernel kills it when the demo dies, even by SIGKILL."""
    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def run(options: DemoOptions) -> int:
    from photoqueue.device.store.keyfile import load_key

    date, rooms = _resolve(options)
    headless = options.headless or not _has_screen()
    data_dir = options.data_dir
    data_dir.mkdir(parents=True, exist_ok=True)
    key_file = data_dir / "deployment.key"
    timetable = write_day(options, date, rooms)
    central_proc, central_url, tokens = _start_central(options, rooms, timetable)
    load_key(key_file, create=True)  # one key for the whole day (the centre's, when there is one): see _start_central
    if central_url:
        print(f"中心看板 central dashboard: {central_url}/  (登录 login: {DEMO_STAFF[0]} / {DEMO_STAFF[1]}; "
              f"公开页 public page {central_url}/status)", file=sys.stderr, flush=True)
    try:
        summary, failed = _run_rooms(options, date, rooms, timetable, key_file, central_url, tokens, headless)
        print(format_summary(summary), flush=True)
        if failed:
            raise PhotoqueueError(f"the station of {', '.join(failed)} stopped with an error (see above)")
        if central_proc is not None and options.stay:
            _stay_up(central_proc, central_url)
    finally:
        if central_proc is not None:
            _stop(central_proc)
    return 0


def _run_rooms(options: DemoOptions, date: dt.date, rooms: list[str], timetable: Path, key_file: Path,
               central_url: str | None, tokens: dict, headless: bool) -> tuple[dict, list[str]]:
    """One station process per room until each has done its day (the first room's Pi swapped part way, see
    demo/swap.py); the summary (also DATA_DIR/summary.json)."""
    from photoqueue.demo import swap

    data_dir = options.data_dir
    planned = planned_students(timetable, date, rooms, options.seed)
    progress = Progress(planned, options.progress)
    env = dict(os.environ)
    if headless:
        env["SDL_VIDEODRIVER"] = env.get("SDL_VIDEODRIVER") if env.get("SDL_VIDEODRIVER") == "offscreen" else "dummy"
    env.setdefault("SDL_AUDIODRIVER", "dummy")
    summaries: dict[str, dict] = {}
    runners = {}
    for i, room in enumerate(rooms, start=1):
        spec = {"room": room, "tag": f"room{i}", "date": date.isoformat(), "timetable": str(timetable),
                "data_dir": str(data_dir), "key_file": str(key_file), "speed": options.speed,
                "headless": headless, "seed": options.seed,
                "central": ({"url": central_url, "token_file": tokens[room]} if central_url else None)}
        if central_url and i == 1:  # a swap needs the centre: the spare rebuilds the room's history from it
            spec["swap_at"] = swap.swap_index(planned[room], options.swap_at)
            spec["db_url"] = central_db_url(data_dir)
        runners[room] = RoomRunner(room, spec, env, progress, summaries)
    for runner in runners.values():
        runner.start()
    failed = []
    try:
        for room, runner in runners.items():
            if runner.wait() != 0:
                failed.append(room)
    finally:
        progress.finish()
        for runner in runners.values():
            runner.end()
    if central_url:
        _dashboard_picture(central_url, data_dir / "snapshots" / "dashboard.png")
    summary = {"date": date.isoformat(), "rooms": [summaries[r] for r in rooms if r in summaries],
               "data_dir": str(data_dir), "central_url": central_url,
               "login": list(DEMO_STAFF) if central_url else None}
    (data_dir / "summary.json").write_text(json.dumps(summary, ensure_ascii=False, indent=1), encoding="utf-8")
    return summary, failed


def _stay_up(proc: subprocess.Popen, url: str) -> None:
    """The day is done; the dashboard stays up to be looked at, until Ctrl-C (or the service ends)."""
    print(f"\n中心服务仍在运行：{url}/ （按 Ctrl-C 结束；脚本请用 --exit）", file=sys.stderr, flush=True)
    try:
        proc.wait()
    except KeyboardInterrupt:
        print("\n已结束。", file=sys.stderr, flush=True)


def _stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.terminate()
    try:
        proc.wait(15)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def _dashboard_picture(url: str, path: Path) -> None:
    """The staff dashboard (wall and phone) and the public /status page, as headless Chromium shows them
    once their live data has loaded; ``path`` (the wall shot) is the one the summary names."""
    try:
        from photoqueue.demo.screenshots import take

        shots = take(url, path.parent, DEMO_STAFF[0], DEMO_STAFF[1])
    except Exception as exc:  # no Chromium or Playwright here: the demo goes on without pictures
        log.warning("no dashboard pictures: %s", exc)
        return
    shots[0].replace(path)


def central_db_url(data_dir: Path) -> str:
    return f"sqlite:///{(data_dir / 'central.db').resolve()}"


class RoomRunner:
    """One room's station process (and, when its Pi is swapped, the spare's after it), read in a thread."""

    def __init__(self, room: str, spec: dict, env: dict, progress: Progress, summaries: dict):
        from photoqueue.demo import swap

        self.room, self.env, self.progress, self.summaries = room, env, progress, summaries
        data_dir = Path(spec["data_dir"])
        token = swap.spare_token(data_dir, room) if spec.get("central") else None
        # a demo run again after the swap: the dead Pi's token is revoked, the spare goes on
        self.spec = swap.spare_spec(spec, data_dir, token, None) if token else spec
        self.proc: subprocess.Popen | None = None
        self.status: int | None = None
        self._thread = threading.Thread(target=self._run, name=f"demo-{room}", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def wait(self) -> int:
        self._thread.join()
        return 1 if self.status is None else self.status

    def end(self) -> None:
        proc = self.proc
        if proc is not None and proc.poll() is None:
            proc.terminate()

    def _spawn(self, spec: dict) -> subprocess.Popen:
        self.proc = subprocess.Popen([sys.executable, "-m", "photoqueue.demo.room", json.dumps(spec)],
                                     stdout=subprocess.PIPE, text=True, env=self.env, preexec_fn=die_with_parent)
        return self.proc

    def _run(self) -> None:
        from photoqueue.demo import swap

        try:
            proc = self._spawn(self.spec)
            died = self._read(proc)
            if died is not None:
                proc.kill()  # SIGKILL: the Pi dies, nothing of it runs on
                proc.wait()
                data_dir = Path(self.spec["data_dir"])
                token = swap.replace_station(self.spec["db_url"], data_dir, self.room, self.spec["date"])
                proc = self._spawn(swap.spare_spec(self.spec, data_dir, token, died["carry"]))
                self._read(proc)
            self.status = proc.wait()
        except Exception as exc:  # the room counts as failed; the other rooms go on
            log.error("%s: %s", self.room, exc)
            self.status = 1

    def _read(self, proc: subprocess.Popen) -> dict | None:
        """The room's records until it ends (None) or its Pi dies (the swap record)."""
        for line in proc.stdout:
            try:
                record = json.loads(line)
            except json.JSONDecodeError:
                continue
            if record.get("type") == "progress":
                self.progress.update(self.room, record["done"], record["total"])
            elif record.get("type") == "summary":
                self.summaries[self.room] = {k: v for k, v in record.items() if k != "type"}
            elif record.get("type") == "swap":
                return record
        return None
