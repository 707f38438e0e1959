"""`photoqueue queue ... ACTION`: the staff's commands on a running station's queue, for people.

By default every action answers with one Chinese line a photographer reads at a glance
(``正在拍摄 115 号 · 等候 2 人 · 20财务管理1班 已拍 46/53``); ``--json`` keeps the machine form. Actions on a
ticket take its number and nothing else; skipping or voiding the student being photographed asks for a
reason and a confirmation (``--yes`` confirms in scripts), and a closed stdin is a refusal, never a guess.
Every refusal says why, in the glossary's words (photoqueue.core.glossary).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import logging
import sys

from photoqueue.core import commands as cmd
from photoqueue.core import effects as fx
from photoqueue.core import glossary
from photoqueue.core.counts import class_counts
from photoqueue.core.state import SessionState
from photoqueue.core.wire import StaffCommand
from photoqueue.device.errors import StationError
from photoqueue.hints import did_you_mean

log = logging.getLogger(__name__)

# The staff commands (the one vocabulary of core.wire, as a person types them) and the arguments each
# takes (CLASS takes the rest of the line: class names may hold spaces); then the CLI's own actions.
_ARGS: dict[StaffCommand, tuple[str, ...]] = {
    StaffCommand.ADVANCE: (), StaffCommand.UNDO: (), StaffCommand.SKIP: ("NUMBER",),
    StaffCommand.RECALL: ("NUMBER",), StaffCommand.VOID: ("NUMBER",), StaffCommand.SWITCH_CLASS: ("CLASS",),
    StaffCommand.CORRECT_CLASS: ("NUMBER", "CLASS"), StaffCommand.REPRINT: ("NUMBER",),
}
ACTIONS: dict[str, tuple[str, ...]] = {
    "status": (), **{c.cli_name: _ARGS[c] for c in StaffCommand},
    "next-class": (),  # switch-class without a class: the next one in the timetable
    "unprinted": (),
    # the running station's session date, confirmed before its first number (device/station/date_confirm.py)
    "confirm-date": ("DATE",),
}
YES = ("y", "yes", "是", "确认")
clock = dt.datetime.now  # the station's wall clock (a screenshot of a past day replaces it)


def add_queue_command(sub: argparse._SubParsersAction, session_args) -> None:
    p = sub.add_parser("queue", help="staff actions on a station's queue: status, advance, undo, skip NUMBER, "
                                     "recall NUMBER, void NUMBER, confirm-date YYYY-MM-DD, ...")
    session_args(p)
    p.add_argument("action", choices=tuple(ACTIONS))
    p.add_argument("args", nargs="*", help="NUMBER for skip/recall/void/reprint; CLASS for switch-class; "
                                           "NUMBER CLASS for correct-class; YYYY-MM-DD for confirm-date")
    p.add_argument("--reason", default="", help="why a ticket is voided, or the student being photographed skipped")
    p.add_argument("-y", "--yes", action="store_true",
                   help="confirm skipping or voiding the student being photographed without asking")
    p.add_argument("--json", action="store_true", help="machine-readable JSON instead of the Chinese summary")
    p.set_defaults(func=run_queue)


def parse_action_args(action: str, args: list[str]) -> tuple[int | None, str | None]:
    """(number, class) from the words after the action, refusing what is missing or stray."""
    spec = ACTIONS[action]
    number, class_name, rest = None, None, list(args)
    if "NUMBER" in spec:
        if not rest:
            raise StationError(f"{action} 需要号码，例如 `{action} 115` / {action} needs a ticket NUMBER",
                               exit_status=2)
        word = rest.pop(0)
        try:
            number = int(word)
        except ValueError:
            raise StationError(f"{word!r} 不是号码 / {action} needs a ticket NUMBER, not {word!r}",
                               exit_status=2) from None
    if "CLASS" in spec:
        class_name = " ".join(rest).strip() or None
        rest = []
    if rest:
        raise StationError(f"{action} 不接受多余的参数 {' '.join(rest)!r}（什么都没有改动） / "
                           f"{action} takes no {' '.join(rest)!r}: nothing was changed", exit_status=2)
    return number, class_name


def summary_line(state: SessionState) -> str:
    """正在拍摄 115 号 · 等候 2 人 · 20财务管理1班 已拍 46/53"""
    parts = [f"正在拍摄 {state.called} 号" if state.called is not None else "没有正在拍摄的号",
             f"等候 {len(state.waiting)} 人"]
    if state.active_class is not None:
        row = next((r for r in class_counts(state) if r["class"] == state.active_class), None)
        if row:
            over = f"（{glossary.label('over')} {row['over']}）" if row["over"] else ""
            parts.append(f"{state.active_class} {glossary.label('photographed')} {row['photographed']}/"
                         f"{row['expected']}{over}")
    return " · ".join(parts)


def status_text(state: SessionState, now: dt.datetime) -> str:
    """The summary line, who is next, the skipped (recallable), the unprinted, and each class's counts."""
    lines = [f"{state.room} · {state.date}", summary_line(state)]
    if state.waiting:
        more = f" 等 {len(state.waiting)} 人" if len(state.waiting) > 5 else ""
        lines.append(f"下一位：{'、'.join(map(str, state.waiting[:5]))}{more}")
    skipped = [n for n, t in sorted(state.tickets.items()) if t.status == "skipped"]
    if skipped:
        lines.append(f"{glossary.label('skipped')}（可召回）：{'、'.join(map(str, skipped))}")
    unprinted = [n for n, t in sorted(state.tickets.items()) if t.printed is not True]
    if unprinted:
        lines.append(f"小票未打印：{'、'.join(map(str, unprinted))}（`queue unprinted` 看原因）")
    keys = ("expected", "photographed", "skipped", "waiting", "absent", "not_started", "voided")
    lines.append("班级：" + " / ".join(glossary.label(k) for k in keys))
    rows = class_counts(state, now)
    shown = [r for r in rows if r["issued"] or r["class"] == state.active_class]
    for r in shown:
        over = f"  {glossary.label('over')} {r['over']}" if r["over"] else ""
        lines.append(f"  {r['class'] or '(未分班)'}  " + " / ".join(str(r[k]) for k in keys) + over)
    rest = [r for r in rows if r not in shown]
    if rest:  # a day has 20 classes: the ones nobody has scanned for are one line, not twenty
        absent = sum(r["absent"] for r in rest)
        lines.append(f"  其余 {len(rest)} 个班级还没有人取号：{glossary.label('not_started')} "
                     f"{sum(r['not_started'] for r in rest)} 人，{glossary.label('absent')} {absent} 人")
    return "\n".join(lines)


