"""From the codes in each frame to scans: one scan per showing of a code.

Pure: the caller passes the time. A code held in view for seconds is one scan; a frame or two where
the decoder misses it changes nothing. The same code shown again after it was out of view for more
than ``gap_s`` is a new scan (the core reprints its ticket). A frame with two different codes takes
neither and asks for one code only; a code of such a pair is taken only once it has been shown
alone for ``settle_s`` (a frame that read just one of two codes in view must not take it). A code
already taken that stays in view keeps its place.
"""

from __future__ import annotations

from photoqueue.scanner.reads import ScanEvent, ScannerAlert, alert


class Debouncer:
    def __init__(self, gap_s: float = 1.5, *, notice_repeat_s: float = 3.0, settle_s: float = 0.5,
                 source: str = "camera"):
        self.gap_s = gap_s
        self.notice_repeat_s = notice_repeat_s
        self.settle_s = settle_s
        self.source = source
        self._last_seen: dict[str, float] = {}  # codes taken, and when each was last in view
        self._in_pair: dict[str, float] = {}  # codes last seen beside another code, and when
        self._notice_at: float | None = None

    def update(self, texts: list[str], now: float) -> list[ScanEvent | ScannerAlert]:
        """The events one frame's codes (in the order read) give at time ``now``."""
        self._forget(now)
        distinct = list(dict.fromkeys(texts))
        for text in distinct:
            if text in self._last_seen:
                self._last_seen[text] = now
        if len(distinct) > 1:
            for text in distinct:
                self._in_pair[text] = now
            if self._notice_at is None or now - self._notice_at >= self.notice_repeat_s:
                self._notice_at = now
                return [alert("one_code_only")]
            return []
        if not distinct or distinct[0] in self._last_seen:
            return []
        text = distinct[0]
        if text in self._in_pair and now - self._in_pair[text] < self.settle_s:
            return []
        self._last_seen[text] = now
        return [ScanEvent(text, self.source, now)]

    def _forget(self, now: float) -> None:
        for text, seen in list(self._last_seen.items()):
            if now - seen > self.gap_s:
                del self._last_seen[text]
        for text, seen in list(self._in_pair.items()):
            if now - seen > max(self.gap_s, self.settle_s):
                del self._in_pair[text]
