"""The office dashboard (staff, live), its exports and staff actions, and the public /status page.

The central app mounts ``router`` (see ``photoqueue.central.app.ROUTER_MODULES``). docs/dashboard.md
describes the pages, routes and settings.
"""

from photoqueue.central.dashboard.replace import router as _replace_router
from photoqueue.central.dashboard.routes import router

router.include_router(_replace_router)  # "更换设备": its own module and script (replace.py, replace.js)

__all__ = ["router"]
