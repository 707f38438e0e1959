"""Reading a file a person wrote (a config, a state file): its text, or one clear error naming the file.

Shared by every layer, each passing its own exception class, so that a missing or unreadable file reads
the same everywhere and never ends in a traceback.
"""

from __future__ import annotations

from pathlib import Path

from photoqueue.errors import PhotoqueueError


def read_text(path: str | Path, what: str, error: type[PhotoqueueError], *, encoding: str = "utf-8",
              missing_zh: str = "找不到文件") -> str:
    """The text of ``path`` (``what``: "config file", "state file"), else ``error`` with the reason."""
    path = Path(path)
    try:
        return path.read_text(encoding=encoding)
    except FileNotFoundError:
        raise error(f"{path}: no such {what} / {missing_zh}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise error(f"{path}: cannot read the {what}: {exc}") from None