def ask(prompt: str) -> str | None:
    """One line from stdin after a prompt on stderr; None when stdin is closed or at its end."""
    if sys.stdin is None or sys.stdin.closed:
        return None
    print(prompt, end="", file=sys.stderr, flush=True)
    try:
        line = sys.stdin.readline()
    except (OSError, ValueError):
        return None
    if not line:
        print(file=sys.stderr)  # end the prompt's line, so the refusal that follows starts on its own
        return None
    return line.strip()


def confirm_on_current(state: SessionState, action: str, number: int, args: argparse.Namespace) -> str:
    """The reason for skipping/voiding; for the student being photographed, also a yes. Refuses otherwise."""
    verb = {"skip": "标记过号", "void": "作废"}[action]
    current = state.called == number
    reason = args.reason.strip()
    if not reason and (current or action == "void"):
        reason = ask(f"{number} 号{'正在拍摄，' if current else ''}{verb}的原因：") or ""
        if not reason:
            raise StationError(f"{verb} {number} 号需要原因：加 --reason 原因（什么都没有改动） / "
                               f"{action} {number} needs a --reason: nothing was changed", exit_status=1)
    if current and not args.yes:
        answer = ask(f"{number} 号正在拍摄，确认{verb}？输入 y 确认：")
        if answer is None:
            raise StationError(f"{number} 号正在拍摄：{verb}需要确认，加 --yes（什么都没有改动） / "
                               f"{number} is being photographed: confirm with --yes; nothing was changed",
                               exit_status=1)
        if answer.lower() not in YES:
            raise StationError(f"没有确认，{number} 号未{verb} / not confirmed: nothing was changed", exit_status=1)
    return reason


def check_class(state: SessionState, name: str | None, action: str) -> str | None:
    """The plan's spelling of ``name`` (full-width letters and brackets typed on a Chinese keyboard match);
    a class the timetable does not have is refused here, with the closest name and the day's classes."""
    from photoqueue.timetable.values import name_key

    names = [c["name"] for c in state.plan]
    if name is not None and name not in names:
        same = [n for n in names if name_key(n) == name_key(name)]
        if len(same) == 1:
            return same[0]
    if name is None:
        known = "、".join(names) or "（没有时间表）"
        raise StationError(f"{action} 需要班级：没有给出班级；可选：{known} / no class given: "
                           f"{action} {'NUMBER ' if action == 'correct-class' else ''}CLASS", exit_status=1)
    if names and name not in names:
        raise StationError(f"时间表中没有班级 {name}{did_you_mean(name, names, list_known=True)} / "
                           f"no class {name!r} in the timetable", exit_status=1)
    return name


