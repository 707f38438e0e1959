"""The office dashboard (staff, live), its exports and staff actions, and the public /status page.

The central app mounts ``router`` (see ``photoqueue.central.app.ROUTER_MODULES``). docs/dashboard.md
describes the pages, routes and settings.
"""

from photoqueue.central.dashboard.routes import router

__all__ = ["router"]
