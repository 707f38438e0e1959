"""The printer's settings: one flat dataclass with a default and a help line for every field.

The station's config file carries a ``[printer]`` table with these keys. :meth:`PrinterSettings.validate`
returns every problem at once (an empty list when all is well). docs/printer.md documents each setting,
and a test checks that it does.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

from photoqueue.hints import did_you_mean

KINDS = ("dummy", "usb", "serial", "network", "file", "cups", "virtual")
MODES = ("image", "text")
CUTS = ("auto", "full", "partial", "none")
STATUS_QUERIES = ("auto", "require", "off")
FLOW_CONTROLS = ("none", "rtscts", "dsrdtr", "xonxoff")
PAPER_DOTS = {58: 384, 80: 576}
BAUDRATES = (9600, 19200, 38400, 57600, 115200, 230400)
IMAGE_JOB_BYTES = 50_000  # a large image-mode ticket (80 mm, reprint, long class name), compact off


def _help(text: str, default):
    return field(default=default, metadata={"help": text})


@dataclass
class PrinterSettings:
    """Where the ticket printer is and how to talk to it. The defaults print nowhere (kind 'dummy')."""

    kind: str = _help("Connection: dummy (keeps bytes in memory), usb, serial, network, file, cups, "
                      "or virtual (an in-process virtual printer that saves PNGs)", "dummy")
    vendor_id: int = _help("USB vendor id, e.g. 0x0416 (kind usb)", 0)
    product_id: int = _help("USB product id, e.g. 0x5011 (kind usb)", 0)
    usb_in_ep: int = _help("USB bulk IN endpoint the printer answers status on (kind usb)", 0x82)
    usb_out_ep: int = _help("USB bulk OUT endpoint print data goes to (kind usb)", 0x01)
    serial_device: str = _help("Serial port, e.g. /dev/ttyUSB0 or /dev/serial0 (kind serial)", "/dev/ttyUSB0")
    baudrate: int = _help("Serial speed; must match the printer's DIP switches (kind serial)", 115200)
    flow_control: str = _help("Serial flow control: none, rtscts, dsrdtr or xonxoff (kind serial)", "none")
    host: str = _help("Host name or IP address of a network printer (kind network)", "")
    port: int = _help("TCP port of a network printer (kind network; a virtual printer takes any free port)", 9100)
    device: str = _help("Device file of a USB printer driven by the kernel's usblp (kind file)", "/dev/usb/lp0")
    cups_printer: str = _help("CUPS queue name, a raw queue; empty: the default queue (kind cups)", "")
    profile: str = _help("python-escpos printer profile (e.g. TM-T20II, POS-5890); decides cutter and width",
                         "default")
    paper_width: int = _help("Paper width in mm: 58 (384 dots) or 80 (576 dots)", 80)
    print_width_dots: int = _help("Printable width in dots; 0: from paper_width, capped by the profile", 0)
    mode: str = _help("image: the ticket as a raster (any printer); text: the printer's own GB18030 font",
                      "image")
    compact: bool = _help("Image mode: send blank rows as paper feeds and trim bands (fewer bytes, "
                          "same paper)", True)
    cut: str = _help("auto (as the profile can), full, partial, or none (feed only, tear off)", "auto")
    feed_lines: int = _help("Lines fed after a ticket when not cutting, to clear the tear bar", 4)
    timeout_s: float = _help("Seconds to wait to connect, for one write to progress, or for a status reply", 3.0)
    job_timeout_s: float = _help("Most seconds one ticket may take end to end before it counts as failed", 20.0)
    status_query: str = _help("Ask the printer's status (DLE EOT) around each ticket: auto (when it "
                              "answers), require (no answer = not printed), off", "auto")
    font_path: str = _help("A TTF/TTC/OTF font with Chinese glyphs; empty: WenQuanYi Micro Hei or another "
                           "CJK font found on the system", "")
    out_dir: str = _help("Where the virtual printer saves ticket PNGs; empty: keep them in memory only "
                         "(kind virtual)", "")

    @classmethod
    def from_dict(cls, data: dict) -> tuple[PrinterSettings, list[str]]:
        """Settings from a config table, and the problems with unknown keys (with a 'did you mean')."""
        names = [f.name for f in dataclasses.fields(cls)]
        problems = []
        known = {}
        for key, value in data.items():
            if key in names:
                if key in ("vendor_id", "product_id", "usb_in_ep", "usb_out_ep") and isinstance(value, str):
                    try:
                        value = int(value, 0)
                    except ValueError:
                        problems.append(f"{key}: expected a number such as 0x0416, got {value!r}")
                        continue
                known[key] = value
            else:
                problems.append(f"unknown printer setting {key!r}{did_you_mean(key, names)}")
        return cls(**known), problems

    @property
    def width_dots(self) -> int:
        """Dots across the printable width: the paper's, unless set or the profile has fewer."""
        if self.print_width_dots:
            return self.print_width_dots
        dots = PAPER_DOTS.get(self.paper_width, 576)
        profile_dots = profile_pixels(self.profile)
        return min(dots, profile_dots) if profile_dots else dots

    def validate(self) -> list[str]:
        """Every problem with these settings, one string each; empty when they are usable."""
        p: list[str] = []

        def choice(name: str, allowed: tuple) -> None:
            value = getattr(self, name)
            if value not in allowed:
                p.append(f"{name}: must be one of {', '.join(map(str, allowed))}, got {value!r}"
                         f"{did_you_mean(value, allowed)}")

        def number(name: str, low: float, high: float, kind: type = int) -> None:
            value = getattr(self, name)
            ok_type = isinstance(value, kind) if kind is int else isinstance(value, int | float)
            if isinstance(value, bool) or not ok_type or not low <= value <= high:
                p.append(f"{name}: must be a{'n int' if kind is int else ' number'} from {low} to {high}, "
                         f"got {value!r}")

        choice("kind", KINDS)
        choice("mode", MODES)
        choice("cut", CUTS)
        choice("status_query", STATUS_QUERIES)
        choice("flow_control", FLOW_CONTROLS)
        choice("paper_width", tuple(PAPER_DOTS))
        for name in ("vendor_id", "product_id", "usb_in_ep", "usb_out_ep"):
            number(name, 0, 0xFFFF)
        number("port", 0, 65535)
        number("print_width_dots", 0, 832)
        number("feed_lines", 0, 255)
        number("timeout_s", 0.05, 120, float)
        number("job_timeout_s", 0.1, 600, float)
        if isinstance(self.print_width_dots, int) and self.print_width_dots % 8:
            p.append(f"print_width_dots: must be a multiple of 8, got {self.print_width_dots}")
        if not isinstance(self.compact, bool):
            p.append(f"compact: must be true or false, got {self.compact!r}")
        for name in ("serial_device", "host", "device", "cups_printer", "profile", "font_path", "out_dir"):
            if not isinstance(getattr(self, name), str):
                p.append(f"{name}: must be a string, got {getattr(self, name)!r}")
        if self.kind == "usb" and not (self.vendor_id and self.product_id):
            p.append("vendor_id, product_id: a usb printer needs both (see `lsusb`)")
        if self.kind == "serial":
            if not self.serial_device:
                p.append("serial_device: a serial printer needs its port, e.g. /dev/ttyUSB0")
            if self.baudrate not in BAUDRATES:
                p.append(f"baudrate: must be one of {', '.join(map(str, BAUDRATES))}, got {self.baudrate!r}")
            elif self.mode == "image" and isinstance(self.job_timeout_s, int | float) and (
                IMAGE_JOB_BYTES * 10 / self.baudrate > self.job_timeout_s
            ):
                p.append(f"mode: an image ticket takes about {IMAGE_JOB_BYTES * 10 / self.baudrate:.0f} s at "
                         f"{self.baudrate} baud, over job_timeout_s; use mode 'text', a faster baudrate, "
                         "or a longer job_timeout_s")
        if self.kind == "network":
            if not self.host:
                p.append("host: a network printer needs its address")
            if self.port == 0:
                p.append("port: a network printer needs a port (usually 9100)")
        if self.kind == "file" and not self.device:
            p.append("device: a file printer needs a device path such as /dev/usb/lp0")
        if isinstance(self.profile, str) and self.profile and not profile_exists(self.profile):
            p.append(f"profile: python-escpos has no profile {self.profile!r}"
                     f"{did_you_mean(self.profile, profile_names())}")
        return p


def profile_names() -> list[str]:
    from escpos.capabilities import CAPABILITIES  # python-escpos loads its printer database on import

    return sorted(CAPABILITIES["profiles"])


def profile_exists(name: str) -> bool:
    return name in profile_names()


def _profile_data(name: str) -> dict:
    from escpos.capabilities import CAPABILITIES

    return CAPABILITIES["profiles"].get(name or "default", {})


def profile_pixels(name: str) -> int:
    """The profile's printable width in dots, or 0 when it does not say."""
    pixels = _profile_data(name).get("media", {}).get("width", {}).get("pixels")
    return pixels if isinstance(pixels, int) else 0


def profile_cut(name: str) -> str:
    """'partial', 'full' or 'none': the cut the profile's printer can make, partial preferred."""
    features = _profile_data(name).get("features", {})
    if features.get("paperPartCut"):
        return "partial"
    if features.get("paperFullCut"):
        return "full"
    return "none"
