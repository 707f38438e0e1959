"""The exact queue rules of DESIGN.md, one by one, on the pure core (no store)."""

import datetime as dt

from photoqueue.core import commands as cmd
from photoqueue.core import effects as fx
from photoqueue.core.counts import class_counts
from photoqueue.core.queue import step
from photoqueue.core.state import CALLED, PHOTOGRAPHED, SKIPPED, VOIDED, WAITING, Rules, SessionState

NOW = dt.datetime(2023, 10, 25, 14, 30)
RULES = Rules(digest_key=b"k" * 32)
PLAN = (
    {"name": "20财务管理1班", "headcount": 3, "start": "14:30", "end": "14:40"},
    {"name": "20商务英语A班", "headcount": 2, "start": "14:40", "end": "14:50"},
)


def run(state, *commands):
    effects = []
    for c in commands:
        _, _, eff = step(state, c, NOW, RULES)
        effects += eff
    return effects


def fresh(plan=PLAN, auto=True):
    s = SessionState(room="第一组", date="2023-10-25")
    run(s, cmd.LoadTimetable(plan, auto))
    return s


def test_numbers_start_at_one_and_go_up_by_one():
    s = fresh()
    run(s, *(cmd.Scan(f"CODE-{i:04d}") for i in range(5)))
    assert sorted(s.tickets) == [1, 2, 3, 4, 5]


def test_same_code_again_gets_the_same_number_as_a_reprint():
    s = fresh()
    run(s, cmd.Scan("CODE-AAAA"), cmd.Scan("CODE-BBBB"))
    effects = run(s, cmd.Scan("CODE-AAAA"))
    prints = [e for e in effects if isinstance(e, fx.PrintTicket)]
    assert [(p.number, p.reprint) for p in prints] == [(1, True)]
    assert len(s.tickets) == 2 and s.tickets[1].reprints == 1


def test_first_ticket_in_an_idle_room_is_called_at_once():
    s = fresh()
    effects = run(s, cmd.Scan("CODE-AAAA"))
    assert s.called == 1 and s.tickets[1].status == CALLED
    assert fx.CallNumber(1) in effects


def test_press_photographs_the_called_ticket_and_calls_the_next():
    s = fresh()
    run(s, cmd.Scan("CODE-AAAA"), cmd.Scan("CODE-BBBB"), cmd.Advance())
    assert s.tickets[1].status == PHOTOGRAPHED and s.called == 2 and s.waiting == []


def test_hold_undoes_the_last_press_exactly():
    s = fresh()
    run(s, cmd.Scan("CODE-AAAA"), cmd.Scan("CODE-BBBB"), cmd.Scan("CODE-CCCC"))
    before = s.snapshot()
    run(s, cmd.Advance())
    run(s, cmd.Undo())
    assert s.snapshot() == before


def test_undo_with_nothing_to_undo_is_refused_and_changes_nothing():
    s = fresh()
    run(s, cmd.Scan("CODE-AAAA"))
    before = s.snapshot()
    effects = run(s, cmd.Undo())
    assert s.snapshot() == before
    assert any(isinstance(e, fx.StaffNotice) and e.kind == "refused" for e in effects)


def test_skip_marks_a_no_show_and_recall_puts_it_at_the_head():
    s = fresh()
    run(s, cmd.Scan("CODE-AAAA"), cmd.Scan("CODE-BBBB"), cmd.Scan("CODE-CCCC"))
    run(s, cmd.Skip())  # #1 did not come
    assert s.tickets[1].status == SKIPPED and s.called == 2
    run(s, cmd.Recall(1))
    assert s.waiting == [1, 3]
    run(s, cmd.Advance())
    assert s.tickets[2].status == PHOTOGRAPHED and s.called == 1


def test_void_of_the_called_ticket_calls_the_next():
    s = fresh()
    run(s, cmd.Scan("CODE-AAAA"), cmd.Scan("CODE-BBBB"))
    run(s, cmd.Void(1, "scanned by mistake"))
    assert s.tickets[1].status == VOIDED and s.tickets[1].void_reason == "scanned by mistake" and s.called == 2


def test_photographed_ticket_cannot_be_voided():
    s = fresh()
    run(s, cmd.Scan("CODE-AAAA"), cmd.Advance())
    effects = run(s, cmd.Void(1))
    assert s.tickets[1].status == PHOTOGRAPHED
    assert any(isinstance(e, fx.StaffNotice) for e in effects)


def test_class_switches_by_itself_when_issued_reaches_headcount():
    s = fresh()
    run(s, *(cmd.Scan(f"CODE-{i:04d}") for i in range(4)))
    assert [s.tickets[n].class_name for n in (1, 2, 3, 4)] == ["20财务管理1班"] * 3 + ["20商务英语A班"]


