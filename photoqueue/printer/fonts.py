"""Finding a font with Chinese glyphs, and loading it once per size."""

from __future__ import annotations

import functools
import logging
import os

from photoqueue.printer.errors import PrinterError

log = logging.getLogger(__name__)

# Debian's fonts-wqy-microhei first (what the Makefile and the Pi install script install), then the
# other CJK fonts a Debian or Raspberry Pi OS machine commonly has.
CANDIDATES = (
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJKsc-Regular.otf",
    "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",
)


def find_cjk_font(font_path: str | None = None) -> str:
    """The path of the font to use: ``font_path`` if given and present, else the first candidate found."""
    if font_path:
        if os.path.isfile(font_path):
            return font_path
        log.warning("font %s not found; looking for another CJK font", font_path)
    for index, path in enumerate(CANDIDATES):
        if os.path.isfile(path):
            if index > 0:
                log.warning("WenQuanYi Micro Hei not found; using %s", path)
            return path
    raise PrinterError(
        "no font with Chinese glyphs found: install Debian's fonts-wqy-microhei "
        "(apt-get install fonts-wqy-microhei) or set the printer's font_path"
    )


@functools.lru_cache(maxsize=64)
def load_font(path: str, size: int):
    """A Pillow FreeType font, cached: rendering a ticket asks for the same few sizes every time."""
    from PIL import ImageFont

    try:
        return ImageFont.truetype(path, size)
    except OSError as exc:
        raise PrinterError(f"cannot load font {path}: {exc}") from exc
