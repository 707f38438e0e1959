"""The bytes sent for a ticket are exactly the expected ESC/POS commands."""

import pytest
from escpos.printer import Dummy

from photoqueue.printer import PrinterSettings, TicketPrinter, encode_ticket
from photoqueue.printer.layout import render_ticket

from .conftest import make_ticket

pytestmark = pytest.mark.pi  # also on the Pi's Python (make test-pi): its libraries are apt's older ones


def pack_row(image, y):
    """One raster row packed by hand (independent of the encoder): MSB first, 1 = black."""
    out = bytearray()
    for x0 in range(0, image.width, 8):
        byte = 0
        for bit in range(8):
            x = x0 + bit
            if x < image.width and image.getpixel((x, y)) == 0:
                byte |= 0x80 >> bit
        out.append(byte)
    return bytes(out)


def expected_plain(image, cut=b"\x1bd\x06\x1dV\x01"):
    """ESC @, GS v 0 bands of 960 rows (python-escpos's fragment height), feed 6 lines, partial cut."""
    out = b"\x1b@"
    wb = image.width // 8
    for top in range(0, image.height, 960):
        rows = range(top, min(top + 960, image.height))
        out += b"\x1dv0\x00" + bytes((wb, 0)) + len(rows).to_bytes(2, "little")
        out += b"".join(pack_row(image, y) for y in rows)
    return out + cut


def expected_compact(image, min_blank=12, band=256):
    """The compact encoding spelled out row by row: long blank runs as ESC J, bands trimmed on the right."""
    rows = [pack_row(image, y) for y in range(image.height)]
    blank = [not any(r) for r in rows]
    out = b"\x1b@"
    y = 0
    while y < len(rows):
        run = 0
        while y + run < len(rows) and blank[y + run]:
            run += 1
        if run >= min_blank:
            left = run
            while left:
                out += b"\x1bJ" + bytes((min(255, left),))
                left -= min(255, left)
            y += run
            continue
        end = y
        while end < len(rows) and end - y < band:
            run = 0
            while end + run < len(rows) and blank[end + run] and run < min_blank:
                run += 1
            if run >= min_blank:
                break
            end += 1
        width = max((max(i for i, b in enumerate(r) if b) + 1 for r in rows[y:end] if any(r)), default=1)
        out += b"\x1dv0\x00" + width.to_bytes(2, "little") + (end - y).to_bytes(2, "little")
        out += b"".join(r[:width] for r in rows[y:end])
        y = end
    return out + b"\x1bd\x06\x1dV\x01"


@pytest.mark.parametrize("paper", [58, 80])
@pytest.mark.parametrize("reprint", [False, True])
def test_dummy_gets_exactly_the_plain_raster_commands(paper, reprint):
    ticket = make_ticket(reprint=reprint)
    printer = TicketPrinter(PrinterSettings(kind="dummy", paper_width=paper, compact=False))
    outcome = printer.print_ticket(ticket)
    assert outcome.ok and outcome.reason_code == "printed"
    image = render_ticket(ticket, 384 if paper == 58 else 576)
    assert printer.escpos.output == expected_plain(image)
    assert outcome.bytes_sent == len(printer.escpos.output)


@pytest.mark.parametrize("paper", [58, 80])
def test_dummy_gets_exactly_the_compact_raster_commands(paper, ticket):
    printer = TicketPrinter(PrinterSettings(kind="dummy", paper_width=paper))
    assert printer.print_ticket(ticket).ok
    image = render_ticket(ticket, 384 if paper == 58 else 576)
    assert printer.escpos.output == expected_compact(image)
    assert len(printer.escpos.output) < len(expected_plain(image))


def test_plain_raster_equals_python_escpos_image_path(ticket):
    """Our GS v 0 bytes are python-escpos's own image() bytes for the same picture."""
    image = render_ticket(ticket, 576)
    peer = Dummy()
    peer.image(image)  # bitImageRaster, high density, one fragment (the ticket is under 960 rows)
    ours = encode_ticket(ticket, PrinterSettings(compact=False)).data
    assert ours == b"\x1b@" + peer.output + b"\x1bd\x06\x1dV\x01"


@pytest.mark.parametrize("cut,profile,tail", [
    ("auto", "default", b"\x1bd\x06\x1dV\x01"),
    ("full", "default", b"\x1bd\x06\x1dV\x00"),
    ("auto", "POS-5890", b"\x1bd\x04"),  # a 58 mm printer without a cutter: feed to tear off
    ("none", "default", b"\x1bd\x04"),
])
def test_cut_where_the_printer_can_feed_otherwise(ticket, cut, profile, tail):
    data = encode_ticket(ticket, PrinterSettings(cut=cut, profile=profile, paper_width=58)).data
    assert data.endswith(tail)


def test_profile_narrower_than_paper_caps_the_width():
    s = PrinterSettings(profile="TM-T88V", paper_width=80)
    assert s.width_dots == 512
    data = encode_ticket(make_ticket(), PrinterSettings(profile="TM-T88V", compact=False)).data
    assert data[2:8] == b"\x1dv0\x00" + (64).to_bytes(2, "little")


def test_text_mode_bytes(ticket):
    data = encode_ticket(ticket, PrinterSettings(mode="text", paper_width=58)).data
    assert data.startswith(b"\x1b@\x1c&")  # init, Chinese mode
    assert ticket.class_name[:10].encode("gb18030") in data
    assert "请按顺序排队，".encode("gb18030") in data
    assert b"\x1d!\x77127\n" in data  # the number at 8x8, the largest a printer has
    assert data.endswith(b"\x1c.\x1bd\x06\x1dV\x01")  # Chinese mode off, feed, cut
    assert len(data) < 600


def test_text_mode_replaces_what_a_resident_font_cannot_show():
    data = encode_ticket(make_ticket(class_name="班😀级"), PrinterSettings(mode="text")).data
    assert "班?级".encode("gbk") in data


def test_text_mode_lines_fit_the_paper():
    from photoqueue.printer.textmode import columns, wrap_columns

    for text in ("22计算机科学与技术(第二学士学位）", "行政附楼1号会议室·A" * 5, "A" * 100):
        for width in (32, 48):
            lines = wrap_columns(text, width)
            assert "".join(lines) == text and all(columns(line) <= width for line in lines)
    assert columns("班·A") == 5  # '·' is a two-byte GBK character: two columns on the printer
