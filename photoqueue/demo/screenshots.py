"""Screenshots of the dashboard (wall screen and phone) and of /status (phone), in headless Chromium.

The browser tests call :func:`take` with a temporary directory. For the README, run it once by hand:

    .venv/bin/python -m photoqueue.demo.screenshots docs/img

which builds a demo day (:mod:`.demo_day`), serves it on 127.0.0.1 and writes the PNGs there.
Playwright (a dev dependency) drives Debian's /usr/bin/chromium; it never downloads a browser.
"""

from __future__ import annotations

import argparse
import logging
import sys
import tempfile
from pathlib import Path

log = logging.getLogger(__name__)

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
WALL = {"width": 1920, "height": 1080}
PHONE = {"width": 390, "height": 844}
SHOTS = ("dashboard-wall.png", "dashboard-phone.png", "status-phone.png")


def launch(playwright):
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)


def login(page, base_url: str, name: str, password: str) -> None:
    page.goto(f"{base_url}/login?next=/")
    page.fill("#name", name)
    page.fill("#password", password)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base_url}/")


def take(base_url: str, out_dir: str | Path, name: str, password: str, browser=None) -> list[Path]:
    """Log in and save the three screenshots (SHOTS) into ``out_dir``; returns their paths. ``browser``: a
    Playwright browser to use (else Chromium is launched and closed here)."""
    if browser is None:
        from playwright.sync_api import sync_playwright

        with sync_playwright() as p:
            own = launch(p)
            try:
                return take(base_url, out_dir, name, password, own)
            finally:
                own.close()
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths = [out / s for s in SHOTS]
    for path, viewport, scale in ((paths[0], WALL, 1), (paths[1], PHONE, 2)):
        context = browser.new_context(viewport=viewport, device_scale_factor=scale, locale="zh-CN")
        page = context.new_page()
        login(page, base_url, name, password)
        page.wait_for_selector(".card .now-serving", timeout=10_000)
        page.screenshot(path=str(path))
        context.close()
    context = browser.new_context(viewport=PHONE, device_scale_factor=2, locale="zh-CN")
    page = context.new_page()
    page.goto(f"{base_url}/status")
    page.wait_for_selector(".pcard", timeout=10_000)
    page.screenshot(path=str(paths[2]))
    context.close()
    return paths


def main(argv: list[str] | None = None) -> int:
    from photoqueue.central.dashboard.devserver import running_server
    from photoqueue.central.settings import CentralSettings
    from photoqueue.demo import dashboard_day as demo_day

    parser = argparse.ArgumentParser(description="screenshots of the dashboard and /status on a demo day")
    parser.add_argument("out_dir")
    parser.add_argument("--timetable", default=str(Path(__file__).resolve().parents[2].parent / "shared"
                                                   / "timetables" / "timetable-2024.csv"))
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        db = f"sqlite:///{tmp}/central.db"
        stations = demo_day.make_day(tmp, db, args.timetable)
        rooms = list(stations)
        health = {rooms[-1]: {"printer": "failing", "camera_frames": 900, "alerts": ["打印机缺纸"]}}
        with running_server(CentralSettings(db=db)) as url:
            demo_day.sync_all(stations, url, health)
            for path in take(url, args.out_dir, "office", "office-pass"):
                print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
