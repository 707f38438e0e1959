"""The display's settings: one dataclass of :func:`photoqueue.settings.setting` declarations.

The station's config file carries a ``[display]`` table with these keys; every constraint is declared on
its field and :func:`photoqueue.settings.problems` reports every problem at once (the display's own
classes raise one :class:`DisplayError` listing them, through :func:`checked`). docs/display.md documents
each setting (a test checks that it does).
"""

from __future__ import annotations

from dataclasses import dataclass

from photoqueue.display.errors import DisplayError
from photoqueue.settings import require, setting, size_from_text

THEMES = ("dark", "light")
SIZE_RANGE = (100, 10000)  # pixels each way


def _voice_problem(voice: str) -> str | None:
    return None if voice.strip() else f"expected an espeak-ng voice name, got {voice!r}"


def _speech_problem(text: str) -> str | None:
    return None if "{number}" in text else f"must contain {{number}}, got {text!r}"


@dataclass
class DisplaySettings:
    """How the hall display looks, behaves and sounds. All fields have working defaults."""

    size: tuple[int, int] | None = setting(
        None, "Screen size as (width, height) or 'WxH'. None: the screen's own size when full screen, "
        "else a 1280x720 window. The layout (1920x1080, 1280x720 or 800x480) is the nearest to it.",
        min=SIZE_RANGE[0], max=SIZE_RANGE[1])
    fullscreen: bool | None = setting(
        None, "True: full screen; False: a window; None: full screen when there is no desktop "
        "(no DISPLAY or WAYLAND_DISPLAY), as on a Pi showing through KMS/DRM.")
    video_driver: str | None = setting(
        None, "SDL video driver to ask for when SDL_VIDEODRIVER is not set (e.g. 'kmsdrm' on a Pi). "
        "None: SDL's own choice.")
    font_path: str | None = setting(
        None, "A TTF/TTC/OTF font with Chinese glyphs. None: the first found of WenQuanYi Micro Hei, "
        "Noto Sans CJK, Droid Sans Fallback. A missing font logs a warning and falls back.")
    theme: str = setting(
        "dark", "Colour theme: 'dark' (light text on black, best in a bright hall) or 'light'.", choices=THEMES)
    fps_cap: float = setting(
        20.0, "Most frames drawn per second; states that arrive faster are merged (latest wins).", min=1, max=120)
    flash_seconds: float = setting(
        4.0, "How long the flash after a scan (number issued, reprint, refused) shows.", min=0, max=60)
    show_seconds: bool = setting(True, "Show seconds on the clock (one small partial redraw a second).")
    slow_frame_ms: float = setting(250.0, "A frame that takes longer than this logs a warning.", min=0, max=60000)
    next_count: int | None = setting(
        None, "How many of the next numbers to show; None: as many as the layout has room for.", min=0, max=12)
    hide_cursor: bool = setting(True, "Hide the mouse pointer on the screen.")
    chime: bool = setting(True, "Play a chime on each call.")
    speech: bool = setting(False, "Also speak each call in Mandarin (offline, with espeak-ng).")
    volume: float = setting(0.8, "Sound volume, 0.0 (silent) to 1.0.", min=0, max=1)
    voice: str = setting(
        "cmn-latn-pinyin", "espeak-ng voice for the spoken call. 'cmn-latn-pinyin' reads Chinese characters as "
        "Mandarin on Debian's espeak-ng; plain 'cmn' spells them out in English there.", check=_voice_problem)
    speech_rate: int = setting(140, "Speaking speed in words a minute (espeak-ng -s).", min=60, max=450)
    speech_text: str = setting(
        "请{number}号同学拍摄", "What is spoken on a call; {number} is replaced by the number.",
        check=_speech_problem)
    hint_text: str = setting(
        "请按号码顺序拍摄 · 勿插队 · 取号后请勿离开", "The line shown in the alert band while there is no alert.")
    sound_cache_dir: str | None = setting(
        None, "Where rendered speech WAVs are kept. None: a folder in the system's temp directory.")


def checked(settings: DisplaySettings | None) -> DisplaySettings:
    """The settings (the defaults for None); one :class:`DisplayError` listing every problem otherwise."""
    return require(settings or DisplaySettings(), DisplayError, "display settings")


def parse_size(text: str) -> tuple[int, int]:
    """'1920x1080' -> (1920, 1080); a DisplayError for anything else."""
    size = size_from_text(text)
    if size is None:
        raise DisplayError(f"size: expected WIDTHxHEIGHT such as 1920x1080, got {text!r}")
    w, h = size
    low, high = SIZE_RANGE
    if not (low <= w <= high and low <= h <= high):
        raise DisplayError(f"size: {w}x{h} is out of range (100 to 10000 pixels each way)")
    return w, h
