"""The scanner as the station uses it: frames in, :class:`ScanEvent` and :class:`ScannerAlert` out.

:class:`Scanner` is the pipeline plus the debounce, driven by the caller's frames and clock.
:func:`run_camera` and :func:`run_hid` are the loops a station's camera and HID threads run: they
put every event on the station's queue (``emit``) and return only when told to stop.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

import numpy as np

from photoqueue.scanner.debounce import Debouncer
from photoqueue.scanner.pipeline import DecodeResult, HiRes, make_pipeline
from photoqueue.scanner.reads import ScanEvent, ScannerAlert, alert
from photoqueue.scanner.settings import ScannerSettings
from photoqueue.scanner.supervisor import CameraSupervisor, frame_problem
from photoqueue.scanner.temporal import TemporalPipeline

log = logging.getLogger(__name__)

Event = ScanEvent | ScannerAlert


class Scanner:
    """Pipeline + debounce. ``process(frame, now)`` gives the events one frame brings."""

    def __init__(self, settings: ScannerSettings | None = None, *, pipeline=None, source: str = "camera"):
        self.settings = settings or ScannerSettings()
        s = self.settings
        if pipeline is None:
            pipeline = make_pipeline(s.decoder, s.retry_budget_ms)
            if s.decoder == "pipeline" and s.temporal_frames > 1:
                pipeline = TemporalPipeline(pipeline, frames=s.temporal_frames, budget_ms=s.temporal_budget_ms)
        self.pipeline = pipeline
        self.debouncer = Debouncer(s.debounce_gap_s, notice_repeat_s=s.notice_repeat_s, source=source)
        self.last: DecodeResult | None = None

    def decode(self, frame: np.ndarray, *, hires: HiRes = None, now: float | None = None) -> DecodeResult:
        """The codes in one frame, without debounce (a :class:`TemporalPipeline` also uses the frames before)."""
        hires = hires if self.settings.hires_retry else None
        if isinstance(self.pipeline, TemporalPipeline):
            return self.pipeline.decode(frame, hires=hires, now=now)
        return self.pipeline.decode(frame, hires=hires)

    def process(self, frame, now: float, *, hires: HiRes = None) -> list[Event]:
        """Decode one frame and debounce: the scans and notices it gives (never raises on a bad frame)."""
        problem = frame_problem(frame)
        if problem:
            log.debug("frame skipped: %s", problem)
            return self.debouncer.update([], now)
        try:
            self.last = self.decode(frame, hires=hires, now=now)
        except Exception:  # a decoder bug must cost a frame, not the station
            log.exception("decoding a frame failed")
            return self.debouncer.update([], now)
        return self.debouncer.update(self.last.texts, now)


def run_camera(supervisor: CameraSupervisor, scanner: Scanner, emit: Callable[[Event], None],
               stop: threading.Event, *, clock=time.monotonic) -> None:
    """The camera thread: frames through the scanner, events and alerts to ``emit``, until ``stop``."""
    try:
        while not stop.is_set() and not supervisor.finished:
            frame, alerts = supervisor.poll()
            for a in alerts:
                emit(a)
            if frame is None:
                continue
            for event in scanner.process(frame, clock(), hires=supervisor.read_hires):
                emit(event)
    finally:
        supervisor.close()


def run_hid(open_scanner: Callable, emit: Callable[[Event], None], stop: threading.Event,
            settings: ScannerSettings | None = None, *, sleep=time.sleep) -> None:
    """The HID thread: lines from the barcode scanner to ``emit``; reopened with backoff when it goes."""
    settings = settings or ScannerSettings()
    failures = 0
    while not stop.is_set():
        hid = None
        try:
            hid = open_scanner()
            hid.open()
            if failures:
                emit(alert("hid_recovered"))
            failures = 0
            for event in hid.events():
                emit(event)
                if stop.is_set():
                    return
            raise OSError("the device stopped")
        except Exception as exc:
            failures += 1
            if failures == 1:
                emit(alert("hid_unavailable", str(exc)))
            log.warning("HID scanner: %s (retry %d)", exc, failures)
            sleep(min(settings.backoff_initial_s * 2 ** (failures - 1), settings.backoff_max_s))
        finally:
            if hid is not None:
                try:
                    hid.close()
                except Exception as exc:
                    log.debug("closing the HID scanner: %s", exc)
