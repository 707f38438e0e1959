"""The wire form of staff commands: what the dashboard and the centre send a station, checked the same
way on both ends (the centre refuses a bad command when staff give it, not when the station gets it)."""

from __future__ import annotations

import dataclasses
from enum import StrEnum
from typing import Any

from photoqueue.core import commands as cmd
from photoqueue.core.errors import CoreError


class StaffCommand(StrEnum):
    """The staff actions, by their wire name: one vocabulary for the station's CLI, the centre's
    commands, the dashboard and the buttons. ``cli_name`` is how a person types it."""

    ADVANCE = "advance"
    UNDO = "undo"
    SKIP = "skip"
    RECALL = "recall"
    VOID = "void"
    SWITCH_CLASS = "switch_class"
    CORRECT_CLASS = "correct_class"
    REPRINT = "reprint"

    @property
    def command_class(self) -> type[cmd.Command]:
        return _COMMAND_CLASSES[self]

    @property
    def cli_name(self) -> str:
        return self.value.replace("_", "-")


_COMMAND_CLASSES: dict[StaffCommand, type[cmd.Command]] = {
    StaffCommand.ADVANCE: cmd.Advance, StaffCommand.UNDO: cmd.Undo, StaffCommand.SKIP: cmd.Skip,
    StaffCommand.RECALL: cmd.Recall, StaffCommand.VOID: cmd.Void, StaffCommand.SWITCH_CLASS: cmd.SwitchClass,
    StaffCommand.CORRECT_CLASS: cmd.CorrectClass, StaffCommand.REPRINT: cmd.Reprint,
}
COMMAND_KINDS: tuple[str, ...] = tuple(k.value for k in StaffCommand)


def command_from_wire(kind: str, args: dict[str, Any]) -> cmd.Command:
    """A staff command as the centre sends it ({"kind", "args"}) as a queue command; bad ones raise."""
    if kind not in COMMAND_KINDS:
        raise CoreError(f"unknown command kind {kind!r} (known: {', '.join(COMMAND_KINDS)})")
    cls = StaffCommand(kind).command_class
    if not isinstance(args, dict):
        raise CoreError(f"{kind}: args must be an object")
    annotations = {f.name: f.type for f in dataclasses.fields(cls)}
    for name, value in args.items():
        if name not in annotations:
            continue  # the constructor below names it
        allowed = _WIRE_TYPES.get(annotations[name])
        if allowed is None or not _wire_value_ok(value, allowed):
            # caught here, not in the queue thread, where a wrong type would raise mid-decision
            raise CoreError(f"{kind}: argument {name}={value!r} must be {annotations[name]}")
    try:
        return cls(**args)
    except TypeError as exc:
        raise CoreError(f"{kind}: bad arguments {args!r}: {exc}") from None


# The command fields' annotations (strings: postponed evaluation) and the JSON values they accept.
_WIRE_TYPES: dict[str | None, tuple[type | None, ...]] = {
    "int": (int,), "int | None": (int, None), "str": (str,), "str | None": (str, None), "bool": (bool,),
}


def _wire_value_ok(value: Any, allowed: tuple[type | None, ...]) -> bool:
    if value is None:
        return None in allowed
    if isinstance(value, bool):  # JSON true is not a ticket number
        return bool in allowed
    return any(t is not None and isinstance(value, t) for t in allowed)
