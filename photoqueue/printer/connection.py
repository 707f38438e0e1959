"""Connections to a printer, built from settings.

python-escpos opens the network, serial and USB connections (its printer classes find the USB device,
detach the kernel driver, configure the port), and this module then talks to the device it opened
through its public ``device`` property: python-escpos has no public call that writes raw bytes with a
deadline or reads a status byte with a timeout, which a queue that must never block needs. The file,
CUPS and dummy connections are owned outright (a file descriptor, pycups, a byte buffer), for the same
reason; python-escpos's own ``Dummy`` stays the reference the tests compare ESC/POS bytes with.

A :class:`Link` sends a job's bytes with a deadline and asks real-time status (DLE EOT n) with a
timeout, whatever the connection: nothing here may block longer than the settings allow. python-escpos
(and pyusb, pyserial, pycups behind it) is imported only in :func:`open_link`, so rendering and the tests
that need no printer never import it. Failures raise :class:`PrinterError` with a reason code.
"""

from __future__ import annotations

import abc
import importlib.util
import logging
import os
import select
import socket
import stat
import time

from photoqueue.printer import commands as cmd
from photoqueue.printer.errors import PrinterError
from photoqueue.printer.settings import PrinterSettings
from photoqueue.printer.status import is_status_byte

log = logging.getLogger(__name__)
CHUNK = 4096  # bytes per write: the deadline is checked between chunks


def _need(module: str, install: str) -> None:
    if importlib.util.find_spec(module) is None:
        raise PrinterError(f"this printer connection needs the Python package {module!r}: {install}",
                           reason="driver_missing")


def _status_byte(data: bytes) -> int | None:
    for value in reversed(data):
        if is_status_byte(value):
            return value
    return None


class Link(abc.ABC):
    """One open connection. Subclasses implement ``_send`` and, where the connection reads, ``_ask``."""

    can_query = False  # can this connection read the printer's status replies?
    persistent = False  # keep it open between tickets (USB, serial) or open one per ticket

    def __init__(self, settings: PrinterSettings, printer):
        self.settings = settings
        self.escpos = printer  # what was opened: a python-escpos printer, or the link's own sink
        self.written = 0  # bytes of the current job handed to the connection so far

    def write(self, data: bytes, deadline: float) -> None:
        self.written = 0
        for start in range(0, len(data), CHUNK):
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise PrinterError("the printer took too long to take the ticket", reason="timeout")
            chunk = data[start : start + CHUNK]
            self._send(chunk, min(self.settings.timeout_s, remaining))
            self.written += len(chunk)

    def query(self, _n: int, _timeout: float) -> int | None:
        """The reply byte to DLE EOT n, or None when the printer did not answer within the timeout (s).
        This link cannot ask: always None."""
        return None

    def end_job(self) -> None:
        """Called after the last chunk of a ticket (CUPS submits its job here); most links send as they go."""
        return None

    def close(self) -> None:
        try:
            self.escpos.close()
        except Exception as exc:  # closing a broken connection must not hide the outcome being reported
            log.debug("closing %s: %s", self.settings.kind, exc)

    @abc.abstractmethod
    def _send(self, chunk: bytes, timeout: float) -> None:
        """Hand ``chunk`` to the connection within ``timeout`` seconds, or raise PrinterError."""


class NetworkLink(Link):
    can_query = True

    def _send(self, chunk: bytes, timeout: float) -> None:
        sock = self.escpos.device
        sock.settimeout(timeout)
        try:
            sock.sendall(chunk)
        except TimeoutError as exc:
            raise PrinterError("the network printer stopped taking data", reason="timeout") from exc
        except OSError as exc:
            raise PrinterError(f"connection to the printer lost: {exc}", reason="connection_lost") from exc

    def query(self, n: int, timeout: float) -> int | None:
        sock = self.escpos.device
        try:
            sock.setblocking(False)
            while True:  # drop stale bytes (e.g. automatic status) so the next byte is our answer
                try:
                    stale = sock.recv(256)
                except BlockingIOError:
                    break
                if not stale:
                    raise PrinterError("the printer closed the connection", reason="connection_lost")
            sock.settimeout(self.settings.timeout_s)
            sock.sendall(cmd.status_query(n))
            deadline = time.monotonic() + timeout
            while time.monotonic() < deadline:
                sock.settimeout(max(0.001, deadline - time.monotonic()))
                data = sock.recv(16)
                if not data:
                    raise PrinterError("the printer closed the connection", reason="connection_lost")
                value = _status_byte(data)
                if value is not None:
                    return value
        except TimeoutError:
            return None
        except OSError as exc:
            raise PrinterError(f"connection to the printer lost: {exc}", reason="connection_lost") from exc
        return None


