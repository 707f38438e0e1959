"""The queue core: commands in, events and effects out. Pure: no I/O, no clock, no hardware.

The three steps, kept apart so that nothing can be shown or printed before it is on disk:

1. ``decide(state, command, now) -> Decision``: which events the command causes (nothing is
   changed), or notices when it causes none (a refused code, nothing to undo).
2. The caller commits ``decision.events`` (see :mod:`photoqueue.device.store.events`), then
   ``apply(state, event)`` folds each committed event into the state.
3. ``effects_after(state, events)`` says what to do about them: print this ticket, redraw,
   sync, sound a call, alert staff.

``step()`` runs all three without a store, for tests and simulations.

The rules are DESIGN.md's "The queue: exact rules": numbers start at 1 and go up by one; a code
that already holds a number gets the same number again; tickets move waiting -> called ->
photographed, or -> skipped (recallable to the head of the line), or -> voided; a press marks the
called ticket photographed and calls the next; a hold undoes the last press.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from photoqueue.core import commands as cmd
from photoqueue.core import effects as fx
from photoqueue.core.codecheck import SCANNER_PADDING, check_code, normalise_code
from photoqueue.core.digest import code_digest, ticket_check
from photoqueue.core.events import (
    Advanced,
    AdvanceUndone,
    ClassSwitched,
    DuplicateFlagged,
    Event,
    NumbersOnPaper,
    TicketClassCorrected,
    TicketIssued,
    TicketPrinted,
    TicketPrintFailed,
    TicketRecalled,
    TicketReprinted,
    TicketSkipped,
    TicketVoided,
    TimetableLoaded,
)
from photoqueue.core.pace import WORKING_PACE_S, measure_pace
from photoqueue.core.state import (
    CALLED,
    PHOTOGRAPHED,
    SKIPPED,
    VOIDED,
    WAITING,
    Rules,
    SessionState,
    TicketState,
)

# The photographer's pace for the expected wait (screen and ticket): measured over the last photos once
# there are enough, else the one working pace (core/pace.py) the timetable's check and plan use too.
DEFAULT_PACE_S = WORKING_PACE_S
PACE_WINDOW = 30
PACE_MIN_SAMPLES = 5


@dataclass
class Decision:
    events: list[Event] = field(default_factory=list)
    notices: list[fx.Effect] = field(default_factory=list)


# --- decide ---------------------------------------------------------------------------------


def _env(state: SessionState, now: dt.datetime) -> dict[str, str]:
    return {"room": state.room, "date": state.date, "at": now.isoformat(timespec="seconds")}


def _refuse(zh: str, en: str, kind: str = "refused") -> Decision:
    return Decision(notices=[fx.StaffNotice(kind=kind, message_zh=zh, message_en=en)])


_STATUS_WHY = {WAITING: ("在排队中", "is in line"), CALLED: ("正在拍摄", "is being photographed"),
               PHOTOGRAPHED: ("已拍", "is already photographed"), SKIPPED: ("已过号", "is skipped"),
               VOIDED: ("已作废", "is voided")}


def _why(state: SessionState, number: int | None) -> tuple[str, str]:
    """Why a ticket cannot be acted on, in the glossary's words: where it is, or that it does not exist."""
    t = state.tickets.get(number) if number is not None else None
    if t is None:
        if number is None:
            return "没有正在拍摄的号", "no ticket is being photographed"
        last = len(state.tickets)
        return (f"没有 {number} 号（今天已发 1–{last} 号）" if last else f"没有 {number} 号（今天还没有发号）",
                f"there is no ticket {number} ({f'1-{last} issued today' if last else 'none issued yet'})")
    zh, en = _STATUS_WHY.get(t.status, (t.status, t.status))
    return f"{number} 号{zh}", f"ticket {number} {en}"


def _next_in_line(state: SessionState) -> int | None:
    """Who is called when the called ticket leaves: the head of the waiting line."""
    return state.waiting[0] if state.waiting else None


def _decide_timetable(state: SessionState, command: cmd.LoadTimetable, env: dict[str, str]) -> Decision:
    classes = [dict(c) for c in command.classes]
    auto = command.auto_advance
    if classes == state.plan and auto == state.auto_advance:
        return Decision()
    events: list[Event] = [TimetableLoaded(**env, classes=classes, auto_advance=auto)]
    names = [c["name"] for c in classes]
    if state.active_class not in names and not state.tickets and names:
        events.append(ClassSwitched(**env, class_name=names[0], previous=state.active_class, by="start"))
    return Decision(events)


