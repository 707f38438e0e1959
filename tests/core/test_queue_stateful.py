"""Property-based, stateful: random days of scans, rescans, presses, undos, skips, recalls, voids,
class switches, corrections and restarts from disk keep the numbering exact."""

import datetime as dt
import shutil
import tempfile
from pathlib import Path

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from photoqueue.core import commands as cmd
from photoqueue.core.counts import class_counts
from photoqueue.core.state import CALLED, VOIDED, WAITING, Rules
from photoqueue.device.store.events import EventStore
from photoqueue.device.store.session import Session

RULES = Rules(digest_key=b"s" * 32)
PLAN = tuple({"name": f"班级{i}", "headcount": h, "start": None, "end": None} for i, h in enumerate((4, 3, 5)))
CODES = [f"STUDENT-{i:03d}" for i in range(25)]
FOREIGN = ["https://example.com", "wxp://abc", "", "x\x00y"]


class QueueMachine(RuleBasedStateMachine):
    def __init__(self):
        super().__init__()
        self.dir = Path(tempfile.mkdtemp())
        self.clock = dt.datetime(2023, 10, 25, 8, 0)
        self.numbers: dict[str, int] = {}  # the reference: first number each code got
        self._open()
        self.session.handle(cmd.LoadTimetable(PLAN, True), self.now())

    def _open(self):
        self.store = EventStore(self.dir / "station.db")
        self.session = Session(self.store, "A组", "2023-10-25", RULES)

    def now(self):
        self.clock += dt.timedelta(seconds=7)
        return self.clock

    def teardown(self):
        self.store.close()
        shutil.rmtree(self.dir, ignore_errors=True)

    @property
    def state(self):
        return self.session.state

    @rule(code=st.sampled_from(CODES))
    def scan(self, code):
        self.session.scan(code, self.now())
        number = self.state.by_code[code]
        assert self.numbers.setdefault(code, number) == number

    @rule(code=st.sampled_from(FOREIGN))
    def scan_foreign(self, code):
        before = len(self.state.tickets)
        self.session.scan(code, self.now())
        assert len(self.state.tickets) == before

    @rule()
    def advance(self):
        self.session.handle(cmd.Advance(), self.now())

    @rule()
    def undo(self):
        self.session.handle(cmd.Undo(), self.now())

    @precondition(lambda self: self.session.state.called is not None or self.session.state.waiting)
    @rule()
    def advance_then_undo_restores_exactly(self):
        before = self.state.snapshot()
        self.session.handle(cmd.Advance(), self.now())
        self.session.handle(cmd.Undo(), self.now())
        assert self.state.snapshot() == before

    @rule(pick=st.integers(0, 30), current=st.booleans())
    def skip(self, pick, current):
        self.session.handle(cmd.Skip(None if current else pick), self.now())

    @rule(pick=st.integers(0, 30))
    def recall(self, pick):
        self.session.handle(cmd.Recall(pick), self.now())

    @rule(pick=st.integers(0, 30))
    def void(self, pick):
        self.session.handle(cmd.Void(pick, "test"), self.now())

    @rule()
    def next_class(self):
        self.session.handle(cmd.SwitchClass(), self.now())

    @rule(pick=st.integers(1, 30), klass=st.sampled_from([p["name"] for p in PLAN]))
    def correct_class(self, pick, klass):
        self.session.handle(cmd.CorrectClass(pick, klass), self.now())

    @rule()
    def restart_from_disk(self):
        before = self.state.snapshot()
        self.store.close()
        self._open()
        assert self.state.snapshot() == before

    @invariant()
    def numbers_are_exactly_one_to_n(self):
        assert sorted(self.state.tickets) == list(range(1, len(self.state.tickets) + 1))
        assert sorted(self.store.codes("A组", "2023-10-25")) == sorted(self.state.tickets)

    @invariant()
    def each_code_has_one_number(self):
        assert len(set(self.state.by_code.values())) == len(self.state.by_code) == len(self.state.tickets)
        for code, number in self.numbers.items():
            assert self.state.by_code[code] == number

    @invariant()
    def line_is_consistent(self):
        s = self.state
        called = [n for n, t in s.tickets.items() if t.status == CALLED]
        assert called == ([s.called] if s.called is not None else [])
        assert sorted(s.waiting) == sorted(n for n, t in s.tickets.items() if t.status == WAITING)
        assert len(set(s.waiting)) == len(s.waiting)

    @invariant()
    def class_counts_add_up(self):
        rows = class_counts(self.state)
        assert sum(r["issued"] for r in rows) == len(self.state.tickets)
        for r in rows:
            assert r["issued"] == r["photographed"] + r["skipped"] + r["voided"] + r["waiting"]
            assert r["voided"] == sum(1 for t in self.state.tickets.values()
                                      if t.class_name == r["class"] and t.status == VOIDED)
            assert self.state.issued_in(r["class"]) == r["issued"] - r["voided"]


QueueMachine.TestCase.settings = settings(max_examples=60, stateful_step_count=40, deadline=None)
TestQueueMachine = QueueMachine.TestCase
