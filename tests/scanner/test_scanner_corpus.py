"""The pipeline on 179 real photographs of QR codes (ZXing's black-box set)."""

import cv2
import pytest

pytestmark = pytest.mark.pi  # also on the Pi's Python (make test-pi): its libraries are apt's older ones


def test_corpus_has_179_images(corpus):
    assert len(corpus) == 179


def test_pipeline_reads_at_least_97_percent_of_the_corpus(pipeline, corpus):
    items = corpus
    wrong = []
    for path, expected in items:
        gray = cv2.imread(str(path), cv2.IMREAD_GRAYSCALE)
        texts = pipeline.decode(gray).texts
        if texts != [expected]:
            wrong.append((path.parent.name + "/" + path.name, texts[:1]))
    rate = 1 - len(wrong) / len(items)
    assert rate >= 0.97, f"{rate:.1%} right; misses: {wrong}"


def test_pipeline_beats_both_raw_decoders_on_the_corpus(pipeline, corpus):
    from photoqueue.scanner.decoders import ZbarDecoder, ZxingDecoder

    zx, zb = ZxingDecoder(), ZbarDecoder()
    counts = {"pipeline": 0, "zxing": 0, "zbar": 0}
    for path, expected in corpus:
        gray = cv2.imread(str(path), cv2.IMREAD_GRAYSCALE)
        counts["pipeline"] += expected in pipeline.decode(gray).texts
        counts["zxing"] += expected in [d.text for d in zx.decode(gray)]
        counts["zbar"] += expected in [d.text for d in zb.decode(gray)]
    assert counts["pipeline"] > counts["zxing"] > counts["zbar"], counts
