"""Staff commands name the ticket (or class) they act on, and are refused when it is no longer so.

A ``skip`` sent while a room is offline used to apply to whoever was current when the room came back:
staff skipped ticket 1; two presses later at the room, ticket 3 was marked absent. So the wire form of
``advance``, ``undo`` and ``skip`` carries the number staff saw (``target``), ``switch_class`` the class
it switches from (``from_class``), and both ends check it: the centre against the station's last
synced state before queueing, the station against its own state when the command arrives.

Pure: a function of the session state; the centre and the station share it.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass
from typing import Any

from photoqueue.core import commands as cmd
from photoqueue.core import effects as fx
from photoqueue.core import queue
from photoqueue.core.errors import CoreError
from photoqueue.core.state import CALLED, WAITING, Rules, SessionState
from photoqueue.core.wire import command_from_wire

TARGET_KEYS = ("target", "from_class")
NEEDS_TARGET = ("advance", "undo", "skip")


@dataclass(frozen=True)
class Targeted:
    """A staff command with what it names: ``target`` (a ticket number) or ``from_class``."""

    kind: str
    command: cmd.Command
    target: int | None = None
    from_class: str | None = None
    names_class: bool = False  # from_class given (None is a class name too: no active class yet)


def staff_from_wire(kind: str, args: dict[str, Any]) -> Targeted:
    """The wire form ({"kind", "args"}) with its target split off; bad ones raise CoreError."""
    if not isinstance(args, dict):
        raise CoreError(f"{kind}: args must be an object")
    target = args.get("target")
    if target is not None and (not isinstance(target, int) or isinstance(target, bool) or target < 1):
        raise CoreError(f"{kind}: target must be a ticket number, not {target!r}")
    from_class = args.get("from_class")
    if from_class is not None and not isinstance(from_class, str):
        raise CoreError(f"{kind}: from_class must be a class name, not {from_class!r}")
    command = command_from_wire(kind, {k: v for k, v in args.items() if k not in TARGET_KEYS})
    if isinstance(command, cmd.Skip) and command.number is None and target is not None:
        command = dataclasses.replace(command, number=target)
    if isinstance(command, cmd.Skip) and command.number is not None:
        target = command.number
    return Targeted(kind, command, target, from_class, "from_class" in args)


def with_targets(t: Targeted, state: SessionState | None) -> Targeted:
    """Name what an untargeted command would act on now in ``state`` (what staff see on the dashboard)."""
    if state is None:
        return t
    if t.kind in NEEDS_TARGET and t.target is None:
        number = _current_target(t.kind, state)
        if number is not None:
            t = dataclasses.replace(t, target=number)
            if isinstance(t.command, cmd.Skip):
                t = dataclasses.replace(t, command=cmd.Skip(number))
    if t.kind == "switch_class" and not t.names_class:
        t = dataclasses.replace(t, from_class=state.active_class, names_class=True)
    return t


def _current_target(kind: str, state: SessionState) -> int | None:
    if kind == "undo":
        return state.undo_stack[-1][0] if state.undo_stack else None
    return state.called


def refusal(t: Targeted, state: SessionState) -> tuple[str, str] | None:
    """(zh, en) why ``t`` must not act on ``state``, or None."""
    if t.kind in NEEDS_TARGET and t.target is None:
        return ("操作必须指明号码", f"{t.kind} must name its ticket (target)")
    if t.kind == "advance" and state.called != t.target:
        return (f"{t.target} 号已不是当前号（当前：{state.called or '无'}）",
                f"ticket {t.target} is no longer being called (now: {state.called or 'none'})")
    if t.kind == "undo":
        last = state.undo_stack[-1][0] if state.undo_stack else None
        if last != t.target:
            return (f"最后一次拍摄完成的不是 {t.target} 号（是：{last or '无'}）",
                    f"the last press did not mark ticket {t.target} photographed (it marked {last or 'none'})")
    if t.kind == "skip":
        ticket = state.tickets.get(t.target)
        if ticket is None or ticket.status not in (WAITING, CALLED):
            status = ticket.status if ticket else "not issued"
            return (f"{t.target} 号不在队列中（{status}）", f"ticket {t.target} is not in line ({status})")
    if t.kind == "switch_class" and t.names_class and state.active_class != t.from_class:
        return (f"当前班级已从 {t.from_class or '无'} 变为 {state.active_class or '无'}",
                f"the active class is {state.active_class!r} now, not {t.from_class!r}")
    # then the queue's own rules (void a number never issued, recall one not skipped ...): the centre asks
    # them of the last synced state before queueing, the station of its own when the command arrives
    decision = queue.decide(state, t.command, _NO_TIME, _NO_KEY)
    notices = [n for n in decision.notices if isinstance(n, fx.StaffNotice)]
    if not decision.events and notices:
        return notices[0].message_zh, notices[0].message_en
    return None


_NO_TIME = dt.datetime(2000, 1, 1)  # a staff command's decision does not depend on the time
_NO_KEY = Rules(digest_key=b"")  # nor on the key (only a scan digests a code)


def wire_args(t: Targeted, args: dict[str, Any]) -> dict[str, Any]:
    """The args to queue: what staff gave, with the targets named."""
    out = {k: v for k, v in args.items() if k not in TARGET_KEYS}
    if t.target is not None and t.kind in NEEDS_TARGET:
        out["target"] = t.target
    if t.kind == "switch_class" and t.names_class:
        out["from_class"] = t.from_class
    return out
