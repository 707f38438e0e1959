"""The photographer's buttons, the LED and the buzzer (gpiozero), and a keyboard fallback.

- ``ButtonLogic`` is pure: edges and clock ticks in, commands out. It debounces in software with
  an injected clock (gpiozero's mock pins do not bounce, so the station must not rely on the pin
  library for it) and tells a press (Advance) from a hold (Undo, fired once the hold time is
  reached, while the button is still down, so the photographer hears the confirming beep).
- ``Buttons`` wires gpiozero devices to the logic. The pin factory is passed in (MockFactory in
  tests, lgpio on a Pi); nothing here picks a global backend.
- ``KeyboardButtons`` reads single keys from a terminal where there is no GPIO.
"""

from __future__ import annotations

import logging
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass

from photoqueue.core import commands as cmd
from photoqueue.core.wire import StaffCommand
from photoqueue.settings import setting

log = logging.getLogger(__name__)

NOT_WIRED = -1
# The optional buttons and what a short press of each asks of the queue.
OPTIONAL_BUTTONS = ("skip", "recall", "next_class", "reprint")
KEYS = {" ": "advance", "\n": "advance", "\r": "advance", "u": "undo", "s": "skip", "r": "recall",
        "n": "next_class", "p": "reprint"}


PIN = {"min": NOT_WIRED, "max": 27}  # a BCM pin of the 40-pin header, or -1: not wired


def _factory_problem(name: str) -> str | None:
    if name in REFUSED_FACTORIES:
        return f"{name!r} cannot work here: {REFUSED_FACTORIES[name]}; use lgpio"
    return None if name in ("lgpio", "mock") else f"expected lgpio or mock, got {name!r}"


@dataclass(frozen=True)
class ButtonSettings:
    advance_pin: int = setting(17, "BCM pin of the photographer's button: press = photographed, call the next "
                                   "(-1: none)", **PIN)
    undo_hold_s: float = setting(2.0, "holding the advance button this long undoes the last press", min=0.3, max=10)
    skip_pin: int = setting(NOT_WIRED, "BCM pin of the no-show (skip) button (-1: not wired)", **PIN)
    recall_pin: int = setting(NOT_WIRED, "BCM pin of the recall button: recalls the last skipped ticket "
                                         "(-1: not wired)", **PIN)
    next_class_pin: int = setting(NOT_WIRED, "BCM pin of the next-class button (-1: not wired)", **PIN)
    reprint_pin: int = setting(NOT_WIRED, "BCM pin of the reprint button: reprints the called ticket "
                                          "(-1: not wired)", **PIN)
    led_pin: int = setting(NOT_WIRED, "BCM pin of the scan feedback LED (-1: none)", **PIN)
    buzzer_pin: int = setting(NOT_WIRED, "BCM pin of the scan feedback buzzer (-1: none)", **PIN)
    pull_up: bool = setting(True, "buttons connect the pin to ground (internal pull-up); false: to 3.3 V with a "
                                  "pull-down")
    bounce_ms: int = setting(50, "edges closer than this to the last accepted one are bounce", min=0, max=500)
    pin_factory: str = setting("lgpio", "gpiozero pin factory: lgpio (the Pi 4 and 5, through /dev/gpiochip*) or "
                                        "mock (no hardware)", check=_factory_problem)
    keyboard: bool = setting(True, "without GPIO, read keys from the terminal: space/enter advance, u undo, "
                                   "s skip, r recall, n next class, p reprint")

    def validate(self) -> list[str]:
        """The rule that joins the pin fields: no pin wired to two things."""
        errors = []
        pins: dict[int, str] = {}
        for name in ("advance_pin", *(f"{b}_pin" for b in OPTIONAL_BUTTONS), "led_pin", "buzzer_pin"):
            pin = getattr(self, name)
            if pin == NOT_WIRED:
                continue
            if pin in pins:
                errors.append(f"{name}: pin {pin} is already used by {pins[pin]}")
            else:
                pins[pin] = name
        return errors

    @property
    def any_gpio(self) -> bool:
        return any(getattr(self, f"{b}_pin") != NOT_WIRED for b in ("advance", *OPTIONAL_BUTTONS))


