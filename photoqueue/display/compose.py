"""From a view model to what each region shows: the words, their relative sizes and colours.

Pure (no pygame): ``compose(state, now, layout, theme, settings)`` returns one :class:`Panel` per region,
plain hashable data. The renderer compares panels with the last ones it drew and repaints only the
regions whose panel changed, so an unchanged state costs no drawing at all, and the clock costs one small
region a second.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

from photoqueue.display.layout import Box, Layout
from photoqueue.display.model import DisplayState, Flash
from photoqueue.display.settings import DisplaySettings

RGB = tuple[int, int, int]


@dataclass(frozen=True)
class Theme:
    background: RGB
    panel: RGB
    text: RGB
    muted: RGB
    accent: RGB  # the number being called
    good: RGB
    warn: RGB
    bad: RGB
    alert_bg: tuple[RGB, RGB]  # alternates once a second: impossible to miss
    alert_text: RGB
    flash_bg: dict[str, RGB]
    flash_text: RGB


# Alerts and flashes look the same in every theme: staff learn one red and one green.
_SIGNALS = dict(
    alert_bg=((200, 20, 20), (140, 0, 0)),
    alert_text=(255, 255, 255),
    flash_bg={"issued": (30, 120, 50), "reprint": (25, 90, 170), "refused": (200, 80, 0), "info": (70, 80, 95)},
    flash_text=(255, 255, 255),
)

THEMES = {
    "dark": Theme(
        background=(0, 0, 0),
        panel=(22, 30, 40),
        text=(245, 245, 245),
        muted=(160, 175, 190),
        accent=(255, 214, 64),
        good=(110, 210, 120),
        warn=(255, 170, 60),
        bad=(255, 110, 100),
        **_SIGNALS,
    ),
    "light": Theme(
        background=(210, 215, 222),
        panel=(255, 255, 255),
        text=(15, 20, 30),
        muted=(80, 90, 105),
        accent=(180, 20, 20),
        good=(20, 120, 40),
        warn=(170, 90, 0),
        bad=(190, 20, 20),
        **_SIGNALS,
    ),
}

FLASH_LABELS = {"issued": "取号成功", "reprint": "已取过号 · 补打小票", "refused": "无法取号", "info": ""}
WEEKDAYS = ("星期一", "星期二", "星期三", "星期四", "星期五", "星期六", "星期日")
# who confirmed the session's date (DateCheck.confirmed_by), as the room reads it
CONFIRMED_BY = {"config": "配置文件", "centre": "中心服务器", "button": "摄影师按键", "cli": "工作人员命令",
                "simulation": "模拟", "off": "无需确认"}
DATE_PROMPT = ("摄影师请按键确认日期", "photographer: press the button to confirm the date")


@dataclass(frozen=True)
class Run:
    """A piece of text in a line; ``weight`` is its size relative to the line's largest run."""

    text: str
    weight: float
    color: RGB
    bold: bool = False


@dataclass(frozen=True)
class Line:
    """One line of text fitted into ``slot``: shrunk until it fits, then the ``elastic`` run ellipsized."""

    slot_name: str
    slot: Box
    runs: tuple[Run, ...]
    align: str = "left"  # left, center, right
    elastic: int | None = None  # index of the run that may be cut with an ellipsis

    @property
    def text(self) -> str:
        return "".join(r.text for r in self.runs)


@dataclass(frozen=True)
class Panel:
    """What one region shows: its background and its lines."""

    region: str
    box: Box
    background: RGB
    lines: tuple[Line, ...]
    dividers: tuple[Box, ...] = ()


