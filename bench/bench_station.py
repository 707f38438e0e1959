"""The station, running: scan-to-ticket latency and its idle cost, beside a naive peer in the same run.

- Latency: a phone frame is held up to a 30 fps replay camera; timed from the camera handing the
  frame over ("frame in") to the number committed (the scan's feedback, after the commit), the
  ticket's bytes written (the printer part's outcome, escpos Dummy), and the screen updated (the hall
  display, pygame on SDL's dummy driver, has drawn the frame that shows the new number: timed inside its
  frame method, so neither the clock's second nor the ticket's own time counts). p50/p99 over many students.
- Idle: the station's CPU (share of one core) and RSS with the camera at 30 fps showing an empty hall.
- The naive peer: raw pyzbar on every full frame, the whole queue as one JSON file rewritten per
  ticket, the same ticket encoding, the same display.

- First number after a start (issue 21): a station with history restarted, timed from ``start()`` to its first
  scan's number committed, without a centre and with a reachable centre (the real one, in a thread: the
  hello before the first number, a possible takeover check, the witnesses).

Goals: p99 scan-to-screen below 30 ms (one camera frame is 33 ms), idle RSS below 150 MB; the first number
after a start with a reachable centre under 1 s more than without.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import resource
import sys
import tempfile
import threading
import time
from pathlib import Path

os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
os.environ.setdefault("SDL_AUDIODRIVER", "dummy")
sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import median, pct, table  # noqa: E402

from photoqueue.core import effects as fx  # noqa: E402
from photoqueue.demo.frames import idle_frame, phone_frame, student_code  # noqa: E402
from photoqueue.device.station.build import build_station  # noqa: E402
from photoqueue.device.station.camera import ReplayCamera  # noqa: E402
from photoqueue.device.station.config import parse_config  # noqa: E402

FPS = 30.0
FPS_CAP = 60.0  # the hall display's frame cap (its default, 20, alone can hold an update back 50 ms)
STUDENTS = int(os.environ.get("BENCH_STATION_STUDENTS", "150"))
IDLE_S = float(os.environ.get("BENCH_STATION_IDLE_S", "8"))
ROOM = "第一组"
DATE = "2023-10-25"


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def cpu_s() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def idle_cost(seconds: float) -> tuple[float, float]:
    """(CPU % of one core, RSS MB) of this process over ``seconds`` of doing nothing itself."""
    c0, t0 = cpu_s(), time.monotonic()
    time.sleep(seconds)
    return 100 * (cpu_s() - c0) / (time.monotonic() - t0), rss_mb()


def wait_for(predicate, timeout=5.0) -> bool:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.0002)
    return True


class Trace:
    def __init__(self):
        self.commit_at: float | None = None
        self.ticket_at: float | None = None


def make_frame(i: int):
    """Student i's phone, made just before it is shown (so the frames do not count in the RSS)."""
    return phone_frame(student_code("bench", i), i)


def run_station(frames: int, data_dir: Path, mode: str = "image") -> dict:
    from photoqueue.display.hall import HallDisplay

    config = parse_config({
        "station": {"room": ROOM, "data_dir": str(data_dir), "date": DATE,
                    "timetable": str(Path(__file__).resolve().parents[1] / "photoqueue/data/timetable-2024.csv"),
                    "screen": False},
        "printer": {"kind": "dummy", "mode": mode},
        "buttons": {"advance_pin": -1, "keyboard": False},
        "display": {"size": [1280, 720], "fullscreen": False, "fps_cap": FPS_CAP},
    })
    camera = ReplayCamera(fps=FPS, idle=idle_frame())
    station = build_station(config, camera_source=camera)
    data_dir.mkdir(parents=True, exist_ok=True)
    display = HallDisplay(config.display)
    station.display = display
    trace = Trace()

    def on_effects(effects):
        if any(isinstance(e, fx.ScanFeedback) for e in effects):
            trace.commit_at = time.perf_counter()
    station.observers.append(on_effects)
    on_result = station.printer._on_result

    def printed(job, outcome):
        trace.ticket_at = time.perf_counter()
        on_result(job, outcome)
    station.printer.worker.on_result = printed
    station.start()
    time.sleep(1.0)  # let the screen open and the camera settle
    idle_cpu, idle_rss = idle_cost(IDLE_S)
    lat = {"commit": [], "ticket": [], "screen": []}
    screen = ScreenClock(display)
    for i in range(frames):
        frame = make_frame(i)
        trace.commit_at = trace.ticket_at = None
        screen.expect(i + 1)  # the i-th student's number
        camera.hold(frame)
        ok = wait_for(lambda: trace.commit_at is not None and trace.ticket_at is not None
                      and screen.at is not None and camera.first_read_at is not None)
        camera.clear()
        if ok:
            frame_in = camera.first_read_at
            lat["commit"].append((trace.commit_at - frame_in) * 1000)
            lat["ticket"].append((trace.ticket_at - frame_in) * 1000)
            lat["screen"].append((screen.at - frame_in) * 1000)
        time.sleep(0.12)  # the student walks away: the code leaves the view
    station.stop()
    return {"lat": lat, "idle_cpu": idle_cpu, "idle_rss": idle_rss, "missed": frames - len(lat["commit"])}


