"""Payload bytes to text.

A QR code's byte segment carries no charset unless an ECI says so. Decoders guess: zbar often
reads UTF-8 as Shift-JIS, zxing-cpp as ISO-8859-1. A collection code made today is UTF-8 (or
plain ASCII), so without an ECI the bytes are tried as UTF-8 first, and only bytes that are not
UTF-8 fall back to the decoder's own guess.
"""

from __future__ import annotations


def payload_text(raw: bytes, *, has_eci: bool = False, decoder_text: str | None = None) -> str:
    """The text a payload holds.

    ``raw`` is the decoded byte content, ``has_eci`` whether the symbol declared its charset (then
    ``decoder_text``, the decoder's transcoding by that ECI, is right), ``decoder_text`` the
    decoder's own reading used when the bytes are not UTF-8.
    """
    if has_eci and decoder_text is not None:
        return decoder_text
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        pass
    if decoder_text is not None:
        return decoder_text
    for charset in ("gb18030", "shift_jis"):  # ambiguous both ways; in a Chinese hall GB is the likelier
        try:
            return raw.decode(charset)
        except UnicodeDecodeError:
            continue
    return raw.decode("latin-1")


def undo_shift_jis_guess(text: str) -> str:
    """Undo zbar's Shift-JIS guess on a UTF-8 payload (for a zbar that cannot return raw bytes)."""
    try:
        return text.encode("shift_jis").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return text
