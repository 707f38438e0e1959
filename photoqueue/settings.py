"""One settings contract for every part: declare each setting once, check it once, generically.

A part's settings are a dataclass whose fields are :func:`setting` declarations: a default, a help
line, and the constraints the value must meet (``choices``, ``min``, ``max``, ``check``). The field's
type annotation is a constraint too. Then:

- :func:`problems` lists every problem with a settings object at once: the declared constraints of
  every field, then the part's own ``validate()``, which returns only the rules that join two or more
  fields (a list of strings; a part without such rules has no ``validate``).
- :func:`parse` reads a table (a TOML section, a CLI's options) into a settings object: unknown keys
  with a "did you mean", text such as ``"0x0416"`` or ``"800x480"`` for numbers and sizes, wrong types.
- :func:`require` and :func:`load` raise the calling layer's own exception, listing every problem.

At the package root so that the leaf libraries (scanner, printer, display) use it as the station's
config (``photoqueue.device.station.config``) and the centre do: the same words for the same mistake everywhere.
"""

from __future__ import annotations

import copy
import dataclasses
import functools
import math
import re
import types
import typing
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from photoqueue.errors import PhotoqueueError
from photoqueue.hints import did_you_mean

T = TypeVar("T")
Check = Callable[[Any], "str | None"]


class SettingsError(PhotoqueueError):
    """Settings that cannot be used, when the caller names no exception of its own. Exit status 2."""

    exit_status = 2


def setting(default: Any, help: str, *, choices: Iterable[Any] | None = None,
            min: float | None = None, max: float | None = None, check: Check | None = None) -> Any:
    """A settings field: its default, its one-line help, and the constraints its value must meet.

    ``min``/``max`` bound a number (inclusive), or each number of a list/tuple such as a size;
    ``check(value)`` returns a message for a rule the others cannot say (a date, a regular expression),
    or None when the value is good.
    """
    meta: dict[str, Any] = {"help": help}
    if choices is not None:
        meta["choices"] = tuple(choices)
    if min is not None:
        meta["min"] = min
    if max is not None:
        meta["max"] = max
    if check is not None:
        meta["check"] = check
    if isinstance(default, list | dict | set):  # a mutable default: each object gets its own copy
        return dataclasses.field(default_factory=functools.partial(copy.copy, default), metadata=meta)
    return dataclasses.field(default=default, metadata=meta)


# --- types -----------------------------------------------------------------------------------------


@functools.cache
def type_hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls)


def _is_union(hint: Any) -> bool:
    return typing.get_origin(hint) in (typing.Union, types.UnionType)


def _options(hint: Any) -> list[Any]:
    """The types a value may have, None left out: ``int | None`` -> [int]."""
    if _is_union(hint):
        return [a for a in typing.get_args(hint) if a is not type(None)]
    return [hint]


def _allows_none(hint: Any) -> bool:
    return hint is type(None) or (_is_union(hint) and type(None) in typing.get_args(hint))


def describe(hint: Any) -> str:
    """A type in words, for messages and the config reference: ``int`` -> "a whole number"."""
    if _is_union(hint):
        return " or ".join(describe(a) for a in _options(hint))
    origin = typing.get_origin(hint)
    if origin is list:
        return f"a list of {describe(typing.get_args(hint)[0])}"
    if origin is tuple:
        return "a list [w, h] or text \"WxH\""
    return {bool: "true or false", int: "a whole number", float: "a number", str: "text"}.get(hint, str(hint))


def fits(value: Any, hint: Any) -> bool:
    """Whether ``value`` is of the annotated type (bools are not numbers; ints are floats)."""
    if value is None:
        return _allows_none(hint)
    if _is_union(hint):
        return any(fits(value, a) for a in _options(hint))
    origin = typing.get_origin(hint)
    if origin is list:
        (item,) = typing.get_args(hint) or (Any,)
        return isinstance(value, list) and all(fits(v, item) for v in value)
    if origin is tuple:
        args = typing.get_args(hint)
        if not isinstance(value, tuple | list):
            return False
        if len(args) == 2 and args[1] is Ellipsis:
            return all(fits(v, args[0]) for v in value)
        return len(value) == len(args) and all(fits(v, a) for v, a in zip(value, args, strict=True))
    if hint is Any:
        return True
    if hint is bool:
        return isinstance(value, bool)
    if hint is int:
        return isinstance(value, int) and not isinstance(value, bool)
    if hint is float:  # nan and inf are never a setting (TOML can write them; a nan passes every range)
        return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)
    return isinstance(value, hint) if isinstance(hint, type) else True


def size_from_text(text: str) -> tuple[int, int] | None:
    """``"1280x720"`` (or ``1280X720``, ``1280×720``) -> (1280, 720); None when it is not two numbers."""
    match = re.fullmatch(r"\s*(\d+)\s*[x×]\s*(\d+)\s*", str(text), re.IGNORECASE)
    return (int(match[1]), int(match[2])) if match else None


def convert(value: Any, hint: Any) -> Any:
    """A table's value as the field wants it, where the table cannot say it: "0x0416" for a whole number
    (a USB id), a whole number for a number, a list or "WxH" text for a size. Anything else unchanged."""
    options = _options(hint)
    if fits(value, hint):
        if float in options and isinstance(value, int) and not isinstance(value, bool):
            return float(value)
        if isinstance(value, list) and any(typing.get_origin(o) is tuple for o in options):
            return tuple(value)
        return value
    for option in options:
        if option is int and isinstance(value, str):
            try:
                return int(value, 0)
            except ValueError:
                continue
        if typing.get_origin(option) is tuple and isinstance(value, str) and size_from_text(value):
            return size_from_text(value)
    return value