def test_auto_advance_can_be_turned_off():
    s = fresh(auto=False)
    run(s, *(cmd.Scan(f"CODE-{i:04d}") for i in range(4)))
    assert {t.class_name for t in s.tickets.values()} == {"20财务管理1班"}


def test_staff_switch_and_class_correction():
    s = fresh()
    run(s, cmd.Scan("CODE-AAAA"), cmd.SwitchClass())
    run(s, cmd.Scan("CODE-BBBB"))
    assert s.tickets[2].class_name == "20商务英语A班"
    run(s, cmd.CorrectClass(2, "20财务管理1班"))
    counts = {r["class"]: r for r in class_counts(s)}
    assert counts["20财务管理1班"]["issued"] == 2 and counts["20商务英语A班"]["issued"] == 0


def test_switch_past_the_last_class_is_refused():
    s = fresh()
    run(s, cmd.SwitchClass())
    effects = run(s, cmd.SwitchClass())
    assert s.active_class == "20商务英语A班"
    assert any(isinstance(e, fx.StaffNotice) and e.kind == "refused" for e in effects)


def test_class_counts_add_up_and_count_no_shows():
    s = fresh()
    run(s, *(cmd.Scan(f"CODE-{i:04d}") for i in range(4)))
    run(s, cmd.Advance(), cmd.Skip(), cmd.Void(4))
    rows = {r["class"]: r for r in class_counts(s)}
    first = rows["20财务管理1班"]
    assert (first["expected"], first["issued"], first["photographed"], first["skipped"]) == (3, 3, 1, 1)
    assert first["not_seen"] == 0
    second = rows["20商务英语A班"]
    assert (second["issued"], second["voided"], second["not_seen"]) == (1, 1, 2)


def test_rejected_code_costs_no_number():
    s = fresh()
    effects = run(s, cmd.Scan("https://example.com/x"), cmd.Scan("CODE-AAAA"))
    assert sorted(s.tickets) == [1]
    assert any(isinstance(e, fx.ScanFeedback) and not e.ok and e.rule == "url" for e in effects)


def test_print_failure_is_recorded_and_reprint_is_possible():
    s = fresh()
    run(s, cmd.Scan("CODE-AAAA"), cmd.RecordPrint(1, ok=False, reason="out of paper"))
    assert s.tickets[1].printed is False and s.tickets[1].print_error == "out of paper"
    effects = run(s, cmd.Reprint(1))
    assert [e.reprint for e in effects if isinstance(e, fx.PrintTicket)] == [True]
    run(s, cmd.RecordPrint(1, ok=True, reprint=True))
    assert s.tickets[1].printed is True


def test_public_events_carry_a_digest_never_the_raw_code():
    s = fresh()
    _, events, _ = step(s, cmd.Scan("CODE-SECRET-123"), NOW, RULES)
    public = events[0].public_dict()
    assert "code" not in public and "CODE-SECRET-123" not in str(public)
    assert len(public["code_digest"]) == 64


def test_skipped_waiting_ticket_leaves_the_line():
    s = fresh()
    run(s, cmd.Scan("CODE-AAAA"), cmd.Scan("CODE-BBBB"), cmd.Scan("CODE-CCCC"))
    run(s, cmd.Skip(3))
    assert s.waiting == [2] and s.tickets[3].status == SKIPPED and s.tickets[1].status == CALLED
    assert s.tickets[2].status == WAITING


def test_the_expected_wait_follows_the_measured_pace():
    from photoqueue.core.queue import DEFAULT_PACE_S, pace_s

    s = fresh(plan=({"name": "一班", "headcount": 50, "start": None, "end": None},))
    clock = [dt.datetime(2023, 10, 25, 14, 0)]

    def at(seconds, command):
        clock[0] += dt.timedelta(seconds=seconds)
        return step(s, command, clock[0], RULES)[2]

    for i in range(12):
        at(1, cmd.Scan(f"CODE-{i:04d}"))  # a line forms
    assert pace_s(s) == DEFAULT_PACE_S  # no photo yet
    for _ in range(8):
        at(20, cmd.Advance())  # one photo every 20 s
    # the first photo counts from when its student was in line (31 s), the rest 20 s apart
    assert pace_s(s) == (31 + 7 * 20) / 8
    ticket = next(e for e in at(1, cmd.Scan("CODE-LATE")) if isinstance(e, fx.PrintTicket))
    assert ticket.pace_s == pace_s(s) and ticket.ahead == 4  # #9 being shot, 10-12 waiting
    before = len(s.shots)
    at(1, cmd.Undo())
    assert len(s.shots) == before - 1  # the undone photo no longer counts
