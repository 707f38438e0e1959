"""Writing a file so that a reader, or a power cut, never sees half of it.

The data goes to a temporary file in the same directory, is flushed to the disk (fsync), and is renamed
over the target; the directory is synced too, so the rename itself survives a power cut. Shared by every
layer (a root module like ``errors``), so there is one way to do it.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO


def atomic_write(path: str | os.PathLike, data: bytes | str | Callable[[BinaryIO], object], *,
                 encoding: str = "utf-8", mode: int | None = None) -> Path:
    """Replace ``path`` with ``data`` (bytes, text, or a function that writes to the open binary file).
    The parent directory is created. Raises OSError; the target is then unchanged."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            if callable(data):
                data(f)
            else:
                f.write(data.encode(encoding) if isinstance(data, str) else data)
            f.flush()
            os.fsync(f.fileno())
        if mode is not None:
            os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    _sync_dir(path.parent)
    return path


def _sync_dir(directory: Path) -> None:
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return  # a platform or file system without directory handles: the rename is all there is
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