def build_command(state: SessionState, args: argparse.Namespace) -> cmd.Command:
    number, class_name = parse_action_args(args.action, args.args)
    match args.action:
        case "advance":
            return cmd.Advance()
        case "undo":
            return cmd.Undo()
        case "skip":
            reason = confirm_on_current(state, "skip", number, args)
            if reason:  # the skip event has no reason field; the log keeps it
                log.info("skipping %s: %s", number, reason)
            return cmd.Skip(number)
        case "recall":
            return cmd.Recall(number)
        case "void":
            return cmd.Void(number, confirm_on_current(state, "void", number, args))
        case "next-class":
            return cmd.SwitchClass(None)
        case "switch-class":
            return cmd.SwitchClass(check_class(state, class_name, "switch-class"))
        case "correct-class":
            return cmd.CorrectClass(number, check_class(state, class_name, "correct-class"))
        case _:
            return cmd.Reprint(number)


def done_line(action: str, command: cmd.Command, called_before: int | None, state: SessionState) -> str:
    """What a staff action did, in a sentence: every successful action says so (13 号已标记过号)."""
    number = getattr(command, "number", None)
    if number is None:  # a skip of the student being called
        number = called_before
    match action:
        case "advance":
            done = f"{called_before} 号已拍完" if called_before is not None else "已开始叫号"
            return done + (f"，正在拍摄 {state.called} 号" if state.called is not None else "，队伍已空")
        case "undo":
            return "已撤销上一次按键" + (f"，正在拍摄 {state.called} 号" if state.called is not None else "")
        case "skip":
            return f"{number} 号已标记过号（可召回）"
        case "recall":
            return f"{number} 号已召回，排到队首"
        case "void":
            return f"{number} 号已作废"
        case "next-class" | "switch-class":
            return f"已切换到班级 {state.active_class or '（无）'}"
        case "correct-class":
            return f"{number} 号的班级已改为 {command.class_name}"
        case _:
            return f"{number} 号小票已补打"


def unprinted_text(state: SessionState) -> str:
    # printed None after a crash: the station stopped between the commit and the printer's answer
    lines = []
    for t in state.tickets.values():
        if t.printed is not True:
            reason = t.print_error if t.printed is False else "没有打印结果（打印机回应前工作站已停止）"
            lines.append(f"{t.number}\t{t.class_name or ''}\t{reason}")
    return "\n".join(lines) if lines else "没有未打印的号 / every ticket was printed"


def run_queue(args: argparse.Namespace) -> int:
    from photoqueue.device.cli.sessions import open_session

    if args.action == "confirm-date":  # a message to the running station, not a change of the queue
        from photoqueue.device.station.date_confirm import run_confirm_date

        if len(args.args) != 1:
            raise StationError("confirm-date 需要一个日期，例如 `confirm-date 2024-10-25`（什么都没有确认） / "
                               "confirm-date needs one date YYYY-MM-DD, the one the station's screen shows",
                               exit_status=2)
        return run_confirm_date(args, args.args[0], clock())

    session = open_session(args, existing=True)
    try:
        return _run(session, args)
    finally:
        session.store.close()


def _run(session, args: argparse.Namespace) -> int:
    state, now = session.state, clock()
    if args.action in ("status", "unprinted"):
        parse_action_args(args.action, args.args)
        if args.json:
            print(json.dumps({"room": state.room, "date": state.date, "called": state.called,
                              "waiting": state.waiting, "active_class": state.active_class,
                              "issued": len(state.tickets), "classes": class_counts(state, now),
                              "unprinted": [n for n, t in state.tickets.items() if t.printed is not True]},
                             ensure_ascii=False, indent=1))
        else:
            print(status_text(state, now) if args.action == "status" else unprinted_text(state))
        return 0
    called_before = state.called
    command = build_command(state, args)
    effects = session.handle(command, now)
    refused = [e for e in effects if isinstance(e, fx.StaffNotice) and e.kind in ("refused", "idle")]
    if not refused and not args.json:
        print(done_line(args.action, command, called_before, session.state))
    for e in effects:
        if isinstance(e, fx.StaffNotice):
            print(f"{e.message_zh} / {e.message_en}", file=sys.stderr)
    if args.json:
        print(json.dumps({"called": session.state.called, "waiting": session.state.waiting[:10],
                          "active_class": session.state.active_class}, ensure_ascii=False))
    else:
        print(("没有改动 · " if refused else "") + summary_line(session.state))
    return 1 if refused else 0