def compose(
    state: DisplayState, now: dt.datetime, layout: Layout, settings: DisplaySettings | None = None
) -> tuple[Panel, ...]:
    settings = settings or DisplaySettings()
    theme = THEMES[settings.theme]
    clock = dt.datetime.combine(now.date(), state.clock) if state.clock else now
    flash = state.flash if state.flash and state.flash.active(now) else None
    texts = _texts(state, clock, theme, settings, layout, flash)
    panels = []
    for region in layout.regions:
        bg = theme.panel
        if region.name in ("header", "clock"):
            bg = theme.background
        elif region.name == "alert" and state.alerts:
            bg = theme.alert_bg[now.second % 2]
        elif region.name == "status" and flash:
            bg = theme.flash_bg[flash.kind]
        elif region.name == "status" and state.date_check:
            bg = theme.flash_bg["issued" if state.date_check.confirmed_by else "refused"]
        lines = []
        for slot_name, box in region.slots:
            spec = texts.get(slot_name)
            if spec is None:
                continue
            runs, align, elastic = spec
            lines.append(Line(slot_name, box, tuple(runs), align, elastic))
        dividers = () if region.name == "status" and (flash or state.date_check) else region.dividers
        panels.append(Panel(region.name, region.box, bg, tuple(lines), dividers))
    return tuple(panels)


_Texts = dict[str, tuple[list[Run], str, int | None]]


def _texts(state, clock, theme: Theme, settings, layout: Layout, flash: Flash | None) -> dict:
    out: _Texts = {}
    _header_texts(out, state, clock, theme, settings)
    if state.date_check:
        _date_texts(out, state.date_check, theme)
    else:
        _call_texts(out, state, theme)
    _next_texts(out, state, theme, settings, layout)
    _class_texts(out, state, theme)
    if flash:
        _flash_texts(out, flash, theme)
    elif state.date_check:
        _date_prompt_texts(out, state.date_check, theme)
    else:
        _waiting_texts(out, state, theme)
    return out


def _header_texts(out: _Texts, state, clock, t: Theme, settings) -> None:
    """The header (room and where it is; the clock) and the alert line."""
    room = [_bold(state.room or "拍摄点", 1.0, t.text)]
    if state.location:
        room.append(Run("  " + state.location, 0.75, t.muted))
    out["room"] = (room, "left", len(room) - 1)
    hhmm = clock.strftime("%H:%M")
    clock_runs = [_bold(hhmm, 1.0, t.text)]
    if settings.show_seconds:
        clock_runs.append(Run(clock.strftime(":%S"), 0.7, t.muted))
    out["clock"] = (clock_runs, "right", None)

    # Alerts, or a reminder of the rules while there is none.
    if state.alerts:
        out["alert"] = ([_bold("注意：" + "；".join(state.alerts), 1.0, t.alert_text)], "center", 0)
    else:
        out["alert"] = ([Run(settings.hint_text, 0.8, t.muted)], "center", 0)


def _call_texts(out: _Texts, state, t: Theme) -> None:
    # The call: 请 17 号同学拍摄.
    if state.now_serving is not None:
        out["call"] = (
            [
                _bold("请 ", 0.42, t.text),
                _bold(str(state.now_serving), 1.0, t.accent),
                _bold(" 号同学拍摄", 0.42, t.text),
            ],
            "center",
            None,
        )
    else:
        out["call"] = ([_bold("请扫码取号", 0.5, t.text)], "center", None)


def _date_texts(out: _Texts, check, t: Theme) -> None:
    """The session's date in place of the call, before the first scan: 日期 2024-10-25 星期五. Amber while it
    is not confirmed (the room must look at it), in the call's colour once it is."""
    color = t.accent if check.confirmed_by else t.warn
    out["call"] = (
        [
            Run("日期 ", 0.4, t.muted),
            _bold(check.date.isoformat(), 1.0, color),
            Run(" " + WEEKDAYS[check.date.weekday()], 0.6, color),
        ],
        "center",
        None,
    )


def _date_prompt_texts(out: _Texts, check, t: Theme) -> None:
    """Under the date, in place of waiting and pace: what the room must do about it, or who confirmed it."""
    if check.confirmed_by:
        by = CONFIRMED_BY.get(check.confirmed_by, check.confirmed_by)
        runs = [Run(f"日期已确认（{by}）", 0.8, t.flash_text), _bold(" · 请扫码取号", 1.0, t.flash_text)]
    else:
        runs = [Run(DATE_PROMPT[0], 1.0, t.flash_text), Run(" / " + DATE_PROMPT[1], 0.55, t.flash_text)]
    out["flash"] = (runs, "center", len(runs) - 1)


