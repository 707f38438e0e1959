"""From the alignment's path to what staff read: per photo its student and a confidence, and the findings,
each at the number where it happens, Chinese first (the screen's language), then English.

A slip is named where it happened (``missing_press``, ``extra_press``), an absent student pressed past at
their number (``empty_press``); and every stretch where the line and the screen were apart is one
``shifted`` finding that says exactly whose photos were taken under which numbers, from the slip that
opened it to the slip that closed it (or to now, or to the day's end). Nothing is called a shift that the
photos do not show.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np

from photoqueue.reconcile.line import FUTURE, IDLE, Line
from photoqueue.reconcile.messages import message, numbers
from photoqueue.reconcile.model import MISALIGNMENTS, PRESS, SKIP, VOID, Assignment, Finding, Photo

EDGE_RUN = 3  # more empty presses than this before the first photo or after the last: the folder's edge


@dataclass
class Story:
    """The alignment's result, with what it was computed from."""

    line: Line
    photos: list[Photo]  # the day's photos in time order
    u: np.ndarray  # their times on the station's clock
    k: np.ndarray  # the slot each falls in (-1 before the first call)
    idx: np.ndarray  # the photos in a slot, in order
    shifts: np.ndarray  # the path: per photo in ``idx``, its shift
    long: np.ndarray  # per photo: the pause before it is as long as a change of students
    now: int  # live: the line's place minus the screen's now
    uncertainty: float  # the clock's, seconds
    params: Any


def _files(photos: list[Photo], which: Iterable[int]) -> tuple[str, ...]:
    return tuple(photos[j].file for j in which)


def other_day(photos: list[Photo], date: str) -> list[Finding]:
    days = sorted({p.taken.date().isoformat() for p in photos})
    if not photos:
        return []
    return [Finding("other_day", None, tuple(p.file for p in photos),
                    f"{len(photos)} 张照片的拍摄日期不是 {date}（{', '.join(days[:3])}），未参与对齐 / "
                    f"{len(photos)} photo(s) taken on another day ({', '.join(days[:3])}), not {date}: left out")]


def few_photos(count: int) -> Finding:
    return Finding("few_photos", None, (), f"只有 {count} 张照片，不足以推算相机时钟，结果不可靠；可用 --offset 指定 / "
                   f"only {count} photo(s): too few to learn the camera's clock; give it with --offset")


def no_photos(date: str) -> Finding:
    return Finding("no_photos", None, (), f"没有 {date} 当天的照片 / no photo taken on {date}")