def _decide_advance(state: SessionState, _command: cmd.Advance, env: dict[str, str]) -> Decision:
    if state.called is None and not state.waiting:
        return _refuse("没有等待拍摄的同学", "nobody is waiting", kind="idle")
    called = state.waiting[0] if state.waiting else None
    return Decision([Advanced(**env, photographed=state.called, called=called)])


def _decide_undo(state: SessionState, _command: cmd.Undo, env: dict[str, str]) -> Decision:
    if not state.undo_stack:
        return _refuse("没有可撤销的操作", "nothing to undo")
    photographed, called = state.undo_stack[-1]
    return Decision([AdvanceUndone(**env, photographed=photographed, called=called)])


def _decide_skip(state: SessionState, command: cmd.Skip, env: dict[str, str]) -> Decision:
    number = state.called if command.number is None else command.number
    t = state.tickets.get(number) if number is not None else None
    if t is None or t.status not in (WAITING, CALLED):
        zh, en = _why(state, number)
        return _refuse(f"无法标记过号：{zh}", f"ticket {number} is not in line: {en}")
    called = None
    if t.status == CALLED:
        called = _next_in_line(state)
    return Decision([TicketSkipped(**env, number=number, called=called)])


def _decide_recall(state: SessionState, command: cmd.Recall, env: dict[str, str]) -> Decision:
    number = command.number
    t = state.tickets.get(number)
    if t is None or t.status != SKIPPED:
        zh, en = _why(state, number)
        return _refuse(f"无法召回：{zh}（只有过号的号可以召回）",
                       f"ticket {number} is not skipped, so it cannot be recalled: {en}")
    return Decision([TicketRecalled(**env, number=number, called=state.called is None)])


def _decide_void(state: SessionState, command: cmd.Void, env: dict[str, str]) -> Decision:
    number = command.number
    t = state.tickets.get(number)
    if t is None or t.status not in (WAITING, CALLED, SKIPPED):
        zh, en = _why(state, number)
        return _refuse(f"{number} 号无法作废：{zh}", f"ticket {number} cannot be voided: {en}")
    called = _next_in_line(state) if t.status == CALLED else None
    return Decision([TicketVoided(**env, number=number, reason=command.reason, called=called)])


def _decide_switch_class(state: SessionState, command: cmd.SwitchClass, env: dict[str, str]) -> Decision:
    name = command.class_name
    target = state.class_after(state.active_class) if name is None else name
    if name is None and target is None:
        return _refuse(f"已是最后一个班级（{state.active_class}），没有下一个班级",
                       f"this is the last class ({state.active_class}); there is no next one")
    if target == state.active_class:
        return Decision()
    if name is not None and state.plan and state.plan_class(name) is None:
        return _refuse(f"时间表中没有班级 {name}", f"no class {name!r} in the timetable")
    return Decision([ClassSwitched(**env, class_name=target, previous=state.active_class, by="staff")])


def _decide_correct_class(state: SessionState, command: cmd.CorrectClass, env: dict[str, str]) -> Decision:
    number, name = command.number, command.class_name
    t = state.tickets.get(number)
    if t is None:
        zh, en = _why(state, number)
        return _refuse(zh, f"no ticket {number}: {en}")
    if not name:
        return _refuse("没有给出班级：请写出要改成的班级", "no class given: name the class to correct to")
    if (state.plan and state.plan_class(name) is None):
        return _refuse(f"时间表中没有班级 {name}", f"no class {name!r} in the timetable")
    if t.class_name == name:
        return Decision()
    return Decision([TicketClassCorrected(**env, number=number, class_name=name, previous=t.class_name)])


def _decide_reprint(state: SessionState, command: cmd.Reprint, env: dict[str, str]) -> Decision:
    number = command.number
    if number not in state.tickets:
        zh, en = _why(state, number)
        return _refuse(zh, f"no ticket {number}: {en}")
    return Decision([TicketReprinted(**env, number=number, by="staff")])


