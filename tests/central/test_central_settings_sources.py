"""The central settings come from a TOML file, PHOTOQUEUE_CENTRAL_* variables and --set, each later one
winning; an unknown key or a bad value anywhere is reported at once, on one line, without a traceback."""

from __future__ import annotations

import pytest

from photoqueue.central.errors import CentralError
from photoqueue.central.settings import CentralSettings
from photoqueue.cli import main


def test_file_then_environment_then_set(tmp_path):
    path = tmp_path / "central.toml"
    path.write_text('port = 9000\nfee_yuan = 25\ntrusted_proxies = "10.0.0.0/8"\ncookie_secure = true\n')
    settings = CentralSettings.load(path, env={"PHOTOQUEUE_CENTRAL_PORT": "9100", "PHOTOQUEUE_CENTRAL_FEE_YUAN": "26",
                                               "OTHER": "x"}, values={"fee_yuan": "30"})
    assert (settings.port, settings.fee_yuan, settings.trusted_proxies, settings.cookie_secure) == (
        9100, 30.0, "10.0.0.0/8", True)


def test_a_central_table_is_read_too(tmp_path):
    path = tmp_path / "central.toml"
    path.write_text('[central]\nstatus_max_streams = 5000\n')
    assert CentralSettings.load(path, env={}).status_max_streams == 5000


def test_every_problem_is_named_at_once(tmp_path):
    path = tmp_path / "central.toml"
    path.write_text('port = "x"\nbogus = 1\ntrusted_proxies = "not-an-address"\n')
    with pytest.raises(CentralError) as err:
        CentralSettings.load(path, env={"PHOTOQUEUE_CENTRAL_NOPE": "1", "PHOTOQUEUE_CENTRAL_RATE_BURST": "many"})
    text = str(err.value)
    for words in ("port must be a int", "unknown setting 'bogus'", "PHOTOQUEUE_CENTRAL_NOPE", "rate_burst",
                  "trusted_proxies"):
        assert words in text, words


def test_serve_names_a_bad_file_without_a_traceback(tmp_path, capsys):
    path = tmp_path / "central.toml"
    path.write_text("port = [\n")
    assert main(["central", "serve", "--config", str(path)]) != 0
    err = capsys.readouterr().err
    assert "not TOML" in err and "Traceback" not in err
    assert main(["central", "serve", "--config", str(tmp_path / "missing.toml")]) != 0
    assert "cannot read" in capsys.readouterr().err
