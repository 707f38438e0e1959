"""The virtual printer decodes what it receives back into the same image, and answers status."""

import socket

import numpy as np
import pytest
from escpos.printer import Dummy

from photoqueue.printer import PrinterSettings, TicketPrinter, encode_ticket
from photoqueue.printer.emulator import EscPosEmulator, SimState
from photoqueue.printer.layout import render_ticket
from photoqueue.printer.virtual import VirtualPrinter

from .conftest import make_ticket

pytestmark = pytest.mark.pi  # also on the Pi's Python (make test-pi): its libraries are apt's older ones


def dots(image):
    return np.asarray(image.convert("L")) < 128


def assert_same_image(printed, rendered):
    p, r = dots(printed), dots(rendered)
    assert p.shape[1] == r.shape[1] and p.shape[0] >= r.shape[0]
    assert (p[: r.shape[0]] == r).all()  # pixel-equal
    assert not p[r.shape[0] :].any()  # then only the blank feed before the cut


def decode(data: bytes, width=576, chunk=None):
    tickets = []
    emu = EscPosEmulator(width, on_ticket=lambda image, how: tickets.append((image, how)))
    if chunk:
        for i in range(0, len(data), chunk):
            emu.feed(data[i : i + chunk])
    else:
        emu.feed(data)
    emu.finish()
    return tickets, emu


@pytest.mark.parametrize("paper,width", [(58, 384), (80, 576)])
@pytest.mark.parametrize("compact", [True, False])
@pytest.mark.parametrize("reprint", [False, True])
def test_dummy_bytes_decode_to_the_same_image(paper, width, compact, reprint):
    ticket = make_ticket(reprint=reprint)
    printer = TicketPrinter(PrinterSettings(kind="dummy", paper_width=paper, compact=compact))
    assert printer.print_ticket(ticket).ok
    tickets, _ = decode(printer.escpos.output, width)
    assert len(tickets) == 1 and tickets[0][1] == "partial"
    assert_same_image(tickets[0][0], render_ticket(ticket, width))


def test_decoding_does_not_depend_on_how_the_bytes_are_split(ticket):
    data = encode_ticket(ticket, PrinterSettings()).data + encode_ticket(ticket, PrinterSettings(mode="text")).data
    whole, _ = decode(data)
    for chunk in (1, 7, 1000):
        split, _ = decode(data, chunk=chunk)
        assert len(split) == 2
        assert all((dots(a[0]) == dots(b[0])).all() for a, b in zip(whole, split, strict=True))


def test_python_escpos_graphics_and_column_images_decode(ticket):
    image = render_ticket(ticket, 576).crop((0, 0, 576, 240))
    for impl in ("graphics", "bitImageColumn"):
        peer = Dummy()
        peer.image(image, impl=impl)
        peer.cut()
        tickets, emu = decode(peer.output)
        assert len(tickets) == 1, impl
        if impl == "graphics":
            assert_same_image(tickets[0][0], image)
        else:  # column mode prints 24-dot lines; the picture is all there, row spacing aside
            assert dots(tickets[0][0]).sum() == dots(image).sum()


def test_text_mode_prints_chinese_and_the_number(ticket):
    tickets, emu = decode(encode_ticket(ticket, PrinterSettings(mode="text")).data)
    assert len(tickets) == 1
    assert "FS &" in emu.commands and "GS ! 119" in emu.commands
    assert dots(tickets[0][0]).sum() > 5000


def test_skips_commands_it_does_not_draw_by_their_length():
    data = (b"\x1b@\x1dk\x04123\x00\x1dk\x49\x03abc\x1d(k\x03\x001A2\x1bp\x00\x19\xfa\x10\x14\x01\x00\x05"
            b"\x1b-\x01\x1bt\x10Caf\xe9\n\x1dV\x41\x10")
    tickets, emu = decode(data)
    assert len(tickets) == 1 and tickets[0][1] == "full"
    assert not [c for c in emu.commands if "unknown" in c]
    assert emu.commands[-2:] == ["LF", "GS V 65"]


@pytest.mark.parametrize("state,replies", [
    (SimState(), b"\x12\x12\x12\x12"),
    (SimState(paper="near_end"), b"\x12\x12\x12\x1e"),
    (SimState(paper="out"), b"\x1a\x32\x12\x7e"),  # both paper sensors see no paper
    (SimState(online=False), b"\x1a\x12\x12\x12"),
    (SimState(cover_open=True), b"\x1a\x16\x12\x12"),
])
def test_status_replies_are_what_an_epson_printer_sends(state, replies):
    emu = EscPosEmulator(state=state)
    assert emu.feed(b"\x10\x04\x01\x10\x04\x02\x10\x04\x03\x10\x04\x04") == replies


def test_server_saves_each_ticket_as_png_split_at_cuts(tmp_path, ticket):
    with VirtualPrinter(out_dir=str(tmp_path)) as vp:
        with socket.create_connection(("127.0.0.1", vp.port)) as s:
            s.sendall(b"\x10\x04\x01")
            assert s.recv(1) == b"\x12"
            s.sendall(encode_ticket(ticket).data + encode_ticket(make_ticket(number=128)).data)
        assert vp.wait_for_tickets(2)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ticket-0001.png", "ticket-0002.png"]
    assert_same_image(vp.tickets[0].image, render_ticket(ticket, 576))


def test_printing_without_a_cut_is_saved_when_the_connection_ends(tmp_path):
    with VirtualPrinter(out_dir=str(tmp_path)) as vp:
        with socket.create_connection(("127.0.0.1", vp.port)) as s:
            s.sendall(b"\x1b@hello\n")
        assert vp.wait_for_tickets(1)
    assert vp.tickets[0].how == "uncut" and (tmp_path / "ticket-0001-uncut.png").exists()


def test_virtual_kind_prints_to_an_in_process_printer(tmp_path, ticket):
    with TicketPrinter(PrinterSettings(kind="virtual", port=0, out_dir=str(tmp_path), paper_width=58)) as printer:
        outcome = printer.print_ticket(ticket)
        assert outcome.ok, outcome
        vp = printer.virtual_printer
        assert vp.wait_for_tickets(1)
        assert_same_image(vp.tickets[0].image, render_ticket(ticket, 384))
    assert (tmp_path / "ticket-0001.png").exists()


@pytest.mark.parametrize("paper,expected", [("ok", 2), ("near_end", 1), ("out", 0)])
def test_python_escpos_reads_the_virtual_printers_status(paper, expected):
    from escpos.printer import Network

    with VirtualPrinter() as vp:
        vp.set_state(paper=paper)
        peer = Network("127.0.0.1", vp.port, timeout=5)
        peer.open()
        try:
            assert peer.paper_status() == expected
            assert peer.is_online() == (paper != "out")
        finally:
            peer.close()
