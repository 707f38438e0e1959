"""Settings report every problem at once and are all documented; the two commands work."""

import dataclasses
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image

from photoqueue.cli import main
from photoqueue.printer import PrinterSettings
from photoqueue.printer.emulator import EscPosEmulator
from photoqueue.settings import parse, problems

pytestmark = pytest.mark.pi  # also on the Pi's Python (make test-pi): its libraries are apt's older ones

DOCS = Path(__file__).resolve().parents[2] / "docs" / "printer.md"


def test_defaults_are_valid():
    assert problems(PrinterSettings()) == []
    assert problems(PrinterSettings(kind="network", host="10.0.0.5", mode="text", paper_width=58)) == []


def test_every_problem_is_reported_at_once_with_did_you_mean():
    found = problems(PrinterSettings(kind="netwrok", mode="txt", paper_width=57, timeout_s=0, profile="TM-T20I",
                                     cut="sometimes"))
    text = "\n".join(found)
    assert len(found) == 6
    assert "did you mean 'network'" in text and "did you mean 'text'" in text and "TM-T20II" in text


def test_kind_specific_requirements():
    assert any("vendor_id" in p for p in problems(PrinterSettings(kind="usb")))
    assert any("host" in p for p in problems(PrinterSettings(kind="network")))
    assert any("baudrate" in p for p in problems(PrinterSettings(kind="serial", baudrate=12345)))
    slow = problems(PrinterSettings(kind="serial", baudrate=9600))
    assert len(slow) == 1 and "mode 'text'" in slow[0]  # an image ticket would take ~52 s
    assert problems(PrinterSettings(kind="serial", baudrate=9600, mode="text")) == []


def test_parse_reads_hex_ids_and_flags_unknown_keys():
    settings, found = parse(PrinterSettings, {"kind": "usb", "vendor_id": "0x0416", "product_id": 0x5011,
                                              "papr_width": 58})
    assert settings.vendor_id == 0x0416 and problems(settings) == []
    assert found == ["'papr_width': unknown key (did you mean 'paper_width'?)"]


def test_every_setting_has_help_and_is_documented():
    docs = DOCS.read_text(encoding="utf-8")
    for f in dataclasses.fields(PrinterSettings):
        assert f.metadata.get("help"), f.name
        assert f"`{f.name}`" in docs, f"docs/printer.md does not document {f.name}"


def test_ticket_preview_writes_png_and_escpos(tmp_path, capsys):
    png, raw = tmp_path / "t.png", tmp_path / "t.bin"
    status = main(["ticket", "preview", "--out", str(png), "--escpos", str(raw), "--number", "88",
                   "--room", "A组", "--class", "建工181高", "--paper", "58", "--reprint"])
    assert status == 0
    image = Image.open(png)
    assert image.width == 384 and image.mode == "1"
    tickets = []
    EscPosEmulator(384, on_ticket=lambda img, _how: tickets.append(img)).feed(raw.read_bytes())
    assert len(tickets) == 1 and tickets[0].width == 384
    assert "88" not in capsys.readouterr().err


def test_ticket_preview_reports_a_bad_path_without_a_traceback(tmp_path, capsys):
    assert main(["ticket", "preview", "--out", str(tmp_path / "no" / "t.png")]) == 1
    err = capsys.readouterr().err
    assert err.startswith("photoqueue: cannot write") and "Traceback" not in err


def test_printer_serve_runs_as_a_command(tmp_path, ticket):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    proc = subprocess.Popen([sys.executable, "-m", "photoqueue", "printer", "serve", "--port", str(port),
                             "--out", str(tmp_path), "--seconds", "20"], stdout=subprocess.PIPE, text=True, env=env)
    try:
        assert "virtual ESC/POS printer on" in proc.stdout.readline()
        from photoqueue.printer import TicketPrinter

        printer = TicketPrinter(PrinterSettings(kind="network", host="127.0.0.1", port=port))
        assert printer.print_ticket(ticket).ok
        line = proc.stdout.readline()
        assert line.startswith("ticket 1: 576x") and "ticket-0001.png" in line
    finally:
        proc.terminate()
        proc.wait(10)
    assert (tmp_path / "ticket-0001.png").exists()


def test_printer_serve_refuses_a_port_out_of_range_without_a_traceback(tmp_path, capsys):
    for port in ("99999", "-1"):
        assert main(["printer", "serve", "--port", port, "--out", str(tmp_path / "out"), "--seconds", "0"]) == 2
        err = capsys.readouterr().err
        assert f"port {port} is not a TCP port (0-65535" in err and "Traceback" not in err


def test_printer_serve_names_an_out_path_that_is_a_file(tmp_path, capsys):
    taken = tmp_path / "tickets.txt"
    taken.write_text("not a folder")
    assert main(["printer", "serve", "--port", "0", "--out", str(taken), "--seconds", "0"]) == 2
    err = capsys.readouterr().err
    assert f"{taken}: is a file, not a folder for ticket PNGs" in err and "Traceback" not in err
    assert main(["printer", "serve", "--port", "0", "--out", str(taken / "sub"), "--seconds", "0"]) == 2
    err = capsys.readouterr().err
    assert f"{taken / 'sub'}: cannot use it as the folder for ticket PNGs" in err and "Traceback" not in err