def _decide_record_print(state: SessionState, command: cmd.RecordPrint, env: dict[str, str]) -> Decision:
    number = command.number
    if number not in state.tickets:
        return Decision()
    if command.ok:
        return Decision([TicketPrinted(**env, number=number, reprint=command.reprint)])
    return Decision([TicketPrintFailed(**env, number=number, reason=command.reason)])


def _decide_flag_duplicate(state: SessionState, command: cmd.FlagDuplicate, env: dict[str, str]) -> Decision:
    t = state.tickets.get(command.number)
    if t is None or t.flagged_room == command.other_room:
        return Decision()
    return Decision([DuplicateFlagged(**env, number=command.number, other_room=command.other_room,
                                      other_number=command.other_number)])


# one decider per command kind (a Scan also needs the rules: decide calls _decide_scan itself)
_DECIDERS: dict[type[cmd.Command], Callable[[SessionState, Any, dict[str, str]], Decision]] = {
    cmd.LoadTimetable: _decide_timetable,
    cmd.Advance: _decide_advance,
    cmd.Undo: _decide_undo,
    cmd.Skip: _decide_skip,
    cmd.Recall: _decide_recall,
    cmd.Void: _decide_void,
    cmd.SwitchClass: _decide_switch_class,
    cmd.CorrectClass: _decide_correct_class,
    cmd.Reprint: _decide_reprint,
    cmd.RecordPrint: _decide_record_print,
    cmd.FlagDuplicate: _decide_flag_duplicate,
}


def _handler_for(table: dict[type, Any], obj: object) -> Any:
    """The handler for ``obj``'s class or its nearest base in ``table`` (as a class pattern would match)."""
    for klass in type(obj).__mro__:
        handler = table.get(klass)
        if handler is not None:
            return handler
    return None


def decide(state: SessionState, command: cmd.Command, now: dt.datetime, rules: Rules) -> Decision:
    env = _env(state, now)
    if isinstance(command, cmd.Scan):
        return _decide_scan(state, command.code, env, rules)
    decider = _handler_for(_DECIDERS, command)
    if decider is None:
        raise TypeError(f"not a queue command: {command!r}")
    return decider(state, command, env)


def _decide_scan(state: SessionState, code: str, env: dict[str, str], rules: Rules) -> Decision:
    # a scanner's Enter or Tab, or a space typed around a code, is not part of it: the same code must
    # reprint; any other character str.strip() would drop (a record separator, a form feed) stays, for
    # check_code to refuse
    code = code.strip(SCANNER_PADDING)
    rejection = check_code(code, rules.code_policy)
    if rejection is not None:
        return Decision(notices=[fx.ScanFeedback(ok=False, kind="rejected", number=None, rule=rejection.rule,
                                                 message_zh=rejection.message_zh, message_en=rejection.message_en)])
    code = normalise_code(code)  # looked up, digested and kept as a person reads it (codecheck.py)
    if code in state.by_code:
        return Decision([TicketReprinted(**env, number=state.by_code[code], by="scan")])
    digest = code_digest(rules.digest_key, code)
    if digest in state.by_digest:
        # a ticket whose raw code the station lost (rebuilt by `photoqueue recover` from the centre's copy,
        # which holds only digests): the same student, the same number
        return Decision([TicketReprinted(**env, number=state.by_digest[digest], by="scan")])
    number = state.next_number
    class_name = state.active_class
    called = state.called is None and not state.waiting
    events: list[Event] = [TicketIssued(**env, number=number, code=code, code_digest=digest,
                                        class_name=class_name, called=called)]
    planned = state.plan_class(class_name)
    if state.auto_advance and planned and state.issued_in(class_name) + 1 >= int(planned["headcount"]):
        following = state.class_after(class_name)
        if following is not None:
            events.append(ClassSwitched(**env, class_name=following, previous=class_name, by="auto"))
    return Decision(events)


# --- apply ----------------------------------------------------------------------------------


def _call(state: SessionState, number: int | None) -> None:
    """Make ``number`` (the head of the line, or None) the called ticket."""
    state.called = number
    if number is not None:
        if number in state.waiting:
            state.waiting.remove(number)
        state.tickets[number].status = CALLED


