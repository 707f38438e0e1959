"""``photoqueue diagnose``: each part of a photo room checked live, as a checklist in Chinese and English.

As pibooth's diagnostic does for its booth: camera frames arriving (and the code shown to it, if any),
the printer's status (paper, cover, online) and a test ticket on request, the screen's mode and size,
each GPIO button pressed within its time, the clock synchronised and the session date, the deployment
key, the centre reachable with the station's token accepted, disk space, and today's timetable.

Every check returns a :class:`Check`, never raises: a part that fails is named with its fix. The live
parts are passed in through :class:`Probes` (a replay camera, gpiozero's MockFactory, a clock state), so
tests drive the real code. The station runs the quick checks (``QUICK``) at start: their failures become
the station's unhealthy parts (health.json, the dashboard) and the checklist is on the hall screen until
the first scan.
"""

from __future__ import annotations

import datetime as dt
import logging
import shutil
import subprocess
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from photoqueue.device.station.checklist import FAIL, OK, SCREEN_MARK, SKIP, TITLES, WARN, Check

log = logging.getLogger(__name__)

MIN_FREE_BYTES = 200 * 1024 * 1024  # a day's station.db is a few MB; logs and the journal share the disk
QUICK = ("clock", "key", "disk", "timetable")  # no hardware, no waiting: run at every start
ALL = ("camera", "printer", "display", "buttons", "clock", "key", "central", "disk", "timetable", "numbering")

def ntp_synchronised() -> bool | None:
    """systemd-timesyncd's view (timedatectl); None where it cannot tell (no systemd)."""
    try:
        out = subprocess.run(["timedatectl", "show", "-p", "NTPSynchronized", "--value"], capture_output=True,
                             text=True, timeout=5)
    except (OSError, subprocess.SubprocessError):
        return None
    value = out.stdout.strip()
    return {"yes": True, "no": False}.get(value)


@dataclass
class Probes:
    """The live parts diagnose talks to; tests pass fakes that behave like the hardware."""
    camera_source: Any = None  # a scanner source; None: the one [camera] names
    pin_factory: Any = None  # a gpiozero pin factory; None: the one [buttons] names
    press_wait_s: float = 10.0
    camera_seconds: float = 3.0
    test_ticket: bool = False
    ntp: Callable[[], bool | None] = ntp_synchronised
    now: Callable[[], dt.datetime] = dt.datetime.now
    live_station: bool = True  # look at the running station (its date confirmed?); not from the station itself
    say: Callable[[str], None] = field(default=lambda _text: None)  # prompts for the person at the Pi


def run_checks(config, probes: Probes | None = None, parts: tuple[str, ...] = ALL) -> list[Check]:
    probes = probes or Probes()
    checks = []
    for part in parts:
        try:
            checks.append(CHECKS[part](config, probes))
        except Exception as exc:  # a check must never take diagnose (or the station's start) down, nor print a
            # traceback: one line, with the part's fix (the traceback only at log level debug)
            log.debug("diagnose: the %s check failed", part, exc_info=True)
            checks.append(Check(part, FAIL, f"{type(exc).__name__}: {exc}", *PART_FIX.get(part, GENERIC_FIX)))
    return checks


def checklist(checks: list[Check]) -> str:
    failed = sum(c.status == FAIL for c in checks)
    head = "自检 / self-check: " + ("全部正常 / all ready" if not failed else f"{failed} 项未就绪 / {failed} not ready")
    return "\n".join([head, *(c.line for c in checks)])


def summary_line(checks: list[Check], ready: str = "就绪，请扫码") -> str:
    """One line for the hall screen's alert band: 自检 相机✓ 时钟✗ ... (the failures' fixes follow, else ``ready``)."""
    marks = " ".join(f"{TITLES[c.part][0]}{SCREEN_MARK[c.status]}" for c in checks if c.status != SKIP)
    fixes = "；".join(c.fix_zh for c in checks if c.status == FAIL and c.fix_zh)
    return f"开机自检 {marks} — " + (fixes or ready)