class ScreenClock:
    """When the hall display first drew the frame showing ``number`` (its flash after a scan, or the peer's
    number being served): wraps the display's frame method. Measurement only."""

    def __init__(self, display):
        self.number: int | None = None
        self.at: float | None = None
        draw = display._draw

        def timed(pygame, state, now, first):
            before = display.frames
            draw(pygame, state, now, first)
            shown = {getattr(state.flash, "number", None), state.now_serving}
            if self.at is None and self.number is not None and display.frames > before and self.number in shown:
                self.at = time.perf_counter()

        display._draw = timed

    def expect(self, number: int) -> None:
        self.at, self.number = None, number


class NaivePeer:
    """pyzbar on every full frame, a JSON file rewritten per ticket, the same ticket and display."""

    def __init__(self, camera: ReplayCamera, path: Path, display):
        from pyzbar import pyzbar

        self.decode = pyzbar.decode
        self.camera = camera
        self.path = path
        self.display = display
        self.tickets: dict[str, int] = {}
        self.stop = threading.Event()
        self.commit_at = self.ticket_at = None
        self.thread = threading.Thread(target=self.run, daemon=True)

    def run(self) -> None:
        from photoqueue.display.model import DisplayState
        from photoqueue.printer import PrinterSettings, Ticket, encode_ticket
        from photoqueue.printer.connection import open_link

        link = open_link(PrinterSettings(kind="dummy"))
        while not self.stop.is_set():
            frame = self.camera.read()
            for symbol in self.decode(frame):
                text = symbol.data.decode("utf-8", "replace")
                if text in self.tickets:
                    continue
                number = len(self.tickets) + 1
                self.tickets[text] = number
                self.path.write_text(json.dumps(self.tickets, ensure_ascii=False))
                self.commit_at = time.perf_counter()
                job = encode_ticket(Ticket(room=ROOM, number=number, class_name="20财务管理1班",
                                           issued_at=dt.datetime.now()))
                link.write(job.data, time.monotonic() + 5)
                self.ticket_at = time.perf_counter()
                self.display.show(DisplayState(room=ROOM, now_serving=number, waiting=number))


def run_peer(frames: int, data_dir: Path) -> dict:
    from photoqueue.display.hall import HallDisplay
    from photoqueue.display.settings import DisplaySettings

    camera = ReplayCamera(fps=FPS, idle=idle_frame())
    display = HallDisplay(DisplaySettings(size=(1280, 720), fullscreen=False, fps_cap=FPS_CAP)).start()
    peer = NaivePeer(camera, data_dir / "queue.json", display)
    peer.thread.start()
    time.sleep(1.0)
    idle_cpu, idle_rss = idle_cost(IDLE_S)
    lat = {"commit": [], "ticket": [], "screen": []}
    screen = ScreenClock(display)
    for i in range(frames):
        frame = make_frame(i)
        peer.commit_at = peer.ticket_at = None
        screen.expect(i + 1)
        camera.hold(frame)
        ok = wait_for(lambda: peer.ticket_at is not None and screen.at is not None
                      and camera.first_read_at is not None)
        camera.clear()
        if ok:
            frame_in = camera.first_read_at
            lat["commit"].append((peer.commit_at - frame_in) * 1000)
            lat["ticket"].append((peer.ticket_at - frame_in) * 1000)
            lat["screen"].append((screen.at - frame_in) * 1000)
        time.sleep(0.12)
    peer.stop.set()
    peer.thread.join(2)
    display.stop()
    return {"lat": lat, "idle_cpu": idle_cpu, "idle_rss": idle_rss, "missed": frames - len(lat["commit"])}


