"""One deployment key resolution for the service, `station --check`, `diagnose` and the staff CLI
(device/store/keyfile.py): the systemd credential (outside the service: the file the installed unit hands over),
then [station] key_file, then the data dir's own file, else none; a key that cannot be used is refused by
every command with the same message, and each says which file it uses."""

from __future__ import annotations

import json
import stat
import types

import pytest

from photoqueue.cli import main
from photoqueue.device.errors import StationError
from photoqueue.device.station.config import load_config
from photoqueue.device.store import keyfile
from photoqueue.device.store.keyfile import ensure_key, resolve_key, save_received_key, unit_credential

ROOM = "A组"
DATE = "2023-10-25"
GOOD = "ab" * 32
GARBAGE = "this is not a key\n"


@pytest.fixture
def site(tmp_path, monkeypatch):
    """An installed station as install-pi.sh leaves it: /etc/photoqueue/deployment.key, the unit handing it over
    as the credential deployment-key, a config without key_file, an empty data dir."""
    etc = tmp_path / "etc"
    etc.mkdir()
    config = tmp_path / "station.toml"
    unit = tmp_path / "photoqueue-station.service"
    unit.write_text(f"[Service]\nExecStart=/opt/photoqueue/venv/bin/photoqueue station --config {config}\n"
                    f"LoadCredential=deployment-key:{etc / 'deployment.key'}\n"
                    "#LoadCredential=central-token:/etc/photoqueue/central.token\n", encoding="utf-8")
    monkeypatch.setattr(keyfile, "SERVICE_UNIT", unit)
    monkeypatch.delenv("CREDENTIALS_DIRECTORY", raising=False)
    config.write_text(f'[station]\nroom = "{ROOM}"\ndata_dir = "{tmp_path / "data"}"\ndate = "{DATE}"\nscreen = false\n'
                      '[printer]\nkind = "dummy"\n[buttons]\nkeyboard = false\n', encoding="utf-8")
    return types.SimpleNamespace(tmp=tmp_path, key=etc / "deployment.key", unit=unit, config=config,
                                 data=tmp_path / "data")


def service_credentials(site, text: str):
    """$CREDENTIALS_DIRECTORY as systemd makes it for the service: a copy of the unit's file."""
    creds = site.tmp / "run-credentials"
    creds.mkdir(exist_ok=True)
    (creds / "deployment-key").write_text(text, encoding="ascii")
    return creds


def test_garbage_in_the_key_is_refused_by_check_diagnose_and_the_service_with_one_message(site, monkeypatch, capsys):
    site.key.write_text(GARBAGE, encoding="ascii")
    assert main(["station", "--config", str(site.config), "--check"]) == 2
    check_err = capsys.readouterr().err
    assert main(["diagnose", "--config", str(site.config), "--only", "key", "--json"]) == 1
    [diag] = json.loads(capsys.readouterr().out)["checks"]
    assert diag["status"] == "fail"
    message = diag["detail"]
    assert message.startswith("systemd credential deployment-key: the deployment key must be hex text")
    assert message in check_err
    # the service: the same config, with the credential systemd hands it
    monkeypatch.setenv("CREDENTIALS_DIRECTORY", str(service_credentials(site, GARBAGE)))
    from photoqueue.device.station.build import build_station

    with pytest.raises(StationError) as refused:
        build_station(load_config(site.config), headless=True)
    assert str(refused.value) == message
    assert main(["station", "--config", str(site.config)]) == 2
    assert message in capsys.readouterr().err
    assert not (site.data / "deployment.key").exists()  # no key of its own was made on the way


def test_check_and_diagnose_say_which_file_they_use(site, capsys):
    site.key.write_text(GOOD, encoding="ascii")
    assert main(["station", "--config", str(site.config), "--check"]) == 0
    err = capsys.readouterr().err
    assert f"key: systemd credential deployment-key: {site.key} (LoadCredential= of {site.unit})" in err
    assert main(["diagnose", "--config", str(site.config), "--only", "key", "--json"]) == 0
    [diag] = json.loads(capsys.readouterr().out)["checks"]
    assert diag["status"] == "ok" and str(site.key) in diag["detail"] and "none yet" not in diag["detail"]
    assert not (site.data / "deployment.key").exists()


def test_the_order_is_credential_then_key_file_then_the_data_dir_then_none(site):
    station = types.SimpleNamespace(key_file="", data_dir=str(site.data))
    nothing = site.tmp / "no-unit.service"
    none = resolve_key(station, credentials_dir="", unit=nothing)
    assert (none.key, none.origin, none.path) == (None, "none", site.data / "deployment.key")
    made = ensure_key(station, make=True, credentials_dir="", unit=nothing)
    assert made.origin == "data_dir" and made.path == site.data / "deployment.key"
    assert stat.S_IMODE(made.path.stat().st_mode) == 0o600
    assert resolve_key(station, credentials_dir="", unit=nothing).key == made.key
    own = site.tmp / "own.key"
    own.write_text("cd" * 32)
    station.key_file = str(own)
    assert resolve_key(station, credentials_dir="", unit=nothing).origin == "key_file"
    site.key.write_text(GOOD)
    by_unit = resolve_key(station, credentials_dir="")
    assert (by_unit.origin, by_unit.path, by_unit.key) == ("credential", site.key, bytes.fromhex(GOOD))
    creds = service_credentials(site, "ef" * 32)
    inside = resolve_key(station, credentials_dir=str(creds))
    assert (inside.origin, inside.key) == ("credential", bytes.fromhex("ef" * 32))
    # a credentials directory without the key (only the token): the service has no credential key
    (creds / "deployment-key").unlink()
    assert resolve_key(station, credentials_dir=str(creds)).origin == "key_file"


