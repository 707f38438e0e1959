"""Random input at every door, with hypothesis: QR payloads through a running station, timetable
files, config files, API bodies against a real server, raw bytes into the virtual printer, and ticket
fields full of control bytes. Each gets a clear answer (a number, a refusal with a message, a
PhotoqueueError, a 4xx) and nothing crashes; no control byte from input reaches the printer.

(atheris, the coverage-guided fuzzer, does not install cleanly from PyPI here: see RELIABILITY.md.)
"""

from __future__ import annotations

import datetime as dt
import json
import socket
import string
import time

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rel_helpers import ScreenRecorder, TeeProxy, printed_numbers, record, size, station_toml

from photoqueue.errors import PhotoqueueError

EXAMPLES = size(60, 600)
FUZZ = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
CONTROL = "".join(chr(c) for c in range(0x20)) + "\x7f\x85\u202e\u200b"
TALLY: dict[str, list[int]] = {}


def tally(name: str, ok: bool) -> None:
    t = TALLY.setdefault(name, [0, 0])
    t[0] += 1
    t[1] += ok


def answers_clearly(load, path) -> bool:
    """``load(path)`` either works or raises a PhotoqueueError with a message; anything else is a crash."""
    try:
        load(path)
    except PhotoqueueError as exc:
        return bool(str(exc).strip())
    return True


def report(name: str) -> None:
    tried, survived = TALLY.get(name, [0, 0])
    record(f"fuzz: {name}", tried=tried, survived=survived, lost=tried - survived)


# --- QR payloads through a running station --------------------------------------------------------

payloads = st.one_of(
    st.text(max_size=600),
    st.binary(max_size=300).map(lambda b: b.decode("latin-1")),
    st.text(alphabet=CONTROL + "AZaz09+/=", max_size=80),
    st.sampled_from(["https://weixin.qq.com/x", "wxp://f2f0abc", "alipays://platformapi?x", "\x1b@\x1dV\x00",
                     "\ufeff", "", " ", "A" * 5000, "学信网采集码"]),
    st.text(alphabet=string.ascii_letters + string.digits, min_size=16, max_size=64),
)


@pytest.fixture(scope="module")
def station(tmp_path_factory):
    from photoqueue.device.station.build import build_station
    from photoqueue.device.station.config import load_config

    tmp = tmp_path_factory.mktemp("fuzz-station")
    printer = TeeProxy(None)
    config = tmp / "station.toml"
    config.write_text(station_toml(tmp / "station", printer_port=printer.port), encoding="utf-8")
    s = build_station(load_config(config), headless=True, keyboard=False)
    s.display = ScreenRecorder()
    s.tee = printer
    s.start()
    yield s
    s.stop()
    report("QR payloads through the station")


@FUZZ
@given(codes=st.lists(payloads, min_size=1, max_size=6))
def test_any_payload_at_a_running_station_gets_a_number_or_a_clear_refusal(station, codes):
    from photoqueue.scanner.reads import ScanEvent

    screen = station.display
    before = len(screen.flashes)
    for code in codes:
        station.submit(ScanEvent(code, "camera", time.monotonic()))
    station.call(lambda _s: None).result(30)
    flashes = screen.flashes[before:]
    ok = station.error is None and station._thread.is_alive() and len(flashes) == len(codes)
    for kind, text, number in flashes:
        ok &= (kind in ("issued", "reprint") and number is not None) or (kind == "refused" and bool(text))
    numbers = station.call(lambda s: sorted(s.session.state.tickets)).result(30)
    ok &= numbers == list(range(1, len(numbers) + 1))
    tally("QR payloads through the station", ok)
    assert ok, (codes, flashes)


def test_the_fuzzed_station_printed_only_committed_numbers(station):
    station.printer.drain(30)
    numbers = set(station.call(lambda s: list(s.session.state.tickets)).result(30))
    assert set(printed_numbers(station.tee.sent)) <= numbers


# --- timetable files ---------------------------------------------------------------------------

csv_cells = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=12)
csv_text = st.lists(st.lists(st.one_of(csv_cells, st.sampled_from(
    ["日期", "组别", "拍摄时段", "拍摄班级", "人数", "14:30—14:40", "8:30-9:25", "53", "-1", "10月25日", "第一组"])),
    min_size=1, max_size=7), max_size=12).map(lambda rows: "\n".join(",".join(r) for r in rows))
