"""A serial printer, on a pseudo-terminal: this test plays the printer at the other end."""

import os
import select
import threading
import tty

import pytest

from photoqueue.printer import PrinterSettings, TicketPrinter
from photoqueue.printer.emulator import EscPosEmulator, SimState

pytestmark = pytest.mark.pi  # also on the Pi's Python (make test-pi): its libraries are apt's older ones


class PtyPrinter:
    """Reads the pty's master side into an emulator and writes its status replies back."""

    def __init__(self, state=None):
        self.master, self.slave = os.openpty()
        self.name = os.ttyname(self.slave)
        self.tickets = []
        self.emulator = EscPosEmulator(576, state=state, on_ticket=lambda image, _how: self.tickets.append(image))
        self.paused = False  # a printer that stops reading (buffer full, offline)
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self):
        # polls, so that close() can stop it before the fds are closed (and their numbers reused)
        while not self.stopped.is_set():
            if self.paused or not select.select([self.master], [], [], 0.05)[0]:
                self.stopped.wait(0.01)
                continue
            try:
                data = os.read(self.master, 65536)
            except OSError:
                return
            reply = self.emulator.feed(data)
            if reply:
                os.write(self.master, reply)

    def close(self):
        self.stopped.set()
        self.thread.join(5)
        for fd in (self.master, self.slave):
            os.close(fd)


@pytest.fixture
def pty_printer():
    printers = []

    def make(**kw):
        printers.append(PtyPrinter(**kw))
        return printers[-1]

    yield make
    for p in printers:
        p.close()


def serial(name, timeout_s=3.0, **extra):
    return TicketPrinter(PrinterSettings(kind="serial", serial_device=name, timeout_s=timeout_s, job_timeout_s=5,
                                         **extra))


@pytest.mark.parametrize("mode", ["image", "text"])
def test_serial_printer_prints_with_status_around_the_job(pty_printer, ticket, mode):
    printer_end = pty_printer()
    with serial(printer_end.name, mode=mode) as printer:
        outcome = printer.print_ticket(ticket)
        assert outcome.ok, outcome
        assert printer.print_ticket(ticket).ok  # the port stays open between tickets
    cmds = printer_end.emulator.commands
    assert cmds[:3] == ["DLE EOT 1", "DLE EOT 4", "ESC @"] and cmds[-2:] == ["DLE EOT 1", "DLE EOT 4"]
    assert len(printer_end.tickets) == 2


def test_serial_printer_out_of_paper(pty_printer, ticket):
    printer_end = pty_printer(state=SimState(paper="out"))
    with serial(printer_end.name) as printer:
        outcome = printer.print_ticket(ticket)
    assert not outcome.ok and outcome.reason_code == "paper_out" and outcome.bytes_sent == 0


def test_serial_printer_that_stops_reading_times_out(pty_printer, ticket):
    printer_end = pty_printer(state=SimState())
    with serial(printer_end.name, timeout_s=0.5, status_query="off") as printer:
        printer_end.paused = True  # the pty's buffer fills and writes block
        outcome = printer.print_ticket(ticket)
    assert not outcome.ok and outcome.reason_code in ("timeout", "connection_lost")


def test_serial_port_that_does_not_exist(ticket):
    outcome = serial("/dev/ttyUSB-not-here").print_ticket(ticket)
    assert not outcome.ok and outcome.reason_code == "unreachable"


def test_device_file_printer_reads_status_from_a_character_device(pty_printer, ticket):
    """kind 'file' on a character device (here a raw pty standing in for /dev/usb/lp0) asks status too."""
    printer_end = pty_printer(state=SimState(paper="near_end"))
    tty.setraw(printer_end.slave)  # a usblp device has no line discipline; a pty must be made raw
    settings = PrinterSettings(kind="file", device=printer_end.name, timeout_s=3)
    with TicketPrinter(settings) as printer:
        outcome = printer.print_ticket(ticket)
        assert outcome.ok and outcome.reason_code == "printed_paper_low", outcome
        printer_end.emulator.state.paper = "out"
        assert printer.print_ticket(ticket).reason_code == "paper_out"
    assert len(printer_end.tickets) == 1
    assert printer_end.emulator.commands[:2] == ["DLE EOT 1", "DLE EOT 4"]
