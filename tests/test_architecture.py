"""The import rules of docs/architecture.md, checked by reading every module's imports (top level and
inside functions alike: a lazy import is still a dependency).

The checker takes a package directory, so the test of the test can run it on a small tree with a
deliberate violation and see it fail.
"""

from __future__ import annotations

import ast
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "photoqueue"

# Root modules every room may use: the exception root, the "did you mean" hint, the atomic write, the CJK
# font search, the settings contract.
ROOT_MODULES = {"errors", "hints", "atomicfile", "cjkfont", "settings", "textfile", "__init__"}

# Which rooms of photoqueue each room may import (itself and the root modules always).
ALLOWED_ROOMS = {
    "core": set(),
    "timetable": {"core"},
    "scanner": set(),
    "printer": set(),
    "display": set(),
    "reports": {"core", "timetable"},
    "reconcile": {"core", "timetable", "reports"},
    "device": {"core", "timetable", "scanner", "printer", "display", "reports", "reconcile"},
    "central": {"core", "timetable", "reports"},
    "demo": {"core", "timetable", "scanner", "printer", "display", "reports", "reconcile", "device", "central"},
    "cli": {"core", "timetable", "scanner", "printer", "display", "reports", "reconcile", "device", "central",
            "demo"},
}

# device/ is rooms of its own: which of them each may import (device/errors.py is theirs to share). The
# evidence (store/) knows nothing of the link to the centre or the program around it; the link (sync/)
# writes into the store; the program (station/) joins both; the station's commands (cli/) use them all.
DEVICE_ROOMS = {
    "store": set(),
    "sync": {"store"},
    "station": {"store", "sync"},
    "cli": {"store", "sync", "station"},
}

# Libraries that touch hardware, draw, print or talk HTTP: never in the pure rooms.
IMPURE_LIBRARIES = {"gpiozero", "picamera2", "libcamera", "lgpio", "RPi", "pygame", "escpos", "serial", "usb",
                    "evdev", "cv2", "PIL", "numpy", "zxingcpp", "pyzbar", "fastapi", "starlette", "uvicorn",
                    "httpx", "requests", "psycopg", "cups", "playwright"}
# Third-party libraries a pure room may still use, and why.
PURE_ROOM_LIBRARIES = {
    "core": set(),
    "timetable": {"openpyxl"},  # reading an XLSX timetable is parsing, not hardware
    "reports": {"openpyxl"},  # the workbook
    "reconcile": {"openpyxl", "PIL", "numpy"},  # the agency's workbook, photos' EXIF, the alignment's arrays
}


@dataclass(frozen=True)
class Violation:
    module: str
    line: int
    imported: str
    rule: str

    def __str__(self) -> str:
        return f"{self.module}:{self.line} imports {self.imported}: {self.rule}"


def _imports(path: Path, package: str) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, a.name) for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.append((node.lineno, node.module))
            if node.module == package:  # `from photoqueue import errors` names a module
                found += [(node.lineno, f"{package}.{a.name}") for a in node.names]
    return found


def _room(module_parts: tuple[str, ...]) -> str:
    if module_parts[0] == "__main__":
        return "cli"  # `python -m photoqueue` is the command line's entry
    return module_parts[0] if module_parts[0] not in ROOT_MODULES else "<root>"


def check_package(root: Path) -> tuple[list[Violation], dict[str, set[str]]]:
    """Every broken rule under the package directory ``root``, and the graph of rooms it imports."""
    package = root.name
    violations: list[Violation] = []
    graph: dict[str, set[str]] = {}
    stdlib = sys.stdlib_module_names
    for path in sorted(root.rglob("*.py")):
        rel = path.relative_to(root).with_suffix("").parts
        room = _room(rel[:1] if len(rel) > 1 else (rel[0],))
        name = ".".join((package, *rel))
        for line, imported in _imports(path, package):
            top = imported.split(".")[0]
            if top == package:
                parts = imported.split(".")[1:]
                if not parts:
                    continue
                target = _room((parts[0],))
                if parts[0].startswith("__") and parts[0] != "__main__":
                    continue  # a name of the package (__version__), not a module
                if target in ("<root>", room):
                    continue
                graph.setdefault(room, set()).add(target)
                if room == "<root>":
                    violations.append(Violation(name, line, imported, "root modules import no room"))
                elif target not in ALLOWED_ROOMS.get(room, set()):
                    violations.append(Violation(name, line, imported, f"{room}/ may not import {target}/"))
            elif room in PURE_ROOM_LIBRARIES and top not in stdlib and top not in PURE_ROOM_LIBRARIES[room]:
                violations.append(Violation(name, line, imported, f"{room}/ is pure: no third-party {top}"))
            elif room in PURE_ROOM_LIBRARIES and top in IMPURE_LIBRARIES and top not in PURE_ROOM_LIBRARIES[room]:
                violations.append(Violation(name, line, imported, f"{room}/ is pure: no {top}"))
    for cycle in _cycles(graph):
        violations.append(Violation(" -> ".join(cycle), 0, cycle[-1], "a cycle between rooms"))
    violations += _device_violations(root, package)
    for cycle in _cycles(_module_graph(root, package)):
        violations.append(Violation(" -> ".join(cycle), 0, cycle[-1], "a cycle between modules"))
    return violations, graph


