"""A virtual network ESC/POS printer: a TCP server on port 9100 that prints to PNG files.

Each connection is decoded by an :class:`EscPosEmulator`; every cut ends a ticket, saved as
``ticket-0001.png`` ... in ``out_dir`` (and kept in :attr:`VirtualPrinter.tickets`). Like a real printer
it serves one connection at a time, and answers DLE EOT status queries with the bytes an Epson-compatible
printer sends for its simulated state. For tests and the demo it can run out of paper, go offline, run out
of paper after N bytes of a job, close the connection mid-job, or hang (accept and never read).
"""

from __future__ import annotations

import logging
import os
import re
import selectors
import socket
import struct
import threading
import time
from dataclasses import dataclass

from PIL import Image

from photoqueue.atomicfile import atomic_write
from photoqueue.printer.emulator import EscPosEmulator, SimState
from photoqueue.printer.errors import PrinterError
from photoqueue.printer.settings import PAPER_DOTS

log = logging.getLogger(__name__)


@dataclass
class VirtualTicket:
    """One ticket the virtual printer printed: ``how`` is 'full', 'partial' (cut) or 'uncut'."""

    index: int
    image: Image.Image
    how: str
    path: str | None = None


class VirtualPrinter:
    """Start with :meth:`start` (or ``with``); :attr:`port` is the port it listens on."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0, *, out_dir: str | None = None,
                 paper_width: int = 80, chinese: bool = False, idle_timeout_s: float = 30.0, keep: int = 500):
        self.host = host
        self._requested_port = port
        self.out_dir = out_dir
        self.width = PAPER_DOTS.get(paper_width, 576)
        self.chinese = chinese
        self.idle_timeout_s = idle_timeout_s
        self.state = SimState()
        self.keep = keep  # tickets (and about 200 times as many commands) kept in memory; files stay
        self.tickets: list[VirtualTicket] = []  # the last `keep` tickets printed
        self.printed = 0  # tickets printed since start
        self.commands: list[str] = []  # commands decoded, all connections (the most recent ones)
        self.received = 0  # bytes received, all connections
        self.connections = 0
        # fault simulation, read at each chunk received
        self.paper_out_after_bytes: int | None = None  # paper runs out after this many bytes of a job
        self.close_after_bytes: int | None = None  # drop the connection after this many bytes of a job
        self.hang = False  # accept connections, never read or answer
        self._sock: socket.socket | None = None
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()
        self._changed = threading.Condition()
        self._conn: socket.socket | None = None
        self._next_index = 1

    # -- control ------------------------------------------------------------------------------------

    @property
    def port(self) -> int:
        if self._sock is None:
            raise PrinterError("the virtual printer is not started")
        return self._sock.getsockname()[1]

    def start(self) -> VirtualPrinter:
        port = self._requested_port
        if isinstance(port, bool) or not isinstance(port, int) or not 0 <= port <= 65535:
            # checked here: socket.bind would raise OverflowError, which names no port
            raise PrinterError(f"port {port!r} is not a TCP port (0-65535; 0: any free port)", exit_status=2)
        if self.out_dir:
            self._next_index = self._prepare_out_dir(self.out_dir)
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((self.host, self._requested_port))
        except OSError as exc:
            sock.close()
            raise PrinterError(f"cannot listen on {self.host}:{self._requested_port}: {exc.strerror}") from exc
        sock.listen(8)
        sock.setblocking(False)
        self._sock = sock
        self._stop.clear()
        self._thread = threading.Thread(target=self._serve, name="virtual-printer", daemon=True)
        self._thread.start()
        return self

    @staticmethod
    def _prepare_out_dir(out_dir: str) -> int:
        """Make the ticket folder; the index of its next ticket (after the ticket-NNNN files it holds)."""
        if os.path.exists(out_dir) and not os.path.isdir(out_dir):
            raise PrinterError(f"{out_dir}: is a file, not a folder for ticket PNGs (--out names a folder)",
                               exit_status=2)
        try:
            os.makedirs(out_dir, exist_ok=True)
            names = os.listdir(out_dir)
        except OSError as exc:
            raise PrinterError(f"{out_dir}: cannot use it as the folder for ticket PNGs: "
                               f"{exc.strerror or exc}", exit_status=2) from None
        existing = [int(m.group(1)) for f in names if (m := re.match(r"ticket-(\d+)", f))]
        return max(existing, default=0) + 1

    def stop(self) -> None:
        self._stop.set()
        if self._thread:
            self._thread.join(5)
        if self._sock:
            self._sock.close()
        self._thread = None

    def __enter__(self) -> VirtualPrinter:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    def set_state(self, *, online: bool | None = None, paper: str | None = None,
                  cover_open: bool | None = None, error: bool | None = None) -> None:
        """Simulate the printer's condition: ``paper`` is 'ok', 'near_end' or 'out'."""
        for name, value in (("online", online), ("paper", paper), ("cover_open", cover_open), ("error", error)):
            if value is not None:
                setattr(self.state, name, value)

    def wait_for_tickets(self, count: int, timeout: float = 5.0) -> bool:
        with self._changed:
            return self._changed.wait_for(lambda: self.printed >= count, timeout)

    # -- serving --------------------------------------------------------------------------------------

    def _serve(self) -> None:
        sel = selectors.DefaultSelector()
        sel.register(self._sock, selectors.EVENT_READ)
        try:
            while not self._stop.is_set():
                if not sel.select(0.1):
                    continue
                try:
                    conn, peer = self._sock.accept()
                except BlockingIOError:
                    continue
                self.connections += 1
                log.info("virtual printer: connection from %s:%s", *peer[:2])
                try:
                    self._handle(conn)
                except OSError as exc:
                    log.info("virtual printer: connection ended: %s", exc)
                finally:
                    self._conn = None
                    conn.close()
        finally:
            sel.close()

    def _handle(self, conn: socket.socket) -> None:
        self._conn = conn
        conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        conn.settimeout(0.1)
        emulator = EscPosEmulator(self.width, state=self.state, chinese=self.chinese, on_ticket=self._save)
        emulator.commands = self.commands  # decoded commands show as they arrive
        got = 0
        last = time.monotonic()
        try:
            while not self._stop.is_set():
                if self.hang:
                    time.sleep(0.05)
                    continue
                try:
                    data = conn.recv(65536)
                except TimeoutError:
                    if time.monotonic() - last > self.idle_timeout_s:
                        return
                    continue
                if not data:
                    return
                last = time.monotonic()
                if self.close_after_bytes is not None and got + len(data) > self.close_after_bytes:
                    emulator.feed(data[: max(0, self.close_after_bytes - got)])
                    self.received += max(0, self.close_after_bytes - got)
                    log.info("virtual printer: dropping the connection after %d bytes", self.close_after_bytes)
                    _reset(conn)
                    return
                if self.paper_out_after_bytes is not None and got + len(data) > self.paper_out_after_bytes:
                    cut = max(0, self.paper_out_after_bytes - got)
                    reply = emulator.feed(data[:cut])
                    self.state.paper = "out"
                    reply += emulator.feed(data[cut:])
                else:
                    reply = emulator.feed(data)
                got += len(data)
                self.received += len(data)
                if reply:
                    conn.sendall(reply)
        finally:
            emulator.finish()
            if len(self.commands) > 200 * self.keep:
                del self.commands[: len(self.commands) - 100 * self.keep]

    def _save(self, image: Image.Image, how: str) -> None:
        ticket = VirtualTicket(self._next_index, image, how)
        self._next_index += 1
        if self.out_dir:
            name = f"ticket-{ticket.index:04d}{'' if how != 'uncut' else '-uncut'}.png"
            path = os.path.join(self.out_dir, name)
            atomic_write(path, lambda f: image.save(f, format="PNG"))  # a watcher never sees half a PNG
            ticket.path = path
            log.info("virtual printer: ticket %d (%s, %dx%d) saved as %s", ticket.index, how, *image.size, path)
        with self._changed:
            self.tickets.append(ticket)
            del self.tickets[: -self.keep]
            self.printed += 1
            self._changed.notify_all()


def _reset(conn: socket.socket) -> None:
    """Close with a TCP reset, as a printer that loses power does (no orderly FIN)."""
    try:
        conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        conn.close()
    except OSError:
        pass