def test_a_station_with_a_centre_and_no_key_has_none_until_its_hello(site):
    station = types.SimpleNamespace(key_file="", data_dir=str(site.data))
    nothing = site.tmp / "no-unit.service"
    assert ensure_key(station, make=False, credentials_dir="", unit=nothing).key is None
    assert not (site.data / "deployment.key").exists()


def test_the_centre_key_is_kept_where_the_next_start_reads_it(site):
    station = types.SimpleNamespace(key_file="", data_dir=str(site.data))
    nothing = site.tmp / "no-unit.service"
    centre = bytes.fromhex("12" * 32)
    path = save_received_key(station, centre, credentials_dir="", unit=nothing)
    assert path == site.data / "deployment.key" and stat.S_IMODE(path.stat().st_mode) == 0o600
    assert resolve_key(station, credentials_dir="", unit=nothing) == keyfile.KeySource(centre, path, "data_dir")
    # a key of its own in the data dir (made before it joined, never numbered with) is replaced
    newer = bytes.fromhex("34" * 32)
    assert save_received_key(station, newer, credentials_dir="", unit=nothing) == path
    assert resolve_key(station, credentials_dir="", unit=nothing).key == newer
    assert [p.name for p in site.data.iterdir()] == ["deployment.key"]  # no temporary file left


def test_a_key_file_or_credential_holding_another_key_is_never_overwritten(site):
    own = site.tmp / "own.key"
    own.write_text("cd" * 32)
    station = types.SimpleNamespace(key_file=str(own), data_dir=str(site.data))
    nothing = site.tmp / "no-unit.service"
    assert save_received_key(station, bytes.fromhex("cd" * 32), credentials_dir="", unit=nothing) == own
    with pytest.raises(StationError, match=r"\[station\] key_file: .*differs from the centre's"):
        save_received_key(station, bytes.fromhex("12" * 32), credentials_dir="", unit=nothing)
    site.key.write_text(GOOD)
    with pytest.raises(StationError, match="systemd credential deployment-key: the deployment key differs"):
        save_received_key(station, bytes.fromhex("12" * 32), credentials_dir="")
    assert own.read_text() == "cd" * 32 and site.key.read_text() == GOOD
    assert not site.data.exists()


def test_the_unit_credential_follows_drop_ins_like_systemd(site):
    assert unit_credential("deployment-key") == site.key
    assert unit_credential("central-token") is None  # commented out
    drop = site.tmp / "photoqueue-station.service.d"
    drop.mkdir()
    (drop / "10-key.conf").write_text("[Service]\nLoadCredential=\nLoadCredential=deployment-key:/srv/day.key\n")
    assert unit_credential("deployment-key") == keyfile.Path("/srv/day.key")
    (drop / "20-reset.conf").write_text("[Service]\nLoadCredential=\n")
    assert unit_credential("deployment-key") is None


def test_the_staff_cli_numbers_with_the_key_the_service_uses(site, capsys):
    site.key.write_text(GOOD)
    assert main(["scan", "--data-dir", str(site.data), "--room", ROOM, "--date", DATE, "CODE-0001-X"]) == 0
    assert json.loads(capsys.readouterr().out)["number"] == 1
    assert not (site.data / "deployment.key").exists()  # not a key of its own: the credential's
    # the running service (the credential) and the staff CLI agree: the same station, the same key
    from photoqueue.device.store.events import EventStore, db_path

    store = EventStore(db_path(site.data), create=False)
    try:
        from photoqueue.core.state import Rules
        from photoqueue.device.store.session import Session

        session = Session(store, ROOM, DATE, Rules(digest_key=bytes.fromhex(GOOD)))
        assert [t.number for t in session.state.tickets.values()] == [1]
    finally:
        store.close()
    site.key.write_text(GARBAGE)
    assert main(["queue", "--data-dir", str(site.data), "--room", ROOM, "--date", DATE, "status"]) != 0
    assert "systemd credential deployment-key: the deployment key must be hex text" in capsys.readouterr().err


def test_the_units_credential_is_only_for_the_station_that_unit_runs(site, tmp_path):
    site.key.write_text(GOOD)
    other = types.SimpleNamespace(key_file="", data_dir=str(tmp_path / "another-station"))
    assert resolve_key(other, credentials_dir="").origin == "none"  # a test or a second data dir on the Pi
    ours = types.SimpleNamespace(key_file="", data_dir=str(site.data) + "/")
    assert resolve_key(ours, credentials_dir="").origin == "credential"
    site.config.write_text(site.config.read_text().replace(str(site.data), str(tmp_path / "moved")))
    assert resolve_key(ours, credentials_dir="").origin == "none"  # the unit now runs another data dir
