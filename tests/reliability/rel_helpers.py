"""Helpers for the reliability suite: the size switch, the figures table, a capturing TCP proxy, a
station config, and reading ticket numbers out of the bytes a text-mode printer was sent."""

from __future__ import annotations

import json
import os
import re
import socket
import threading
from pathlib import Path

from central_helpers import ChaosProxy

from photoqueue.device.station.parts import Adapter

LONG = os.environ.get("PHOTOQUEUE_LONG", "") == "1"
HERE = Path(__file__).parent
ROOM = "第一组"
DATE = "2024-10-25"
KEY_HEX = "5a" * 32


def size(ci: int, long: int) -> int:
    """The CI count or, with PHOTOQUEUE_LONG=1, the long run's: the same test, another size."""
    return long if LONG else ci


# --- figures: tried / survived / lost, collected for RELIABILITY.md ----------------------------------

FIGURES: list[dict] = []


def record(fault: str, tried: int, survived: int, lost: int, **extra) -> None:
    row = {"fault": fault, "tried": tried, "survived": survived, "lost": lost, **extra}
    FIGURES.append(row)
    out = os.environ.get("PHOTOQUEUE_RELIABILITY_OUT")
    if out:
        with open(out, "a", encoding="utf-8") as f:
            f.write(json.dumps(row, ensure_ascii=False) + "\n")


# --- a TCP proxy that keeps every byte in both directions ----------------------------------------

class TeeProxy(ChaosProxy):
    """Forwards 127.0.0.1:port to ``upstream`` and keeps what passed: ``sent`` (client to server)
    and ``received`` (server to client), all connections in arrival order. Nothing is dropped: the
    chaos proxy's listener with a faithful serving loop of its own."""

    def __init__(self, upstream: tuple[str, int] | None):
        # upstream None: a sink that keeps what it is sent and answers nothing (a network printer)
        self.sent = bytearray()
        self.received = bytearray()
        super().__init__(upstream)

    def _serve(self, client: socket.socket) -> None:
        if self.upstream is None:
            self._pump(client, None, self.sent)
            return
        try:
            server = socket.create_connection(self.upstream, timeout=30)
        except OSError:
            client.close()
            return
        threading.Thread(target=self._pump, args=(server, client, self.received), daemon=True).start()
        self._pump(client, server, self.sent)

    def _pump(self, src: socket.socket, dst: socket.socket | None, keep: bytearray) -> None:
        try:
            while True:
                data = src.recv(65536)
                if not data:
                    break
                with self._lock:
                    keep.extend(data)
                if dst is not None:
                    dst.sendall(data)
        except OSError:
            pass
        finally:
            for s in (src, dst) if dst is not None else (src,):
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass


# --- printer bytes ------------------------------------------------------------------------------------

_NUMBER = re.compile(rb"\x1d!.(\d+)\n")


def printed_numbers(data: bytes) -> list[int]:
    """Ticket numbers in text-mode ESC/POS bytes, one per complete (cut) ticket, in print order."""
    out = []
    for chunk in bytes(data).split(b"\x1dV")[:-1]:  # the part after the last cut is not a whole ticket
        m = _NUMBER.search(chunk[chunk.rfind(b"\x1b@"):])
        if m:
            out.append(int(m.group(1)))
    return out


# --- a station's config --------------------------------------------------------------------------------

def station_toml(data_dir: Path, *, printer_port: int, room: str = ROOM, date: str = DATE) -> str:
    key = data_dir.parent / f"{data_dir.name}.key"
    key.write_text(KEY_HEX)
    return f"""
[station]
room = "{room}"
data_dir = "{data_dir}"
date = "{date}"
key_file = "{key}"
screen = false
auto_advance = false
refresh_s = 0.2

[printer]
kind = "network"
host = "127.0.0.1"
port = {printer_port}
mode = "text"
status_query = "off"
timeout_s = 2.0
job_timeout_s = 5.0

[buttons]
advance_pin = -1
keyboard = false

[sound]
scan_beeps = false
call_chime = false
"""


class ScreenRecorder(Adapter):
    """The hall screen's adapter: keeps every state shown and every flash."""

    def __init__(self):
        self.states, self.flashes = [], []

    def show(self, state) -> None:
        self.states.append(state)

    def flash(self, kind: str, text: str, number: int | None) -> None:
        self.flashes.append((kind, text, number))
