"""The hall display: a thread of its own that owns the screen and draws the latest state it was given.

The station calls :meth:`HallDisplay.show` from its queue thread; that only stores the state and wakes
the display thread (latest wins), so drawing can never hold up the queue. The display thread wakes once
a second for the clock, when a state or flash arrives, and when a flash ends; each time it redraws
only the regions whose content changed, and nothing at all when nothing did.

On a Raspberry Pi without a desktop SDL draws full screen through KMS/DRM (``SDL_VIDEODRIVER=kmsdrm``,
with Raspberry Pi OS's own SDL: see docs/display.md); on a laptop it opens a window; with
``SDL_VIDEODRIVER=dummy`` (tests, headless runs) it draws off screen and :meth:`save_png` saves it.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import os
import threading
import time
from pathlib import Path

from photoqueue.display.errors import DisplayError
from photoqueue.display.model import DisplayState, Flash
from photoqueue.display.settings import DisplaySettings, checked

log = logging.getLogger(__name__)

WINDOW_SIZE = (1280, 720)
EVENT_POLL_S = 0.1  # how often a window's events are read (a full-screen or dummy screen needs none)
SLOW_LOG_EVERY_S = 10.0  # at most one slow-frame warning this often (the count of the others is kept)


class HallDisplay:
    """The hall screen. ``start()``, then ``show(state)`` as often as the queue likes; ``stop()`` at the end."""

    def __init__(self, settings: DisplaySettings | None = None):
        self.settings = checked(settings)
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._ready = threading.Event()
        self._state = DisplayState()
        self._flash: Flash | None = None
        self._saves: list[tuple[Path, threading.Event, list]] = []
        self._thread: threading.Thread | None = None
        self._renderer = None
        # Counters, for tests, the benchmark and the station's status page.
        self.frames = 0  # frames that changed something on the screen
        self.slow_frames = 0
        self.last_frame_ms = 0.0
        self.driver: str | None = None
        self.size: tuple[int, int] | None = None
        self.has_screen = False
        self.windowed = False
        self._last_frame = 0.0
        self._last_slow_log = -SLOW_LOG_EVERY_S

    # --- the station's side: all of these return at once ----------------------------------------------

    def start(self, timeout: float = 10.0) -> HallDisplay:
        """Open the screen in the display thread; return when it is up (or has failed and gone headless)."""
        if self._thread and self._thread.is_alive():
            return self
        self._stopping.clear()
        self._ready.clear()
        self._thread = threading.Thread(target=self._run, name="hall-display", daemon=True)
        self._thread.start()
        if not self._ready.wait(timeout):
            log.warning("display: the screen took more than %.0f s to open; carrying on", timeout)
        return self

    def show(self, state: DisplayState) -> None:
        """Show this state from the next frame on (a newer one given before then replaces it)."""
        if not isinstance(state, DisplayState):
            raise DisplayError(f"show() takes a DisplayState, got {type(state).__name__}")
        with self._lock:
            self._state = state
        self._wake.set()

    def flash(
        self, kind: str, text: str = "", number: int | None = None, seconds: float | None = None
    ) -> None:
        """Show a short message after a scan for ``seconds`` (default: settings.flash_seconds).

        ``kind``: 'issued' (the number just given), 'reprint', 'refused' (``text`` says why) or 'info'.
        """
        seconds = self.settings.flash_seconds if seconds is None else seconds
        flash = Flash.from_dict({"kind": kind, "text": text, "number": number})
        until = dt.datetime.now() + dt.timedelta(seconds=seconds)
        with self._lock:
            self._flash = dataclasses.replace(flash, until=until)
        self._wake.set()

    def stop(self, timeout: float = 5.0) -> None:
        """Close the screen and end the display thread."""
        self._stopping.set()
        self._wake.set()
        if self._thread:
            self._thread.join(timeout)
            if self._thread.is_alive():
                log.warning("display: the display thread did not stop within %.0f s", timeout)
            self._thread = None

    @property
    def is_running(self) -> bool:
        return bool(self._thread and self._thread.is_alive())

    def save_png(self, path: str | Path, timeout: float = 5.0) -> Path:
        """Save what the screen shows now to a PNG (done by the display thread; waits for it)."""
        if not self.is_running:
            raise DisplayError("save_png: the display is not running (call start() first)")
        done, result = threading.Event(), []
        with self._lock:
            self._saves.append((Path(path), done, result))
        self._wake.set()
        if not done.wait(timeout):
            raise DisplayError(f"save_png: the display did not save {path} within {timeout:.0f} s")
        if result and isinstance(result[0], Exception):
            raise DisplayError(f"{path}: cannot save the screen: {result[0]}")
        return Path(path)

    def __enter__(self) -> HallDisplay:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    # --- the display thread ------------------------------------------------------------------------------

    def _open(self):
        from photoqueue.display._pygame import pygame

        s = self.settings
        if s.video_driver and not os.environ.get("SDL_VIDEODRIVER"):
            os.environ["SDL_VIDEODRIVER"] = s.video_driver
        try:
            pygame.display.init()
            self.driver = pygame.display.get_driver()
            headless = self.driver in ("dummy", "offscreen")
            desktop = bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))
            fullscreen = s.fullscreen if s.fullscreen is not None else not (headless or desktop)
            if fullscreen:
                screen = pygame.display.set_mode(s.size or (0, 0), pygame.FULLSCREEN)
            else:
                screen = pygame.display.set_mode(s.size or WINDOW_SIZE)
            pygame.display.set_caption("photoqueue 叫号屏")
            if s.hide_cursor and fullscreen:
                pygame.mouse.set_visible(False)
            self.has_screen = True
            self.windowed = not fullscreen and not headless
            return screen
        except pygame.error as exc:
            log.error(
                "display: cannot open the screen (SDL video driver %s): %s; drawing off screen instead",
                os.environ.get("SDL_VIDEODRIVER", "default"),
                exc,
            )
            self.has_screen = False
            self.windowed = False
            return pygame.Surface(s.size or WINDOW_SIZE)

    def _run(self) -> None:
        from photoqueue.display._pygame import pygame
        from photoqueue.display.render import Renderer

        try:
            screen = self._open()
            self.size = screen.get_size()
            self._renderer = Renderer(screen, self.settings)
        except Exception:
            log.exception("display: cannot start; the queue goes on without a screen")
            self._ready.set()
            return
        self._ready.set()
        min_gap = 1.0 / self.settings.fps_cap
        drawn: tuple | None = None  # (state with its flash, second) last drawn
        try:
            while not self._stopping.is_set():
                self._wake.wait(self._timeout())
                self._wake.clear()
                if self._stopping.is_set():
                    break
                if self.has_screen and not self._events(pygame):
                    break
                gap = time.monotonic() - self._last_frame
                if gap < min_gap:  # fps cap: let newer states replace this one meanwhile
                    self._stopping.wait(min_gap - gap)
                with self._lock:
                    state, flash, saves, self._saves = self._state, self._flash, self._saves, []
                now = dt.datetime.now()
                if flash and flash.active(now):
                    state = dataclasses.replace(state, flash=flash)
                key = (state, now.replace(microsecond=0))
                if key != drawn:
                    self._draw(pygame, state, now, first=drawn is None)
                    drawn = key
                for path, done, result in saves:
                    try:
                        path.parent.mkdir(parents=True, exist_ok=True)
                        pygame.image.save(self._renderer.surface, str(path))
                    except (OSError, pygame.error) as exc:
                        result.append(exc)
                    done.set()
        except Exception:
            log.exception("display: the display thread failed; the queue goes on without a screen")
        finally:
            if self.has_screen:
                pygame.display.quit()
                self.has_screen = False

    def _draw(self, pygame, state: DisplayState, now: dt.datetime, first: bool) -> None:
        """One frame: repaint what changed, show it, and time it."""
        t0 = time.perf_counter()
        self._last_frame = time.monotonic()
        try:
            dirty = self._renderer.render(state, now)
            if dirty and self.has_screen:
                pygame.display.update(dirty)
        except Exception:
            log.exception("display: a frame failed; the screen keeps its last picture")
            self._renderer.invalidate()
            dirty = []
        ms = self.last_frame_ms = (time.perf_counter() - t0) * 1000
        if dirty:
            self.frames += 1
        if first:
            log.info("display: first frame (fonts loading) took %.0f ms", ms)
        elif ms > self.settings.slow_frame_ms:
            self.slow_frames += 1
            if time.monotonic() - self._last_slow_log >= SLOW_LOG_EVERY_S:
                self._last_slow_log = time.monotonic()
                log.warning(
                    "display: slow frame: %.0f ms (limit %.0f ms; %d slow so far); the queue is not held up",
                    ms,
                    self.settings.slow_frame_ms,
                    self.slow_frames,
                )

    def _timeout(self) -> float:
        """Seconds until the next thing to draw without being asked: the next clock second or a flash's end."""
        now = time.time()
        timeout = 1.0 - (now % 1.0) + 0.001
        with self._lock:
            flash = self._flash
        if flash and flash.until:
            left = (flash.until - dt.datetime.now()).total_seconds()
            if left > 0:
                timeout = min(timeout, left + 0.001)
        if self.windowed:
            timeout = min(timeout, EVENT_POLL_S)
        return timeout

    def _events(self, pygame) -> bool:
        """Read the window's events; False when the window was closed (or Esc pressed in a window)."""
        for event in pygame.event.get():
            if event.type == pygame.QUIT or (
                self.windowed and event.type == pygame.KEYDOWN and event.key == pygame.K_ESCAPE
            ):
                log.info("display: window closed; the display stops, the queue goes on")
                return False
            if event.type in (pygame.VIDEOEXPOSE, pygame.WINDOWEXPOSED, pygame.WINDOWRESTORED):
                self._renderer.invalidate()
        return True
