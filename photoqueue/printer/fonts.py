"""Finding a font with Chinese glyphs, and loading it once per size."""

from __future__ import annotations

import functools
import logging

from photoqueue import cjkfont
from photoqueue.printer.errors import PrinterError

log = logging.getLogger(__name__)

def find_cjk_font(font_path: str | None = None) -> str:
    """The path of the font to use: ``font_path`` if given and present, else a Chinese font found."""
    found = cjkfont.find_cjk_font(font_path)
    if found is None:
        raise PrinterError(
            "no font with Chinese glyphs found: install Debian's fonts-wqy-microhei "
            "(apt-get install fonts-wqy-microhei) or set the printer's font_path"
        )
    return found


@functools.lru_cache(maxsize=64)
def load_font(path: str, size: int):
    """A Pillow FreeType font, cached: rendering a ticket asks for the same few sizes every time."""
    from PIL import ImageFont

    try:
        return ImageFont.truetype(path, size)
    except OSError as exc:
        raise PrinterError(f"cannot load font {path}: {exc}") from exc