class SerialLink(Link):
    can_query = True
    persistent = True

    def _send(self, chunk: bytes, timeout: float) -> None:
        import serial

        port = self.escpos.device
        port.write_timeout = timeout + len(chunk) * 10 / self.settings.baudrate  # 8N1: 10 bits a byte
        try:
            port.write(chunk)
        except serial.SerialTimeoutException as exc:
            raise PrinterError("the serial printer stopped taking data (offline or flow control)",
                               reason="timeout") from exc
        except (serial.SerialException, OSError) as exc:
            raise PrinterError(f"serial printer lost: {exc}", reason="connection_lost") from exc

    def query(self, n: int, timeout: float) -> int | None:
        import serial

        port = self.escpos.device
        try:
            port.reset_input_buffer()
            port.timeout = timeout
            self._send(cmd.status_query(n), self.settings.timeout_s)
            return _status_byte(port.read(1))
        except (serial.SerialException, OSError) as exc:
            raise PrinterError(f"serial printer lost: {exc}", reason="connection_lost") from exc


class UsbLink(Link):
    can_query = True
    persistent = True

    def _send(self, chunk: bytes, timeout: float) -> None:
        import usb.core

        try:
            self.escpos.device.write(self.settings.usb_out_ep, chunk, max(1, int(timeout * 1000)))
        except usb.core.USBTimeoutError as exc:
            raise PrinterError("the USB printer stopped taking data", reason="timeout") from exc
        except usb.core.USBError as exc:
            raise PrinterError(f"USB printer lost (unplugged?): {exc}", reason="connection_lost") from exc

    def query(self, n: int, timeout: float) -> int | None:
        import usb.core

        self._send(cmd.status_query(n), self.settings.timeout_s)
        try:
            data = self.escpos.device.read(self.settings.usb_in_ep, 16, max(1, int(timeout * 1000)))
        except usb.core.USBTimeoutError:
            return None
        except usb.core.USBError as exc:
            raise PrinterError(f"USB printer lost (unplugged?): {exc}", reason="connection_lost") from exc
        return _status_byte(bytes(data))


class FileLink(Link):
    """A device file such as /dev/usb/lp0, opened non-blocking so an offline printer cannot hang a write.

    The kernel's usblp driver also reads: on a bidirectional printer, status replies come back on the same
    file. A regular file (for tests) just collects the bytes.
    """

    def __init__(self, settings: PrinterSettings):
        super().__init__(settings, None)
        path = settings.device
        is_dev = path.startswith("/dev/")
        flags = os.O_NONBLOCK | (os.O_RDWR if is_dev else os.O_WRONLY | os.O_APPEND | os.O_CREAT)
        try:
            self.fd = os.open(path, flags, 0o644)
        except OSError as exc:
            raise PrinterError(f"cannot open printer device {path}: {exc.strerror} (unplugged?)",
                               reason="unreachable") from exc
        self.can_query = stat.S_ISCHR(os.fstat(self.fd).st_mode)

    def close(self) -> None:
        try:
            os.close(self.fd)
        except OSError as exc:
            log.debug("closing %s: %s", self.settings.device, exc)

    def _send(self, chunk: bytes, timeout: float) -> None:
        view = memoryview(chunk)
        deadline = time.monotonic() + timeout
        while view:
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not select.select([], [self.fd], [], remaining)[1]:
                raise PrinterError("the printer device stopped taking data", reason="timeout")
            try:
                view = view[os.write(self.fd, view) :]
            except BlockingIOError:
                continue
            except OSError as exc:
                raise PrinterError(f"printer device lost (unplugged?): {exc}", reason="connection_lost") from exc

    def query(self, n: int, timeout: float) -> int | None:
        self._send(cmd.status_query(n), self.settings.timeout_s)
        try:
            if not select.select([self.fd], [], [], timeout)[0]:
                return None
            return _status_byte(os.read(self.fd, 16))
        except BlockingIOError:
            return None
        except OSError as exc:
            raise PrinterError(f"printer device lost (unplugged?): {exc}", reason="connection_lost") from exc


