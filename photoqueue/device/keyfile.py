"""The deployment key file: the HMAC key every station of one day shares (see :mod:`photoqueue.core.digest`)."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from photoqueue.device.errors import StationError

KEY_BYTES = 32


def _make_key(path: Path) -> bytes:
    key = secrets.token_bytes(KEY_BYTES)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(key.hex() + "\n")
    except OSError as exc:
        raise StationError(f"{path}: cannot make the deployment key: {exc.strerror or exc}; make the directory "
                           f"writable by this user, or set key_file / 无法创建部署密钥文件，请检查目录权限") from None
    return key


def load_key(path: str | Path, *, create: bool = False) -> bytes:
    """Read the deployment key (hex text). With ``create``, a missing key file is made (mode 0600)."""
    path = Path(path)
    try:
        text = path.read_text(encoding="ascii").strip()
    except FileNotFoundError:
        if not create:
            raise StationError(f"{path}: deployment key file not found / 找不到部署密钥文件") from None
        return _make_key(path)
    except (OSError, UnicodeDecodeError) as exc:
        raise StationError(f"{path}: cannot read the deployment key: {exc}") from None
    try:
        key = bytes.fromhex(text)
    except ValueError:
        raise StationError(f"{path}: the deployment key must be hex text / 密钥须为十六进制文本") from None
    if len(key) < 16:
        raise StationError(f"{path}: the deployment key is too short (need at least 16 bytes)")
    return key
