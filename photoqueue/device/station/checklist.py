"""The checklist's words: a part's :class:`Check` (status, detail, fix) and how a line of it reads.

Apart from diagnose, so the checks that live elsewhere (the number gate's, gate_check) return the
same kind of line without importing diagnose, which runs them.
"""

from __future__ import annotations

from dataclasses import dataclass

OK, FAIL, WARN, SKIP = "ok", "fail", "warn", "skip"
MARK = {OK: "✓", FAIL: "✗", WARN: "!", SKIP: "-"}
SCREEN_MARK = {OK: "√", FAIL: "×", WARN: "!", SKIP: "-"}  # the screen's CJK font has these, not ✓ ✗
TITLES = {"camera": ("相机", "camera"), "printer": ("打印机", "printer"), "display": ("屏幕", "screen"),
          "buttons": ("按钮", "buttons"), "clock": ("时钟", "clock"), "key": ("部署密钥", "deployment key"),
          "central": ("中心服务", "centre"), "disk": ("磁盘", "disk"), "timetable": ("时间表", "timetable"),
          "numbering": ("取号", "numbering")}


@dataclass
class Check:
    part: str
    status: str
    detail: str
    fix_zh: str = ""
    fix_en: str = ""

    @property
    def line(self) -> str:
        zh, en = TITLES[self.part]
        text = f"{MARK[self.status]} {zh} {en}: {self.detail}"
        if self.status == FAIL and (self.fix_zh or self.fix_en):
            text += f"\n    → {self.fix_zh} / {self.fix_en}"
        return text