class _Teller:
    def __init__(self, s: Story):
        self.s = s
        self.line = s.line
        self.found: list[Finding] = []
        self.assigned = (s.k[s.idx] + s.shifts) if len(s.idx) else np.zeros(0, dtype=np.int64)
        self.by_slot: dict[int, list[int]] = {}
        for pos, i in enumerate(self.assigned):
            self.by_slot.setdefault(int(i), []).append(int(s.idx[pos]))

    def number(self, slot: int) -> int:
        return self.line.slots[slot].number

    def is_press(self, slot: int) -> bool:
        return 0 <= slot < self.line.real and self.line.slots[slot].outcome == PRESS

    def length(self, slot: int) -> float:
        t = self.line.slots[slot]
        return (t.end or t.start) - t.start

    def add(self, kind: str, slot: int | None, files: tuple[str, ...] = (), sub: str | None = None, **kw) -> None:
        n = self.number(slot) if slot is not None else None
        self.found.append(Finding(kind, n, files, message(sub or kind, n, **kw)))

    def absent(self, slots: Iterable[int], edge: bool = False) -> None:
        """Press slots whose student was absent (pressed past with no photo). At the folder's ``edge``
        (before its first photo or after its last) a run of them is one finding: the folder does not cover
        those numbers (a card changed, a transfer started late), which says nothing about presses."""
        empty = [i for i in slots if self.is_press(i) and i not in self.by_slot]
        if edge and len(empty) > EDGE_RUN:
            first, last = self.number(empty[0]), self.number(empty[-1])
            self.found.append(Finding("not_covered", first, (), message("not_covered", first, last=last,
                                                                        count=len(empty))))
            return
        for i in empty:
            self.add("empty_press", i, wait=self.length(i))

    def moved(self, first: int, level: int, count: int) -> None:
        """``count`` presses with no student from slot ``first`` on, the shift going down from ``level``."""
        for m in range(count):
            slot = first + m
            if level - m > 0:
                self.add("extra_press", slot, sub="extra_press_realigned")
            else:
                self.add("extra_press", slot, sub="extra_press_ahead", wait=self.length(slot))

    def path(self) -> None:
        s, a, line = self.s, self.assigned, self.line
        if not len(a):
            self.absent(range(line.real), edge=True)
            return
        self.absent(range(int(a[0])), edge=True)
        for pos in range(1, len(a)):
            j0, j1 = int(s.idx[pos - 1]), int(s.idx[pos])
            k0, k1 = int(s.k[j0]), int(s.k[j1])
            s0, s1 = int(s.shifts[pos - 1]), int(s.shifts[pos])
            i0, i1 = int(a[pos - 1]), int(a[pos])
            if k1 == k0 and s1 > s0:
                sub = "missing_press_realigned" if s0 < 0 else "missing_press"
                self.add("missing_press", k0, _files(s.photos, self.by_slot[i1]), sub=sub)
            elif k1 > k0 and i1 == i0:
                self.add("extra_press", k0, sub="extra_press_middle")
                self.moved(k0 + 1, s0 - 1, k1 - k0 - 1)
            elif k1 > k0:
                moved = max(s0 - s1, 0)
                self.moved(k0 + 1, s0, moved)
                self.absent(range(i0 + 1, i1))
            if line.slots[k1].outcome != IDLE:
                # the wait while a number was called: an idle room (nobody in line) is no gap
                gap = float(s.u[j1] - max(s.u[j0], line.slots[k1].start))
                if gap >= s.params.long_gap_s:
                    self.add("long_gap", i1, gap=gap)
        self.end(int(s.k[s.idx[-1]]), int(s.shifts[-1]), int(a[-1]))

    def end(self, k: int, shift: int, i: int) -> None:
        line = self.line
        if line.open_at is not None:
            if k < line.open_at:
                moved = shift - self.s.now
                self.moved(k + 1, shift, moved)
                self.absent(range(k + 1 + moved, line.open_at))
            return
        tail = line.real - 1
        if shift >= 0:
            self.moved(k + 1, shift, min(shift, tail - k - 1))
            self.absent(range(k + 1 + shift, tail), edge=True)
        else:
            self.absent(range(i + 1, min(k, tail - 1) + 1))
            self.absent(range(k + 1, tail), edge=True)

    def stretches(self) -> None:
        """One ``shifted`` finding per stretch where the line and the screen were apart."""
        s, a = self.s, self.assigned
        pos, n = 0, len(a)
        while pos < n:
            shift = int(s.shifts[pos])
            real = 0 <= int(a[pos]) < self.line.real and self.line.turn_of[int(a[pos])] >= 0
            if shift == 0 or not real:
                pos += 1
                continue
            end = pos
            while end + 1 < n and int(s.shifts[end + 1]) == shift:
                end += 1
            run = range(pos, end + 1)
            students = list(dict.fromkeys(int(a[p]) for p in run if self.line.turn_of[int(a[p])] >= 0))
            screens = list(dict.fromkeys(int(s.k[s.idx[p]]) for p in run))
            shown = [self.line.slots[k] for k in screens if self.line.slots[k].outcome != IDLE]
            first_mixed = pos > 0 and int(s.k[s.idx[pos - 1]]) == screens[0]
            last_mixed = end + 1 < n and int(s.k[s.idx[end + 1]]) == screens[-1]
            files = _files(s.photos, (int(s.idx[p]) for p in run))
            until = "realigned" if end + 1 < n else ("now" if self.line.open_at is not None else "day_end")
            first, last = self.number(students[0]), self.number(students[-1])
            self.found.append(Finding(
                "shifted", first, files,
                message("shifted", first, last=last, shift=shift, until=until,
                        students=numbers([self.number(i) for i in students]),
                        screens=numbers([t.number for t in shown]),
                        after_last=len(shown) < len(screens), first_mixed=first_mixed, last_mixed=last_mixed),
                last=last, shift=shift))
            pos = end + 1

    def per_number(self) -> None:
        s = self.s
        for i, js in sorted(self.by_slot.items()):
            turn = self.line.slots[i]
            if turn.outcome in (SKIP, VOID):
                how = ("过号", "skipped") if turn.outcome == SKIP else ("作废", "voided")  # glossary words
                self.add("photos_for_skipped", i, _files(s.photos, js), how=how[0], how_en=how[1])
            if turn.outcome == IDLE:
                continue
            gaps = [float(s.u[b] - s.u[a]) for a, b in zip(js, js[1:], strict=False) if s.long[b]]
            if gaps:
                self.add("two_students", i, _files(s.photos, js), gap=max(gaps))

    def outside(self) -> None:
        """Photos that are no student's: before the first call, or while nobody was called."""
        s = self.s
        nobody = {int(j) for j in range(len(s.photos)) if s.k[j] < 0}
        for pos, j in enumerate(s.idx):
            if self.line.slots[int(self.assigned[pos])].outcome == IDLE:
                nobody.add(int(j))
        run: list[int] = []
        for j in range(len(s.photos) + 1):
            key = self._place(j) if j in nobody else None
            if run and (key is None or key != self._place(run[-1])):
                kind, slot = self._place(run[-1])
                self.found.append(Finding(kind, self.number(slot), _files(s.photos, run),
                                          message(kind, self.number(slot), count=len(run))))
                run = []
            if key is not None:
                run.append(j)

    def _place(self, j: int) -> tuple[str, int]:
        k = int(self.s.k[j])
        if k < 0:
            return "before_first_call", 0
        if k >= self.line.real - 1:
            return "after_last_call", self._turn_before(k)
        return "no_call", k + 1

    def _turn_before(self, slot: int) -> int:
        while slot > 0 and self.line.slots[slot].outcome == IDLE:
            slot -= 1
        return slot

    def assignments(self) -> list[Assignment]:
        s, line = self.s, self.line
        bad = {f.number for f in self.found if f.kind in MISALIGNMENTS and f.kind != "shifted"}
        bad_files = {name for f in self.found if f.kind in MISALIGNMENTS and f.kind != "shifted" for name in f.files}
        out: list[Assignment | None] = [None] * len(s.photos)
        u, ks, shifts, assigned = s.u.tolist(), s.k.tolist(), s.shifts.tolist(), self.assigned.tolist()
        spread = s.uncertainty + 1.5
        for pos, j in enumerate(s.idx.tolist()):  # plain floats: numpy's per-call cost on scalars dominates
            i, k = assigned[pos], ks[j]
            entry = line.slots[i]
            if entry.outcome == IDLE:
                continue
            w = line.slots[k]
            margin = min(u[j] - w.start, (w.end if w.end is not None else float("inf")) - u[j])
            conf = min(max((margin + 0.5) / spread, 0.2), 1.0)
            if shifts[pos] != 0:
                conf *= 0.8
            if entry.number in bad or s.photos[j].file in bad_files or entry.outcome == FUTURE:
                conf *= 0.6
            out[j] = Assignment(s.photos[j].file, s.photos[j].taken.isoformat(), entry.number, round(conf, 2))
        for j, p in enumerate(s.photos):
            if out[j] is None:
                out[j] = Assignment(p.file, p.taken.isoformat(), None, 0.0)
        return [a for a in out if a is not None]

    def live(self) -> list[str]:
        """What the hall screen should say now: the line and the screen apart, or a press just made for a
        student nobody photographed."""
        s, line, out = self.s, self.line, []
        if line.open_at is None:
            return out
        if s.now:
            kinds = ("extra_press",) if s.now < 0 else ("missing_press",)
            slips = [f for f in self.found if f.kind in kinds]
            out.append(message("live_ahead" if s.now < 0 else "live_behind", slips[-1].number if slips else None,
                               places=abs(s.now)).split(" / ")[0])
        closed = [i for i in range(line.open_at) if line.slots[i].outcome == PRESS]
        if closed:
            i = closed[-1]
            end = line.slots[i].end
            newer = len(s.u) and end is not None and float(s.u.max()) > end
            if newer and any(f.kind == "empty_press" and f.number == line.slots[i].number for f in self.found):
                out.append(message("empty_press", line.slots[i].number, wait=self.length(i)).split(" / ")[0])
        return out


def tell(story: Story) -> tuple[list[Assignment], list[Finding], int, list[str]]:
    t = _Teller(story)
    t.path()
    t.per_number()
    t.outside()
    t.stretches()
    t.found.sort(key=lambda f: (f.number is None, f.number or 0, f.kind == "shifted"))
    return t.assignments(), t.found, story.now, t.live()