# --- checking --------------------------------------------------------------------------------------


def _shown(choice: Any) -> str:
    return '""' if choice == "" else str(choice)


def allowed(f: dataclasses.Field) -> str:
    """A field's declared constraints in words ("one of a, b", "0 to 10000"), for messages and docs."""
    meta = f.metadata
    if "choices" in meta:
        return "one of " + ", ".join(_shown(c) for c in meta["choices"])
    low, high = meta.get("min"), meta.get("max")
    return "" if low is None and high is None else _range_words(low, high)


def _out_of_range(value: Any, low: float | None, high: float | None) -> bool:
    numbers = value if isinstance(value, tuple | list) else (value,)
    return any((low is not None and v < low) or (high is not None and v > high)
               for v in numbers if isinstance(v, int | float))


def _range_problem(name: str, value: Any, low: float | None, high: float | None) -> str:
    if isinstance(value, tuple | list):
        return f"{name}: each value must be {_range_words(low, high)}, got {value!r}"
    if low is not None and high is not None:
        return f"{name}: {value!r} is not between {low} and {high}"
    if low is not None:
        return f"{name}: must be at least {low}, not {value!r}"
    return f"{name}: must be at most {high}, not {value!r}"


def _range_words(low: float | None, high: float | None) -> str:
    if low is not None and high is not None:
        return f"{low} to {high}"
    return f"at least {low}" if low is not None else f"at most {high}"


def field_problem(f: dataclasses.Field, value: Any, hint: Any) -> str | None:
    """The first declared constraint ``value`` breaks (type, choices, range, check), or None."""
    name, meta = f.name, f.metadata
    if not fits(value, hint):
        return f"{name}: expected {describe(hint)}, got {value!r}"
    if value is None:
        return None
    choices = meta.get("choices")
    if choices is not None and value not in choices:
        shown = ", ".join(_shown(c) for c in choices)
        return f"{name}: {value!r} is not one of {shown}{did_you_mean(value, choices)}"
    low, high = meta.get("min"), meta.get("max")
    if _out_of_range(value, low, high):
        return _range_problem(name, value, low, high)
    check = meta.get("check")
    message = check(value) if check is not None else None
    return f"{name}: {message}" if message else None


def problems(obj: Any) -> list[str]:
    """Every problem with a settings object at once: each field's declared constraints, then the part's
    own cross-field rules (``validate()``). Empty when the settings are usable."""
    hints = type_hints(type(obj))
    found: list[str] = []
    mistyped: dict[str, Any] = {}
    for f in dataclasses.fields(obj):
        value = getattr(obj, f.name)
        message = field_problem(f, value, hints[f.name])
        if message:
            found.append(message)
            if not fits(value, hints[f.name]):
                mistyped[f.name] = default_of(f)
    validate = getattr(obj, "validate", None)
    if callable(validate):
        # The cross-field rules compare values; a value of the wrong type is already reported and would
        # only make them fail, so they see the default in its place.
        found.extend(validate() if not mistyped else dataclasses.replace(obj, **mistyped).validate())
    return found


def default_of(f: dataclasses.Field) -> Any:
    """A field's default (None when it has none)."""
    if f.default is not dataclasses.MISSING:
        return f.default
    if f.default_factory is not dataclasses.MISSING:  # type: ignore[misc]
        return f.default_factory()  # type: ignore[misc]
    return None


def help_texts(cls: type) -> dict[str, str]:
    """Each setting's help line, by name (for docs and --help output)."""
    return {f.name: f.metadata.get("help", "") for f in dataclasses.fields(cls)}


def parse(cls: type[T], table: dict[str, Any]) -> tuple[T, list[str]]:
    """A settings object from a table, and every problem with it: unknown keys (with a "did you mean"),
    values of the wrong type (left at their default) and everything :func:`problems` finds."""
    hints = type_hints(cls)
    names = [f.name for f in dataclasses.fields(cls) if f.init]
    found: list[str] = []
    kwargs: dict[str, Any] = {}
    for key, value in table.items():
        if key not in names:
            found.append(f"{key!r}: unknown key{did_you_mean(key, names, list_known=True)}")
            continue
        value = convert(value, hints[key])
        if not fits(value, hints[key]):
            found.append(f"{key}: expected {describe(hints[key])}, got {value!r}")
            continue
        kwargs[key] = value
    obj = cls(**kwargs)
    return obj, found + problems(obj)


def require(obj: T, error: type[PhotoqueueError] = SettingsError, what: str = "settings") -> T:
    """``obj`` when it has no problem; else ``error`` listing every problem at once."""
    _raise_if_any(problems(obj), error, what)
    return obj


def load(cls: type[T], table: dict[str, Any], error: type[PhotoqueueError] = SettingsError,
         what: str = "settings") -> T:
    """:func:`parse`, raising ``error`` listing every problem at once when there is one."""
    if not isinstance(table, dict):
        _raise_if_any([f"expected a table of settings, got {table!r}"], error, what)
    obj, found = parse(cls, table)
    _raise_if_any(found, error, what)
    return obj


def _raise_if_any(found: list[str], error: type[PhotoqueueError], what: str) -> None:
    if found:
        raise error(f"{what}: {len(found)} problem(s)\n  - " + "\n  - ".join(found))
