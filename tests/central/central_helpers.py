"""Helpers for the central service's tests: station data made fast with Session, a TCP proxy that
drops, delays and duplicates what passes through it."""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path

from photoqueue.core import commands as cmd
from photoqueue.core.state import Rules
from photoqueue.device.store.events import EventStore
from photoqueue.device.store.session import Session

DATE = "2024-06-20"
KEY = bytes(range(32))

PLAN = tuple({"name": f"班级{i}", "headcount": 40 + 7 * i, "start": None, "end": None} for i in range(6))


def make_station(data_dir: Path, room: str, n_events: int, *, seed: int = 0, date: str = DATE,
                 codes: list[str] | None = None) -> EventStore:
    """A station data dir holding about ``n_events`` events of a plausible day: scans (some repeated),
    presses, undos, skips, recalls, voids, class switches and corrections. Returns its open store."""
    rng = random.Random(seed)
    store = EventStore(Path(data_dir) / "station.db")
    # the day is written without waiting for the disk (synchronous=OFF: an fsync per commit made this 8x
    # slower, and these tests are about the centre); from then on the store is the product's, FULL again
    store._db.execute("PRAGMA synchronous=OFF")
    extend_station(store, room, n_events, rng=rng, date=date, codes=codes)
    store._db.execute("PRAGMA synchronous=FULL")
    return store


def extend_station(store: EventStore, room: str, n_events: int, *, rng: random.Random, date: str = DATE,
                   codes: list[str] | None = None) -> None:
    session = Session(store, room, date, Rules(digest_key=KEY))
    now = dt.datetime.fromisoformat(date + "T09:00:00")
    if not session.state.plan:
        session.handle(cmd.LoadTimetable(PLAN), now)
    codes = list(codes or [])
    target = store.last_seq() + n_events
    while store.last_seq() < target:
        now += dt.timedelta(seconds=rng.randint(1, 20))
        r = rng.random()
        issued = len(session.state.tickets)
        if r < 0.45 or issued == 0:
            code = codes.pop(0) if codes else f"{room}-{rng.getrandbits(48):012x}"
            command = cmd.Scan(code)
        elif r < 0.80:
            command = cmd.Advance()
        elif r < 0.84:
            command = cmd.Undo()
        elif r < 0.88:
            command = cmd.Skip()
        elif r < 0.90:
            command = cmd.Recall(rng.randint(1, issued))
        elif r < 0.92:
            command = cmd.Void(rng.randint(1, issued), "test")
        elif r < 0.94:
            command = cmd.SwitchClass(None)
        elif r < 0.96:
            command = cmd.CorrectClass(rng.randint(1, issued), rng.choice(PLAN)["name"])
        else:
            command = cmd.RecordPrint(rng.randint(1, issued), ok=rng.random() < 0.8, reason="paper out")
        session.handle(command, now)


def sort_rows(rows: list[dict]) -> list[tuple]:
    return sorted(tuple(sorted((k, str(v)) for k, v in r.items())) for r in rows)


class ChaosProxy:
    """An HTTP-aware TCP proxy on 127.0.0.1 that, request by request, at random:
    closes the client's connection before forwarding (a drop), forwards and then closes without
    answering (the answer lost after the centre committed), delays, or sends the request to the
    centre twice (a duplicated connection). Everything else passes through."""

    def __init__(self, upstream: tuple[str, int], *, seed: int = 1, drop: float = 0.08, lose_answer: float = 0.08,
                 duplicate: float = 0.1, delay: float = 0.2, max_delay_s: float = 0.15):
        import socket
        import threading

        self.upstream = upstream
        self.rng = random.Random(seed)
        self.p = {"drop": drop, "lose_answer": lose_answer, "duplicate": duplicate, "delay": delay}
        self.max_delay_s = max_delay_s
        self.stats = {"requests": 0, "drop": 0, "lose_answer": 0, "duplicate": 0, "delay": 0}
        self._lock = threading.Lock()
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.port = self.sock.getsockname()[1]
        self._closing = False
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def close(self) -> None:
        self._closing = True
        self.sock.close()

    def _roll(self, what: str) -> bool:
        with self._lock:
            hit = self.rng.random() < self.p[what]
            if hit:
                self.stats[what] += 1
            return hit

    def _accept(self) -> None:
        import threading

        while not self._closing:
            try:
                client, _ = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(client,), daemon=True).start()

    def _serve(self, client) -> None:
        import time

        try:
            with client:
                reader = client.makefile("rb")
                while True:
                    request = _read_message(reader)
                    if request is None:
                        return
                    with self._lock:
                        self.stats["requests"] += 1
                    if self._roll("drop"):
                        return
                    if self._roll("duplicate"):
                        _exchange(self.upstream, request)
                    answer = _exchange(self.upstream, request)
                    if answer is None or self._roll("lose_answer"):
                        return
                    if self._roll("delay"):
                        with self._lock:
                            pause = self.rng.random() * self.max_delay_s
                        time.sleep(pause)
                    client.sendall(answer)
        except OSError:
            return


def _read_message(reader) -> bytes | None:
    """One HTTP/1.1 message (headers and a Content-Length body) from a buffered socket reader."""
    head = b""
    while not head.endswith(b"\r\n\r\n"):
        line = reader.readline()
        if not line:
            return None
        head += line
    length = 0
    for line in head.split(b"\r\n"):
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value.strip())
    body = reader.read(length) if length else b""
    return head + body


def _exchange(upstream: tuple[str, int], request: bytes) -> bytes | None:
    import socket

    try:
        with socket.create_connection(upstream, timeout=30) as s:
            s.sendall(request)
            return _read_message(s.makefile("rb"))
    except OSError:
        return None
