"""The one vocabulary: every count key has a term, Chinese first, and docs/glossary.md shows each word."""

from pathlib import Path

from photoqueue.core import glossary


def test_each_term_has_chinese_and_english_and_the_docs_table_lists_it():
    doc = (Path(__file__).resolve().parents[2] / "docs" / "glossary.md").read_text(encoding="utf-8")
    for key, t in glossary.TERMS.items():
        assert t.zh and t.en and t.meaning_zh and t.meaning_en, key
        assert f"`{key}`" in doc and t.zh in doc, key


def test_labels_default_to_chinese_and_unknown_status_is_shown_as_itself():
    assert glossary.label("skipped") == "过号"
    assert glossary.label("skipped", "en") == "skipped"
    assert glossary.status_label("photographed") == "已拍"
    assert glossary.status_label("odd") == "odd"


def test_the_sum_rule_reads_as_a_sentence():
    assert glossary.sum_rule_text() == "应拍 + 超出应拍 = 已拍 + 过号 + 排队中 + 未到（已过时段） + 未开始"
