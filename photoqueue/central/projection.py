"""The counts, kept folded in memory: every station's events through the station's own queue core.

A projection is a cache of ``photoqueue.core.queue.apply`` folded over the stored events of
each (station, room, date), in seq order. It is never the source: ``catch_up`` reads whatever
the store holds beyond what is folded (another process may have ingested it), and a stream
whose fold failed is dropped and folded again from the store. Keyed by station as well as by
session because each station numbers its own tickets; one room normally has one station.

Ingest folds in place under ``lock``; readers (rooms, snapshots, exports, staff commands) run in other
threads at the same time, so ``sessions()`` hands out frozen copies, never the states being folded
(iterating a state while ``apply`` adds a ticket is "dictionary changed size during iteration"). A copy
is made once per change of its session and shared by every reader until the next change: readers must
not modify it.
"""

from __future__ import annotations

import copy
import dataclasses
import threading
from collections.abc import Iterable
from typing import Any

from photoqueue.central.errors import CentralError
from photoqueue.core import counts, queue
from photoqueue.core.events import Event
from photoqueue.core.state import SessionState

Key = tuple[str, str, str]  # (station_id, room, date)


class Projection:
    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.states: dict[Key, SessionState] = {}
        self.folded: dict[str, int] = {}  # station_id -> last seq folded
        self._counts: dict[Key, list[dict[str, Any]]] = {}
        self.seen_at: dict[Key, str] = {}  # server time of the last event folded per session
        self._frozen: dict[Key, SessionState] = {}  # readers' copy of each session, until its next change
        self.skip_dates: set[str] = set()  # purged days (a rehearsal): their events are passed over, never folded

    def fold(self, station_id: str, events: Iterable[Event], received_at: str = "") -> None:
        """Fold events (this station's, in seq order, each after what is folded). An event that does not
        follow from the earlier ones raises CentralError (422) and leaves the stream dropped (to be folded
        again from the store)."""
        with self.lock:
            last = self.folded.get(station_id, 0)
            try:
                for event in events:
                    if event.seq <= last:
                        continue
                    if event.seq != last + 1:
                        break  # never fold across a gap; catch_up fills it from the store
                    if event.date in self.skip_dates:  # purged: counted nowhere, the seq still advances
                        last = event.seq
                        continue
                    key = (station_id, event.room, event.date)
                    state = self.states.get(key)
                    if state is None:
                        state = self.states[key] = SessionState(room=event.room, date=event.date)
                    try:
                        queue.apply(state, event)
                    except (KeyError, ValueError, IndexError, TypeError, AttributeError) as exc:
                        raise CentralError(f"event seq {event.seq} ({event.type}) does not follow from this "
                                           f"station's earlier events: {type(exc).__name__} {exc}",
                                           http_status=422) from None
                    self._counts.pop(key, None)
                    self._frozen.pop(key, None)
                    if received_at:
                        self.seen_at[key] = received_at
                    last = event.seq
            except Exception:
                self.drop(station_id)
                raise
            self.folded[station_id] = last

    def drop(self, station_id: str) -> None:
        with self.lock:
            for key in [k for k in self.states if k[0] == station_id]:
                del self.states[key]
                self._counts.pop(key, None)
                self._frozen.pop(key, None)
                self.seen_at.pop(key, None)
            self.folded.pop(station_id, None)

    def folded_upto(self, station_id: str) -> int:
        with self.lock:
            return self.folded.get(station_id, 0)

    def class_counts(self) -> list[dict[str, Any]]:
        """Per-class rows of every session, ordered by room, date, then plan order."""
        with self.lock:
            rows: list[dict[str, Any]] = []
            for key in sorted(self.states, key=lambda k: (k[1], k[2], k[0])):
                cached = self._counts.get(key)
                if cached is None:
                    cached = self._counts[key] = counts.class_counts(self.states[key])
                rows += [dict(r) for r in cached]
            return rows

    def sessions(self) -> list[tuple[Key, SessionState]]:
        """Every session as a frozen copy (see the module's note), ordered by room, date, station."""
        with self.lock:
            out = []
            for key, state in self.states.items():
                frozen = self._frozen.get(key)
                if frozen is None:
                    frozen = self._frozen[key] = freeze(state)
                out.append((key, frozen))
        return sorted(out, key=lambda kv: (kv[0][1], kv[0][2], kv[0][0]))

    def ticket_flagged(self, station_id: str, room: str, date: str, number: int, other_room: str) -> bool:
        with self.lock:
            state = self.states.get((station_id, room, date))
            t = state.tickets.get(number) if state else None
            return bool(t and t.flagged_room == other_room)


def freeze(state: SessionState) -> SessionState:
    """A copy of ``state`` no later fold reaches: its containers copied, each ticket copied (a ticket's
    fields are immutable values). Cheaper than ``copy.deepcopy`` by the size of the day."""
    values = {}
    for f in dataclasses.fields(state):
        v = getattr(state, f.name)
        if isinstance(v, dict):  # each dict holds one kind of value: tickets, or numbers and counts
            v = ({k: _clone(x) for k, x in v.items()} if v and dataclasses.is_dataclass(next(iter(v.values())))
                 else dict(v))
        elif isinstance(v, list):
            v = [dict(x) if isinstance(x, dict) else x for x in v]
        values[f.name] = v
    return SessionState(**values)


def _clone(obj: object) -> object:
    """A shallow copy of a dataclass instance (a ticket): its fields' values are immutable. A fifth of
    ``copy.copy``'s cost, which matters at 5,000 tickets a session."""
    if not hasattr(obj, "__dict__"):
        return copy.copy(obj)
    clone = object.__new__(type(obj))
    clone.__dict__.update(obj.__dict__)
    return clone
