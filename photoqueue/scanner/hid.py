"""A USB HID barcode scanner as a second input, read from its evdev device.

The scanner types the code as key presses and ends it with Enter. Reading the input device (not a
focused window) means no desktop, no focus and no console login are involved; grabbing it keeps the
keystrokes out of everything else. :class:`KeyDecoder` (pure) turns key events into lines, with Shift
and Caps Lock handled for a US layout, the one barcode scanners default to. python-evdev is imported
only when a device is opened (Linux only, not a dependency of the package).
"""

from __future__ import annotations

import string
import time

from photoqueue.scanner.reads import ScanEvent

EV_KEY = 1
KEY_UP, KEY_DOWN, KEY_HOLD = 0, 1, 2
SHIFTS = {42, 54}  # KEY_LEFTSHIFT, KEY_RIGHTSHIFT
CAPSLOCK = 58
ENTERS = {28, 96}  # KEY_ENTER, KEY_KPENTER
BACKSPACE = 14
MAX_LINE = 4096  # a stuck key must not grow a line forever

# Linux key code: (character, with shift), US layout.
KEYMAP: dict[int, tuple[str, str]] = {}
for _code, _keys in ((2, "1234567890"), (16, "qwertyuiop"), (30, "asdfghjkl"), (44, "zxcvbnm")):
    for _i, _ch in enumerate(_keys):
        KEYMAP[_code + _i] = (_ch, _ch.upper() if _ch in string.ascii_lowercase else ")!@#$%^&*("[int(_ch)])
KEYMAP.update({
    12: ("-", "_"), 13: ("=", "+"), 15: ("\t", "\t"), 26: ("[", "{"), 27: ("]", "}"), 39: (";", ":"),
    40: ("'", '"'), 41: ("`", "~"), 43: ("\\", "|"), 51: (",", "<"), 52: (".", ">"), 53: ("/", "?"),
    57: (" ", " "), 55: ("*", "*"), 74: ("-", "-"), 78: ("+", "+"), 83: (".", "."), 98: ("/", "/"),
    71: ("7", "7"), 72: ("8", "8"), 73: ("9", "9"), 75: ("4", "4"), 76: ("5", "5"), 77: ("6", "6"),
    79: ("1", "1"), 80: ("2", "2"), 81: ("3", "3"), 82: ("0", "0"),
})


class KeyDecoder:
    """Key events in, finished lines out. Feed (type, code, value) triples as evdev reports them."""

    def __init__(self) -> None:
        self._shift: set[int] = set()
        self._caps = False
        self._chars: list[str] = []

    def feed(self, type_: int, code: int, value: int) -> str | None:
        """The line ended by this event (without its Enter), or None."""
        if type_ != EV_KEY:
            return None
        if code in SHIFTS:
            (self._shift.add if value != KEY_UP else self._shift.discard)(code)
            return None
        if value != KEY_DOWN:
            return None  # releases, and auto-repeat (a scanner never holds a key)
        if code == CAPSLOCK:
            self._caps = not self._caps
        elif code in ENTERS:
            line, self._chars = "".join(self._chars), []
            return line or None
        elif code == BACKSPACE:
            if self._chars:
                self._chars.pop()
        elif code in KEYMAP and len(self._chars) < MAX_LINE:
            plain, shifted = KEYMAP[code]
            upper = bool(self._shift)
            if plain.isalpha() and self._caps:
                upper = not upper
            self._chars.append(shifted if upper else plain)
        return None


class HidScanner:
    """Reads lines from a HID barcode scanner's input device and gives :class:`ScanEvent` objects.

    ``device`` is a path (opened with python-evdev) or an object with ``read_loop()`` yielding events
    that have ``type``, ``code`` and ``value`` (python-evdev's InputDevice, or a test's fake).
    """

    def __init__(self, device, *, grab: bool = True, clock=time.time, source: str = "hid"):
        self._device_spec = device
        self.grab = grab
        self._clock = clock
        self.source = source
        self.device = None

    def open(self) -> None:
        spec = self._device_spec
        if isinstance(spec, str):
            try:
                import evdev
            except ImportError as exc:
                from photoqueue.scanner.sources import CameraError

                raise CameraError("python-evdev is not installed (apt install python3-evdev)") from exc
            spec = evdev.InputDevice(spec)
        if self.grab and hasattr(spec, "grab"):
            spec.grab()
        self.device = spec

    def events(self):
        """ScanEvents as lines arrive (blocks; ends when the device goes away)."""
        if self.device is None:
            self.open()
        decoder = KeyDecoder()
        for event in self.device.read_loop():
            line = decoder.feed(event.type, event.code, event.value)
            if line:
                yield ScanEvent(line, self.source, self._clock())

    def close(self) -> None:
        device, self.device = self.device, None
        if device is not None:
            if self.grab and hasattr(device, "ungrab"):
                try:
                    device.ungrab()
                except OSError:
                    pass
            if hasattr(device, "close"):
                device.close()