def start_checks(config, now: Callable[[], dt.datetime], station) -> list[Check]:
    """The quick checks at the station's start: failures become unhealthy parts, the line goes on screen."""
    checks = run_checks(config, Probes(now=now, live_station=False), QUICK)
    station.part_faults.update(faults(checks))
    date_check = getattr(station, "date_check", None)
    waiting = date_check is not None and not date_check.confirmed  # no number before the press: not "scan"
    station.show_self_check(summary_line(checks, "就绪，请摄影师按键确认日期" if waiting else "就绪，请扫码"))
    for c in checks:
        log.log(logging.WARNING if c.status == FAIL else logging.INFO, "self-check: %s", c.line.replace("\n", " "))
    return checks


def faults(checks: list[Check]) -> dict[str, str]:
    """part -> what is wrong and its fix, for the station's health."""
    return {c.part: f"{c.detail} ({c.fix_en})" if c.fix_en else c.detail for c in checks if c.status == FAIL}


def as_json(checks: list[Check]) -> list[dict]:
    return [asdict(c) for c in checks]


# --- the checks ---------------------------------------------------------------------------------------


def check_clock(config, probes: Probes) -> Check:
    from photoqueue.device.errors import StationError
    from photoqueue.device.station.day import session_date

    class _Clock:
        now = staticmethod(probes.now)

    try:
        date = session_date(config, _Clock)
    except StationError as exc:
        return Check("clock", FAIL, str(exc), "核对系统时间或配置中的日期", "set the clock, or [station] date")
    synced = probes.ntp()
    now = probes.now().strftime("%Y-%m-%d %H:%M")
    if date != probes.now().date().isoformat():
        return Check("clock", FAIL, f"the clock says {now}, the session is {date}",
                     "校准系统时间，或核对配置中的日期",
                     "set the clock (sudo timedatectl set-time ...), or fix [station] date")
    if synced is False:
        return Check("clock", FAIL, f"{now}, not synchronised (NTP); session {date}",
                     "接入网络或手动校时 (sudo date -s ...)",
                     "connect the network, or set it: sudo timedatectl set-time 'YYYY-MM-DD HH:MM'")
    state = "synchronised" if synced else "NTP state unknown"
    note, waiting = date_note(config, probes)
    return Check("clock", OK if synced and not waiting else WARN, f"{now}, {state}; session {date}; {note}")


def date_note(config, probes: Probes) -> tuple[str, bool]:
    """Who confirms the session's date (device/station/date_confirm.py), and whether a running station waits for it."""
    station = config.station
    if station.date:
        return "date from [station] date", False
    if not station.confirm_date:
        return "[station] confirm_date = false: the clock's date is trusted", False
    if probes.live_station:
        from photoqueue.device.station.date_confirm import BY, live_status

        run = live_status(station.data_dir, station.room)
        if run is not None and run["confirmed_by"]:
            return f"the running station's date {run['date']} confirmed by {BY.get(run['confirmed_by'])}", False
        if run is not None:
            return (f"the running station's date {run['date']} is NOT confirmed: no numbers until the photographer "
                    f"presses the button or staff run `photoqueue queue ... confirm-date {run['date']}`"), True
    return ("the date is confirmed before the first number: by the centre, the photographer's button or "
            "`photoqueue queue ... confirm-date`"), False


def check_key(config, _probes: Probes) -> Check:  # the CHECKS signature; needs no probe
    """The key the service will use, found as it finds it (device/store/keyfile.py): the systemd credential (the
    installed unit's file when run by hand), then [station] key_file, then the data dir's own file."""
    from photoqueue.device.errors import StationError
    from photoqueue.device.store.keyfile import resolve_key

    try:
        source = resolve_key(config.station)
    except StationError as exc:  # the service refuses with this same message
        return Check("key", FAIL, str(exc), "放入当天的部署密钥（十六进制文本）",
                     "put the day's key (hex text) there: install-pi.sh --key FILE, or `photoqueue central show-key`")
    if source.origin == "none" and config.central.url:
        return Check("key", OK, f"none yet: the centre hands its key over at the first hello, kept in {source.path}")
    if source.origin == "none":
        return Check("key", WARN, f"none yet: the station will make {source.path} at start; no centre, so the "
                                  "duplicate check across rooms holds only if every room is given this key",
                     "所有考场须用同一密钥", "every room must use the same key: copy one to all")
    local = "" if config.central.url else "; no centre: the duplicate check across rooms is local only"
    return Check("key", OK, f"{source.describe()} ({len(source.key)} bytes){local}")


