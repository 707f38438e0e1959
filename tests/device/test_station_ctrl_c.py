"""Ctrl-C during the ~2 s start-up of `photoqueue station` (imports, the parser, the checks, the build) ends with
a line and status 130 (or the signal's own exit), never a traceback (issue 23, item 12)."""

import signal
import subprocess
import sys
import time


def test_ctrl_c_at_any_moment_of_the_start_gives_no_traceback(tmp_path):
    key = tmp_path / "k.key"
    key.write_text("ab" * 32)
    config = tmp_path / "station.toml"
    config.write_text(f'[station]\nroom = "第一组"\ndata_dir = "{tmp_path / "d"}"\nkey_file = "{key}"\n'
                      'date = "2023-10-25"\n[printer]\nkind = "dummy"\n', encoding="utf-8")
    for delay in (0.15, 0.3, 0.5, 0.8, 1.2, 2.0):
        proc = subprocess.Popen([sys.executable, "-m", "photoqueue", "station", "--config", str(config), "--headless"],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
        time.sleep(delay)
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=60)
        assert "Traceback" not in err, (delay, err[-2000:])
        assert proc.returncode in (0, 130, -signal.SIGINT), (delay, proc.returncode, err[-500:])
