"""From the alignment's path to what staff read: per photo its number and confidence, and the findings,
each at the number where it happens, Chinese first (the screen's language), then English."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np

from photoqueue.reconcile.model import (
    MISALIGNMENTS,
    OPEN,
    PRESS,
    Assignment,
    Finding,
    Photo,
    Turn,
)

EDGE_RUN = 3  # more empty presses than this before the first photo or after the last: the folder's edge


@dataclass
class Story:
    """The alignment's result, with what it was computed from."""

    turns: list[Turn]  # the day's turns, then virtual next numbers after an open last one
    real: int  # how many of ``turns`` are real
    photos: list[Photo]  # the day's photos in time order
    u: np.ndarray  # their times on the station's clock
    k: np.ndarray  # the window each falls in (-1 before the first call)
    inside: np.ndarray  # whether it falls inside a turn (not before, after or between them)
    idx: np.ndarray  # the photos that do, in order
    shifts: np.ndarray  # the path: per photo in ``idx``, its shift
    long: np.ndarray  # per photo: the pause before it is as long as a change of students
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


def _msg(kind: str, n: int | None, **kw: Any) -> str:
    texts = {
        "missing_press": (f"照片数与拍摄号不符：{n} 号之后少了一次按键，此后照片比拍摄号多一位",
                          f"photos and numbers disagree: a press is missing after number {n}; from here the "
                          "photos run one student ahead of the numbers"),
        "extra_press_realigned": (f"{n} 号的按键没有对应照片：多按的一次让照片与拍摄号重新对齐",
                                  f"the press that ended number {n} has no photo of its own: it brought photos "
                                  "and numbers back in line"),
        "extra_press_behind": (f"照片数与拍摄号不符：{n} 号多按了一次键，此后照片比拍摄号少一位",
                               f"photos and numbers disagree: an extra press at number {n}; from here the photos "
                               "run one student behind the numbers"),
        "extra_press_middle": (f"{n} 号拍摄中途按了键：同一位同学的照片跨过了一次按键",
                               f"a press in the middle of number {n}'s photos: one student's photos span it"),
        "empty_press": (f"{n} 号按了键但没有照片：是否按了两次，或为未到的同学按了键？",
                        f"number {n} was marked photographed but has no photo: a double press, or a press for a "
                        "no-show?"),
        "two_students": (f"{n} 号的照片像是两位同学的（中间停了 {kw.get('gap', 0):.0f} 秒）",
                         f"number {n}'s photos look like two students ({kw.get('gap', 0):.0f} s pause between)"),
        "photos_for_skipped": (f"{n} 号已标记{kw.get('how', '过号')}，却有照片",
                               f"number {n} was {kw.get('how_en', 'skipped')} but has photos"),
        "not_covered": (f"{n}–{kw.get('last')} 号（{kw.get('count')} 个已拍的号）在这个文件夹里没有照片",
                        f"numbers {n}-{kw.get('last')} ({kw.get('count')} photographed) have no photo in this "
                        "folder: another card, or a transfer that started late or stopped?"),
        "long_gap": (f"{n} 号之前 {kw.get('gap', 0) / 60:.0f} 分钟没有照片（期间有人在叫号）",
                     f"no photo for {kw.get('gap', 0) / 60:.0f} min before number {n} while numbers were called"),
        "before_first_call": (f"{kw.get('count')} 张照片拍于第一次叫号（{n} 号）之前：试拍？",
                              f"{kw.get('count')} photo(s) before the first call (number {n}): test shots?"),
        "after_last_call": (f"{kw.get('count')} 张照片拍于最后一次按键（{n} 号）之后",
                            f"{kw.get('count')} photo(s) after the last press (number {n})"),
        "no_call": (f"{kw.get('count')} 张照片拍于无人叫号时（{n} 号叫号之前）",
                    f"{kw.get('count')} photo(s) while no number was called (before number {n})"),
    }
    zh, en = texts[kind]
    return f"{zh} / {en}"


