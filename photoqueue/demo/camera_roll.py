"""The photographer's camera in the simulated day: small JPEGs with EXIF times, by a camera clock a few minutes
off that drifts, 1-3 frames a student, into DATA_DIR/<room>/photos/. Planted, once each where the day is
long enough: a forgotten press (a second student photographed before the press; staff press once more for
it at the next student) and a called no-show pressed past (a number marked photographed with nobody
photographed: called, waited for, pressed). At the end ``photoqueue reconcile``'s alignment runs on the folder
and its findings go into the day's summary, beside what was planted and how many photos it gave to another
student than the one photographed.

The camera follows the line, not the presses (the 2024 notice: "采集码扫描后，坚决不能插队和出走"): the student in
front of it is the called one, or, after the forgotten press and until staff make it good, the next one in
line. So the mistake is planted only where that next student, and the one after, are already in line and
the next one stays (is not skipped when called): a burst for a student who has not scanned yet is no
student's, and the reconcile rightly says so (the demo's summary used to show a ``shifted`` stretch and one
or two ``empty_press`` findings it had not planted on such days). Each frame's student is kept as the truth.
"""

from __future__ import annotations

import datetime as dt
import logging
import random
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

FRAMES = (1, 1, 2, 2, 3)
MIN_STUDENTS = 20  # a shorter day gets its photos but no planted mistakes


