"""The live display: its own thread, latest state wins, the queue is never held up."""

from __future__ import annotations

import logging
import threading
import time

import pytest
from polling import wait_for

from photoqueue.display import DisplayError, DisplaySettings, DisplayState, HallDisplay
from photoqueue.display._pygame import pygame
from photoqueue.display.render import Renderer
from photoqueue.display.samples import sample_state

pytestmark = pytest.mark.pi  # also on the Pi's Python (make test-pi): its libraries are apt's older ones


@pytest.fixture
def display():
    d = HallDisplay(DisplaySettings(size=(800, 480), fps_cap=50))
    yield d
    d.stop()


def test_start_show_save_stop(display, tmp_path):
    display.start()
    assert display.is_running and display.driver == "dummy" and display.size == (800, 480)
    display.show(sample_state())
    assert wait_for(lambda: display.frames >= 1)
    path = display.save_png(tmp_path / "hall.png")
    assert pygame.image.load(str(path)).get_size() == (800, 480)
    display.stop()
    assert not display.is_running
    with pytest.raises(DisplayError, match="not running"):
        display.save_png(tmp_path / "again.png")


def test_show_never_blocks_and_latest_wins(display, monkeypatch):
    drawn = []
    release = threading.Event()
    real_render = Renderer.render

    def stuck_render(self, state, now=None):
        drawn.append(state.now_serving)
        release.wait(30)  # a frame that takes as long as the test wants
        return real_render(self, state, now)

    monkeypatch.setattr(Renderer, "render", stuck_render)
    display.start()
    display.show(sample_state(now_serving=1))
    assert wait_for(lambda: drawn)
    caller = threading.Thread(target=lambda: [display.show(sample_state(now_serving=n)) for n in range(2, 202)])
    caller.start()
    caller.join(10)
    # all 200 calls returned while the first frame was still being drawn
    assert not caller.is_alive() and not release.is_set() and drawn == [1]
    release.set()
    assert wait_for(lambda: drawn and drawn[-1] == 201)
    assert len(drawn) < 10  # the states in between were merged, not each drawn


def test_redraws_only_on_change(display):
    display.start()
    state = sample_state()  # its clock is fixed: nothing changes from second to second
    display.show(state)
    assert wait_for(lambda: display.frames == 1)
    for _ in range(20):
        display.show(DisplayState.from_dict(state.to_dict()))  # equal, not the same object
    time.sleep(1.3)
    assert display.frames == 1
    display.show(sample_state(now_serving=18))
    assert wait_for(lambda: display.frames == 2)


def test_live_clock_redraws_once_a_second(display):
    display.start()
    live = DisplayState(room="A组", now_serving=3)
    display.show(live)
    assert wait_for(lambda: display.frames >= 1)
    start = display.frames
    time.sleep(2.2)
    assert 1 <= display.frames - start <= 3  # about one a second (2 expected), never more


def test_idle_display_repaints_only_the_clock(display):
    # Idle CPU is a benchmark figure (bench_display.py); what a test can assert without timing the
    # machine is the behaviour that makes it low: an unchanged state draws nothing but the clock.
    display.start()
    display.show(DisplayState(room="A组", now_serving=3))  # a live clock: one small repaint a second
    assert wait_for(lambda: display.frames >= 1)
    frames0 = display.frames
    for _ in range(5):
        display.show(DisplayState(room="A组", now_serving=3))  # the same state again: nothing to draw
    time.sleep(3.0)
    assert display.frames - frames0 <= 4, "an idle screen should repaint only its clock, once a second"


def test_flash_shows_then_goes(display):
    display.start()
    display.show(sample_state())
    display.flash("issued", number=25, seconds=0.6)

    def slots():
        return {p.slot_name: p.text for p in display._renderer.placed()}

    assert wait_for(lambda: "25 号" in slots().get("flash", ""))
    assert wait_for(lambda: "flash" not in slots(), timeout=3)
    assert "等候" in slots()["waiting"]


def test_slow_frame_logs_a_warning(caplog):
    with caplog.at_level(logging.WARNING, logger="photoqueue.display"):
        with HallDisplay(DisplaySettings(size=(800, 480), slow_frame_ms=0)) as d:
            d.show(sample_state())
            assert wait_for(lambda: d.frames >= 1)
            assert d.slow_frames == 0  # the first frame loads the fonts: not counted
            d.show(sample_state(now_serving=18))
            assert wait_for(lambda: d.slow_frames >= 1)
            assert wait_for(lambda: "slow frame" in caplog.text)


def test_a_failing_frame_does_not_stop_the_display(display, monkeypatch, caplog):
    calls = []
    real_render = Renderer.render

    def flaky(self, state, now=None):
        calls.append(1)
        if len(calls) == 1:
            raise ValueError("boom")
        return real_render(self, state, now)

    monkeypatch.setattr(Renderer, "render", flaky)
    with caplog.at_level(logging.ERROR, logger="photoqueue.display"):
        display.start()
        display.show(sample_state())
        assert wait_for(lambda: "a frame failed" in caplog.text)
        display.show(sample_state(now_serving=30))
        assert wait_for(lambda: display.frames >= 1)
    assert display.is_running


def test_no_screen_goes_headless(monkeypatch, caplog, tmp_path):
    monkeypatch.setenv("SDL_VIDEODRIVER", "no-such-driver")
    with caplog.at_level(logging.ERROR, logger="photoqueue.display"):
        with HallDisplay(DisplaySettings(size=(800, 480))) as d:
            assert not d.has_screen and "cannot open the screen" in caplog.text
            d.show(sample_state())
            d.flash("refused", text="不是采集码")
            assert wait_for(lambda: d._renderer and d._renderer.placed())
            assert d.save_png(tmp_path / "offscreen.png").is_file()


def test_show_rejects_non_states(display):
    with pytest.raises(DisplayError):
        display.show({"room": "A"})


def test_stop_is_prompt():
    d = HallDisplay(DisplaySettings(size=(800, 480))).start()
    t0 = time.monotonic()
    d.stop()
    assert time.monotonic() - t0 < 1.5
    assert not [t for t in threading.enumerate() if t.name == "hall-display"]
