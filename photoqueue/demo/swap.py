"""A room's Pi swapped part way through the demo's day: the parent's side (issue 21).

``--swap-at FRACTION`` (default 0.4; 0: off): the first room's station dies once that fraction of its
students has come (demo/room_swap.py has the room's side). Then, as staff would on the day:

1. the dead Pi is gone: its process is killed with SIGKILL (nothing of it runs on);
2. at the centre, ``photoqueue central replace-station --room R`` (its function,
   :func:`photoqueue.central.admin.replace_station`): the old station's tokens are revoked and a takeover
   token, pre-bound to the old station id, is made;
3. a new station process starts on a fresh data dir, DATA_DIR/<room>-spare/, with that token
   (DATA_DIR/<room>-spare/central-token): it rebuilds the room's history from the centre and numbers on.

A demo run again with the same --data-dir after the swap finds the spare's token and runs the spare (the
old Pi's token is revoked). DATA_DIR/<room>/ keeps the dead Pi's data dir (its SD card) beside the room's
printer and camera folders; ``photoqueue export --data-dir DATA_DIR`` reads both data dirs as one stream
(device/store/export.py: the longer history, the raw codes from either).
"""

from __future__ import annotations

import logging
from pathlib import Path

from photoqueue.errors import PhotoqueueError

log = logging.getLogger(__name__)

DEFAULT_SWAP_AT = 0.4
SPARE_SUFFIX = "-spare"
TOKEN_NAME = "central-token"


def check_fraction(value: float | None) -> float:
    fraction = DEFAULT_SWAP_AT if value is None else value
    if not 0 <= fraction < 1:
        raise PhotoqueueError(f"--swap-at {fraction}：应在 0 与 1 之间（0：不更换）/ --swap-at must be at least 0 "
                              "(0: no swap) and below 1", exit_status=2)
    return fraction


def spare_dir(data_dir: Path, room: str) -> Path:
    return data_dir / f"{room}{SPARE_SUFFIX}"


def swap_index(students: int, fraction: float) -> int | None:
    """After how many of the room's students (arrivals, absent ones included) its Pi dies; None: never."""
    if fraction <= 0 or students < 2:
        return None
    return min(max(1, round(students * fraction)), students - 1)


def spare_token(data_dir: Path, room: str) -> Path | None:
    """The spare's token, when the room's Pi was already swapped (a resumed demo)."""
    path = spare_dir(data_dir, room) / TOKEN_NAME
    return path if path.exists() else None


def replace_station(db_url: str, data_dir: Path, room: str, date: str) -> Path:
    """Staff at the centre: ``photoqueue central replace-station --room R --date D``; the token it prints is
    given to the spare (kept in its data dir, as the installer keeps a station's). Returns the token file."""
    from photoqueue.central.admin import replace_station as replace

    done = replace(db_url, room, date, label="demo spare")
    folder = spare_dir(data_dir, room)
    folder.mkdir(parents=True, exist_ok=True)
    token_file = folder / TOKEN_NAME
    token_file.write_text(done["token"] + "\n", encoding="utf-8")
    token_file.chmod(0o600)
    log.warning("%s: the Pi died; replace-station revoked %d token(s) of station %s, the spare takes over",
                room, done["revoked"], done["station_id"])
    return token_file


def spare_spec(spec: dict, data_dir: Path, token_file: Path, carry: dict | None) -> dict:
    """The room process's spec for the spare Pi: a fresh data dir, the takeover token, what the people carry."""
    central = dict(spec["central"], token_file=str(token_file))
    return dict(spec, central=central, swap_at=None,
                spare={"data_dir": str(spare_dir(data_dir, spec["room"])), "carry": carry})