class CameraRoll:
    def __init__(self, folder: Path, rng: random.Random, students: int):
        self.folder = folder
        self.rng = rng
        self.offset_s = rng.choice((-1, 1)) * rng.uniform(90, 300)  # camera minus station
        self.drift_per_hour_s = rng.uniform(-1.5, 1.5)
        self.start: dt.datetime | None = None
        # a resumed day goes on after the frames already on the card, and plants nothing more
        self.frames = len(list(folder.glob("IMG_*.JPG"))) if folder.is_dir() else 0
        self.presses = 0
        self.planted: list[tuple[str, int]] = []
        self.truth: dict[str, int | None] = {}  # file -> the student photographed (the line's order)
        self.ahead = False  # the line one student ahead of the screen: the forgotten press not yet made good
        long_day = students >= MIN_STUDENTS and not self.frames
        self.forget_at = students // 3 if long_day else None
        self.fix_at: int | None = None  # set when the press is forgotten: staff notice at the next student
        self.double_at = students * 2 // 3 if long_day else None

    def carry(self) -> dict[str, Any]:
        """The camera's state for the room's next station process (the Pi is swapped, the camera is not)."""
        return {"offset_s": self.offset_s, "drift_per_hour_s": self.drift_per_hour_s,
                "start": self.start.isoformat() if self.start else None, "frames": self.frames,
                "presses": self.presses, "planted": self.planted, "forget_at": self.forget_at,
                "fix_at": self.fix_at, "double_at": self.double_at, "truth": self.truth, "ahead": self.ahead}

    def go_on(self, carried: dict[str, Any]) -> None:
        """Continue the camera ``carry()`` described: its clock, its roll and the mistakes still to plant."""
        for name in ("offset_s", "drift_per_hour_s", "frames", "presses", "forget_at", "fix_at", "double_at"):
            setattr(self, name, carried[name])
        self.truth, self.ahead = dict(carried.get("truth", {})), bool(carried.get("ahead", False))
        self.start = dt.datetime.fromisoformat(carried["start"]) if carried["start"] else None
        self.planted = [tuple(p) for p in carried["planted"]]

    def _camera_time(self, t: dt.datetime) -> dt.datetime:
        self.start = self.start or t
        hours = (t - self.start).total_seconds() / 3600
        return t + dt.timedelta(seconds=self.offset_s + self.drift_per_hour_s * hours)

    def _burst(self, end: dt.datetime, student: int | None) -> None:
        from photoqueue.reconcile.photos import write_jpeg

        shots = self.rng.choice(FRAMES)
        last = end - dt.timedelta(seconds=self.rng.uniform(0.8, 1.5))
        for i in range(shots):
            t = last - dt.timedelta(seconds=1.5 * (shots - 1 - i))
            self.frames += 1
            shade = 150 + (self.frames * 37) % 100
            name = f"IMG_{self.frames:04d}.JPG"
            write_jpeg(self.folder / name, self._camera_time(t), colour=(shade, 170, 200))
            self.truth[name] = student

    def before_press(self, sim: Any, called: int) -> None:
        """The frames of the student in front, just before the photographer's press: the called one, or the
        next in line while a forgotten press is not made good (and, once, the next student's too: the press
        between them forgotten)."""
        line = sim.ask(lambda s: list(s.waiting))
        self._burst(sim.clock.now(), line[0] if self.ahead and line else called)
        if self.presses == self.forget_at and not self._can_forget(sim, line):
            self.forget_at += 1  # the next two not both in line, or the next one leaves: a busier moment
        elif self.presses == self.forget_at:
            sim.clock.sleep(self.rng.uniform(8.0, 10.0))  # the next student walks in and is photographed
            self._burst(sim.clock.now(), line[0])
            self.planted.append(("missing_press", called))
            self.planted.append(("shifted", line[0]))  # their photos under the number before theirs
            self.ahead = True
            self.fix_at = self.presses + 1

    @staticmethod
    def _can_forget(sim: Any, line: list[int]) -> bool:
        """Whether the forgotten press can be planted now: the next student (photographed now, under the called
        number) and the one after (photographed under the next number, before staff make it good) are in line,
        and the next one is not one who is skipped when called (their photos are already taken)."""
        if len(line) < 2:
            return False
        code = sim.ask(lambda s: next((c for c, n in s.by_code.items() if n == line[0]), None))
        if code is None:
            return False
        student = next((st for st in sim.plan if st.code == sim.plan_code(code)), None)
        return student is None or student.behaviour != "leaves"

    def after_press(self, sim: Any) -> bool:
        """Once, staff press again for the forgotten press; once, a press for a called no-show. True when it
        pressed."""
        at = self.presses
        self.presses += 1
        fixing = at == self.fix_at
        if not fixing and at != self.double_at:
            return False
        number = sim.ask(lambda s: s.called)
        pending_fix = self.fix_at is not None and self.fix_at >= at
        if number is None or (not fixing and pending_fix):
            # nobody called to press for, or the forgotten press not yet made good: later
            if fixing:
                self.fix_at = at + 1
            else:
                self.double_at = at + 1
            return False
        # staff's press for the forgotten one comes at once; a no-show is called and waited for (a press a second
        # after the call would be a double press, with the student still to come: reconcile's line model)
        sim.clock.sleep(1.2 if fixing else 6.0)
        sim.press("advance")
        self.planted.append(("extra_press" if fixing else "empty_press", number))
        if fixing:
            self.fix_at, self.ahead = None, False
        return True

    def reconcile(self, database: Path, room: str, date: str) -> dict[str, Any]:
        """The day's photos against the room's numbers, for the summary."""
        from photoqueue.device.store.events import EventStore
        from photoqueue.reconcile import reconcile
        from photoqueue.reconcile.model import MISALIGNMENTS
        from photoqueue.reconcile.photos import read_folder

        out: dict[str, Any] = {"folder": str(self.folder), "photos": self.frames,
                               "camera_set_s": round(-self.offset_s, 1), "planted": self.planted}
        try:
            photos, problems = read_folder(self.folder)
            with EventStore(database, create=False) as store:
                events = list(store.events(room=room, date=date))
            rec = reconcile(events, photos, room=room, date=date, problems=problems)
        except Exception as exc:  # the summary must come whatever the photo check does
            log.warning("reconcile: %s", exc)
            out["error"] = str(exc)
            return out
        out["camera_offset_s"] = None if rec.camera_offset_s is None else round(rec.camera_offset_s, 1)
        out["findings"] = [{"kind": f.kind, "number": f.number, "message": f.message.split(" / ")[0]}
                           for f in rec.findings if f.kind in MISALIGNMENTS]
        out["other_findings"] = len(rec.findings) - len(out["findings"])
        out["wrong_photos"] = sum(1 for a in rec.photos if a.file in self.truth and a.number != self.truth[a.file])
        return out
