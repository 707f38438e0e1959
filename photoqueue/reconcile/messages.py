"""What each finding says, Chinese first (the screen's and the agency's language), then English after " / "."""

from __future__ import annotations

from typing import Any


def span(first: int, last: int) -> str:
    return f"{first}" if first == last else f"{first}–{last}"


def numbers(values: list[int]) -> str:
    """Numbers in the line's order, consecutive runs as ranges: [39, 43, 44, 45] -> "39、43–45" (a recalled
    student stands in the line where they were called, not where their number is)."""
    runs: list[list[int]] = []
    for v in values:
        if runs and v == runs[-1][1] + 1:
            runs[-1][1] = v
        else:
            runs.append([v, v])
    return "、".join(span(a, b) for a, b in runs)


def _shifted(kw: dict[str, Any]) -> tuple[str, str]:
    """A stretch where the line and the screen were apart: whose photos were taken under which numbers."""
    shift, students, screens = kw["shift"], kw["students"], kw.get("screens", "")
    zh_dir, en_dir = ("前", "before") if shift < 0 else ("后", "after")
    places = "一" if abs(shift) == 1 else str(abs(shift))
    edge_zh = ("（首个屏幕号下后拍的照片起）" if kw.get("first_mixed") else "") + (
        "（末个屏幕号下先拍的照片止）" if kw.get("last_mixed") else "")
    edge_en = (" (from the later photos under the first)" if kw.get("first_mixed") else "") + (
        " (to the earlier photos under the last)" if kw.get("last_mixed") else "")
    until = kw.get("until", "realigned")
    tail_zh = {"realigned": "；此后照片与拍摄号一致", "now": "；至今仍错位", "day_end": "；直到当天最后"}[until]
    tail_en = {"realigned": "; after that photos and numbers agree", "now": "; still apart now",
               "day_end": "; until the day's end"}[until]
    after_zh = "，以及最后一次按键之后拍的照片" if kw.get("after_last") else ""
    after_en = ", and those taken after the last press" if kw.get("after_last") else ""
    if screens:
        zh = (f"{screens} 号屏幕下拍的照片{edge_zh}{after_zh}各属{zh_dir}{places}号，即 {students} 号同学的照片"
              f"{tail_zh}")
        en = (f"photos taken while {screens} was on the screen{edge_en}{after_en} each belong to the number "
              f"{abs(shift)} {en_dir}: they are {students}'s{tail_en}")
    else:
        zh = f"最后一次按键之后拍的照片属 {students} 号同学{tail_zh}"
        en = f"photos taken after the last press belong to {students}{tail_en}"
    return zh, en


def message(kind: str, n: int | None, **kw: Any) -> str:
    if kind == "shifted":
        zh, en = _shifted(kw)
        return f"{zh} / {en}"
    wait = kw.get("wait", 0.0)
    texts = {
        "missing_press": (f"照片数与拍摄号不符：{n} 号之后少了一次按键（{n} 号屏幕下拍了两位同学），排队的同学比屏幕超前一位",
                          f"photos and numbers disagree: a press is missing after number {n} (two students were "
                          f"photographed while {n} was on the screen); the line is one student ahead of the screen"),
        "missing_press_realigned": (f"{n} 号屏幕下拍了两位同学（少按了一次键），与此前多按的一次相抵，照片与拍摄号重新对齐",
                                    f"two students were photographed while {n} was on the screen (a press "
                                    "forgotten); it cancels the extra press before: photos and numbers agree again"),
        "extra_press_realigned": (f"{n} 号的按键没有对应的同学：补按了少按的一次，照片与拍摄号重新对齐",
                                  f"the press that ended number {n} had no student of its own: it made good the "
                                  "forgotten press; photos and numbers agree again"),
        # the log keeps whole seconds: a turn it measures as w seconds lasted under w + 1
        "extra_press_ahead": (f"照片数与拍摄号不符：{n} 号叫号后 {int(wait) + 1} 秒内即被按过，没有同学（连按两次？），"
                              "屏幕比排队的同学超前一号",
                              f"photos and numbers disagree: number {n} was pressed within {int(wait) + 1} s of its "
                              "call with no student (a double press?); the screen is one number ahead of the line"),
        "extra_press_middle": (f"{n} 号拍摄中途按了键：同一位同学的照片跨过了一次按键",
                               f"a press in the middle of number {n}'s photos: one student's photos span it"),
        "empty_press": (f"{n} 号按了键但没有照片：叫号后 {wait:.0f} 秒无人来拍即被按过（未到？），需补拍",
                        f"number {n} was marked photographed but has no photo: pressed {wait:.0f} s after its "
                        "call with nobody photographed (a no-show?); a make-up photo is needed"),
        "two_students": (f"{n} 号的照片像是两位同学的（中间停了 {kw.get('gap', 0):.0f} 秒）",
                         f"number {n}'s photos look like two students ({kw.get('gap', 0):.0f} s pause between)"),
        "photos_for_skipped": (f"{n} 号已标记{kw.get('how', '过号')}，却有照片",
                               f"number {n} was {kw.get('how_en', 'skipped')} but has photos"),
        "not_covered": (f"{n}–{kw.get('last')} 号（{kw.get('count')} 个已拍的号）在这个文件夹里没有照片",
                        f"numbers {n}-{kw.get('last')} ({kw.get('count')} photographed) have no photo in this "
                        "folder: another card, or a transfer that started late or stopped?"),
        "long_gap": (f"{n} 号之前 {kw.get('gap', 0) / 60:.0f} 分钟没有照片（期间有人在叫号）",
                     f"no photo for {kw.get('gap', 0) / 60:.0f} min before number {n} while numbers were called"),
        "before_first_call": (f"{kw.get('count')} 张照片拍于第一次叫号（{n} 号）之前：试拍？",
                              f"{kw.get('count')} photo(s) before the first call (number {n}): test shots?"),
        "after_last_call": (f"{kw.get('count')} 张照片拍于最后一次按键（{n} 号）之后",
                            f"{kw.get('count')} photo(s) after the last press (number {n})"),
        "no_call": (f"{kw.get('count')} 张照片拍于无人叫号时（{n} 号叫号之前）",
                    f"{kw.get('count')} photo(s) while no number was called (before number {n})"),
        # the hall screen's alerts, live: what to do now
        "live_behind": (f"照片与拍摄号不符：{n} 号之后少了一次按键，排队的同学比屏幕超前一位：请再按一次键",
                        f"photos and numbers disagree: a press is missing after number {n}; the line is one "
                        "student ahead of the screen: press once more"),
        "live_ahead": (f"照片与拍摄号不符：{n} 号连按了两次，屏幕比排队的同学超前一号：请按住按键撤销一次",
                       f"photos and numbers disagree: number {n} was pressed twice; the screen is one number "
                       "ahead of the line: hold the button to undo once"),
    }
    if n is None and kind in ("live_behind", "live_ahead"):
        places = kw.get("places", 1)
        texts[kind] = ((f"照片与拍摄号不符：排队的同学比屏幕超前 {places} 位：请再按一次键",
                        f"photos and numbers disagree: the line is {places} ahead of the screen: press once more")
                       if kind == "live_behind" else
                       (f"照片与拍摄号不符：屏幕比排队的同学超前 {places} 号：请按住按键撤销一次",
                        f"photos and numbers disagree: the screen is {places} ahead of the line: hold the button "
                        "to undo once"))
    zh, en = texts[kind]
    return f"{zh} / {en}"
