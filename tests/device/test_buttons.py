"""The photographer's buttons: gpiozero MockFactory pins drive a real station's queue."""

from __future__ import annotations

import datetime as dt

import pytest
from gpiozero.pins.mock import MockFactory

from photoqueue.core import commands as cmd
from photoqueue.core.state import Rules
from photoqueue.device.station.app import Station
from photoqueue.device.station.buttons import ButtonLogic, Buttons, ButtonSettings, KeyboardButtons
from photoqueue.device.station.view import SimClock
from photoqueue.device.store.events import EventStore, db_path
from photoqueue.device.store.session import Session
from photoqueue.settings import problems

pytestmark = pytest.mark.pi  # also on the Pi's Python (make test-pi): its libraries are apt's older ones

PIN = 17


class Presses:
    def __init__(self):
        self.items = []

    def __call__(self, item):
        self.items.append(item)


def test_logic_ignores_bounces_within_the_window():
    got = []
    logic = ButtonLogic(0.05, 2.0, on_press=lambda: got.append("press"), on_hold=lambda: got.append("hold"))
    logic.edge(True, 10.000)
    for t, level in ((10.003, False), (10.006, True), (10.009, False), (10.012, True)):
        logic.edge(level, t)  # contact bounce
    logic.edge(False, 10.300)
    assert got == ["press"]
    assert logic.ignored == 2  # the two releases inside the window (repeated presses change nothing)


def test_logic_settles_a_release_whose_edge_fell_in_the_bounce_window():
    got = []
    level = {"pressed": True}
    logic = ButtonLogic(0.05, 2.0, on_press=lambda: got.append("press"), level=lambda: level["pressed"])
    logic.edge(True, 0.0)
    level["pressed"] = False
    logic.edge(False, 0.01)  # a real, very short press: its release edge looks like bounce
    assert got == []
    logic.tick(0.2)  # once the window is over, the pin's real level wins
    assert got == ["press"]


def test_logic_hold_fires_once_while_held_and_the_release_is_not_a_press():
    got = []
    logic = ButtonLogic(0.05, 2.0, on_press=lambda: got.append("press"), on_hold=lambda: got.append("hold"))
    logic.edge(True, 0.0)
    logic.tick(1.0)
    assert got == []
    logic.tick(2.0)
    logic.tick(3.0)
    logic.edge(False, 3.5)
    assert got == ["hold"]


def test_mock_pins_give_advance_and_hold_gives_undo():
    factory = MockFactory()
    clock = SimClock(dt.datetime(2024, 6, 1, 9), speed=0)
    sent = Presses()
    buttons = Buttons(ButtonSettings(advance_pin=PIN, skip_pin=27), sent, clock.monotonic, factory)
    pin = factory.pin(PIN)
    pin.drive_low()
    clock.sleep(0.2)
    pin.drive_high()
    assert sent.items == [cmd.Advance()]
    clock.sleep(0.5)
    pin.drive_low()
    clock.sleep(2.1)
    buttons.tick(clock.monotonic())
    assert sent.items[-1] == cmd.Undo()
    clock.sleep(0.5)
    pin.drive_high()
    assert len(sent.items) == 2  # the release after a hold is not a press
    clock.sleep(0.5)
    factory.pin(27).drive_low()
    clock.sleep(0.2)
    factory.pin(27).drive_high()
    assert sent.items[-1] == cmd.Skip(None)
    buttons.close()


def _highs(pin, want, timeout=5.0):
    import time

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        highs = sum(1 for change in pin.states if change.state)
        if highs >= want:
            time.sleep(0.3)  # and no more than that
            return sum(1 for change in pin.states if change.state)
        time.sleep(0.01)
    return sum(1 for change in pin.states if change.state)


def test_led_and_buzzer_signal_good_and_bad_scans():
    factory = MockFactory()
    buttons = Buttons(ButtonSettings(advance_pin=PIN, led_pin=5, buzzer_pin=6), lambda _item: None,
                      lambda: 0.0, factory)
    buttons.feedback(False, 120, 20)  # a refused code: three short blinks and beeps
    assert _highs(factory.pin(6), 3) == 3
    assert _highs(factory.pin(5), 3) == 3
    factory.pin(6).clear_states()
    buttons.feedback(True, 50, 20)  # a number issued: one beep
    assert _highs(factory.pin(6), 1) == 1
    buttons.close()


@pytest.fixture
def station(tmp_path):
    factory = MockFactory()
    clock = SimClock(dt.datetime(2024, 6, 1, 9), speed=0)
    store_path = db_path(tmp_path)
    st = Station(session_factory=lambda: Session(EventStore(store_path), "A", "2024-06-01",
                                                 Rules(digest_key=b"k" * 32)), clock=clock)
    st.buttons = Buttons(ButtonSettings(advance_pin=PIN, bounce_ms=50, undo_hold_s=2.0), st.submit,
                         clock.monotonic, factory)
    st.start()
    yield st, factory.pin(PIN), clock
    st.stop()


def _called(st):
    return st.call(lambda s: (s.session.state.called, [t.status for t in s.session.state.tickets.values()])).result(5)


def test_press_sequence_drives_the_queue(station):
    st, pin, clock = station
    for i in range(4):
        st.submit(cmd.Scan(f"student-code-{i:03d}", "camera"))
    assert _called(st)[0] == 1

    # a press with contact bounce on both edges: one Advance
    pin.drive_low()
    for _ in range(3):
        clock.sleep(0.004)
        pin.drive_high()
        clock.sleep(0.004)
        pin.drive_low()
    clock.sleep(0.3)
    pin.drive_high()
    clock.sleep(0.004)
    pin.drive_low()  # release bounce
    clock.sleep(0.004)
    pin.drive_high()
    called, statuses = _called(st)
    assert called == 2
    assert statuses == ["photographed", "called", "waiting", "waiting"]

    # a second press, then a hold of 2 s undoes it
    clock.sleep(1.0)
    pin.drive_low()
    clock.sleep(0.2)
    pin.drive_high()
    assert _called(st)[0] == 3
    clock.sleep(1.0)
    pin.drive_low()
    clock.sleep(2.2)
    st.call(lambda _s: None).result(5)
    import time

    deadline = time.monotonic() + 5
    while _called(st)[0] != 2 and time.monotonic() < deadline:  # the loop's tick sees the hold
        time.sleep(0.02)
    pin.drive_high()
    called, statuses = _called(st)
    assert called == 2
    assert statuses == ["photographed", "called", "waiting", "waiting"]


def test_keyboard_keys_are_buttons():
    sent = Presses()
    keys = KeyboardButtons(sent)
    for key in " unxp":
        keys.handle_key(key)
    assert sent.items[:3] == [cmd.Advance(), cmd.Undo(), cmd.SwitchClass(None)]
    assert sent.items[3].name == "reprint"


@pytest.mark.parametrize("factory, reason", [("rpigpio", "/dev/gpiomem"), ("native", "/dev/gpiomem"),
                                             ("pigpio", "pigpiod"), ("", "names its pin factory")])
def test_pin_factories_the_service_sandbox_cannot_run_are_refused_with_the_reason(factory, reason):
    errors = problems(ButtonSettings(pin_factory=factory))
    assert len(errors) == 1 and reason in errors[0] and "use lgpio" in errors[0]


def test_lgpio_is_the_default_pin_factory_and_mock_is_accepted():
    assert ButtonSettings().pin_factory == "lgpio"
    assert problems(ButtonSettings()) == [] and problems(ButtonSettings(pin_factory="mock")) == []
