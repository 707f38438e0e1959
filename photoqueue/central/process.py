"""Run a central service beside other code: as its own process (the demo, crash tests) or in a
thread (tests). Both listen on 127.0.0.1 on a free port unless told otherwise.

    with CentralProcess("sqlite:///data/central.db") as central:
        token = add_station(central.db_url, "第一组")
        ...  # stations sync to central.url
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time

from photoqueue.central.errors import CentralError
from photoqueue.central.settings import CentralSettings


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as s:
        s.bind((host, 0))
        return s.getsockname()[1]


def bound_socket(host: str = "127.0.0.1", port: int = 0) -> socket.socket:
    """A socket bound to ``port`` (0: one the kernel picks), held from now on: unlike a port found free and
    bound later, no other process (a parallel test) can take it in between."""
    sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    return sock


def wait_ready(url: str, timeout: float = 30.0, alive=lambda: True) -> None:
    """Poll ``url``/healthz until it answers 200."""
    import httpx

    deadline = time.monotonic() + timeout
    last = ""
    while time.monotonic() < deadline:
        if not alive():
            raise CentralError(f"the central service at {url} exited while starting")
        try:
            if httpx.get(url + "/healthz", timeout=2).status_code == 200:
                return
        except httpx.HTTPError as exc:
            last = str(exc)
        time.sleep(0.05)
    raise CentralError(f"the central service at {url} did not start within {timeout:.0f} s ({last})")


class CentralProcess:
    """``photoqueue central serve`` as a child process."""

    def __init__(self, db_url: str, *, host: str = "127.0.0.1", port: int | None = None,
                 settings: dict[str, str] | None = None, log_path: str | None = None):
        self.db_url = db_url
        self.host = host
        self.port = port or free_port(host)
        self.settings = dict(settings or {})
        self.log_path = log_path
        self.proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self, timeout: float = 30.0) -> CentralProcess:
        args = [sys.executable, "-m", "photoqueue", "central", "serve", "--db", self.db_url, "--host", self.host,
                "--port", str(self.port)]
        for key, value in self.settings.items():
            args += ["--set", f"{key}={value}"]
        out = open(self.log_path, "ab") if self.log_path else subprocess.DEVNULL  # noqa: SIM115
        self.proc = subprocess.Popen(args, stdout=out, stderr=subprocess.STDOUT, env=os.environ.copy())
        wait_ready(self.url, timeout, alive=lambda: self.proc.poll() is None)
        return self

    def stop(self, timeout: float = 10.0) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    def kill(self) -> None:
        """SIGKILL: no shutdown at all, as a crash or a power cut of the process."""
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()

    def __enter__(self) -> CentralProcess:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


class CentralThread:
    """The service in a thread of this process (uvicorn.Server), for tests."""

    def __init__(self, settings: CentralSettings):
        self.settings = settings
        self.sock: socket.socket | None = None
        if not settings.port or settings.port == CentralSettings().port:
            # bound now and handed to uvicorn, so the port is ours from here on
            self.sock = bound_socket(settings.host)
            settings.port = self.sock.getsockname()[1]
        self.server = None
        self.thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://{self.settings.host}:{self.settings.port}"

    @property
    def store(self):
        return self.app.state.store

    def start(self, timeout: float = 30.0) -> CentralThread:
        import uvicorn

        from photoqueue.central.app import create_app

        self.app = create_app(self.settings)
        config = uvicorn.Config(self.app, host=self.settings.host, port=self.settings.port, log_level="warning",
                                access_log=False, proxy_headers=False, timeout_graceful_shutdown=2)
        self.server = uvicorn.Server(config)
        if self.sock is not None and self.sock.fileno() == -1:  # closed by the server's last stop: the same port
            self.sock = bound_socket(self.settings.host, self.settings.port)
        sockets = [self.sock] if self.sock is not None else None
        self.thread = threading.Thread(target=self.server.run, kwargs={"sockets": sockets}, name="central",
                                       daemon=True)
        self.thread.start()
        wait_ready(self.url, timeout, alive=self.thread.is_alive)
        return self

    def stop(self) -> None:
        if self.server is not None:
            self.server.should_exit = True
            self.thread.join(15)
        if self.sock is not None:
            self.sock.close()

    def __enter__(self) -> CentralThread:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
