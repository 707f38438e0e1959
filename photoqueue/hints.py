"""The "did you mean" hint every settings and config check gives for a misspelt name.

At the package root so that every layer, the leaf libraries included, words it the same way.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable


def did_you_mean(word: object, choices: Iterable[object], *, list_known: bool = False) -> str:
    """`` (did you mean 'x'?)`` for the closest choice; with none close, the known choices when
    ``list_known``, else nothing."""
    options = [str(c) for c in choices]
    close = difflib.get_close_matches(str(word), options, n=1)
    if close:
        return f" (did you mean {close[0]!r}?)"
    return f" (known: {', '.join(options)})" if list_known else ""
