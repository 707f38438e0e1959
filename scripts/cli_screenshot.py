"""Render the staff CLI's summary (and two refusals) as a terminal screenshot: docs/img/cli-status.png.

    python scripts/cli_screenshot.py [OUT.png]

Runs the real commands in-process on a scratch station (the 2024 timetable's 第一组, mid-class), captures
what a person sees, and draws it with Pillow in a CJK monospace font, so the docs show the real words.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import sys
import tempfile
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

ROOT = Path(__file__).resolve().parents[1]
FONTS = (("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", 1),  # WenQuanYi Micro Hei Mono
         ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", 0))
ROOM, DATE = "第一组", "2023-10-25"


def run(argv: list[str], stdin: str = "") -> str:
    """One command as a terminal shows it: the prompt line, then stdout and stderr interleaved."""
    from photoqueue.cli import main

    out = io.StringIO()
    saved = sys.stdin
    sys.stdin = io.StringIO(stdin)
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
            try:
                main(argv)
            except SystemExit:
                pass
    finally:
        sys.stdin = saved
    shown = " ".join(a if " " not in a else repr(a) for a in argv).replace(argv[2], "/var/lib/photoqueue", 1)
    return f"$ photoqueue {shown}\n{out.getvalue()}"


def scratch_station(data: Path) -> None:
    from photoqueue.core import commands as cmd
    from photoqueue.core.state import Rules
    from photoqueue.device.store.events import EventStore, db_path
    from photoqueue.device.store.session import Session
    from photoqueue.timetable import load_timetable

    (data / "deployment.key").write_text("ab" * 32)
    session = Session(EventStore(db_path(data)), ROOM, DATE, Rules(digest_key=bytes.fromhex("ab" * 32)))
    now = dt.datetime(2023, 10, 25, 14, 25)
    timetable = load_timetable(ROOT / "photoqueue" / "data" / "timetable-2024.csv")
    session.load_timetable(timetable.room_day(ROOM, dt.date(2023, 10, 25)), now)
    for i in range(49):
        session.scan(f"2020{i:06d}", now)
        session.handle(cmd.RecordPrint(i + 1, ok=True), now)
    for k in range(46):
        now = dt.datetime(2023, 10, 25, 14, 30) + dt.timedelta(seconds=11 * k)
        session.handle(cmd.Skip(None) if k == 20 else cmd.Advance(), now)
    session.store.close()


def render(text: str, out: Path) -> None:
    path, index = next((p, i) for p, i in FONTS if Path(p).exists())
    font = ImageFont.truetype(path, 22, index=index)
    lines = text.rstrip("\n").splitlines()
    width = max(int(font.getlength(line)) for line in lines) + 48
    line_h = 32
    img = Image.new("RGB", (max(width, 900), line_h * len(lines) + 48), "#1e1f24")
    draw = ImageDraw.Draw(img)
    for i, line in enumerate(lines):
        colour = "#8fd18f" if line.startswith("$ ") else ("#f0a070" if line.startswith("photoqueue:") else "#e6e6e6")
        draw.text((24, 24 + i * line_h), line, font=font, fill=colour)
    img.save(out)


def main() -> int:
    from photoqueue.device.cli import staff as staff_cli

    out = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "docs" / "img" / "cli-status.png"
    staff_cli.clock = lambda: dt.datetime(2023, 10, 25, 14, 39)  # mid-class on the timetable's day
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp)
        scratch_station(data)
        session = ["--data-dir", str(data), "--room", ROOM, "--date", DATE]
        text = run(["queue", *session, "status"])
        text += run(["queue", *session, "skip", "47"])
        text += run(["queue", *session, "void", "999", "--reason", "重复取号"])
        text += run(["queue", *session, "advance"])
    render(text, out)
    print(out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