def check_disk(config, _probes: Probes) -> Check:  # the CHECKS signature; needs no probe
    where = Path(config.station.data_dir)
    while not where.exists() and where != where.parent:
        where = where.parent
    free = shutil.disk_usage(where).free
    detail = f"{free / 2**30:.1f} GiB free in {where}"
    if free < MIN_FREE_BYTES:
        return Check("disk", FAIL, detail, "清理存储卡空间", "free space on the SD card (old logs: journalctl --vacuum-size=50M)")
    return Check("disk", OK, detail)


def check_timetable(config, probes: Probes) -> Check:
    from photoqueue.device.station.day import load_room_day, session_date

    class _Clock:
        now = staticmethod(probes.now)

    room = config.station.room
    if not config.station.timetable:
        if config.central.url:
            return Check("timetable", OK, "from the centre at start (cached for offline)")
        return Check("timetable", WARN, "none: tickets carry no class")
    try:
        date = session_date(config, _Clock)
        day = load_room_day(config, date)
    except Exception as exc:  # a TimetableError or StationError, named with its file
        return Check("timetable", FAIL, str(exc), "检查时间表文件", "fix the timetable (photoqueue timetable check FILE)")
    classes = getattr(day, "classes", []) or []
    if not classes:
        return Check("timetable", FAIL, f"no class for {room} on {date}",
                     "核对考场名称与日期", "check [station] room and date against the timetable")
    expected = sum(getattr(c, "headcount", 0) or 0 for c in classes)
    return Check("timetable", OK, f"{len(classes)} classes, {expected} students for {room} on {date}")


def check_central(config, _probes: Probes) -> Check:  # the CHECKS signature; needs no probe
    from photoqueue.device.station.config import read_token

    central = config.central
    if not central.url:
        return Check("central", SKIP, "no [central] url: this station runs offline")
    import httpx

    try:
        token = read_token(central)
    except Exception as exc:
        return Check("central", FAIL, str(exc), "检查令牌文件", "check [central] token_file")
    if token is None:
        return Check("central", FAIL, "no token", "用 photoqueue central add-station 生成令牌",
                     "make one with `photoqueue central add-station --room ROOM` and put it in the token file")
    try:
        with httpx.Client(base_url=central.url, timeout=central.timeout_s) as http:
            health = http.get("/healthz")
            health.raise_for_status()
            # an empty batch: authenticated like every batch, changes nothing
            answer = http.post("/api/v1/events", json={"events": []},
                               headers={"authorization": f"Bearer {token}"})
    except httpx.HTTPError as exc:
        return Check("central", FAIL, f"{central.url} unreachable ({type(exc).__name__}: {exc})",
                     "检查网络与中心服务地址", "check the network and [central] url")
    if answer.status_code == 401:
        return Check("central", FAIL, f"{central.url} refused the token", "重新生成令牌",
                     "the token is unknown or revoked: make a new one with `photoqueue central add-station`")
    from photoqueue.device.sync.clock_check import zone_mismatch

    zone = health.json().get("time_zone") if "json" in health.headers.get("content-type", "") else None
    mismatch = zone_mismatch(zone)
    if mismatch:  # the centre is fine; the station's times (tickets, screen) are not the deployment's
        return Check("central", WARN, f"{central.url} reachable, token accepted; {mismatch}")
    return Check("central", OK, f"{central.url} reachable, token accepted"
                 + (f"; time zone {zone} as the deployment's" if zone else ""))