def _leave_line(state: SessionState, number: int, status: str, seq: int, next_called: int | None) -> None:
    """A skip or a void: the ticket leaves the line; if it was the called one, ``next_called`` is called."""
    t = state.tickets[number]
    was_called = t.status == CALLED
    t.status, t.shot_seq = status, seq
    if number in state.waiting:
        state.waiting.remove(number)
    if was_called:
        state.called = None
        _call(state, next_called)
    state.undo_stack.clear()  # the line changed without a press: an undo could not be exact


def _apply_timetable(state: SessionState, event: TimetableLoaded) -> None:
    state.plan = [dict(c) for c in event.classes]
    state.auto_advance = event.auto_advance


def _apply_issued(state: SessionState, event: TicketIssued) -> None:
    t = TicketState(event.number, event.code_digest, event.class_name, event.at)
    state.tickets[event.number] = t
    state.last_number = max(state.last_number, event.number)
    state.class_issued[event.class_name] = state.class_issued.get(event.class_name, 0) + 1
    if event.code:
        state.by_code[event.code] = event.number
    state.by_digest[event.code_digest] = event.number
    state.waiting.append(event.number)
    if event.called:
        _call(state, event.number)
        state.undo_stack.clear()  # the line moved without a press: an undo could not be exact


def _apply_reprinted(state: SessionState, event: TicketReprinted) -> None:
    state.tickets[event.number].reprints += 1


def _apply_advanced(state: SessionState, event: Advanced) -> None:
    if event.photographed is not None:
        t = state.tickets[event.photographed]
        t.status, t.photographed_at, t.shot_seq = PHOTOGRAPHED, event.at, event.seq
        state.shots.append((event.at, t.issued_at))
    state.called = None
    _call(state, event.called)
    state.undo_stack.append((event.photographed, event.called))


def _apply_undone(state: SessionState, event: AdvanceUndone) -> None:
    state.undo_stack.pop()
    if event.called is not None:
        state.tickets[event.called].status = WAITING
        state.waiting.insert(0, event.called)
    state.called = None
    if event.photographed is not None:
        t = state.tickets[event.photographed]
        t.photographed_at, t.shot_seq = None, None
        state.shots.pop()
        _call(state, event.photographed)


def _apply_skipped(state: SessionState, event: TicketSkipped) -> None:
    _leave_line(state, event.number, SKIPPED, event.seq, event.called)


def _apply_recalled(state: SessionState, event: TicketRecalled) -> None:
    t = state.tickets[event.number]
    t.status, t.shot_seq = WAITING, None
    state.waiting.insert(0, event.number)
    if event.called:
        _call(state, event.number)
    state.undo_stack.clear()


def _apply_voided(state: SessionState, event: TicketVoided) -> None:
    _leave_line(state, event.number, VOIDED, event.seq, event.called)
    t = state.tickets[event.number]
    t.void_reason = event.reason
    state.class_issued[t.class_name] -= 1


def _apply_class_switched(state: SessionState, event: ClassSwitched) -> None:
    state.active_class = event.class_name


def _apply_class_corrected(state: SessionState, event: TicketClassCorrected) -> None:
    t = state.tickets[event.number]
    if t.status != VOIDED:
        state.class_issued[t.class_name] -= 1
        state.class_issued[event.class_name] = state.class_issued.get(event.class_name, 0) + 1
    t.class_name = event.class_name


def _apply_printed(state: SessionState, event: TicketPrinted) -> None:
    t = state.tickets[event.number]
    t.printed, t.print_error = True, ""


def _apply_print_failed(state: SessionState, event: TicketPrintFailed) -> None:
    t = state.tickets[event.number]
    if not t.printed or t.print_error == "":
        t.printed, t.print_error = False, event.reason


def _apply_numbers_on_paper(state: SessionState, event: NumbersOnPaper) -> None:
    state.last_number = max(state.last_number, event.upto)


def _apply_duplicate_flagged(state: SessionState, event: DuplicateFlagged) -> None:
    state.tickets[event.number].flagged_room = event.other_room