def _device_violations(root: Path, package: str) -> list[Violation]:
    """device/'s rooms keep their arrows (DEVICE_ROOMS); a module directly in device/ is shared by them
    all, so it imports none of them."""
    device = root / "device"
    found = []
    for path in sorted(device.rglob("*.py")) if device.is_dir() else []:
        rel = path.relative_to(device).with_suffix("").parts
        own = rel[0] if len(rel) > 1 else None
        for line, imported in _imports(path, package):
            parts = imported.split(".")
            if parts[:2] != [package, "device"] or len(parts) < 3 or parts[2] not in DEVICE_ROOMS or parts[2] == own:
                continue
            if own is None or parts[2] not in DEVICE_ROOMS.get(own, set()):
                where = f"device/{own}/" if own else "a module directly in device/"
                found.append(Violation(".".join((package, "device", *rel)), line, imported,
                                       f"{where} may not import device/{parts[2]}/"))
    return found


def _module_graph(root: Path, package: str) -> dict[str, set[str]]:
    """Which module imports which (inside functions too). A package's ``__init__`` is its own node;
    importing a package's submodule is not an import of a parent package that merely contains it."""
    modules = {}
    for path in root.rglob("*.py"):
        rel = path.relative_to(root).with_suffix("").parts
        modules[".".join((package, *rel)).removesuffix(".__init__")] = path
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        deps = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            if isinstance(node, ast.Import):
                wanted = [[a.name] for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                # `from pkg import mod` imports pkg.mod when it is a module, else a name of pkg
                wanted = [[f"{node.module}.{a.name}", node.module] for a in node.names]
            else:
                continue
            for candidates in wanted:
                hit = next((c for c in candidates if c in modules), None)
                if hit is not None and hit != name and not name.startswith(hit + "."):
                    deps.add(hit)
        graph[name] = deps
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    cycles, done = [], set()

    def visit(node: str, path: list[str]) -> None:
        if node in path:
            cycles.append(path[path.index(node):] + [node])
            return
        if node in done:
            return
        for nxt in sorted(graph.get(node, ())):
            visit(nxt, path + [node])
        done.add(node)

    for start in sorted(graph):
        visit(start, [])
    return cycles


def test_photoqueue_keeps_every_import_rule():
    violations, graph = check_package(PACKAGE)
    assert not violations, "\n".join(map(str, violations))
    assert graph["central"] <= {"core", "timetable", "reports"}  # the centre never reaches into a station


def test_every_room_of_the_architecture_is_a_package_and_named_in_the_rules():
    rooms = {p.name for p in PACKAGE.iterdir() if (p / "__init__.py").exists()}
    assert rooms == set(ALLOWED_ROOMS), "a room without rules, or rules without a room"
    doc = (PACKAGE.parent / "docs" / "architecture.md").read_text(encoding="utf-8")
    assert all(f"`{room}/`" in doc for room in rooms), "docs/architecture.md names every room"


def _tree(tmp_path: Path, files: dict[str, str]) -> Path:
    root = tmp_path / "photoqueue"
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    for d in [root, *(p for p in root.rglob("*") if p.is_dir())]:
        (d / "__init__.py").touch()
    return root


@pytest.mark.parametrize("files, rule", [
    ({"core/queue.py": "def f():\n    from photoqueue.device.store import events as store\n"}, "core/ may not import device/"),
    ({"central/store.py": "from photoqueue.device.sync.client import command_from_wire\n"},
     "central/ may not import device/"),
    ({"display/hall.py": "import photoqueue.core.queue\n"}, "display/ may not import core/"),
    ({"core/pace.py": "import pygame\n"}, "core/ is pure"),
    ({"timetable/plan.py": "import httpx\n"}, "timetable/ is pure"),
    ({"errors.py": "from photoqueue.device import errors\n"}, "root modules import no room"),
    ({"device/store/events.py": "from photoqueue.device.sync import client\n"},
     "device/store/ may not import device/sync/"),
    ({"device/sync/client.py": "def f():\n    from photoqueue.device.station import app\n"},
     "device/sync/ may not import device/station/"),
    ({"device/errors.py": "from photoqueue.device.store import events\n"},
     "a module directly in device/ may not import device/store/"),
    ({"device/station/a.py": "from photoqueue.device.station import b\n",
      "device/station/b.py": "def f():\n    from photoqueue.device.station import a\n"}, "a cycle between modules"),
])
def test_the_checker_fails_on_a_deliberate_violation(tmp_path, files, rule):
    violations, _ = check_package(_tree(tmp_path, files))
    assert any(rule in str(v) for v in violations), violations


def test_the_checker_finds_a_cycle_between_rooms(tmp_path, monkeypatch):
    monkeypatch.setitem(ALLOWED_ROOMS, "core", {"timetable"})  # allowed each way, still a cycle
    root = _tree(tmp_path, {"core/a.py": "from photoqueue.timetable import b\n",
                            "timetable/b.py": "from photoqueue.core import a\n"})
    violations, _ = check_package(root)
    assert any("cycle" in v.rule for v in violations)


def test_the_checker_passes_a_clean_tree(tmp_path):
    root = _tree(tmp_path, {"core/a.py": "import json\nfrom photoqueue.errors import PhotoqueueError\n",
                            "central/b.py": "import fastapi\nfrom photoqueue.core import a\n"})
    assert check_package(root)[0] == []
