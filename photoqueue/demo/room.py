"""One room of the demo, in a process of its own: a real station, and the people around it.

The station is the real one (session, camera thread with the real decoder, gpiozero buttons on
MockFactory pins, the printer part's virtual printer, the hall display), run on a simulated clock.
Around it: students hold phone frames up to the replay camera, staff switch classes and correct a
late student's class, and a photographer presses the button (hold to undo a mistaken press, the
skip and recall buttons for a student who wandered off).

Run as ``python -m photoqueue.demo.room SPEC_JSON``; it writes JSON lines to stdout
(progress, then a summary) for the demo's parent process.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import queue
import random
import sys
import time
import zlib
from pathlib import Path

from photoqueue.core import commands as cmd
from photoqueue.core import effects as fx
from photoqueue.demo import room_pictures, room_swap
from photoqueue.demo.camera_roll import CameraRoll
from photoqueue.demo.frames import idle_frame, phone_frame
from photoqueue.demo.plan import Student, plan_students
from photoqueue.demo.room_io import SCREEN_SIZE, emit

log = logging.getLogger(__name__)

PINS = {"advance": 17, "skip": 27, "recall": 22}
SCAN_WAIT_S = 3.0  # real seconds a student holds a frame before trying another angle
SHOOT_S = (6.0, 11.0)  # a photographer's pace per student, simulated seconds
CAMERA_FPS = 15.0  # at --speed > 0 the replay camera runs at this real rate
CROWD = 25  # a line this long is the sight the hall screen's picture 2 keeps


class RoomSim:
    def __init__(self, spec: dict):
        from photoqueue.timetable import load_timetable

        self.spec = spec
        self.room = spec["room"]
        self.tag = spec["tag"]  # an ASCII name for snapshot files: room1, room2 ...
        self.speed = float(spec["speed"])
        self.gap_s = 1.5  # the scanner's debounce gap (its default), on the stepped simulated clock
        self.headless = bool(spec["headless"])
        # the room's printer and camera stay in the room (DATA_DIR/<room>/); a spare Pi (``spec["spare"]``: the
        # room's Pi swapped part way, demo/room_swap.py) has a data dir of its own
        self.room_dir = Path(spec["data_dir"]) / self.room
        self.spare = spec.get("spare")
        self.data_dir = Path(self.spare["data_dir"]) if self.spare else self.room_dir
        self.swap_at = None if self.spare else spec.get("swap_at")  # arrivals after which this Pi dies
        self.digests: dict[str, str] = {}  # digest -> code, for tickets rebuilt from the centre
        self.centre_highest: int | None = None
        self.swap_rescans = 0
        self.snap_dir = Path(spec["data_dir"]) / "snapshots"
        date = dt.date.fromisoformat(spec["date"])
        # the parent wrote the day's timetable, already scaled to --students
        self.room_day = load_timetable(spec["timetable"]).room_day(self.room, date)
        self.plan = plan_students(self.room_day, spec["seed"])
        self.rng = random.Random(f"{spec['seed']}/{self.room}/photographer")
        self.feedback: queue.Queue = queue.Queue()
        self.stats = {"rescans_kept_number": 0, "rescans_changed_number": 0, "unreadable": 0, "refused": 0,
                      "reprints": 0, "undos": 0, "skips": 0, "recalls": 0, "corrections": 0, "switches": 0,
                      "max_waiting": 0}
        self.snapshots: list[str] = []
        self._shots: set[str] = set()
        self._left: set[int] = set()  # tickets whose student was not there when called
        self.rescans: list[tuple[dt.datetime, Student]] = []  # students who will scan a second time
        self.roll = CameraRoll(self.room_dir / "photos", random.Random(f"{spec['seed']}/{self.room}/camera"),
                               len(self.plan))
        self.printed: list[tuple[int, bool]] = []  # (number, reprint) of each ticket sent to the printer

    # --- the station ------------------------------------------------------------------------------

    def _config(self):
        from photoqueue.device.station.config import parse_config

        return parse_config({
            # the witness outside the station's data dir, inside the demo's (its "state directory"): deleting
            # the demo's data dir starts a new day, a resumed demo finds its witnesses
            "station": {"room": self.room, "data_dir": str(self.data_dir), "date": self.spec["date"],
                        "key_file": self.spec["key_file"], "screen": not self.headless,
                        "witness_dir": str(Path(self.spec["data_dir"]) / "witness")},
            "camera": {"fps": CAMERA_FPS, "debounce_gap_s": self.gap_s},
            "printer": {"kind": "virtual", "port": 0, "out_dir": str(self.room_dir / "tickets")},
            "buttons": {"advance_pin": PINS["advance"], "skip_pin": PINS["skip"], "recall_pin": PINS["recall"],
                        "keyboard": False},
            "display": {"fullscreen": False, "size": list(SCREEN_SIZE)},
            "sound": {"call_chime": False},
            **({"central": self.spec["central"]} if self.spec.get("central") else {}),
        })

    def _start(self) -> None:
        # pictures of a run that was killed before it named them: they keep their print-order names
        self._earlier = {p.name for p in (self.room_dir / "tickets").glob("ticket-*.png")}
        from gpiozero.pins.mock import MockFactory

        from photoqueue.device.station.build import build_station
        from photoqueue.device.station.camera import ReplayCamera
        from photoqueue.device.station.view import SimClock

        first = self.plan[0].arrive_at if self.plan else dt.datetime.combine(self.room_day.date, dt.time(8))
        # stepped: simulated time passes only while people wait, so the day keeps to its timetable
        # however busy this machine is (the station's own work takes no simulated time)
        start = room_swap.start_time(self.spare) or first - dt.timedelta(minutes=1)
        self.clock = SimClock(start, self.speed, stepped=True)
        self.pins = MockFactory()
        self.camera = ReplayCamera(fps=0 if self.speed == 0 else CAMERA_FPS, idle=idle_frame())
        self.station = build_station(self._config(), clock=self.clock, pin_factory=self.pins,
                                     headless=self.headless, camera_source=self.camera, keyboard=False)
        self.station.room_day = self.room_day
        self.station.printer.location = self.station.location
        self.station.observers.append(self._observe)
        self.station.start()
        self.state = self.station.session.state  # read only through ask()
        self.digests = room_swap.digests(self.plan, self.station.session.rules.digest_key)
        self.centre_highest = room_swap.takeover_highest(self.station)

    def plan_code(self, code: str) -> str:
        """The student's code of a ticket's code (a ticket rebuilt from the centre names it by digest)."""
        if code.startswith(room_swap.REBUILT):
            return self.digests.get(code[len(room_swap.REBUILT):], code)
        return code

    def _observe(self, effects: list[fx.Effect]) -> None:
        for e in effects:
            if isinstance(e, fx.ScanFeedback):
                self.feedback.put(e)
            elif isinstance(e, fx.PrintTicket):
                self.printed.append((e.number, e.reprint))

    def ask(self, fn):
        """Run fn(state) on the station's queue thread (after everything submitted before)."""
        return self.station.call(lambda s: fn(s.session.state)).result(30)

    def wait_until(self, when: dt.datetime) -> None:
        delta = (when - self.clock.now()).total_seconds()
        if delta > 0:
            self.clock.sleep(delta)

    # --- people ------------------------------------------------------------------------------------

    def show_code(self, text: str, seed: int) -> fx.ScanFeedback | None:
        """A student holds a phone up until the station answers (another angle if it does not)."""
        while not self.feedback.empty():
            self.feedback.get_nowait()
        try:
            for attempt in range(5):
                self.camera.hold(phone_frame(text, seed * 7 + attempt))
                try:
                    return self.feedback.get(timeout=SCAN_WAIT_S)
                except queue.Empty:
                    continue
        finally:
            self.camera.clear()
            if self.speed == 0:
                self.camera.wait_empty()
            else:
                self.camera.wait_cleared()  # the camera sees the empty hall before the next phone
            self.ask(lambda _s: None)
        self.stats["unreadable"] += 1
        return None

    def press(self, name: str, hold_s: float = 0.25) -> None:
        pin = self.pins.pin(PINS[name])
        called = self.ask(lambda s: s.called) if hold_s >= 1.0 else None
        pin.drive_low()  # pull-up wiring: pressed = low
        self.clock.sleep(hold_s)
        if hold_s >= 1.0:
            # The station's loop sees the hold on its next tick (the simulated clock does not flow by
            # itself): keep the button down until the undo has changed the call, as a photographer holds
            # until the beep. A fixed real-time wait lost the undo on a loaded machine.
            deadline = time.monotonic() + 10.0
            while time.monotonic() < deadline and self.ask(lambda s: s.called) == called:
                time.sleep(0.02)
        pin.drive_high()
        self.ask(lambda _s: None)

    def arrive(self, st: Student) -> None:
        if st.behaviour == "absent":
            return
        planned = [c.name for c in self.room_day.classes]
        active = self.ask(lambda s: s.active_class)
        if st.behaviour != "late" and active in planned and planned.index(active) < planned.index(st.class_name):
            self.station.submit(cmd.SwitchClass(st.class_name))  # staff at the door: the next class is here
            self.stats["switches"] += 1
        if st.foreign_code:
            fb = self.show_code(st.foreign_code, zlib.crc32(st.code.encode()) % 10000 + 1)
            if fb is not None and not fb.ok:
                self.stats["refused"] += 1
        fb = self.show_code(st.code, zlib.crc32(st.code.encode()) % 10000)
        if fb is None or fb.number is None:
            return
        ticket_class = self.ask(lambda s: s.tickets[fb.number].class_name)
        if ticket_class != st.class_name:
            self.station.submit(cmd.CorrectClass(fb.number, st.class_name))  # a late student: staff fix the class
            self.stats["corrections"] += 1
        if st.behaviour == "twice":  # comes back unsure a little later, and scans again
            later = self.clock.now() + dt.timedelta(seconds=self.gap_s + self.rng.uniform(5, 20))
            self.rescans.append((later, st))

    def rescan(self, st: Student) -> None:
        again = self.show_code(st.code, zlib.crc32(st.code.encode()) % 10000 + 2)
        if again is not None:
            self.stats["reprints"] += again.kind == "reprint"

    def rescan_waiting(self) -> int:
        """On resume, or at a spare Pi: students still in line scan again, and must get their old numbers.
        Returns how many did."""
        waiting = self.ask(lambda s: {c: n for c, n in s.by_code.items()
                                      if s.tickets[n].status in ("waiting", "called")})
        kept = 0
        for code, number in sorted(waiting.items(), key=lambda kv: kv[1])[:10]:
            fb = self.show_code(self.plan_code(code), number + 99)
            if fb is not None and fb.number == number:
                kept += 1
            elif fb is not None:
                self.stats["rescans_changed_number"] += 1
        return kept

    # --- the day ------------------------------------------------------------------------------------

    def run(self) -> dict:
        self._start()
        try:
            carried = (self.spare or {}).get("carry")
            returns: list[tuple[dt.datetime, Student]] = room_swap.go_on(self, carried) if carried else []
            numbered, resumed = self._resume()
            by_code = {s.code: s for s in self.plan}
            pending = [s for s in self.plan if s.code not in numbered]
            done = len(self.plan) - len(pending)
            if carried:  # the spare: the people go on where they were when the Pi died
                resumed, done = carried["resumed"], carried["done"]
                pending = [s for s in self.plan[done:] if s.code not in numbered]
            emit(type="progress", room=self.room, done=done, total=len(self.plan))
            press_at: dt.datetime | None = None
            midpoint = len(self.plan) // 2
            crowd_shot = False
            while True:
                called = self.ask(lambda s: s.called)
                if called is not None and press_at is None:
                    press_at = self.clock.now() + dt.timedelta(seconds=self.rng.uniform(*SHOOT_S))
                following = self._next_happening(pending, returns, press_at)
                if following is None:
                    break
                when, what = following
                self.wait_until(when)
                if what == 0:
                    self.arrive(pending.pop(0))
                    done += 1
                    crowd_shot = self._arrived(done, midpoint, crowd_shot)
                    if self.swap_at is not None and done >= self.swap_at and self.ask(room_swap.in_line):
                        room_swap.die(self, done, returns, resumed)  # the Pi dies: never returns
                elif what == 1:
                    self._return(returns)
                elif what == 3:
                    self.rescans.sort(key=lambda r: r[0])
                    self.rescan(self.rescans.pop(0)[1])
                else:
                    press_at = None
                    self.photograph(called, by_code, returns)
            self.station.printer.drain(30)
            self.snapshot("3")
            self.name_tickets()
            return self.summary(resumed)
        finally:
            self.station.stop()

    def _resume(self) -> tuple[set, bool]:
        """The codes already numbered (a resumed day: the clock moves on to its last moment, and the
        students still in line scan again), and whether the day is resumed."""
        numbered = {self.plan_code(c) for c in self.ask(lambda s: list(s.by_code))}
        resumed = bool(numbered)
        if resumed:
            last = self.ask(lambda s: max((t.photographed_at or t.issued_at for t in s.tickets.values()),
                                          default=None))
            if last:
                self.clock.advance_to(dt.datetime.fromisoformat(last))
            kept = self.rescan_waiting()
            if self.spare is not None:  # at the spare Pi: the line scans again to see its numbers stand
                self.swap_rescans += kept
            else:
                self.stats["rescans_kept_number"] += kept
        return numbered, resumed

    def _next_happening(self, pending: list, returns: list, press_at: dt.datetime | None):
        """(when, what) of what happens next: 0 an arrival, 1 a return, 2 a press, 3 a rescan; None: the
        day is over."""
        options = []
        if pending:
            options.append((pending[0].arrive_at, 0))
        if returns:
            options.append((min(returns, key=lambda r: r[0])[0], 1))
        if press_at is not None:
            options.append((press_at, 2))
        if self.rescans:
            options.append((min(r[0] for r in self.rescans), 3))
        return min(options) if options else None

    def _arrived(self, done: int, midpoint: int, crowd_shot: bool) -> bool:
        """After the ``done``-th arrival: the line's length, the progress, the pictures; returns whether
        the crowd picture is taken."""
        waiting = self.ask(lambda s: len(s.waiting))
        self.stats["max_waiting"] = max(self.stats["max_waiting"], waiting)
        emit(type="progress", room=self.room, done=done, total=len(self.plan))
        # picture 2: the first crowd in line (the real day's sight), else half time
        if not crowd_shot and (waiting >= CROWD or done == midpoint):
            crowd_shot = True
            self.snapshot("2")
        if done == 1:
            self.snapshot("1")
        if self.spare is not None and "spare" not in self._shots:
            self._shots.add("spare")
            self.snapshot("spare")  # the spare Pi's screen: the room's line rebuilt from the centre, numbering on
        return crowd_shot

    def _return(self, returns: list) -> None:
        """A skipped student is back: staff recall the number."""
        returns.sort(key=lambda r: r[0])
        returns.pop(0)
        self.press("recall")
        self.stats["recalls"] += 1

    def photograph(self, called: int, by_code: dict, returns: list) -> None:
        code = self.ask(lambda s: next((c for c, n in s.by_code.items() if n == called), None))
        student = by_code.get(self.plan_code(code)) if code is not None else None
        status = self.ask(lambda s: s.tickets[called].status)
        if status != "called":
            return
        if student is not None and student.behaviour == "leaves" and not self._left_before(called):
            self.press("skip")  # not there when called
            self.stats["skips"] += 1
            self._left.add(called)
            if student.comes_back:
                returns.append((self.clock.now() + dt.timedelta(seconds=self.rng.uniform(40, 120)), student))
            return
        self.roll.before_press(self, called)
        self.press("advance")
        if self.roll.after_press(self):  # a planted double press, or staff's press for a forgotten one
            return
        if self.rng.random() < 0.01:  # a mistaken second press, undone by holding the button
            waiting = self.ask(lambda s: s.called)
            if waiting is not None:
                self.clock.sleep(1.0)
                self.press("advance")
                self.press("advance", hold_s=2.5)
                self.stats["undos"] += 1

    def _left_before(self, number: int) -> bool:
        return number in self._left

    def snapshot(self, label: str) -> None:
        room_pictures.snapshot(self, label)

    def name_tickets(self) -> None:
        room_pictures.name_tickets(self)

    def summary(self, resumed: bool) -> dict:
        from photoqueue.core.counts import class_counts

        counts = self.ask(lambda s: class_counts(s))
        numbers = self.ask(lambda s: sorted(s.tickets))
        sync = self.station.sync
        drained = None
        if sync is not None and hasattr(sync, "drain"):
            try:
                drained = bool(sync.drain(30))
            except Exception as exc:  # the centre may be gone; the station's data is safe either way
                log.warning("sync drain: %s", exc)
                drained = False
        return {"room": self.room, "tag": self.tag, "resumed": resumed, "classes": counts,
                "tickets": len(numbers), "numbers_contiguous": numbers == list(range(1, len(numbers) + 1)),
                "students_planned": len(self.plan), "stats": self.stats, "snapshots": self.snapshots,
                "tickets_dir": str(self.room_dir / "tickets"), "database": str(self.data_dir / "station.db"),
                "outbox_drained": drained, "swap": room_swap.summary(self) if self.spare is not None else None,
                "photos": self.roll.reconcile(self.data_dir / "station.db", self.room, self.spec["date"])}


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    spec = json.loads(argv[0])
    logging.basicConfig(level=logging.WARNING, format=f"%(levelname)s {spec['room']} %(name)s: %(message)s")
    sim = RoomSim(spec)
    result = sim.run()
    emit(type="summary", **result)
    return 0


if __name__ == "__main__":
    sys.exit(main())