# Pin factories gpiozero has that the station refuses, and why: the service's sandbox allows GPIO only
# through the character devices /dev/gpiochip* (DeviceAllow=char-gpiochip), which is what lgpio uses.
REFUSED_FACTORIES = {
    "": "the station names its pin factory (gpiozero's own choice differs between Pi models)",
    "rpigpio": "RPi.GPIO needs /dev/gpiomem, which the service's sandbox does not allow, and does not "
               "support the Pi 5",
    "native": "the native factory maps /dev/gpiomem and writes /sys, which the service's sandbox does not "
              "allow, and does not support the Pi 5",
    "pigpio": "pigpio needs its daemon (pigpiod), which Raspberry Pi OS Bookworm no longer runs, and does not "
              "support the Pi 5",
}


class ButtonLogic:
    """Debounce and press/hold for one button, on an injected clock. Thread-safe.

    ``edge(pressed, now)`` records a pin change; ``tick(now)`` settles a level that bounced and
    fires a hold. ``on_press`` runs for a short press (on release), ``on_hold`` once per hold.
    """

    def __init__(self, bounce_s: float, hold_s: float | None, on_press: Callable[[], None],
                 on_hold: Callable[[], None] | None = None, level: Callable[[], bool] | None = None):
        self.bounce_s = bounce_s
        self.hold_s = hold_s
        self.on_press = on_press
        self.on_hold = on_hold
        self.level = level  # the pin's real level, to settle a change whose edge fell in the bounce window
        self._lock = threading.Lock()
        self.pressed = False
        self._last_edge: float | None = None
        self._down_at = 0.0
        self._held = False
        self.ignored = 0  # bounces dropped, for the log and the tests

    def edge(self, pressed: bool, now: float) -> None:
        with self._lock:
            if pressed == self.pressed:
                return
            if self._last_edge is not None and now - self._last_edge < self.bounce_s:
                self.ignored += 1
                return
            fire = self._accept(pressed, now)
        if fire:
            fire()

    def _accept(self, pressed: bool, now: float) -> Callable[[], None] | None:
        self.pressed = pressed
        self._last_edge = now
        if pressed:
            self._down_at, self._held = now, False
            return None
        return None if self._held else self.on_press

    def tick(self, now: float) -> None:
        fire = None
        with self._lock:
            settled = self._last_edge is None or now - self._last_edge >= self.bounce_s
            if settled and self.level is not None and self.level() != self.pressed:
                fire = self._accept(not self.pressed, now)
            elif (self.pressed and not self._held and self.hold_s is not None and self.on_hold is not None
                  and now - self._down_at >= self.hold_s):
                self._held = True
                fire = self.on_hold
        if fire:
            fire()


# Each button is a staff command of the one vocabulary (core.wire.StaffCommand); recall and reprint need
# the queue's state to name their ticket, so the station turns them into commands (ButtonAction).
_BUTTON_COMMANDS: dict[str, StaffCommand] = {
    "advance": StaffCommand.ADVANCE, "undo": StaffCommand.UNDO, "skip": StaffCommand.SKIP,
    "next_class": StaffCommand.SWITCH_CLASS,
}


def _command_for(name: str) -> Callable[[], cmd.Command]:
    kind = _BUTTON_COMMANDS.get(name)
    if kind is None:
        return lambda: ButtonAction(name)
    return lambda: kind.command_class()  # the called ticket, the next class: the defaults of each command


@dataclass(frozen=True)
class ButtonAction:
    """A button whose command depends on the queue's state (recall the last skipped ticket, reprint
    the called one): the station, which owns the state, turns it into a queue command."""

    name: str


