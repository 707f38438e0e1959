"""The ticket says where to follow the queue (issue 23, item 9): with `[printer] status_url` set, a QR code and the
short address of /status opening on the student's room and number; "前面还有 N 人"; 校验 no longer printed (nothing
a student or staff can check it against)."""

from urllib.parse import parse_qs, urlsplit

import numpy as np
import pytest
import zxingcpp

from photoqueue.printer.encode import encode_ticket
from photoqueue.printer.layout import render_ticket
from photoqueue.printer.printer import TicketPrinter
from photoqueue.printer.settings import PrinterSettings
from photoqueue.printer.ticket import format_queue, status_link
from photoqueue.settings import problems

from .conftest import make_ticket

pytestmark = pytest.mark.pi  # also on the Pi's Python (make test-pi): its libraries are apt's older ones

BASE = "http://10.0.0.5/status"


def codes(image) -> list[str]:
    return [r.text for r in zxingcpp.read_barcodes(np.array(image.convert("L")))]


def test_the_qr_code_opens_status_on_the_students_room_and_number():
    for width in (384, 576):
        ticket = make_ticket(number=17, status_url=status_link(BASE, "第一组", 17))
        (text,) = codes(render_ticket(ticket, width))
        url = urlsplit(text)
        assert f"{url.scheme}://{url.netloc}{url.path}" == BASE
        assert parse_qs(url.query) == {"room": ["第一组"], "n": ["17"]}
    assert codes(render_ticket(make_ticket(), 384)) == []  # no status_url: no QR code


def test_the_printer_adds_the_link_from_its_setting_in_image_and_text_mode():
    settings = PrinterSettings(kind="dummy", status_url=BASE, paper_width=58)
    printer = TicketPrinter(settings)
    assert printer.print_ticket(make_ticket(number=42, room="第二组")).ok
    text_mode = encode_ticket(make_ticket(number=42, room="第二组"), PrinterSettings(mode="text", status_url=BASE)).data
    link = status_link(BASE, "第二组", 42).encode()
    assert b"\x1d(k" in text_mode and link in text_mode  # the printer's own QR command, with the link
    assert "10.0.0.5/status".encode("gb18030") in text_mode and "选「第二组」".encode("gb18030") in text_mode
    assert problems(PrinterSettings(status_url="ftp://x")) and not problems(PrinterSettings(status_url=BASE))


def test_the_queue_line_says_how_many_are_ahead_and_no_check_code_is_printed():
    assert format_queue(make_ticket(position=12, wait_minutes=None)) == "前面还有 12 人"
    data = encode_ticket(make_ticket(check_code="7F3A"), PrinterSettings(mode="text")).data
    assert "校验".encode("gb18030") not in data and b"7F3A" not in data