class CupsLink(Link):
    """A raw CUPS queue through pycups: a ticket's bytes become one raw CUPS job; 'status' is only
    whether the queue is stopped (CUPS states 4 printing and 5 stopped count as not ready)."""

    can_query = True

    def __init__(self, settings: PrinterSettings, connection):
        super().__init__(settings, connection)
        self.job = bytearray()

    def _send(self, chunk: bytes, _timeout: float) -> None:  # a job in memory: nothing to wait for
        self.job += chunk

    def query(self, n: int, _timeout: float) -> int | None:  # CUPS answers at once: no wait
        if n != cmd.STATUS_PRINTER:
            return None
        try:
            state = self.escpos.getPrinters().get(self.settings.cups_printer, {}).get("printer-state")
        except Exception as exc:  # pycups raises its own IPPError/RuntimeError types
            raise PrinterError(f"CUPS: {exc}", reason="unreachable") from exc
        return 0x1A if not state or state in (4, 5) else 0x12

    def end_job(self) -> None:
        if not self.job:
            return
        import tempfile

        import cups

        try:
            with tempfile.NamedTemporaryFile(prefix="photoqueue-", suffix=".bin") as f:
                f.write(self.job)
                f.flush()
                self.escpos.printFile(self.settings.cups_printer, f.name, "photoqueue ticket",
                                      {"document-format": cups.CUPS_FORMAT_RAW})
        except Exception as exc:
            raise PrinterError(f"CUPS did not take the job: {exc}", reason="connection_lost") from exc
        finally:
            self.job.clear()

    def close(self) -> None:
        self.job.clear()


class ByteSink:
    """What a dummy printer was sent (``output``, as python-escpos's Dummy names it)."""

    def __init__(self):
        self._chunks: list[bytes] = []

    @property
    def output(self) -> bytes:
        return b"".join(self._chunks)

    def write(self, data: bytes) -> None:
        self._chunks.append(bytes(data))

    def close(self) -> None:
        pass


class DummyLink(Link):
    """No printer: keeps every byte sent in ``escpos.output``."""

    persistent = True

    def __init__(self, settings: PrinterSettings):
        super().__init__(settings, ByteSink())

    def _send(self, chunk: bytes, _timeout: float) -> None:  # the emulator takes it at once
        self.escpos.write(chunk)


def open_link(settings: PrinterSettings, *, port: int | None = None) -> Link:
    """Open the connection ``settings`` describe (``port`` overrides the port, for the virtual printer)."""
    kind = settings.kind
    common = {"profile": settings.profile or None}
    from escpos.exceptions import DeviceNotFoundError

    try:
        if kind == "dummy":
            return DummyLink(settings)
        if kind in ("network", "virtual"):
            from escpos.printer import Network

            host = settings.host if kind == "network" else "127.0.0.1"
            printer = Network(host, port or settings.port, timeout=settings.timeout_s, **common)
            printer.open()
            # status queries are 3-byte writes: without this, Nagle and delayed ACKs add ~40 ms to each
            printer.device.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            return NetworkLink(settings, printer)
        if kind == "serial":
            _need("serial", "pip install pyserial (or apt-get install python3-serial)")
            from escpos.printer import Serial

            printer = Serial(settings.serial_device, settings.baudrate, timeout=settings.timeout_s,
                             dsrdtr=settings.flow_control == "dsrdtr",
                             xonxoff=settings.flow_control == "xonxoff", **common)
            printer.open()
            printer.device.rtscts = settings.flow_control == "rtscts"
            return SerialLink(settings, printer)
        if kind == "usb":
            _need("usb", "pip install pyusb (and apt-get install libusb-1.0-0)")
            from escpos.printer import Usb

            printer = Usb(settings.vendor_id, settings.product_id, timeout=int(settings.timeout_s * 1000),
                          in_ep=settings.usb_in_ep, out_ep=settings.usb_out_ep, **common)
            printer.open()
            return UsbLink(settings, printer)
        if kind == "file":
            return FileLink(settings)
        if kind == "cups":
            _need("cups", "apt-get install python3-cups (or pip install pycups)")
            import cups

            try:
                connection = cups.Connection()
            except RuntimeError as exc:
                raise PrinterError(f"CUPS is not running: {exc}", reason="unreachable") from exc
            if settings.cups_printer not in connection.getPrinters():
                raise PrinterError(f"CUPS has no printer {settings.cups_printer!r}", reason="unreachable")
            return CupsLink(settings, connection)
    except DeviceNotFoundError as exc:
        raise PrinterError(f"printer not found: {exc}".replace("\n", " "), reason="unreachable") from exc
    raise PrinterError(f"unknown printer kind {kind!r}", reason="config_error")
