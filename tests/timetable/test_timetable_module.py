"""The timetable package stays pure, and every setting it has is documented."""

import dataclasses
import subprocess
import sys
from pathlib import Path

from photoqueue.timetable import CheckSettings, PlanSettings

DOC = Path(__file__).resolve().parents[2] / "docs" / "timetable.md"


def test_importing_and_checking_a_csv_loads_no_hardware_gui_or_http_library(timetable_2024):
    code = (
        "import sys, photoqueue.timetable as t\n"
        f"t.check_file({str(timetable_2024)!r}); t.load_timetable({str(timetable_2024)!r})\n"
        "heavy = {'openpyxl', 'pygame', 'httpx', 'fastapi', 'uvicorn', 'gpiozero', 'escpos', 'cv2', 'PIL', 'sqlite3'}\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in heavy))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_every_setting_is_documented():
    text = DOC.read_text(encoding="utf-8")
    for cls in (CheckSettings, PlanSettings):
        for f in dataclasses.fields(cls):
            assert f"`{f.name}`" in text, f"{cls.__name__}.{f.name} is not in {DOC.name}"
            assert f.metadata.get("help"), f"{cls.__name__}.{f.name} has no help"
