"""Seen but not read (issue 23, item 3): a code the pipeline locates but cannot decode for about a second gives
the seen_not_read alert (the band "请将手机屏幕调亮、拿稳，对准摄像头"), again only every few seconds; a read or
an empty view ends it. Real frames: a QR whose data modules are scrambled (finder patterns intact)."""

import numpy as np
import qrcode

from photoqueue.scanner.scanner import Scanner
from photoqueue.scanner.seen import SeenNotRead, WatchedScanner


def frames():
    q = qrcode.QRCode(border=4, box_size=8)
    q.add_data("collection-code-0001-abcdefghijk")
    q.make()
    good = np.array(q.make_image().convert("L"), dtype=np.uint8)
    bad = good.copy()
    rng = np.random.default_rng(1)
    n = good.shape[0] // 8
    for r in range(12, n - 4):  # the data area between the finder patterns, scrambled
        for c in range(12, n - 4):
            bad[r * 8:(r + 1) * 8, c * 8:(c + 1) * 8] = 255 if rng.random() < 0.5 else 0
    out = []
    for sym in (good, bad):
        frame = np.full((480, 640), 200, np.uint8)
        y, x = (480 - sym.shape[0]) // 2, (640 - sym.shape[1]) // 2
        frame[y:y + sym.shape[0], x:x + sym.shape[1]] = sym
        out.append(frame)
    return out[0], out[1], np.full((480, 640), 200, np.uint8)


def test_a_located_code_that_does_not_decode_for_a_second_says_so_once_in_a_while():
    good, unreadable, empty = frames()
    watched = WatchedScanner(Scanner(), SeenNotRead(after_s=1.0, repeat_s=5.0))
    said = []
    for i in range(25):  # 2.5 s of 10 frames a second
        said += [(round(i * 0.1, 1), e.code) for e in watched.process(unreadable, i * 0.1)
                 if getattr(e, "code", "") == "seen_not_read"]
    assert said == [(1.0, "seen_not_read")]
    assert watched.process(good, 2.6)[0].text == "collection-code-0001-abcdefghijk"  # read: over
    for i in range(9):  # a fresh run needs its own second
        assert not [e for e in watched.process(unreadable, 2.7 + i * 0.1) if getattr(e, "code", "") == "seen_not_read"]
    assert [e.message_zh for e in watched.process(unreadable, 3.8)] == ["请将手机屏幕调亮、拿稳，对准摄像头"]
    assert watched.process(empty, 4.5) == [] and watched.seen.update(None, 5.0) == []