def _next_texts(out: _Texts, state, t: Theme, settings, layout: Layout) -> None:
    # The next numbers.
    out["next_label"] = ([Run("下一位", 1.0, t.muted)], "left", None)
    per = layout.next_per_line
    count = settings.next_count if settings.next_count is not None else 2 * per
    nums = [str(n) for n in state.next[:count]]
    if not nums:
        out["next_1"] = ([Run("—", 0.8, t.muted)], "left", None)
    for i, key in enumerate(("next_1", "next_2")):
        chunk = nums[i * per : (i + 1) * per]
        if chunk:
            out[key] = ([_bold("  ".join(chunk), 1.0, t.text)], "left", None)


def _class_texts(out: _Texts, state, t: Theme) -> None:
    # The class being shot, and the one after it.
    out["cur_label"] = ([Run("正在拍摄", 1.0, t.muted)], "left", None)
    cc = state.current_class
    if cc:
        out["cur_name"] = ([_bold(cc.name or "—", 1.0, t.text)], "left", 0)
        out["cur_count"] = (
            [Run("已拍 ", 0.7, t.muted), _bold(f"{cc.done}/{cc.expected}", 1.0, t.text)],
            "right",
            None,
        )
    else:
        out["cur_name"] = ([Run("—", 1.0, t.muted)], "left", None)
    out["up_label"] = ([Run("下一班级", 1.0, t.muted)], "left", None)
    nc = state.next_class
    if nc:
        out["up_name"] = ([Run(nc.name or "—", 1.0, t.text)], "left", 0)
        info = [Run(f"{nc.expected} 人", 1.0, t.text)]
        if nc.start:
            info = [_bold(nc.start.strftime("%H:%M"), 1.0, t.text), Run(" 开始 · ", 0.7, t.muted)] + info
        out["up_info"] = (info, "right", None)
    elif cc:
        out["up_name"] = ([Run("今日最后一个班级", 0.8, t.muted)], "left", 0)
    else:
        out["up_name"] = ([Run("—", 1.0, t.muted)], "left", None)


def _flash_texts(out: _Texts, flash: Flash, t: Theme) -> None:
    """The flash after a scan, in the place of waiting and pace."""
    label = FLASH_LABELS[flash.kind]
    runs = [Run(label, 0.7, t.flash_text)] if label else []
    if flash.number is not None:
        runs.append(_bold(f"  {flash.number} 号", 1.0, t.flash_text))
    if flash.text:
        sep = "：" if flash.kind == "refused" and flash.number is None else "  "
        runs.append(Run((sep if runs else "") + flash.text, 0.7, t.flash_text))
    out["flash"] = (
        runs or [Run(" ", 1.0, t.flash_text)],
        "center",
        len(runs) - 1 if flash.text else None,
    )


def _waiting_texts(out: _Texts, state, t: Theme) -> None:
    """Waiting and pace."""
    waiting = [
        Run("等候 ", 0.7, t.muted),
        _bold(f"{state.waiting}", 1.0, t.text),
        Run(" 人", 0.7, t.muted),
    ]
    if state.wait_minutes is not None and state.waiting:
        waiting += [Run(" · 预计等待 ", 0.7, t.muted), _bold(_minutes(state.wait_minutes), 1.0, t.text)]
    out["waiting"] = (waiting, "left", None)
    pace = _pace(state.late_minutes, t)
    if pace:
        out["pace"] = (pace, "right", None)


def _bold(text: str, weight: float, color: RGB) -> Run:
    """A run drawn bold where that helps: digits and Latin letters. Chinese glyphs stay regular, since
    synthetic bold fills in their strokes and makes them harder to read from afar."""
    return Run(text, weight, color, bold=text.isascii())


def _minutes(minutes: float) -> str:
    if minutes < 1:
        return "不到 1 分钟"
    return f"约 {math.ceil(minutes)} 分钟"


def _pace(late: float | None, t: Theme) -> list[Run] | None:
    if late is None:
        return None
    n = round(late)
    if n >= 1:
        color = t.warn if n < 10 else t.bad
        return [Run("比时间表", 0.7, t.muted), _bold(f"晚 {n} 分钟", 1.0, color)]
    if n <= -1:
        return [Run("比时间表", 0.7, t.muted), _bold(f"早 {-n} 分钟", 1.0, t.good)]
    return [_bold("按时间表进行", 1.0, t.good)]