timetable_bytes = st.one_of(
    st.binary(max_size=2000),
    csv_text.map(lambda t: t.encode("utf-8")),
    csv_text.map(lambda t: t.encode("gb18030", errors="replace")),
    st.binary(max_size=1500).map(lambda b: b"PK\x03\x04" + b),  # a zip (xlsx) header and noise
    st.tuples(st.sampled_from([b"\xfe\xff", b"\xff\xfe"]), st.binary(max_size=200)).map(b"".join),  # UTF-16 marks
)


@FUZZ
@given(data=timetable_bytes, suffix=st.sampled_from([".csv", ".xlsx", ".txt", ""]))
def test_any_timetable_file_loads_or_gets_a_clear_error(tmp_path_factory, data, suffix):
    from photoqueue.timetable import load_timetable

    path = tmp_path_factory.mktemp("tt") / f"timetable{suffix}"
    path.write_bytes(data)
    ok = answers_clearly(load_timetable, path)
    tally("timetable files", ok)
    assert ok


# --- config files -----------------------------------------------------------------------------------

KEYS = ["room", "data_dir", "date", "kind", "port", "mode", "advance_pin", "size", "theme", "source", "rom",
        "token", "url", "refresh_s", "fps", "paper_width", "cut"]
SECTIONS = ["station", "printer", "camera", "display", "buttons", "sound", "central", "statoin", "x"]
toml_scalar = st.one_of(st.text(max_size=30), st.integers(-2**63, 2**63 - 1), st.floats(allow_nan=False),
                        st.booleans(), st.lists(st.integers(-5, 5000), max_size=3))


def toml_value(v) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, str):
        return json.dumps(v)
    if isinstance(v, float):
        return repr(v) if v == v and v not in (float("inf"), float("-inf")) else "0.0"
    if isinstance(v, list):
        return "[" + ", ".join(toml_value(x) for x in v) + "]"
    return str(v)


toml_docs = st.one_of(
    st.dictionaries(st.sampled_from(SECTIONS), st.dictionaries(st.sampled_from(KEYS), toml_scalar, max_size=6),
                    max_size=6).map(lambda d: "\n".join(f"[{s}]\n" + "\n".join(f"{k} = {toml_value(v)}"
                                                                                for k, v in t.items()) for s, t in d.items())),
    st.text(max_size=300),
)


@FUZZ
@given(text=toml_docs)
def test_any_config_file_is_read_or_refused_with_every_problem_listed(tmp_path_factory, text):
    from photoqueue.device.station.config import load_config

    path = tmp_path_factory.mktemp("cfg") / "station.toml"
    path.write_text(text, encoding="utf-8", errors="surrogatepass")
    ok = answers_clearly(load_config, path)
    tally("config files (TOML)", ok)
    assert ok


# --- API bodies against a real server -----------------------------------------------------------------

json_values = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False, allow_infinity=False),
              st.text(max_size=20)),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=20)
event_like = st.fixed_dictionaries({"seq": st.integers(-3, 5), "type": st.sampled_from(
    ["ticket_issued", "advanced", "timetable_loaded", "nonsense", ""]), "room": st.just("R1"),
    "date": st.sampled_from(["2024-06-20", "2024-13-45", ""])}, optional={"number": st.integers(-1, 3),
                                                                          "code_digest": st.text(max_size=70),
                                                                          "at": json_values})
bodies = st.one_of(
    json_values.map(lambda v: json.dumps(v).encode()),
    st.fixed_dictionaries({"station_id": st.text(max_size=40), "events": st.lists(event_like, max_size=4)},
                          optional={"health": json_values, "pending": json_values, "acked_commands": json_values})
    .map(lambda v: json.dumps(v).encode()),
    st.binary(max_size=200),
)


@pytest.fixture(scope="module")
def central(tmp_path_factory):
    from photoqueue.central import accounts
    from photoqueue.central.process import CentralThread
    from photoqueue.central.settings import CentralSettings

    db = tmp_path_factory.mktemp("central") / "central.db"
    with CentralThread(CentralSettings(db=f"sqlite:///{db}", rate_limit_per_s=0)) as server:
        server.token = accounts.add_station(server.store.db, "R1")[1]
        yield server
    report("API bodies (POST /api/v1/events)")


