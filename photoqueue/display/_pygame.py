"""The one place that imports pygame (lazily, from the modules that draw or play), without its banner."""

import os

os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")

import pygame  # noqa: E402

__all__ = ["pygame"]
