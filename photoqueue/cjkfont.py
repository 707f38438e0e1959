"""Finding a font with Chinese glyphs: one list for the ticket and the hall screen.

The usual Debian / Raspberry Pi OS files first (fonts-wqy-microhei is what the Makefile and the Pi
installer put there), then whatever fontconfig knows to cover Simplified Chinese (``fc-list
:lang=zh-cn``), so a machine with another CJK font still renders Chinese instead of boxes.
"""

from __future__ import annotations

import functools
import logging
import shutil
import subprocess
from pathlib import Path

log = logging.getLogger(__name__)

CANDIDATES = [
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJKsc-Regular.otf",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",
    "/System/Library/Fonts/PingFang.ttc",
    "C:/Windows/Fonts/msyh.ttc",
]


@functools.lru_cache(maxsize=1)
def fontconfig_fonts() -> tuple[str, ...]:
    """Font files fontconfig says cover Simplified Chinese (none without fontconfig)."""
    exe = shutil.which("fc-list")
    if exe is None:
        return ()
    try:
        out = subprocess.run([exe, ":lang=zh-cn", "file"], capture_output=True, text=True, timeout=10).stdout
    except (OSError, subprocess.TimeoutExpired):
        return ()
    files = (line.strip().rstrip(":") for line in out.splitlines())
    return tuple(sorted(f for f in files if f.lower().endswith((".ttc", ".ttf", ".otf"))))


def find_cjk_font(preferred: str | None = None) -> str | None:
    """``preferred`` if it exists, else the first known CJK font, else one fontconfig names; None: none."""
    if preferred:
        if Path(preferred).is_file():
            return str(preferred)
        log.warning("font %s not found; looking for another Chinese font", preferred)
    for index, path in enumerate([*CANDIDATES, *fontconfig_fonts()]):
        if Path(path).is_file():
            if index > 0:
                log.warning("WenQuanYi Micro Hei not found; using %s", path)
            return path
    return None