@FUZZ
@given(body=bodies)
def test_any_body_posted_to_the_events_api_gets_a_clear_answer(central, body):
    r = httpx.post(central.url + "/api/v1/events", content=body, timeout=10,
                   headers={"authorization": f"Bearer {central.token}", "content-type": "application/json"})
    ok = r.status_code == 200 or (400 <= r.status_code < 500 and bool(r.json().get("error")))
    tally("API bodies (POST /api/v1/events)", ok)
    assert ok, (r.status_code, r.text[:300])


def test_the_fuzzed_server_still_answers(central):
    assert httpx.get(central.url + "/healthz").status_code == 200
    assert httpx.get(central.url + "/api/v1/counts").status_code == 200


# --- the virtual printer's input ----------------------------------------------------------------------

@pytest.fixture(scope="module")
def virtual_printer():
    from photoqueue.printer.virtual import VirtualPrinter

    with VirtualPrinter(chinese=True, idle_timeout_s=2) as vp:
        yield vp
    report("virtual printer: random bytes over TCP")


escpos_noise = st.one_of(st.binary(max_size=3000), st.lists(st.sampled_from(
    [b"\x1b@", b"\x1dV\x00", b"\x1dv0\x00\x02\x00\x02\x00", b"\x1d(L", b"\x10\x04\x01", b"\x1b*\x21\xff\xff", b"\x1c&",
     b"\x1d!\x11", b"\xb5\xda", b"\n", b"A"]), max_size=40).map(b"".join))


@settings(max_examples=size(30, 300), deadline=None, suppress_health_check=list(HealthCheck))
@given(data=escpos_noise)
def test_random_bytes_never_take_the_virtual_printer_down(virtual_printer, data):
    from photoqueue.printer import PrinterSettings, Ticket, encode_ticket

    with socket.create_connection(("127.0.0.1", virtual_printer.port), timeout=5) as s:
        s.sendall(data)
    printed = virtual_printer.printed
    ticket = Ticket(room="第一组", number=7, class_name="甲班", issued_at=dt.datetime(2024, 10, 25, 9, 0))
    with socket.create_connection(("127.0.0.1", virtual_printer.port), timeout=5) as s:
        s.sendall(encode_ticket(ticket, PrinterSettings(mode="text")).data)
    ok = virtual_printer.wait_for_tickets(printed + 1, timeout=10) and virtual_printer._thread.is_alive()
    tally("virtual printer: random bytes over TCP", ok)
    assert ok


# --- ticket fields full of control bytes ----------------------------------------------------------------

field_text = st.lists(st.sampled_from(list(CONTROL) + list("班级AZ09 ") + ["\x1b@", "\x1dV\x00", "\x10\x14", "\x1bp\x00"]),
                      max_size=30).map("".join)


@FUZZ
@given(class_name=field_text, room=field_text, location=field_text, check=field_text,
       mode=st.sampled_from(["text", "image"]))
def test_no_control_byte_from_a_field_reaches_the_printer(class_name, room, location, check, mode):
    from photoqueue.printer import PrinterSettings, Ticket, encode_ticket
    from photoqueue.printer.emulator import EscPosEmulator

    def kinds(data: bytes) -> list[str]:
        emu = EscPosEmulator(chinese=mode == "text")
        emu.feed(data)
        return [" ".join(c.split(" ")[:2]) for c in emu.commands if c not in ("text", "LF")]

    when = dt.datetime(2024, 10, 25, 9, 0)
    fuzzed = Ticket(room=room or "R", number=12, class_name=class_name, issued_at=when, check_code=check,
                    location=location)
    def x(s: str) -> str:  # the same field without the control bytes (spaces kept: a blank field is left out)
        return "".join(" " if ch == " " else "x" for ch in s)

    plain = Ticket(room=x(room) or "R", number=12, class_name=x(class_name), issued_at=when, check_code=x(check),
                   location=x(location))
    settings_ = PrinterSettings(mode=mode)
    got, want = kinds(encode_ticket(fuzzed, settings_).data), kinds(encode_ticket(plain, settings_).data)
    ok = got == want if mode == "text" else set(got) <= {"ESC @", "GS v", "ESC J", "ESC d", "GS V"}
    tally("ticket fields with ESC/GS/DLE (printer bytes)", ok)
    assert ok, (got, want)


def test_fuzz_figures():
    report("timetable files")
    report("config files (TOML)")
    report("ticket fields with ESC/GS/DLE (printer bytes)")