# one folder per event kind; an event kind not listed changes nothing but the last seq
_APPLIERS: dict[type[Event], Callable[[SessionState, Any], None]] = {
    TimetableLoaded: _apply_timetable,
    TicketIssued: _apply_issued,
    TicketReprinted: _apply_reprinted,
    Advanced: _apply_advanced,
    AdvanceUndone: _apply_undone,
    TicketSkipped: _apply_skipped,
    TicketRecalled: _apply_recalled,
    TicketVoided: _apply_voided,
    ClassSwitched: _apply_class_switched,
    TicketClassCorrected: _apply_class_corrected,
    TicketPrinted: _apply_printed,
    TicketPrintFailed: _apply_print_failed,
    DuplicateFlagged: _apply_duplicate_flagged,
    NumbersOnPaper: _apply_numbers_on_paper,
}


def apply(state: SessionState, event: Event) -> SessionState:
    """Fold one committed event into the state (in place) and return it."""
    applier = _handler_for(_APPLIERS, event)
    if applier is not None:
        applier(state, event)
    state.last_seq = max(state.last_seq, event.seq)
    return state


# --- effects --------------------------------------------------------------------------------


def pace_s(state: SessionState) -> float:
    """Seconds a student takes, from the last photos (each counted from when the photographer could
    start on that student: a photographer idle for want of students is not slow)."""
    recent = state.shots[-PACE_WINDOW:]
    try:
        shots = [dt.datetime.fromisoformat(p) for p, _ in recent]
        ready = [dt.datetime.fromisoformat(i) for _, i in recent]
    except ValueError:
        return DEFAULT_PACE_S
    pace, samples = measure_pace(shots, ready_at=ready)
    return pace if pace is not None and samples >= PACE_MIN_SAMPLES else DEFAULT_PACE_S


def ticket_to_print(state: SessionState, number: int, reprint: bool) -> fx.PrintTicket:
    t = state.tickets[number]
    return fx.PrintTicket(room=state.room, date=state.date, number=number, class_name=t.class_name,
                          reprint=reprint, check_code=ticket_check(t.code_digest), issued_at=t.issued_at,
                          ahead=state.position(number), pace_s=pace_s(state))


def effects_after(state: SessionState, events: list[Event], called_before: int | None) -> list[fx.Effect]:
    """What to do about events that are committed and applied (``called_before``: the called
    ticket before them)."""
    out: list[fx.Effect] = []
    for e in events:
        match e:
            case TicketIssued():
                out.append(ticket_to_print(state, e.number, reprint=False))
                out.append(fx.ScanFeedback(ok=True, kind="issued", number=e.number, rule="",
                                           message_zh=f"您的拍摄号：{e.number}", message_en=f"your number: {e.number}"))
            case TicketReprinted():
                out.append(ticket_to_print(state, e.number, reprint=True))
                if e.by == "scan":
                    out.append(fx.ScanFeedback(ok=True, kind="reprint", number=e.number, rule="",
                                               message_zh=f"已取号，补打 {e.number} 号",
                                               message_en=f"already numbered: reprint of {e.number}"))
            case ClassSwitched(by="auto"):
                out.append(fx.StaffNotice(kind="class_full", message_zh=f"{e.previous} 已取号满额，切换到 {e.class_name}",
                                          message_en=f"{e.previous} is full; now issuing for {e.class_name}"))
            case TicketPrintFailed():
                out.append(fx.StaffNotice(kind="print_failed", message_zh=f"{e.number} 号小票未打印：{e.reason}",
                                          message_en=f"ticket {e.number} not printed: {e.reason}"))
            case DuplicateFlagged():
                out.append(fx.StaffNotice(kind="duplicate",
                                          message_zh=f"{e.number} 号的采集码已在 {e.other_room} 取号",
                                          message_en=f"ticket {e.number}: this code also holds a number in {e.other_room}"))
    if events:
        if state.called is not None and state.called != called_before:
            out.append(fx.CallNumber(number=state.called))
        out.append(fx.Redraw())
        out.append(fx.SyncOutbox())
    return out


def step(state: SessionState, command: cmd.Command, now: dt.datetime, rules: Rules,
         first_seq: int | None = None) -> tuple[SessionState, list[Event], list[fx.Effect]]:
    """decide + apply + effects with no store: events get consecutive seqs after ``state.last_seq``."""
    decision = decide(state, command, now, rules)
    called_before = state.called
    seq = state.last_seq if first_seq is None else first_seq - 1
    committed = []
    for e in decision.events:
        seq += 1
        committed.append(e.with_seq(seq))
        apply(state, committed[-1])
    return state, committed, decision.notices + effects_after(state, committed, called_before)
