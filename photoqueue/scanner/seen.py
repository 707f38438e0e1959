"""Seen but not read: a phone held up whose code the pipeline locates but cannot decode (a dim or tilted
screen, a cracked one, glare) gave nothing at all: no beep, no band, no log line, and the student waited.

:class:`SeenNotRead` watches each frame's :class:`~photoqueue.scanner.pipeline.DecodeResult`: when frames show a
code-like region (the locate step's ``region_quads``) without a decode for about a second (gaps under
``gap_s`` do not break the run), it gives the ``seen_not_read`` alert (the hall screen's band
"请将手机屏幕调亮、拿稳，对准摄像头", a soft beep, a log line), again every ``repeat_s`` while it lasts. A read
or an empty view ends the run. Pure: the caller passes each frame's result and its clock.
"""

from __future__ import annotations

from photoqueue.scanner.reads import ScannerAlert, alert


class SeenNotRead:
    def __init__(self, after_s: float = 1.0, gap_s: float = 0.4, repeat_s: float = 5.0):
        self.after_s, self.gap_s, self.repeat_s = after_s, gap_s, repeat_s
        self._since: float | None = None  # when the current run of unread sightings began
        self._last_seen: float | None = None
        self._said: float | None = None

    def update(self, result, now: float) -> list[ScannerAlert]:
        """The alert this frame brings (at most one), given the frame's decode ``result`` (None: no frame)."""
        if result is not None and result.detections:  # read: the run is over
            self._since = self._said = None
            return []
        seen = result is not None and bool(result.region_quads)
        if not seen:
            if self._last_seen is None or now - self._last_seen > self.gap_s:
                self._since = self._said = None
            return []
        self._last_seen = now
        if self._since is None:
            self._since = now
        if now - self._since >= self.after_s and (self._said is None or now - self._said >= self.repeat_s):
            self._said = now
            return [alert("seen_not_read")]
        return []


class WatchedScanner:
    """A :class:`~photoqueue.scanner.Scanner` whose frames also feed a :class:`SeenNotRead`: what
    ``run_camera`` drives in the station's camera thread (``process`` as the scanner's, plus the alert)."""

    def __init__(self, scanner, seen: SeenNotRead | None = None):
        self.scanner = scanner
        self.seen = seen or SeenNotRead()

    def process(self, frame, now: float, **kwargs) -> list:
        events = list(self.scanner.process(frame, now, **kwargs))
        return events + self.seen.update(getattr(self.scanner, "last", None), now)

    def __getattr__(self, name: str):
        return getattr(self.scanner, name)