class Buttons:
    """gpiozero buttons, LED and buzzer. ``submit`` receives queue commands (or ButtonActions);
    ``clock`` is the station's clock in seconds; ``tick(now)`` must be called every ~50 ms."""

    def __init__(self, settings: ButtonSettings, submit: Callable[[object], None], clock: Callable[[], float],
                 pin_factory=None):
        from gpiozero import LED, Button, Buzzer

        self.settings = settings
        self.clock = clock
        self._submit = submit
        self.logics: dict[str, ButtonLogic] = {}
        self.devices = []
        bounce_s = settings.bounce_ms / 1000
        for name in ("advance", *OPTIONAL_BUTTONS):
            pin = getattr(settings, f"{name}_pin")
            if pin == NOT_WIRED:
                continue
            # bounce_time=None: gpiozero's own debounce is off; ButtonLogic does it on our clock.
            button = Button(pin, pull_up=settings.pull_up, bounce_time=None, pin_factory=pin_factory)
            logic = ButtonLogic(bounce_s, settings.undo_hold_s if name == "advance" else None,
                                on_press=self._sender(name), on_hold=self._sender("undo") if name == "advance" else None,
                                level=lambda b=button: bool(b.is_pressed))
            button.when_pressed = lambda _=None, lg=logic: lg.edge(True, self.clock())
            button.when_released = lambda _=None, lg=logic: lg.edge(False, self.clock())
            self.logics[name] = logic
            self.devices.append(button)
        self.led = LED(settings.led_pin, pin_factory=pin_factory) if settings.led_pin != NOT_WIRED else None
        self.buzzer = Buzzer(settings.buzzer_pin, pin_factory=pin_factory) if settings.buzzer_pin != NOT_WIRED else None
        self.devices += [d for d in (self.led, self.buzzer) if d is not None]

    def _sender(self, name: str) -> Callable[[], None]:
        make = _command_for(name)

        def send() -> None:
            log.info("button: %s", name)
            self._submit(make())
        return send

    def tick(self, now: float) -> None:
        for logic in self.logics.values():
            logic.tick(now)

    def feedback(self, ok: bool, good_ms: int = 120, bad_ms: int = 80, beep: bool = True) -> None:
        """A good scan: one LED flash and one beep; a bad one: three short blinks and beeps."""
        on, n = (good_ms / 1000, 1) if ok else (bad_ms / 1000, 3)
        if self.led is not None:
            self.led.blink(on_time=max(on, 0.3) if ok else on, off_time=on, n=n, background=True)
        if self.buzzer is not None and beep:
            self.buzzer.beep(on_time=on, off_time=on, n=n, background=True)

    def start(self) -> Buttons:
        return self  # gpiozero's devices watch their pins from construction

    def stop(self) -> None:
        self.close()

    def close(self) -> None:
        for d in self.devices:
            d.close()


def make_pin_factory(name: str):
    """The gpiozero pin factory a setting names (None: gpiozero's default choice)."""
    if not name:
        return None
    if name == "mock":
        from gpiozero.pins.mock import MockFactory

        return MockFactory()
    module, cls = {"lgpio": ("gpiozero.pins.lgpio", "LGPIOFactory")}[name]
    import importlib

    return getattr(importlib.import_module(module), cls)()


class KeyboardButtons:
    """Single keys from a terminal as buttons (space/enter advance, u undo, s skip, r recall,
    n next class, p reprint). Runs a daemon thread; the terminal is put back on close."""

    def __init__(self, submit: Callable[[object], None], stream=None):
        self._submit = submit
        self._stream = stream or sys.stdin
        self._restore = None
        self._thread = threading.Thread(target=self._run, name="keyboard", daemon=True)

    def start(self) -> KeyboardButtons:
        if self._stream.isatty():
            import termios
            import tty

            fd = self._stream.fileno()
            old = termios.tcgetattr(fd)
            tty.setcbreak(fd)
            self._restore = lambda: termios.tcsetattr(fd, termios.TCSADRAIN, old)
        self._thread.start()
        return self

    def handle_key(self, key: str) -> None:
        name = KEYS.get(key.lower())
        if name is not None:
            log.info("key %r: %s", key, name)
            self._submit(_command_for(name)())

    def _run(self) -> None:
        while True:
            try:
                key = self._stream.read(1)
            except (OSError, ValueError):  # the terminal went away (hung up, closed): no more keys
                return
            if not key:
                return
            self.handle_key(key)

    def tick(self, now: float) -> None:
        pass

    def feedback(self, ok: bool, good_ms: int = 120, bad_ms: int = 80, beep: bool = True) -> None:
        pass  # a terminal has no LED; the screen's flash is the feedback

    def stop(self) -> None:
        self.close()

    def close(self) -> None:
        if self._restore:
            self._restore()
            self._restore = None