def check_camera(config, probes: Probes) -> Check:
    from photoqueue.scanner.pipeline import make_pipeline
    from photoqueue.scanner.sources import make_source

    source = probes.camera_source or make_source(config.camera)
    if source is None:
        return Check("camera", SKIP, "no camera configured ([camera] source = \"none\")")
    fix = ("检查相机排线，运行 rpicam-hello --list-cameras",
           "check the camera cable and `rpicam-hello --list-cameras`; [camera] source and device")
    frames, codes = 0, []
    decoder = make_pipeline(config.camera.decoder, config.camera.retry_budget_ms)
    try:
        source.open()
        deadline = time.monotonic() + probes.camera_seconds
        while time.monotonic() < deadline:
            gray = source.read()
            if gray is None:
                break
            frames += 1
            codes = codes or decoder.decode(gray).texts
    except Exception as exc:  # CameraError, or whatever a camera library raised
        return Check("camera", FAIL, f"{getattr(source, 'name', 'camera')}: {exc}", *fix)
    finally:
        try:
            source.close()
        except Exception as exc:
            log.debug("camera close: %s", exc)
    if frames == 0:
        return Check("camera", FAIL, "opened, but no frame arrived", *fix)
    seen = f"; code read: {codes[0][:40]!r}" if codes else "; no code shown"
    return Check("camera", OK, f"{frames} frames in {probes.camera_seconds:g} s{seen}")


PRINTER_FIX = {"paper_out": ("装入热敏纸", "load paper"), "cover_open": ("合上打印机盖", "close the cover"),
               "offline": ("检查打印机电源", "check the printer's power and cable")}


def check_printer(config, probes: Probes) -> Check:
    from photoqueue.printer.printer import TicketPrinter
    from photoqueue.printer.ticket import Ticket

    with TicketPrinter(config.printer) as printer:
        outcome = printer.probe()
        if outcome.ok and probes.test_ticket:
            outcome = printer.print_ticket(Ticket(room=config.station.room, number=0, class_name="打印测试 test",
                                                  issued_at=probes.now()))
    if not outcome.ok:
        zh, en = PRINTER_FIX.get(outcome.reason_code, ("检查打印机连接与 [printer] 设置", "check the cable and [printer]"))
        return Check("printer", FAIL, f"{outcome.message_zh} / {outcome.message_en}", zh, en)
    extra = ", test ticket printed" if probes.test_ticket else ""
    near = ", paper near its end" if outcome.paper_near_end else ""
    return Check("printer", WARN if near else OK, f"ready ({config.printer.kind}){near}{extra}")


def check_display(config, _probes: Probes) -> Check:  # the CHECKS signature; needs no probe
    if not config.station.screen:
        return Check("display", SKIP, "[station] screen = false")
    import os

    if config.display.video_driver and not os.environ.get("SDL_VIDEODRIVER"):
        os.environ["SDL_VIDEODRIVER"] = config.display.video_driver
    from photoqueue.display._pygame import pygame

    try:
        pygame.display.init()
        info = pygame.display.Info()
        driver = pygame.display.get_driver()
        size = f"{info.current_w}x{info.current_h}" if info.current_w > 0 else "size unknown"
    except pygame.error as exc:
        return Check("display", FAIL, f"no screen: {exc}", "检查 HDMI 连接",
                     "check the HDMI cable; the service uses SDL_VIDEODRIVER=kmsdrm and groups video/render")
    finally:
        pygame.display.quit()
    wanted = config.display.size
    return Check("display", OK, f"{driver}, {size}" + (f" (config asks {wanted[0]}x{wanted[1]})" if wanted else ""))


BUTTONS_BENCH_FIX = ("on a Pi: python3-lgpio installed and the service user in group gpio; a bench without GPIO: "
                     "[buttons] pin_factory = \"mock\", or the keyboard ([buttons] keyboard = true)")


