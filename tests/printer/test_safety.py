"""Nothing from a scanned code or a timetable reaches the printer as a command."""

import pytest

from photoqueue.printer import PrinterError, PrinterSettings, TicketPrinter, encode_ticket, visible_text
from photoqueue.printer.emulator import EscPosEmulator
from photoqueue.printer.layout import render_ticket

from .conftest import make_ticket

pytestmark = pytest.mark.pi  # also on the Pi's Python (make test-pi): its libraries are apt's older ones

# ESC @ (reset), GS V 0 (cut), DLE DC4 (pulse), GS ( k (QR), ESC p (drawer kick), then a marker
INJECTED = "\x1b@\x1dV\x00\x10\x14\x01\x00\x05\x1d(k\x03\x001A\x1bp\x00\x19\xfaINJECTED"


def test_visible_text_escapes_control_and_format_characters():
    assert visible_text("A\x1bB\x1dC\x10D", 64) == "A\\x1bB\\x1dC\\x10D"
    assert visible_text("x\u202ey\u200bz\x7f\x85", 64) == "x\\u202ey\\u200bz\\x7f\\x85"
    assert visible_text("班级\n二", 64) == "班级\\x0a二"
    assert visible_text("很" * 100, 10) == "很" * 9 + "…"


@pytest.mark.parametrize("mode", ["image", "text"])
@pytest.mark.parametrize("field", ["class_name", "room", "location", "check_code"])
def test_injected_sequence_never_reaches_the_printer(mode, field):
    ticket = make_ticket(**{field: INJECTED})
    clean = make_ticket(**{field: "plain"})
    printer = TicketPrinter(PrinterSettings(kind="dummy", mode=mode))
    assert printer.print_ticket(ticket).ok
    sent = printer.escpos.output
    assert INJECTED.encode("latin-1", "replace") not in sent
    for seq in (b"\x1b@\x1dV", b"\x1dV\x00\x10", b"\x10\x14\x01", b"\x1d(k", b"\x1bp\x00"):
        assert seq not in sent[2:-6]  # not anywhere between our own ESC @ and our own cut
    # decoded as a printer would: the same kinds of commands as a ticket with plain text, in the same order
    kinds = []
    for data in (sent, encode_ticket(clean, PrinterSettings(mode=mode)).data):
        emu = EscPosEmulator()
        emu.feed(data)
        kinds.append([c.split(" ")[0] + " " + c.split(" ")[1] if " " in c else c for c in emu.commands])
    if mode == "text":
        # the same commands apart from text and line feeds (a longer value wraps to more lines)
        assert [k for k in kinds[0] if k not in ("text", "LF")] == [k for k in kinds[1] if k not in ("text", "LF")]
    else:
        assert {k for k in kinds[0]} <= {"ESC @", "GS v", "ESC J", "ESC d", "GS V"}


def test_text_mode_payload_has_no_control_bytes_but_ours():
    data = encode_ticket(make_ticket(class_name=INJECTED), PrinterSettings(mode="text")).data
    emu = EscPosEmulator()
    emu.feed(data)
    assert not [c for c in emu.commands if "unknown" in c or c.startswith("0x")]
    assert "GS V 0" not in emu.commands[:-1] and emu.commands.count("ESC @") == 1


def test_injected_text_is_printed_visibly():
    image = render_ticket(make_ticket(class_name="ab\x1bcd"), 576)
    assert image.size[0] == 576  # rendered, with the escape drawn as text (checked by eye in the PNGs)
    assert make_ticket(class_name="ab\x1bcd").printable().class_name == "ab\\x1bcd"


@pytest.mark.parametrize("changes", [
    {"number": -1}, {"number": 10**6}, {"number": "12"}, {"number": True},
    {"position": -3}, {"wait_minutes": float("nan")}, {"wait_minutes": -1}, {"issued_at": "today"},
])
def test_a_ticket_that_cannot_be_printed_honestly_is_refused(changes):
    ticket = make_ticket(**changes)
    with pytest.raises(PrinterError):
        ticket.printable()
    outcome = TicketPrinter(PrinterSettings(kind="dummy")).print_ticket(ticket)
    assert not outcome.ok and outcome.reason_code == "bad_ticket"