STARTS = int(os.environ.get("BENCH_STATION_STARTS", "7"))


def first_numbers(tmp: Path, with_centre: bool) -> list[float]:
    """ms from ``start()`` to the first scan's number committed, over STARTS restarts of one station."""
    from photoqueue.device.station.parts import NullDisplay, NullPrinter
    from photoqueue.scanner.reads import ScanEvent

    today = dt.date.today().isoformat()  # the centre refuses a session date that is not its own
    table_ = {"station": {"room": ROOM, "data_dir": str(tmp / "first"), "date": today, "screen": False},
              "printer": {"kind": "dummy"}, "buttons": {"keyboard": False},
              "sound": {"scan_beeps": False, "call_chime": False}}
    central = None
    if with_centre:
        from photoqueue.central import accounts
        from photoqueue.central.process import CentralThread
        from photoqueue.central.settings import CentralSettings

        central = CentralThread(CentralSettings(db=f"sqlite:///{tmp / 'central.db'}", rate_limit_per_s=0)).start()
        (tmp / "token").write_text(accounts.add_station(central.store.db, ROOM)[1])
        table_["central"] = {"url": central.url, "token_file": str(tmp / "token"), "interval_s": 0.2}
    config = parse_config(table_)
    times = []
    try:
        for i in range(STARTS + 1):
            station = build_station(config)
            station.parts.display, station.parts.printer = NullDisplay(), NullPrinter()
            got = threading.Event()
            station.observers.append(lambda effects, got=got: any(isinstance(e, fx.ScanFeedback) and e.ok
                                                                 for e in effects) and got.set())
            t0 = time.perf_counter()
            station.start()
            station.submit(ScanEvent(f"BENCH-FIRST-{i:04d}", "camera", time.monotonic()))
            got.wait(10)
            if i:  # the first start makes the station and its key: not a restart
                times.append((time.perf_counter() - t0) * 1000)
            if with_centre:
                station.sync.drain(10)
            station.stop()
    finally:
        if central is not None:
            central.stop()
    return times


IDLE_15_FPS = 15.0


def scanner_idle(seconds: float) -> dict:
    """CPU (% of one core) of the camera thread's decoding at 15 fps on code-free phone frames (both generators:
    the hall, phones showing an app, a keyboard, a dark screen): the station's scanner (pipeline, temporal
    combination, debounce) against the naive peer's raw pyzbar on the same frames, paced alike."""
    from pyzbar import pyzbar

    from photoqueue.demo import phone_frames, phone_frames_optics
    from photoqueue.scanner import Scanner, ScannerSettings

    frames = [phone_frames.generate(700_000 + k, with_code=False).image for k in range(20)]
    frames += [phone_frames_optics.generate(700_000 + k, phone_frames_optics.LEVELS[k % 3], with_code=False).image
               for k in range(20)]
    scanner = Scanner(ScannerSettings())

    def paced(decode) -> float:
        period, start = 1.0 / IDLE_15_FPS, time.monotonic()
        c0, k = time.thread_time(), 0
        while time.monotonic() - start < seconds:
            decode(frames[k % len(frames)], start + k * period)
            k += 1
            time.sleep(max(0.0, start + k * period - time.monotonic()))
        return 100 * (time.thread_time() - c0) / (time.monotonic() - start)

    return {"station": paced(lambda f, now: scanner.process(f, now)),
            "peer": paced(lambda f, _now: pyzbar.decode(f, symbols=[pyzbar.ZBarSymbol.QRCODE]))}


