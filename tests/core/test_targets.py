"""Staff commands name what they act on (issue 13): the pure rules the centre and the station share."""

from __future__ import annotations

import pytest

from photoqueue.core import commands as cmd
from photoqueue.core.errors import CoreError
from photoqueue.core.events import Advanced, ClassSwitched, TicketIssued
from photoqueue.core.queue import apply
from photoqueue.core.state import SessionState
from photoqueue.core.targets import refusal, staff_from_wire, wire_args, with_targets

ENV = {"room": "R", "date": "2024-10-25", "at": "2024-10-25T09:00:00"}


def state_with(n: int, presses: int = 0) -> SessionState:
    s = SessionState(room="R", date="2024-10-25")
    seq = 0
    for i in range(1, n + 1):
        seq += 1
        apply(s, TicketIssued(**ENV, seq=seq, number=i, code_digest=f"d{i}", class_name=None, called=i == 1))
    for _ in range(presses):
        seq += 1
        apply(s, Advanced(**ENV, seq=seq, photographed=s.called, called=s.waiting[0] if s.waiting else None))
    seq += 1
    apply(s, ClassSwitched(**ENV, seq=seq, class_name="一班", previous=None, by="start"))
    return s


def test_the_target_is_split_off_and_a_skip_names_its_number():
    t = staff_from_wire("skip", {"target": 3})
    assert t.command == cmd.Skip(3) and t.target == 3
    assert staff_from_wire("advance", {"target": 1}).command == cmd.Advance()
    with pytest.raises(CoreError):
        staff_from_wire("advance", {"target": True})
    with pytest.raises(CoreError):
        staff_from_wire("switch_class", {"from_class": 5})


def test_untargeted_commands_are_named_from_the_state_staff_saw():
    s = state_with(5, presses=2)  # 1, 2 photographed; 3 called
    assert with_targets(staff_from_wire("advance", {}), s).target == 3
    assert with_targets(staff_from_wire("undo", {}), s).target == 2
    t = with_targets(staff_from_wire("switch_class", {"class_name": "二班"}), s)
    assert wire_args(t, {"class_name": "二班"}) == {"class_name": "二班", "from_class": "一班"}


def test_a_target_no_longer_current_is_refused_with_the_reason():
    s = state_with(5, presses=2)
    assert refusal(staff_from_wire("advance", {"target": 3}), s) is None
    assert "no longer being called" in refusal(staff_from_wire("advance", {"target": 1}), s)[1]
    assert "did not mark ticket 1" in refusal(staff_from_wire("undo", {"target": 1}), s)[1]
    assert "not in line" in refusal(staff_from_wire("skip", {"target": 1}), s)[1]
    assert refusal(staff_from_wire("skip", {"target": 4}), s) is None  # still waiting: may be skipped
    moved = staff_from_wire("switch_class", {"class_name": "二班", "from_class": "零班"})
    assert "active class" in refusal(moved, s)[1]
    assert "must name" in refusal(staff_from_wire("advance", {}), s)[1]
    assert refusal(staff_from_wire("void", {"number": 9, "reason": "x"}), s) is not None  # the queue's rule
