"""photoqueue.display is a leaf library, and importing it starts no pygame."""

import ast
import subprocess
import sys
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "photoqueue" / "display"


def test_imports_nothing_from_device_or_central():
    for path in PACKAGE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            for name in names:
                assert not name.startswith(("photoqueue.device", "photoqueue.central")), (
                    f"{path.name}: {name}"
                )


def test_import_is_light():
    code = "import sys, photoqueue.display as d; d.DisplayState; d.DisplaySettings; print('pygame' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "False"