def side(name: str) -> int:
    """One side of the comparison in this process (so each has its own RSS): JSON on stdout."""
    frames = STUDENTS
    with tempfile.TemporaryDirectory() as tmp:
        os.environ.setdefault("STATE_DIRECTORY", str(Path(tmp) / "state"))  # the witness outside the data dir
        if name == "scanner-idle":
            print(json.dumps(scanner_idle(IDLE_S)))
            return 0
        if name.startswith("first"):
            print(json.dumps({"first": first_numbers(Path(tmp), name == "first-centre")}))
            return 0
        if name == "peer":
            result = run_peer(frames, Path(tmp))
        else:
            result = run_station(frames, Path(tmp), "text" if name == "station-text" else "image")
    print(json.dumps(result))
    return 0


def main() -> int:
    import subprocess

    if len(sys.argv) > 2 and sys.argv[1] == "--side":
        return side(sys.argv[2])
    results = {}
    for name in ("station", "station-text", "peer", "first-alone", "first-centre", "scanner-idle"):
        out = subprocess.run([sys.executable, __file__, "--side", name], capture_output=True, text=True,
                             timeout=600)
        if out.returncode != 0:
            print(out.stderr[-3000:], file=sys.stderr)
            return 1
        results[name] = json.loads(out.stdout.strip().splitlines()[-1])
    station, text, peer = results["station"], results["station-text"], results["peer"]
    rows = []
    for stage, label in (("commit", "frame in -> number committed"), ("ticket", "-> ticket bytes written"),
                         ("screen", "-> screen updated")):
        s, t, p = station["lat"][stage], text["lat"][stage], peer["lat"][stage]
        rows.append([f"{label}, p50 ms", median(s), median(t), median(p), median(s) / median(p)])
        rows.append([f"{label}, p99 ms", pct(s, 99), pct(t, 99), pct(p, 99), pct(s, 99) / pct(p, 99)])
    for key, label in (("idle_cpu", "idle CPU, % of one core (camera 30 fps)"),
                       ("idle_rss", "idle RSS, MB (whole process)")):
        rows.append([label, station[key], text[key], peer[key], station[key] / peer[key]])
    idle15 = results["scanner-idle"]
    rows.append([f"idle CPU, % of one core (scanner thread, camera {IDLE_15_FPS:g} fps, code-free phone frames)",
                 idle15["station"], "-", idle15["peer"], idle15["station"] / idle15["peer"]])
    rows.append(["scans missed (no ticket within 5 s)", station["missed"], text["missed"], peer["missed"], ""])
    print(f"## station: scan to ticket ({STUDENTS} students, camera {FPS:g} fps, {os.cpu_count()} cores)\n")
    print(table(["measure", "station (image tickets)", "station (text tickets)", "naive peer",
                 "station/peer (image)"], rows))
    alone, centre = results["first-alone"]["first"], results["first-centre"]["first"]
    extra = median(centre) - median(alone)
    print(f"\n## station: first number after a start ({len(alone)} restarts each)\n")
    print(table(["measure", "without a centre", "with a reachable centre", "difference"],
                [["start() -> first number committed, p50 ms", median(alone), median(centre), extra],
                 ["start() -> first number committed, max ms", max(alone), max(centre), max(centre) - max(alone)]]))
    print(f"\ngoal first number with a reachable centre < 1 s more than without: "
          f"{'met' if extra < 1000 else 'NOT met'} ({extra:+.0f} ms at the median)")
    p99, p99t = pct(station["lat"]["screen"], 99), pct(text["lat"]["screen"], 99)
    print(f"\ngoal p99 scan-to-screen < 30 ms: image tickets {'met' if p99 < 30 else 'NOT met'} ({p99:.1f} ms), "
          f"text tickets {'met' if p99t < 30 else 'NOT met'} ({p99t:.1f} ms); "
          f"goal idle RSS < 150 MB: {'met' if station['idle_rss'] < 150 else 'NOT met'} ({station['idle_rss']:.0f} MB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
