"""The code check: the gate before a scanned text can cost a shooting number.

A collection code (图像采集码) is an opaque token. Anything else a phone can show — a URL, a
payment code, garbage from a bad read — is refused here with its own reason, in Chinese and
English, before the queue core numbers anything.

A code is taken as a person sees it: invisible format characters (Unicode category Cf: zero-width
spaces and joiners, direction marks, a byte-order mark) are refused, since two codes that differ only
by one look the same on every screen and list; and compatibility forms are folded (NFKC: full-width
"ＳＴＵ０００１００" is "STU000100") by :func:`normalise_code` before the code is looked up or digested.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from photoqueue.settings import setting


def _pattern_problem(pattern: str) -> str | None:
    try:
        re.compile(pattern)
    except re.error as exc:
        return f"not a valid regular expression: {exc}"
    return None


@dataclass(frozen=True)
class CodePolicy:
    min_length: int = setting(6, "shortest accepted code, in characters", min=1)
    max_length: int = setting(512, "longest accepted code, in characters")
    pattern: str = setting("", "a regular expression the whole code must match (empty: any printable text)",
                           check=_pattern_problem)

    def validate(self) -> list[str]:
        """The rule that joins the two lengths (each field's own constraints are declared on it)."""
        return ["max_length: must not be below min_length"] if self.max_length < self.min_length else []


@dataclass(frozen=True)
class Rejection:
    rule: str
    message_zh: str
    message_en: str

    @property
    def message(self) -> str:
        return f"{self.message_zh} / {self.message_en}"


_URL = re.compile(r"^[a-z][a-z0-9+.-]{1,20}://|^www\.", re.IGNORECASE)
_PAYMENT_SCHEMES = ("wxp://", "weixin://", "alipays://", "alipay://", "upwallet://", "unionpay://")
_PAYMENT_HOSTS = ("qr.alipay.com", "qr.95516.com", "payapp.weixin.qq.com", "wx.tenpay.com", "qr.chinaums.com")
# Payment barcodes shown by the wallets: WeChat 18 digits starting 10-15, Alipay 16-24 digits starting 25-30.
_PAYMENT_NUMERIC = re.compile(r"^(1[0-5]\d{16}|(2[5-9]|30)\d{14,22})$")


# what a scanner or a person puts around a code (Enter, Tab, a space): dropped at both ends, never inside
SCANNER_PADDING = " \t\r\n"


def _rejected(rule: str, zh: str, en: str) -> Rejection:
    return Rejection(rule, zh, en)


def normalise_code(text: str) -> str:
    """The code as a person reads it: NFKC (full-width letters and digits, compatibility forms folded).
    Idempotent; the reducer looks codes up and digests them only in this form."""
    return unicodedata.normalize("NFKC", text)


def check_code(text: str, policy: CodePolicy = CodePolicy()) -> Rejection | None:
    """None when ``text`` may be a collection code; otherwise why not.

    The caller strips a scanner's trailing newline; invisible characters are judged as given, the rest
    on the code's NFKC form (what :func:`normalise_code` makes of it).
    """
    if not text or not text.strip():
        return _rejected("empty", "空白码，请重新扫描", "empty code, please scan again")
    if len(text) > policy.max_length:
        return _rejected("too_long", "码过长，不是采集码", f"code longer than {policy.max_length} characters")
    if "\ufffd" in text or any(unicodedata.category(ch) in ("Cc", "Cs", "Co", "Cn") for ch in text):
        return _rejected("binary", "码含控制字符或二进制内容，不是采集码", "code holds control characters or binary data")
    if any(unicodedata.category(ch) == "Cf" for ch in text):
        return _rejected("invisible", "采集码含不可见字符，请重新扫描或手工输入",
                         "the code holds invisible characters (zero-width or format marks); scan it again or "
                         "type it by hand")
    text = normalise_code(text)
    lowered = text.strip().lower()
    if lowered.startswith(_PAYMENT_SCHEMES) or any(h in lowered for h in _PAYMENT_HOSTS):
        return _rejected("payment", "这是付款码，请出示图像采集码", "this is a payment code; show the collection code")
    if _PAYMENT_NUMERIC.match(lowered):
        return _rejected("payment", "这是付款码，请出示图像采集码", "this is a payment code; show the collection code")
    if _URL.match(lowered):
        return _rejected("url", "这是网址二维码，请出示图像采集码", "this is a web link; show the collection code")
    if len(text) < policy.min_length:
        return _rejected("too_short", "码过短，不是采集码", f"code shorter than {policy.min_length} characters")
    if policy.pattern and not re.fullmatch(policy.pattern, text):
        return _rejected("pattern", "不是本次采集的采集码", "not a collection code of this format")
    return None