class _Teller:
    def __init__(self, s: Story):
        self.s = s
        self.found: list[Finding] = []
        self.assigned = (s.k[s.idx] + s.shifts) if len(s.idx) else np.zeros(0, dtype=np.int64)
        self.by_turn: dict[int, list[int]] = {}
        for pos, i in enumerate(self.assigned):
            self.by_turn.setdefault(int(i), []).append(int(s.idx[pos]))

    def add(self, kind: str, turn: int | None, files: tuple[str, ...] = (), sub: str | None = None, **kw):
        n = self.s.turns[turn].number if turn is not None else None
        self.found.append(Finding(kind, n, files, _msg(sub or kind, n, **kw)))

    def empties(self, lo: int, hi: int, edge: bool = False) -> None:
        """Press turns in [lo, hi) with no photo. At the folder's ``edge`` (before its first photo or after
        its last) a run of them is one finding: the folder does not cover those numbers (a card changed,
        a transfer started late), which says nothing about presses."""
        lo, hi = max(lo, 0), min(hi, self.s.real)
        empty = [i for i in range(lo, hi) if self.s.turns[i].outcome == PRESS and i not in self.by_turn]
        if edge and len(empty) > EDGE_RUN:
            first, last = self.s.turns[empty[0]].number, self.s.turns[empty[-1]].number
            self.found.append(Finding("not_covered", first, (), _msg("not_covered", first, last=last,
                                                                     count=len(empty))))
            return
        for i in range(lo, hi):
            if self.s.turns[i].outcome == PRESS and i not in self.by_turn:
                self.add("empty_press", i)

    def path(self) -> None:
        s, a = self.s, self.assigned
        if not len(a):
            self.empties(0, s.real, edge=True)
            return
        self.empties(0, int(a[0]), edge=True)
        for pos in range(1, len(a)):
            j0, j1 = int(s.idx[pos - 1]), int(s.idx[pos])
            k0, k1 = int(s.k[j0]), int(s.k[j1])
            s0, s1 = int(s.shifts[pos - 1]), int(s.shifts[pos])
            if k1 == k0 and s1 > s0:
                self.add("missing_press", int(a[pos - 1]), _files(s.photos, self.by_turn[int(a[pos])]))
            elif s1 < s0:
                if a[pos] == a[pos - 1]:
                    self.add("extra_press", k0, sub="extra_press_middle")
                else:
                    self.add("extra_press", k0 + 1, sub="extra_press_realigned" if s1 == 0 else "extra_press_behind")
            self.empties(int(a[pos - 1]) + 1, int(a[pos]))
            # the wait while a number was called: an idle room (nobody in line) is no gap
            gap = float(s.u[j1] - max(s.u[j0], s.turns[k1].start))
            if gap >= s.params.long_gap_s:
                self.add("long_gap", int(a[pos]), gap=gap)
        self.empties(int(a[-1]) + 1, s.real, edge=True)

    def per_number(self) -> None:
        s = self.s
        for i, js in sorted(self.by_turn.items()):
            turn = s.turns[i]
            if turn.outcome in ("skip", "void"):
                how = ("过号", "skipped") if turn.outcome == "skip" else ("作废", "voided")  # glossary words
                self.add("photos_for_skipped", i, _files(s.photos, js), how=how[0], how_en=how[1])
            pauses = [float(s.u[b] - s.u[a]) for a, b in zip(js, js[1:], strict=False) if s.long[b]]
            if pauses:
                self.add("two_students", i, _files(s.photos, js), gap=max(pauses))

    def outside(self) -> None:
        s = self.s
        run: list[int] = []
        for j in range(len(s.photos) + 1):
            key = self._place(j) if j < len(s.photos) and not s.inside[j] else None
            if run and (key is None or key != self._place(run[-1])):
                kind, turn = self._place(run[-1])
                self.add(kind, turn, _files(s.photos, run), count=len(run))
                run = []
            if key is not None:
                run.append(j)

    def _place(self, j: int) -> tuple[str, int]:
        k = int(self.s.k[j])
        if k < 0:
            return "before_first_call", 0
        if k >= self.s.real - 1:
            return "after_last_call", k
        return "no_call", k + 1

    def assignments(self) -> list[Assignment]:
        s = self.s
        bad = {f.number for f in self.found if f.kind in MISALIGNMENTS}
        bad_files = {name for f in self.found if f.kind in MISALIGNMENTS for name in f.files}
        out: list[Assignment | None] = [None] * len(s.photos)
        for pos, j in enumerate(s.idx):
            j, i, k = int(j), int(self.assigned[pos]), int(s.k[j])
            w = s.turns[k]
            margin = min(s.u[j] - w.start, (w.end if w.end is not None else np.inf) - s.u[j])
            conf = float(np.clip((margin + 0.5) / (s.uncertainty + 1.5), 0.2, 1.0))
            number = s.turns[i].number
            if s.shifts[pos] != 0:
                conf *= 0.8
            if number in bad or s.photos[j].file in bad_files or s.turns[i].outcome == "future":
                conf *= 0.6
            out[j] = Assignment(s.photos[j].file, s.photos[j].taken.isoformat(), number, round(conf, 2))
        for j, p in enumerate(s.photos):
            if out[j] is None:
                out[j] = Assignment(p.file, p.taken.isoformat(), None, 0.0)
        return [a for a in out if a is not None]

    def shift(self) -> int:
        """Photos ahead (+) or behind (-) the queue now; 0 once staff pressed for the missing press."""
        s = self.s
        if not len(self.assigned):
            return 0
        end, last = int(s.shifts[-1]), int(self.assigned[-1])
        open_at = s.real - 1 if s.turns[s.real - 1].outcome == OPEN else None
        if end > 0 and open_at is not None and open_at > last:
            return 0
        return end

    def live(self, shift: int) -> list[str]:
        """What the hall screen should say now: an uncorrected shift, or a double press just made."""
        s, out = self.s, []
        if shift:
            missing = [f for f in self.found if f.kind in ("missing_press", "extra_press")]
            out.append(missing[-1].message.split(" / ")[0] if missing else
                       f"照片数与拍摄号不符：照片{'多' if shift > 0 else '少'}了 {abs(shift)} 位")
        closed = [i for i in range(s.real) if s.turns[i].outcome == PRESS]
        if closed:
            i = closed[-1]
            end = s.turns[i].end
            newer = len(s.u) and end is not None and float(s.u.max()) > end
            if newer and any(f.kind == "empty_press" and f.number == s.turns[i].number for f in self.found):
                out.append(_msg("empty_press", s.turns[i].number).split(" / ")[0])
        return out


def tell(story: Story) -> tuple[list[Assignment], list[Finding], int, list[str]]:
    t = _Teller(story)
    t.path()
    t.per_number()
    t.outside()
    t.found.sort(key=lambda f: (f.number is None, f.number or 0))
    shift = t.shift()
    return t.assignments(), t.found, shift, t.live(shift)
