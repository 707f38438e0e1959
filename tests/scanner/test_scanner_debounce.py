"""Debounce: one scan per showing of a code; two codes at once take neither."""

from photoqueue.scanner.debounce import Debouncer
from photoqueue.scanner.reads import ScanEvent, ScannerAlert


def feed(d, frames, start=0.0, step=1 / 15):
    out = []
    for i, texts in enumerate(frames):
        out += d.update(texts, start + i * step)
    return out


def scans(events):
    return [e.text for e in events if isinstance(e, ScanEvent)]


def test_a_code_held_for_seconds_is_one_scan_despite_missed_frames():
    d = Debouncer(gap_s=1.5)
    frames = [["A"]] * 20 + [[]] * 10 + [["A"]] * 40 + [[]] * 5 + [["A"]] * 20  # gaps < 1.5 s
    events = feed(d, frames)
    assert scans(events) == ["A"]
    assert events[0] == ScanEvent("A", "camera", 0.0)


def test_the_same_code_after_leaving_the_view_is_a_rescan():
    d = Debouncer(gap_s=1.5)
    events = feed(d, [["A"]] * 10 + [[]] * 30 + [["A"]] * 10)  # 2 s away
    assert scans(events) == ["A", "A"]


def test_another_code_right_after_is_taken_at_once():
    d = Debouncer(gap_s=1.5)
    assert scans(feed(d, [["A"]] * 5 + [["B"]] * 5)) == ["A", "B"]


def test_two_codes_in_one_frame_take_neither_and_ask_for_one():
    d = Debouncer(gap_s=1.5, notice_repeat_s=3.0)
    events = feed(d, [["A", "B"]] * 30)  # 2 s of two codes
    assert scans(events) == []
    notices = [e for e in events if isinstance(e, ScannerAlert)]
    assert len(notices) == 1 and notices[0].code == "one_code_only"
    assert notices[0].message_zh == "请只出示一个采集码"
    assert len([e for e in feed(d, [["A", "B"]] * 90, start=2.0) if isinstance(e, ScannerAlert)]) == 2


def test_a_frame_that_read_only_one_of_two_codes_does_not_take_it():
    d = Debouncer(gap_s=1.5, settle_s=0.5)
    frames = [["A", "B"]] * 5 + [["A"]] + [["A", "B"]] * 5  # a decode miss on B
    assert scans(feed(d, frames)) == []
    # B put away: A alone for longer than settle_s is then taken, once
    assert scans(feed(d, [["A"]] * 30, start=1.0)) == ["A"]


def test_a_code_already_taken_keeps_its_place_when_a_second_appears():
    d = Debouncer(gap_s=1.5)
    events = feed(d, [["A"]] * 10 + [["A", "B"]] * 5 + [["A"]] * 10)
    assert scans(events) == ["A"]
