"""A station (photoqueue[station]) carries no server stack: its code never imports a central-only package.

fastapi, uvicorn, psycopg and openpyxl are not installed on a Pi. Each check runs in a fresh interpreter
whose import system refuses those packages, so the test holds in the dev venv (where they are installed)
exactly as on a Pi.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

pytestmark = pytest.mark.pi  # also on the Pi's Python (make test-pi): its libraries are apt's older ones

ROOT = Path(__file__).resolve().parents[1]
CENTRAL_ONLY = ("fastapi", "starlette", "uvicorn", "psycopg", "psycopg_binary", "openpyxl")
# The packages that run on the Pi; central, demo and reports are the centre's and the office's.
STATION_PACKAGES = ("core", "timetable", "scanner", "printer", "display", "device")

BLOCKER = textwrap.dedent(f"""
    import importlib.abc, json, sys
    BLOCKED = {CENTRAL_ONLY!r}
    class Refuse(importlib.abc.MetaPathFinder):
        def find_spec(self, name, path=None, target=None):
            if name.split(".")[0] in BLOCKED:
                raise ImportError(f"{{name}} is central-only: not installed on a station")
            return None
    sys.meta_path.insert(0, Refuse())
""")


def run(code: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", BLOCKER + textwrap.dedent(code)], capture_output=True,
                          text=True, cwd=ROOT, timeout=120, env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin",
                                                                  "SDL_VIDEODRIVER": "dummy",
                                                                  "PYGAME_HIDE_SUPPORT_PROMPT": "1"})


def test_the_blocker_refuses_a_central_only_package():
    result = run("import fastapi")
    assert result.returncode != 0 and "central-only" in result.stderr


def test_every_station_module_imports_without_a_central_only_package():
    result = run(f"""
        import importlib, pkgutil
        failed, count = {{}}, 0
        for top in {STATION_PACKAGES!r}:
            pkg = importlib.import_module("photoqueue." + top)
            for info in pkgutil.walk_packages(pkg.__path__, pkg.__name__ + "."):
                count += 1
                try:
                    importlib.import_module(info.name)
                except Exception as exc:
                    failed[info.name] = f"{{type(exc).__name__}}: {{exc}}"
        leaked = sorted(m for m in sys.modules if m.split(".")[0] in BLOCKED)
        print(json.dumps({{"count": count, "failed": failed, "leaked": leaked}}))
    """)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout.splitlines()[-1])
    assert report["count"] > 40
    assert report["failed"] == {}
    assert report["leaked"] == []


@pytest.mark.parametrize("argv", [["--version"], ["station", "--print-example"], ["--help"]])
def test_the_station_commands_run_without_a_central_only_package(argv):
    result = run(f"""
        from photoqueue.cli import main
        try:
            status = main({argv!r})
        except SystemExit as exc:
            status = exc.code
        sys.exit(status or 0)
    """)
    assert result.returncode == 0, result.stderr
    assert "central-only" not in result.stderr


def test_a_station_asked_for_xlsx_names_the_fix_instead_of_a_traceback(tmp_path):
    result = run(f"""
        from photoqueue.cli import main
        sys.exit(main(["export", "--data-dir", {str(tmp_path)!r}, "--format", "xlsx", "--out", {str(tmp_path / "x.xlsx")!r}]))
    """)
    assert result.returncode != 0
    assert "use --format csv" in result.stderr and "Traceback" not in result.stderr


def test_a_station_given_an_xlsx_timetable_is_told_to_save_it_as_csv(tmp_path):
    import zipfile

    book = tmp_path / "timetable.xlsx"
    with zipfile.ZipFile(book, "w") as z:
        z.writestr("xl/workbook.xml", "<workbook/>")
    result = run(f"""
        from photoqueue.cli import main
        sys.exit(main(["timetable", "check", {str(book)!r}]))
    """)
    assert result.returncode != 0
    out = result.stdout + result.stderr
    assert "save the sheet as CSV" in out and "Traceback" not in out
