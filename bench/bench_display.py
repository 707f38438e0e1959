"""Hall display benchmark: redraw time, and CPU used idle and at 10 calls a minute.

Compares photoqueue's renderer (fonts and fitted lines cached, only changed regions repainted, a frame
only when something changed) with a naive renderer measured in the same run: the same layout and words,
but it creates its fonts and fits and renders every line anew each frame, at a fixed 30 frames a second,
as a simple pygame loop does.

- Redraw: median and p95 of a full redraw at 1920x1080 and 800x480 (longest class names, alerts), plus
  photoqueue's partial redraws (a new call; the clock's second).
- CPU: process CPU seconds (all threads, plus espeak-ng's) of the live display over a shortened period
  (--seconds, default 15 s) extrapolated to a minute: idle (live clock ticking), and 10 calls a minute
  (a new state every 6 s, and a scan flash between calls), and the same with the chime and spoken call.

Everything draws through SDL's dummy video driver (and dummy audio): no screen is involved, so a Pi's
KMS page flips are not in these numbers.

Run: python bench/bench_display.py [--seconds S] [--runs N]
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import os
import sys
import time
from pathlib import Path

os.environ["SDL_VIDEODRIVER"] = "dummy"
os.environ["SDL_AUDIODRIVER"] = "dummy"
os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import median, pct, table  # noqa: E402

from photoqueue.display import DisplaySettings, DisplayState, Flash, HallDisplay, Sounds  # noqa: E402
from photoqueue.display._pygame import pygame  # noqa: E402
from photoqueue.display.render import Renderer  # noqa: E402
from photoqueue.display.samples import sample_state  # noqa: E402

LONG_A = "22计算机科学与技术(第二学士学位）"
LONG_B = "22机械设计制造及其自动化(专升本)"
NAIVE_FPS = 30
CALL_EVERY_S = 6.0  # 10 calls a minute


def busy_state(number: int, *, live_clock: bool = True) -> DisplayState:
    s = sample_state(
        current=LONG_A,
        upcoming=LONG_B,
        now_serving=number,
        alerts=("打印机缺纸，请换纸", "网络离线（自 14:05）"),
    )
    d = s.to_dict() | {"waiting": 8 + number % 5}
    if live_clock:
        d["clock"] = None
    return DisplayState.from_dict(d)


class NaiveRenderer:
    """The baseline: every frame makes a new renderer, so new fonts, fits and renders, and repaints it all."""

    def __init__(self, surface, settings: DisplaySettings | None = None):
        self.surface = surface
        self.settings = settings or DisplaySettings()

    def render(self, state: DisplayState, now: dt.datetime | None = None) -> list:
        return Renderer(self.surface, self.settings).render(state, now)


def time_redraws(size: tuple[int, int], runs: int) -> dict[str, list[float]]:
    surface = pygame.Surface(size)
    ours, naive = Renderer(surface), NaiveRenderer(surface)
    now = dt.datetime(2023, 10, 25, 14, 32, 5)
    state = busy_state(17)
    ours.render(state, now)
    naive.render(state, now)
    out: dict[str, list[float]] = {"full": [], "naive": [], "call": [], "tick": []}
    for i in range(runs):
        ours.invalidate()
        t0 = time.perf_counter()
        ours.render(state, now)
        out["full"].append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        naive.render(state, now)
        out["naive"].append(time.perf_counter() - t0)
        # A new call: the number, the next numbers, the counts and the wait change.
        t0 = time.perf_counter()
        ours.render(busy_state(18 + i), now)
        out["call"].append(time.perf_counter() - t0)
        # One second later: only the clock (and the alert band's blink).
        t0 = time.perf_counter()
        ours.render(busy_state(18 + i), now + dt.timedelta(seconds=1 + i))
        out["tick"].append(time.perf_counter() - t0)
    return out


def cpu_now() -> float:
    """CPU seconds of this process (all threads) and of its finished children (espeak-ng)."""
    t = os.times()
    return time.process_time() + t.children_user + t.children_system


def run_ours(seconds: float, calls: bool, sound: bool) -> tuple[float, int]:
    settings = DisplaySettings(size=(1920, 1080), speech=sound)
    sounds = Sounds(settings) if sound else None
    number = 17
    with HallDisplay(settings) as display:
        display.show(busy_state(number))
        time.sleep(0.5)  # let the first full frame go by
        frames0, cpu0, start = display.frames, cpu_now(), time.monotonic()
        next_call, next_scan = start + CALL_EVERY_S, start + CALL_EVERY_S / 2
        while (now := time.monotonic()) < start + seconds:
            if calls and now >= next_call:
                number += 1
                display.show(busy_state(number))
                if sounds:
                    sounds.call(number)
                next_call += CALL_EVERY_S
            if calls and now >= next_scan:
                display.flash("issued", number=number + 8)
                next_scan += CALL_EVERY_S
            time.sleep(min(next_call, next_scan, start + seconds) - now if calls else seconds)
        cpu = cpu_now() - cpu0
        frames = display.frames - frames0
    if sounds:
        sounds.close()
    return cpu, frames


def run_naive(seconds: float, calls: bool) -> tuple[float, int]:
    pygame.display.init()
    screen = pygame.display.set_mode((1920, 1080))
    renderer, clock = NaiveRenderer(screen), pygame.time.Clock()
    number, frames = 17, 0
    state = busy_state(number)
    flash_until = None
    cpu0, start = cpu_now(), time.monotonic()
    next_call, next_scan = start + CALL_EVERY_S, start + CALL_EVERY_S / 2
    while (now := time.monotonic()) < start + seconds:
        if calls and now >= next_call:
            number += 1
            state = busy_state(number)
            next_call += CALL_EVERY_S
        if calls and now >= next_scan:
            flash_until = dt.datetime.now() + dt.timedelta(seconds=4)
            next_scan += CALL_EVERY_S
        pygame.event.pump()
        shown = state
        if flash_until and dt.datetime.now() < flash_until:
            shown = dataclasses.replace(state, flash=Flash("issued", number=number + 8))
        renderer.render(shown)
        pygame.display.flip()
        frames += 1
        clock.tick(NAIVE_FPS)
    cpu = cpu_now() - cpu0
    pygame.display.quit()
    return cpu, frames


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=15.0, help="length of each CPU measurement")
    parser.add_argument("--runs", type=int, default=40, help="redraws timed at each size")
    args = parser.parse_args()
    pygame.font.init()

    print(f"# Hall display: redraw time ({args.runs} runs each; longest class names, two alerts)\n")
    rows = []
    for size in ((1920, 1080), (800, 480)):
        t = time_redraws(size, args.runs)
        naive_med = median(t["naive"])
        label = f"{size[0]}x{size[1]}"
        for key, what in (
            ("naive", "naive: full redraw, fonts made anew"),
            ("full", "photoqueue: full redraw"),
            ("call", "photoqueue: new call (changed regions)"),
            ("tick", "photoqueue: clock second (one region)"),
        ):
            med = median(t[key])
            rows.append(
                [
                    label,
                    what,
                    med * 1000,
                    pct(t[key], 95) * 1000,
                    f"{naive_med / med:.1f}x faster" if key != "naive" else "1x",
                ]
            )
    print(table(["screen", "frame", "median ms", "p95 ms", "vs naive"], rows))

    s = args.seconds
    per_min = 60.0 / s
    print(
        f"\n# CPU of the live display at 1920x1080: measured over {s:.0f} s each, extrapolated x{per_min:.1f} "
        f"to a minute\n"
    )
    runs = [
        ("idle (clock ticking)", "photoqueue", lambda: run_ours(s, calls=False, sound=False)),
        ("idle (clock ticking)", f"naive {NAIVE_FPS} fps", lambda: run_naive(s, calls=False)),
        ("10 calls/min + scan flashes", "photoqueue", lambda: run_ours(s, calls=True, sound=False)),
        ("10 calls/min + scan flashes", f"naive {NAIVE_FPS} fps", lambda: run_naive(s, calls=True)),
        ("10 calls/min + chime + spoken call", "photoqueue", lambda: run_ours(s, calls=True, sound=True)),
    ]
    results = [(scenario, who, *fn()) for scenario, who, fn in runs]
    naive_cpu = {scenario: cpu for scenario, who, cpu, _ in results if who.startswith("naive")}
    rows = []
    for scenario, who, cpu, frames in results:
        base = naive_cpu.get(scenario)
        ratio = "1x" if who.startswith("naive") else (f"{base / cpu:.0f}x less" if base and cpu > 0 else "-")
        rows.append([scenario, who, cpu, cpu * per_min, round(frames * per_min), ratio])
    print(
        table(
            [
                "scenario",
                "renderer",
                f"CPU s in {s:.0f} s",
                "CPU s/min (extrapolated)",
                "frames/min",
                "vs naive",
            ],
            rows,
        )
    )
    print(
        "\nCPU is process CPU time (all threads) plus finished children (espeak-ng). frames = frames that changed the screen; photoqueue's idle "
        "frames are the clock's second (one small region each)."
    )


if __name__ == "__main__":
    main()
