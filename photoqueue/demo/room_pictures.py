"""The pictures of a room in the demo: the hall screen's snapshots and the ticket pictures named by number."""

from __future__ import annotations

import logging
import shutil
from typing import Any

log = logging.getLogger(__name__)


def snapshot(sim: Any, label: str) -> None:
    """The hall screen (and the first ticket) as PNGs in DATA_DIR/snapshots/."""
    try:
        sim.snap_dir.mkdir(parents=True, exist_ok=True)
        path = sim.snap_dir / f"{sim.tag}-screen-{label}.png"
        display = sim.station.display
        if display is not None and getattr(display, "is_running", False):
            display.save_png(path)
        else:
            from photoqueue.demo.room_io import SCREEN_SIZE
            from photoqueue.display.render import render_png

            view = sim.station.call(lambda s: s.view()).result(30)
            render_png(view, SCREEN_SIZE, path)
        sim.snapshots.append(str(path))
        tickets = sorted((sim.room_dir / "tickets").glob("ticket-*.png"))
        target = sim.snap_dir / f"{sim.tag}-ticket.png"
        if tickets and not target.exists():
            shutil.copyfile(tickets[0], target)
            sim.snapshots.append(str(target))
    except Exception as exc:  # a picture must never stop the day
        log.warning("snapshot %s: %s", label, exc)

def name_tickets(sim: Any) -> None:
    """The virtual printer saves ticket-0001.png ... in print order; the demo renames each to its room
    and shooting number (第一组-0113.png; a reprint 第一组-0113-reprint.png), so a file says whose it is.
    The printer worker prints in the order the station sent them, one picture a ticket."""
    folder = sim.room_dir / "tickets"
    pictures = sorted(folder.glob("ticket-[0-9]*.png"), key=lambda p: int(p.stem.split("-")[1]))
    pictures = [p for p in pictures if not p.stem.endswith("uncut") and p.name not in sim._earlier]
    if len(pictures) != len(sim.printed):
        log.warning("%d ticket pictures for %d tickets printed: names by order may be off", len(pictures),
                    len(sim.printed))
    for path, (number, reprint) in zip(pictures, sim.printed, strict=False):
        stem = f"{sim.room}-{number:04d}" + ("-reprint" if reprint else "")
        target, k = folder / f"{stem}.png", 1
        while target.exists():  # a second reprint, or a resumed day's reprint
            k += 1
            target = folder / f"{stem}-{k}.png"
        path.replace(target)
