"""Staff commands from the centre, handed to the station one by one and reported with their outcome.

The centre used to mark a command done a second after the station *received* it; a ``void`` that a
full disk refused was shown done and never happened. Now each command goes to the station's queue
thread (``on_staff_command``: a Future of the committed outcome), and only a committed outcome,
``done`` or ``refused`` with the reason, is reported (``command_outcomes`` with the next request).
A command whose commit failed stops the round: it, and the commands after it, are offered again in
order. The station records each outcome in its own database with the command's events, so a command
offered again after a restart is answered from there, never applied twice.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass
from typing import Any

from photoqueue.core.errors import CoreError
from photoqueue.core.targets import Targeted, staff_from_wire

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Delivered:
    count: int
    stopped: bool = False  # a commit failed: the round ended there


class StaffDelivery:
    def __init__(self, on_staff_command: Callable[[int, Targeted], Any], timeout_s: float):
        self.on_staff_command = on_staff_command
        self.timeout_s = timeout_s
        self.outcomes: dict[int, dict[str, str]] = {}  # committed, not yet acknowledged by the centre

    def deliver(self, commands: list[dict], delivered: set, to_ack: set) -> Delivered:
        """Hand each new command over: how many, and whether the round stopped at a failed commit (the rest
        are offered again next round)."""
        n = 0
        for c in commands:
            cid = c.get("id")
            if not isinstance(cid, int) or cid in self.outcomes or cid in delivered:
                continue
            try:
                targeted = staff_from_wire(c.get("kind"), c.get("args") or {})
            except CoreError as exc:
                log.error("command %s from the centre refused: %s", cid, exc)
                outcome: tuple[str, str] | None = ("refused", f"无法识别的命令 / {exc}")
            else:
                outcome = self._outcome(cid, targeted)
            if outcome is None:
                return Delivered(n, stopped=True)
            self.outcomes[cid] = {"outcome": outcome[0], "reason": outcome[1]}
            delivered.add(cid)
            to_ack.add(cid)
            n += 1
        return Delivered(n)

    def _outcome(self, cid: int, targeted: Targeted) -> tuple[str, str] | None:
        try:
            answer = self.on_staff_command(cid, targeted)
            if isinstance(answer, Future):
                answer = answer.result(timeout=self.timeout_s)
        except Exception:
            log.exception("command %s: the station did not take it; it is offered again next round", cid)
            return None
        if answer is None:
            log.warning("command %s: the station could not commit it; it is offered again next round", cid)
        return answer

    def outcomes_for(self, ids: set) -> dict[str, dict[str, str]]:
        return {str(c): self.outcomes[c] for c in sorted(ids) if c in self.outcomes}

    def load(self, doc: Any) -> None:
        if isinstance(doc, dict):
            self.outcomes = {int(k): v for k, v in doc.items() if str(k).isdigit() and isinstance(v, dict)}

    def dump(self) -> dict[str, dict[str, str]]:
        return {str(k): v for k, v in self.outcomes.items()}
