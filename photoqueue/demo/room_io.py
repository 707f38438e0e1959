"""What a room process says to the demo (a JSON object a line on stdout), and the size of its screen.

Apart from :mod:`.room`, so the room's helpers (pictures, the Pi swap) use them without importing it.
"""

from __future__ import annotations

import json
import sys

SCREEN_SIZE = (1280, 720)


def emit(**record) -> None:
    try:
        print(json.dumps(record, ensure_ascii=False), flush=True)
    except BrokenPipeError:  # the demo's parent is gone: so are we
        sys.exit(1)
