import pytest

from photoqueue.core.codecheck import CodePolicy, check_code
from photoqueue.settings import problems


@pytest.mark.parametrize(
    ("text", "rule"),
    [
        ("", "empty"),
        ("   ", "empty"),
        ("A" * 513, "too_long"),
        ("abc\x00def", "binary"),
        ("abc\x1b[0mdef", "binary"),
        ("caf\ufffdcode", "binary"),
        ("https://example.com/pay", "url"),
        ("HTTP://EXAMPLE.COM", "url"),
        ("www.chsi.com.cn", "url"),
        ("wxp://f2f0abcdef", "payment"),
        ("https://qr.alipay.com/fkx12345", "payment"),
        ("134567890123456789", "payment"),  # WeChat pay barcode: 18 digits starting 10-15
        ("2876543210987654", "payment"),  # Alipay barcode
        ("abc", "too_short"),
    ],
)
def test_each_foreign_kind_is_rejected_with_its_own_reason(text, rule):
    rejection = check_code(text)
    assert rejection is not None and rejection.rule == rule
    assert rejection.message_zh and rejection.message_en


@pytest.mark.parametrize("text", ["eyJhbGciOiJIUzI1NiJ9.c2VjcmV0LXN0dWRlbnQ", "CJ2024-0000-ABCDEF", "中文也可以的采集码"])
def test_collection_codes_pass(text):
    assert check_code(text) is None


def test_configured_pattern_is_enforced():
    policy = CodePolicy(pattern=r"[A-Za-z0-9_\-\.]+")
    assert check_code("ABC-123-xyz", policy) is None
    assert check_code("ABC 123 xyz", policy).rule == "pattern"


def test_policy_validation_reports_every_problem():
    errors = problems(CodePolicy(min_length=0, max_length=-1, pattern="("))
    assert len(errors) == 3
