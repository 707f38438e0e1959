"""The hall display: a view model and a pygame renderer; sounds. A leaf library: imports nothing
from photoqueue.device or photoqueue.central.

What the station uses::

    from photoqueue.display import DisplaySettings, DisplayState, HallDisplay, Sounds, render_png

    display = HallDisplay(DisplaySettings(speech=True)).start()
    display.show(state)                 # from the queue thread: returns at once, latest wins
    display.flash("issued", number=23)  # a short message after a scan
    Sounds(settings).call(17)           # chime (and speak) a call, on a thread of its own
    display.stop()

pygame is imported only when something draws or plays (``HallDisplay``, ``Sounds``, ``render_png``).
"""

from photoqueue.display.errors import DisplayError
from photoqueue.display.model import CurrentClass, DateCheck, DisplayState, Flash, NextClass
from photoqueue.display.settings import DisplaySettings

_LAZY = {
    "HallDisplay": "photoqueue.display.hall",
    "Sounds": "photoqueue.display.sound",
    "render_png": "photoqueue.display.render",
    "Renderer": "photoqueue.display.render",
}

__all__ = [
    "CurrentClass",
    "DateCheck",
    "DisplayError",
    "DisplaySettings",
    "DisplayState",
    "Flash",
    "HallDisplay",
    "NextClass",
    "Renderer",
    "Sounds",
    "render_png",
]


def __getattr__(name: str):
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'photoqueue.display' has no attribute {name!r}")
