"""A printer offline, out of paper or gone mid-job: an outcome that says so, no exception, no hang."""

import socket
import threading
import time

import pytest

from photoqueue.printer import PrinterSettings, TicketPrinter
from photoqueue.printer.virtual import VirtualPrinter

from .conftest import make_ticket

pytestmark = pytest.mark.pi  # also on the Pi's Python (make test-pi): its libraries are apt's older ones

# generous bound for "returned, did not hang": a status timeout of 0.5 s, a job at most 3 s
BOUND_S = 15


def network(port, timeout_s=3.0, **extra):
    """Answers are expected in time even on a loaded CI machine; hang tests pass a short timeout."""
    return TicketPrinter(PrinterSettings(kind="network", host="127.0.0.1", port=port, timeout_s=timeout_s,
                                         job_timeout_s=3, **extra))


@pytest.fixture
def vp():
    with VirtualPrinter() as printer:
        yield printer


def test_ready_printer_prints(vp, ticket):
    outcome = network(vp.port).print_ticket(ticket)
    assert outcome.ok and outcome.reason_code == "printed" and outcome.message_zh == "已打印"
    assert vp.wait_for_tickets(1)


@pytest.mark.parametrize("state,reason", [
    ({"paper": "out"}, "paper_out"),
    ({"online": False}, "offline"),
    ({"cover_open": True}, "cover_open"),
    ({"error": True}, "printer_error"),
])
def test_printer_that_cannot_print_gets_nothing_and_says_why(vp, ticket, state, reason):
    vp.set_state(**state)
    printer = network(vp.port)
    outcome = printer.print_ticket(ticket)
    assert not outcome.ok and outcome.reason_code == reason and outcome.bytes_sent == 0
    assert outcome.message_zh and outcome.message_en
    assert printer.last_status is not None and not printer.last_status.ready
    assert not [c for c in vp.commands if c.startswith("GS v")]  # no ticket data was sent
    vp.set_state(paper="ok", online=True, cover_open=False, error=False)
    assert printer.probe().reason_code == "ready"
    assert printer.print_ticket(make_ticket(reprint=True)).ok  # back: the station reprints
    assert vp.wait_for_tickets(1) and len(vp.tickets) == 1


def test_paper_running_low_still_prints_and_warns(vp, ticket):
    vp.set_state(paper="near_end")
    outcome = network(vp.port).print_ticket(ticket)
    assert outcome.ok and outcome.reason_code == "printed_paper_low" and outcome.paper_near_end


def test_paper_running_out_mid_job_is_not_printed(vp, ticket):
    vp.paper_out_after_bytes = 5000
    outcome = network(vp.port).print_ticket(ticket)
    assert not outcome.ok and outcome.reason_code == "paper_out"
    assert "incomplete" in outcome.detail


def test_virtual_printer_dropping_the_connection_mid_job(vp, ticket):
    vp.close_after_bytes = 3000
    outcome = network(vp.port).print_ticket(ticket)
    assert not outcome.ok and outcome.reason_code in ("connection_lost", "no_status")


def test_network_printer_that_goes_away_mid_job(ticket):
    """A real socket, closed by this test after reading part of the job."""
    server = socket.create_server(("127.0.0.1", 0))
    port = server.getsockname()[1]
    got = bytearray()

    def printer_that_dies():
        conn, _ = server.accept()
        with conn:
            for _ in range(2):  # answer DLE EOT 1 and 4 like a healthy printer
                got.extend(conn.recv(3))
                conn.sendall(b"\x12")
            while len(got) < 2000:
                got.extend(conn.recv(2000))
        server.close()  # gone: the connection and the listener

    thread = threading.Thread(target=printer_that_dies, daemon=True)
    thread.start()
    start = time.monotonic()
    outcome = network(port).print_ticket(ticket)
    assert time.monotonic() - start < BOUND_S
    assert not outcome.ok and outcome.reason_code in ("connection_lost", "no_status")
    thread.join(5)
    again = network(port).print_ticket(ticket)  # nobody listening any more
    assert not again.ok and again.reason_code == "unreachable"


def test_unreachable_network_printer(ticket):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # a port nobody listens on
    outcome = network(port).print_ticket(ticket)
    assert not outcome.ok and outcome.reason_code == "unreachable"
    assert "打印机" in outcome.message_zh


def test_hung_printer_after_answering_before(vp, ticket):
    printer = network(vp.port)
    assert printer.print_ticket(ticket).ok
    vp.hang = True
    printer.settings.timeout_s = 0.5
    start = time.monotonic()
    outcome = printer.print_ticket(ticket)
    assert time.monotonic() - start < BOUND_S
    assert not outcome.ok and outcome.reason_code in ("no_status", "timeout")


def test_require_status_refuses_a_printer_that_never_answers(vp, ticket):
    vp.hang = True
    outcome = network(vp.port, timeout_s=0.5, status_query="require").print_ticket(ticket)
    assert not outcome.ok and outcome.reason_code in ("no_status", "timeout")


def test_status_off_sends_no_queries(vp, ticket):
    assert network(vp.port, status_query="off").print_ticket(ticket).ok
    assert vp.wait_for_tickets(1)
    assert not [c for c in vp.commands if c.startswith("DLE EOT")]


def test_status_queries_surround_the_job(vp, ticket):
    assert network(vp.port).print_ticket(ticket).ok
    vp.wait_for_tickets(1)
    cmds = vp.commands
    assert cmds[:2] == ["DLE EOT 1", "DLE EOT 4"] and cmds[-2:] == ["DLE EOT 1", "DLE EOT 4"]


def test_file_printer_appends_to_a_file(tmp_path, ticket):
    path = tmp_path / "lp0"
    printer = TicketPrinter(PrinterSettings(kind="file", device=str(path), mode="text"))
    assert printer.print_ticket(ticket).ok and printer.print_ticket(ticket).ok
    assert path.read_bytes().count(b"\x1b@") == 2


def test_unplugged_device_file(ticket):
    outcome = TicketPrinter(PrinterSettings(kind="file", device="/dev/usb/lp7-not-here")).print_ticket(ticket)
    assert not outcome.ok and outcome.reason_code == "unreachable"


@pytest.mark.parametrize("settings", [
    PrinterSettings(kind="usb", vendor_id=0x0416, product_id=0x5011),
    PrinterSettings(kind="serial", serial_device="/dev/ttyNOTHERE"),
    PrinterSettings(kind="cups", cups_printer="no-such-queue"),
])
def test_missing_hardware_or_driver_is_an_outcome(settings, ticket):
    outcome = TicketPrinter(settings).print_ticket(ticket)
    assert not outcome.ok and outcome.reason_code in ("driver_missing", "unreachable")


def test_bad_settings_are_an_outcome_not_an_exception(ticket):
    outcome = TicketPrinter(PrinterSettings(kind="netwrok")).print_ticket(ticket)
    assert not outcome.ok and outcome.reason_code == "config_error" and "network" in outcome.detail
