"""The printer's settings: one flat dataclass with a default and a help line for every field.

The station's config file carries a ``[printer]`` table with these keys. Each field declares its own
constraints (:func:`photoqueue.settings.setting`); :func:`photoqueue.settings.problems` returns every
problem at once, :meth:`PrinterSettings.validate` only the rules that join fields. docs/printer.md
documents each setting, and a test checks that it does.
"""

from __future__ import annotations

from dataclasses import dataclass

from photoqueue.hints import did_you_mean
from photoqueue.settings import setting

KINDS = ("dummy", "usb", "serial", "network", "file", "cups", "virtual")
MODES = ("image", "text")
CUTS = ("auto", "full", "partial", "none")
STATUS_QUERIES = ("auto", "require", "off")
FLOW_CONTROLS = ("none", "rtscts", "dsrdtr", "xonxoff")
PAPER_DOTS = {58: 384, 80: 576}
BAUDRATES = (9600, 19200, 38400, 57600, 115200, 230400)
IMAGE_JOB_BYTES = 50_000  # a large image-mode ticket (80 mm, reprint, long class name), compact off


def _profile_problem(name: str) -> str | None:
    if name and not profile_exists(name):
        return f"python-escpos has no profile {name!r}{did_you_mean(name, profile_names())}"
    return None


def _whole_bytes(dots: int) -> str | None:
    return None if dots % 8 == 0 else f"must be a multiple of 8, got {dots}"


USB_ID = {"min": 0, "max": 0xFFFF}


def _url_problem(url: str) -> str | None:
    if not url or (url.startswith(("http://", "https://")) and all(33 <= ord(c) < 127 for c in url)
                   and len(url) <= 200):
        return None
    return f"{url!r} is not an http:// or https:// address of plain characters (at most 200)"


@dataclass
class PrinterSettings:
    """Where the ticket printer is and how to talk to it. The defaults print nowhere (kind 'dummy')."""

    kind: str = setting("dummy", "Connection: dummy (keeps bytes in memory), usb, serial, network, file, cups, "
                        "or virtual (an in-process virtual printer that saves PNGs)", choices=KINDS)
    vendor_id: int = setting(0, "USB vendor id, e.g. 0x0416 (kind usb)", **USB_ID)
    product_id: int = setting(0, "USB product id, e.g. 0x5011 (kind usb)", **USB_ID)
    usb_in_ep: int = setting(0x82, "USB bulk IN endpoint the printer answers status on (kind usb)", **USB_ID)
    usb_out_ep: int = setting(0x01, "USB bulk OUT endpoint print data goes to (kind usb)", **USB_ID)
    serial_device: str = setting("/dev/ttyUSB0", "Serial port, e.g. /dev/ttyUSB0 or /dev/serial0 (kind serial)")
    baudrate: int = setting(115200, "Serial speed; must match the printer's DIP switches (kind serial)",
                            choices=BAUDRATES)
    flow_control: str = setting("none", "Serial flow control: none, rtscts, dsrdtr or xonxoff (kind serial)",
                                choices=FLOW_CONTROLS)
    host: str = setting("", "Host name or IP address of a network printer (kind network)")
    port: int = setting(9100, "TCP port of a network printer (kind network; a virtual printer takes any free port)",
                        min=0, max=65535)
    device: str = setting("/dev/usb/lp0", "Device file of a USB printer driven by the kernel's usblp (kind file)")
    cups_printer: str = setting("", "CUPS queue name, a raw queue; empty: the default queue (kind cups)")
    profile: str = setting("default", "python-escpos printer profile (e.g. TM-T20II, POS-5890); decides cutter "
                           "and width", check=_profile_problem)
    paper_width: int = setting(80, "Paper width in mm: 58 (384 dots) or 80 (576 dots)", choices=tuple(PAPER_DOTS))
    print_width_dots: int = setting(0, "Printable width in dots; 0: from paper_width, capped by the profile",
                                    min=0, max=832, check=_whole_bytes)
    mode: str = setting("image", "image: the ticket as a raster (any printer); text: the printer's own GB18030 "
                        "font", choices=MODES)
    compact: bool = setting(True, "Image mode: send blank rows as paper feeds and trim bands (fewer bytes, "
                            "same paper)")
    cut: str = setting("auto", "auto (as the profile can), full, partial, or none (feed only, tear off)",
                       choices=CUTS)
    feed_lines: int = setting(4, "Lines fed after a ticket when not cutting, to clear the tear bar", min=0, max=255)
    timeout_s: float = setting(3.0, "Seconds to wait to connect, for one write to progress, or for a status reply",
                               min=0.05, max=120)
    job_timeout_s: float = setting(20.0, "Most seconds one ticket may take end to end before it counts as failed",
                                   min=0.1, max=600)
    status_query: str = setting("auto", "Ask the printer's status (DLE EOT) around each ticket: auto (when it "
                                "answers), require (no answer = not printed), off", choices=STATUS_QUERIES)
    font_path: str = setting("", "A TTF/TTC/OTF font with Chinese glyphs; empty: WenQuanYi Micro Hei or another "
                             "CJK font found on the system")
    out_dir: str = setting("", "Where the virtual printer saves ticket PNGs; empty: keep them in memory only "
                           "(kind virtual)")
    status_url: str = setting("", "The public /status page's address as a phone reaches it, e.g. "
                              "http://10.0.0.5/status: each ticket gets a QR code opening it on the student's room "
                              "and number, and the short address; empty: no QR code", check=_url_problem)

    @property
    def width_dots(self) -> int:
        """Dots across the printable width: the paper's, unless set or the profile has fewer."""
        if self.print_width_dots:
            return self.print_width_dots
        dots = PAPER_DOTS.get(self.paper_width, 576)
        profile_dots = profile_pixels(self.profile)
        return min(dots, profile_dots) if profile_dots else dots

    def validate(self) -> list[str]:
        """The rules that join fields: what each kind of connection needs (each field's own constraints
        are declared on it and checked by :func:`photoqueue.settings.problems`)."""
        p: list[str] = []
        if self.kind == "usb" and not (self.vendor_id and self.product_id):
            p.append("vendor_id, product_id: a usb printer needs both (see `lsusb`)")
        if self.kind == "serial":
            if not self.serial_device:
                p.append("serial_device: a serial printer needs its port, e.g. /dev/ttyUSB0")
            seconds = IMAGE_JOB_BYTES * 10 / self.baudrate if self.baudrate in BAUDRATES else 0
            if self.mode == "image" and seconds > self.job_timeout_s:
                p.append(f"mode: an image ticket takes about {seconds:.0f} s at {self.baudrate} baud, over "
                         "job_timeout_s; use mode 'text', a faster baudrate, or a longer job_timeout_s")
        if self.kind == "network":
            if not self.host:
                p.append("host: a network printer needs its address")
            if self.port == 0:
                p.append("port: a network printer needs a port (usually 9100)")
        if self.kind == "file" and not self.device:
            p.append("device: a file printer needs a device path such as /dev/usb/lp0")
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
