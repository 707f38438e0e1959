"""The FastAPI dependencies every router of the service uses: the store and the settings of the app.

Apart from :mod:`.app`, which mounts the routers, so a router does not import the module that mounts it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from starlette.requests import Request

if TYPE_CHECKING:
    from photoqueue.central.settings import CentralSettings
    from photoqueue.central.store import CentralStore


def get_store(request: Request) -> CentralStore:
    """The service's :class:`CentralStore`."""
    return request.app.state.store


def get_settings(request: Request) -> CentralSettings:
    return request.app.state.settings
