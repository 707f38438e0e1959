"""Status bytes as an Epson-compatible printer sends them, read back into a PrinterStatus."""

import pytest

from photoqueue.printer.connection import _status_byte
from photoqueue.printer.status import parse_status, status_bytes

pytestmark = pytest.mark.pi  # also on the Pi's Python (make test-pi): its libraries are apt's older ones


@pytest.mark.parametrize("state,ready,problem,paper", [
    ({}, True, None, "ok"),
    ({"paper": "near_end"}, True, None, "near_end"),
    ({"paper": "out"}, False, "paper_out", "out"),
    ({"online": False}, False, "offline", "ok"),
    ({"cover_open": True}, False, "cover_open", "ok"),
    ({"error": True}, False, "printer_error", "ok"),
])
def test_round_trip(state, ready, problem, paper):
    status = parse_status(status_bytes(**state))
    assert status.ready == ready and status.problem == problem and status.paper == paper


def test_partial_answers():
    assert parse_status({}).ready and parse_status({}).paper == "unknown"
    only_online = parse_status({1: 0x12})
    assert only_online.online is True and only_online.paper == "unknown"


def test_bytes_that_are_not_status_replies_are_ignored():
    assert _status_byte(b"") is None
    assert _status_byte(b"\x00\xff") is None  # fixed bits wrong
    assert _status_byte(b"abc\x12") == 0x12
    assert _status_byte(b"\x1a\x12") == 0x12  # the latest reply wins