def check_buttons(config, probes: Probes) -> Check:
    from photoqueue.device.station.buttons import OPTIONAL_BUTTONS, make_pin_factory

    b = config.buttons
    wired = {name: getattr(b, f"{name}_pin") for name in ("advance", *OPTIONAL_BUTTONS) if getattr(b, f"{name}_pin") >= 0}
    if not wired:
        return Check("buttons", SKIP, "no GPIO button wired ([buttons] *_pin = -1)")
    from gpiozero import Button

    try:
        factory = probes.pin_factory or make_pin_factory(b.pin_factory)
    except Exception as exc:  # ImportError (no lgpio), OSError (no /dev/gpiochip*), gpiozero's own errors
        return Check("buttons", FAIL, f"no GPIO here ([buttons] pin_factory = {b.pin_factory!r}: "
                                      f"{type(exc).__name__}: {exc})",
                     "树莓派上：安装 python3-lgpio 并把服务用户加入 gpio 组；无 GPIO 的试验台：设 pin_factory = \"mock\" 或用键盘",
                     BUTTONS_BENCH_FIX)
    missed = []
    for name, pin in wired.items():
        seen = threading.Event()
        try:
            button = Button(pin, pull_up=b.pull_up, pin_factory=factory)
        except Exception as exc:  # a pin in use or not on this board
            return Check("buttons", FAIL, f"{name} (GPIO {pin}): {type(exc).__name__}: {exc}",
                         "检查 [buttons] 引脚编号（BCM）是否被占用", "check [buttons] pins (BCM numbers, each used once); "
                         "stop the running station first (sudo systemctl stop photoqueue-station)")
        try:
            button.when_pressed = lambda *_, seen=seen: seen.set()
            probes.say(f"按下「{name}」按钮 / press the {name} button (GPIO {pin}) within {probes.press_wait_s:g} s")
            if not seen.wait(probes.press_wait_s):
                missed.append(f"{name} (GPIO {pin})")
        finally:
            button.close()
    if missed:
        return Check("buttons", FAIL, f"no press seen: {', '.join(missed)}", "检查按钮接线（GPIO 与 GND）",
                     "check the wiring: the button joins its GPIO pin and GND; [buttons] pins are BCM numbers")
    return Check("buttons", OK, f"each pressed: {', '.join(f'{n} (GPIO {p})' for n, p in wired.items())}")


# Each part's fix when its check fails in a way it did not name itself (one line, never a traceback).
PART_FIX = {
    "camera": ("检查相机排线与 [camera] 设置", "check the camera cable, `rpicam-hello --list-cameras`, and [camera]"),
    "printer": ("检查打印机连接与 [printer] 设置", "check the printer's cable and power, and [printer] kind/connection"),
    "display": ("检查 HDMI 连接与 [display] 设置", "check the HDMI cable and [display]; or [station] screen = false"),
    "buttons": ("检查按钮接线；无 GPIO 的试验台设 pin_factory = \"mock\" 或用键盘", BUTTONS_BENCH_FIX),
    "clock": ("核对系统时间与 [station] date", "set the clock (sudo timedatectl set-time ...), or [station] date"),
    "key": ("放入当天的部署密钥", "put the day's key in /etc/photoqueue/deployment.key (install-pi.sh --key FILE)"),
    "central": ("检查网络、中心地址与令牌", "check the network, [central] url and token_file"),
    "disk": ("检查数据目录", "check [station] data_dir: it must exist or be creatable"),
    "timetable": ("检查时间表文件", "fix the timetable (photoqueue timetable check FILE)"),
    "numbering": ("按提示处理后再取号（photoqueue recover）", "follow the station's message before numbering "
                                                         "(photoqueue recover; docs/station.md)"),
}
GENERIC_FIX = ("单独重试此项（--only），仍失败请报告此行", "run this part again (--only PART); if it fails again, report this line")

def check_numbering(config, probes: Probes) -> Check:
    from photoqueue.device.station.gate_check import check_numbering as gate_check

    return gate_check(config, probes)


CHECKS: dict[str, Callable[[Any, Probes], Check]] = {
    "camera": check_camera, "printer": check_printer, "display": check_display, "buttons": check_buttons,
    "clock": check_clock, "key": check_key, "central": check_central, "disk": check_disk,
    "timetable": check_timetable, "numbering": check_numbering,  # the number gate's (device/station/gate_check.py)
}
