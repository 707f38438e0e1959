"""The display's settings: one dataclass with defaults and a help text for every field.

The station's config file carries a ``[display]`` table with these keys; :meth:`DisplaySettings.from_dict`
reads it and :meth:`DisplaySettings.validate` reports every problem at once. docs/display.md documents
each setting (a test checks that it does).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

from photoqueue.display._check import Problems, is_int, is_number
from photoqueue.display.errors import DisplayError

THEMES = ("dark", "light")


def _help(text: str, default):
    return field(default=default, metadata={"help": text})


@dataclass
class DisplaySettings:
    """How the hall display looks, behaves and sounds. All fields have working defaults."""

    size: tuple[int, int] | None = _help(
        "Screen size as (width, height) or 'WxH'. None: the screen's own size when full screen, "
        "else a 1280x720 window. The layout (1920x1080, 1280x720 or 800x480) is the nearest to it.",
        None,
    )
    fullscreen: bool | None = _help(
        "True: full screen; False: a window; None: full screen when there is no desktop "
        "(no DISPLAY or WAYLAND_DISPLAY), as on a Pi showing through KMS/DRM.",
        None,
    )
    video_driver: str | None = _help(
        "SDL video driver to ask for when SDL_VIDEODRIVER is not set (e.g. 'kmsdrm' on a Pi). "
        "None: SDL's own choice.",
        None,
    )
    font_path: str | None = _help(
        "A TTF/TTC/OTF font with Chinese glyphs. None: the first found of WenQuanYi Micro Hei, "
        "Noto Sans CJK, Droid Sans Fallback. A missing font logs a warning and falls back.",
        None,
    )
    theme: str = _help(
        "Colour theme: 'dark' (light text on black, best in a bright hall) or 'light'.", "dark"
    )
    fps_cap: float = _help(
        "Most frames drawn per second; states that arrive faster are merged (latest wins).", 20.0
    )
    flash_seconds: float = _help(
        "How long the flash after a scan (number issued, reprint, refused) shows.", 4.0
    )
    show_seconds: bool = _help("Show seconds on the clock (one small partial redraw a second).", True)
    slow_frame_ms: float = _help("A frame that takes longer than this logs a warning.", 250.0)
    next_count: int | None = _help(
        "How many of the next numbers to show; None: as many as the layout has room for.", None
    )
    hide_cursor: bool = _help("Hide the mouse pointer on the screen.", True)
    chime: bool = _help("Play a chime on each call.", True)
    speech: bool = _help("Also speak each call in Mandarin (offline, with espeak-ng).", False)
    volume: float = _help("Sound volume, 0.0 (silent) to 1.0.", 0.8)
    voice: str = _help(
        "espeak-ng voice for the spoken call. 'cmn-latn-pinyin' reads Chinese characters as Mandarin "
        "on Debian's espeak-ng; plain 'cmn' spells them out in English there.",
        "cmn-latn-pinyin",
    )
    speech_rate: int = _help("Speaking speed in words a minute (espeak-ng -s).", 140)
    speech_text: str = _help(
        "What is spoken on a call; {number} is replaced by the number.", "请{number}号同学拍摄"
    )
    hint_text: str = _help(
        "The line shown in the alert band while there is no alert.",
        "请按号码顺序拍摄 · 勿插队 · 取号后请勿离开",
    )
    sound_cache_dir: str | None = _help(
        "Where rendered speech WAVs are kept. None: a folder in the system's temp directory.", None
    )

    def validate(self) -> DisplaySettings:
        """Raise one DisplayError that lists every bad setting; return self when all are good."""
        p = Problems("display settings")
        if self.size is not None:
            size = self.size
            if not (
                isinstance(size, tuple)
                and len(size) == 2
                and all(is_int(v) and 100 <= v <= 10000 for v in size)
            ):
                p.add(f"size: expected (width, height) between 100 and 10000 pixels, got {size!r}")
        for name in ("fullscreen", "video_driver", "font_path", "sound_cache_dir", "next_count"):
            value = getattr(self, name)
            want = {"fullscreen": bool, "next_count": int}.get(name, str)
            if value is not None and (
                not isinstance(value, want) or (want is int and isinstance(value, bool))
            ):
                p.add(f"{name}: expected {want.__name__} or None, got {value!r}")
        if self.theme not in THEMES:
            p.add(f"theme: expected one of {', '.join(THEMES)}, got {self.theme!r}")
        for name, low, high in (
            ("fps_cap", 1, 120),
            ("flash_seconds", 0, 60),
            ("slow_frame_ms", 0, 60000),
            ("volume", 0, 1),
            ("speech_rate", 60, 450),
        ):
            value = getattr(self, name)
            if not is_number(value) or not low <= value <= high:
                p.add(f"{name}: expected a number from {low} to {high}, got {value!r}")
        if isinstance(self.next_count, int) and not 0 <= self.next_count <= 12:
            p.add(f"next_count: expected 0 to 12, got {self.next_count!r}")
        for name in ("show_seconds", "hide_cursor", "chime", "speech"):
            if not isinstance(getattr(self, name), bool):
                p.add(f"{name}: expected true or false, got {getattr(self, name)!r}")
        if not isinstance(self.voice, str) or not self.voice.strip():
            p.add(f"voice: expected an espeak-ng voice name, got {self.voice!r}")
        if not isinstance(self.hint_text, str):
            p.add(f"hint_text: expected text, got {self.hint_text!r}")
        if not isinstance(self.speech_text, str) or "{number}" not in self.speech_text:
            p.add(f"speech_text: must contain {{number}}, got {self.speech_text!r}")
        p.raise_if_any()
        return self

    @classmethod
    def from_dict(cls, data: dict) -> DisplaySettings:
        """Settings from a config table; unknown keys are errors with a 'did you mean'."""
        p = Problems("display settings")
        if not isinstance(data, dict):
            p.add(f"expected a table of settings, got {data!r}")
            p.raise_if_any()
        p.unknown_keys(data, [f.name for f in dataclasses.fields(cls)])
        p.raise_if_any()
        kw = dict(data)
        if isinstance(kw.get("size"), str):
            kw["size"] = parse_size(kw["size"])
        elif isinstance(kw.get("size"), list):
            kw["size"] = tuple(kw["size"])
        return cls(**kw).validate()

    @classmethod
    def help(cls) -> dict[str, str]:
        """Each setting's help text, by name (for docs and --help output)."""
        return {f.name: f.metadata["help"] for f in dataclasses.fields(cls)}


def parse_size(text: str) -> tuple[int, int]:
    """'1920x1080' -> (1920, 1080); a DisplayError for anything else."""
    try:
        w, h = (int(v) for v in str(text).lower().replace("×", "x").split("x"))
    except ValueError:
        raise DisplayError(f"size: expected WIDTHxHEIGHT such as 1920x1080, got {text!r}") from None
    if not (100 <= w <= 10000 and 100 <= h <= 10000):
        raise DisplayError(f"size: {w}x{h} is out of range (100 to 10000 pixels each way)")
    return w, h
