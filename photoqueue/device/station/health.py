"""The station's health, told to systemd and to operators.

- ``sd_notify``: sd_notify(3) without a dependency: a datagram to $NOTIFY_SOCKET (READY=1,
  WATCHDOG=1, STATUS=..., STOPPING=1). A no-op outside systemd.
- ``write_health``: DATA_DIR/health.json, written to a temporary file and renamed, so a reader never
  sees half of it.
"""

from __future__ import annotations

import json
import logging
import os
import socket
from pathlib import Path

from photoqueue.atomicfile import atomic_write

log = logging.getLogger(__name__)


def sd_notify(message: str) -> bool:
    """Send a message to systemd ($NOTIFY_SOCKET), as sd_notify(3) does; False when not under systemd."""
    address = os.environ.get("NOTIFY_SOCKET")
    if not address:
        return False
    if address.startswith("@"):
        address = "\0" + address[1:]  # an abstract socket
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM | socket.SOCK_CLOEXEC) as sock:
            sock.connect(address)
            sock.sendall(message.encode())
    except OSError as exc:
        log.debug("sd_notify failed: %s", exc)
        return False
    return True


def write_health(path: Path, health: dict) -> None:
    try:
        atomic_write(path, json.dumps(health, ensure_ascii=False, default=str))
    except OSError as exc:
        log.debug("health file: %s", exc)
