"""The USB HID barcode scanner: key events to lines, read from a (fake) evdev device."""

import threading
import types

import pytest

from photoqueue.scanner.hid import EV_KEY, KEYMAP, HidScanner, KeyDecoder
from photoqueue.scanner.reads import ScanEvent, ScannerAlert
from photoqueue.scanner.scanner import run_hid
from photoqueue.scanner.settings import ScannerSettings

pytestmark = pytest.mark.pi  # also on the Pi's Python (make test-pi): its libraries are apt's older ones

SHIFT = 42
CODE_OF = {}
for code, (plain, shifted) in KEYMAP.items():
    CODE_OF.setdefault(plain, (code, False))
    CODE_OF.setdefault(shifted, (code, True))


def key_events(text, enter=28):
    """The events a scanner sends to type ``text`` and Enter (press/release, shift around capitals)."""
    out = []
    for ch in text:
        code, shift = CODE_OF[ch]
        if shift:
            out.append((EV_KEY, SHIFT, 1))
        out += [(EV_KEY, code, 1), (0, 0, 0), (EV_KEY, code, 0)]
        if shift:
            out.append((EV_KEY, SHIFT, 0))
    out += [(4, 4, 458792), (EV_KEY, enter, 1), (EV_KEY, enter, 0)]  # MSC_SCAN noise as real devices send
    return out


def decode(events):
    d = KeyDecoder()
    return [line for e in events if (line := d.feed(*e))]


def test_token_with_mixed_case_digits_and_url_safe_symbols():
    token = "aZ09-_xQ+/=.:?&%~!@#$^*()[]{};'\",<>`|\\ end"
    assert decode(key_events(token)) == [token]


def test_two_lines_and_keypad_enter():
    assert decode(key_events("ABC") + key_events("def", enter=96)) == ["ABC", "def"]


def test_caps_lock_inverts_letters_only_and_autorepeat_is_ignored():
    events = [(EV_KEY, 58, 1), (EV_KEY, 58, 0)] + key_events("ab1")
    events.insert(3, (EV_KEY, 30, 2))  # auto-repeat of 'a'
    assert decode(events) == ["AB1"]


def test_backspace_and_empty_lines():
    events = key_events("") + [(EV_KEY, 30, 1), (EV_KEY, 14, 1)] + key_events("x")
    assert decode(events) == ["x"]


class FakeDevice:
    """python-evdev's InputDevice as the adapter uses it: grab, read_loop, ungrab, close."""

    def __init__(self, events):
        self.events = events
        self.grabbed = False
        self.closed = False

    def grab(self):
        self.grabbed = True

    def ungrab(self):
        self.grabbed = False

    def read_loop(self):
        for t, c, v in self.events:
            yield types.SimpleNamespace(type=t, code=c, value=v)

    def close(self):
        self.closed = True


def test_hid_scanner_reads_events_into_scan_events():
    dev = FakeDevice(key_events("CODE-1") + key_events("CODE-2"))
    hid = HidScanner(dev, clock=lambda: 5.0)
    hid.open()
    assert dev.grabbed
    assert list(hid.events()) == [ScanEvent("CODE-1", "hid", 5.0), ScanEvent("CODE-2", "hid", 5.0)]
    hid.close()
    assert dev.closed and not dev.grabbed


def test_hid_loop_reports_a_missing_device_and_retries_with_backoff():
    opened = []
    slept = []
    stop = threading.Event()

    def open_scanner():
        opened.append(1)
        if len(opened) < 4:
            raise OSError("No such file or directory: '/dev/input/by-id/scanner'")
        if len(opened) == 5:
            stop.set()
        return HidScanner(FakeDevice(key_events("X1")), clock=lambda: 1.0)

    out = []
    run_hid(open_scanner, out.append, stop, ScannerSettings(backoff_initial_s=1.0, backoff_max_s=3.0),
            sleep=slept.append)
    alerts = [e.code for e in out if isinstance(e, ScannerAlert)]
    assert alerts[:2] == ["hid_unavailable", "hid_recovered"]
    assert slept[:3] == [1.0, 2.0, 3.0]
    assert [e.text for e in out if isinstance(e, ScanEvent)] == ["X1", "X1"]
