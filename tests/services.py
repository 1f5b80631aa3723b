"""Real Postgres, Redis and Chroma servers on loopback, in temporary directories, for tests and benchmarks.

Each starter returns None with the reason when the server cannot be started here (binary missing, no user
to run Postgres as), so that a test can skip saying why; any other failure raises.
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path


@dataclass
class Service:
    url: str
    process: subprocess.Popen[bytes]
    directory: Path

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        shutil.rmtree(self.directory, ignore_errors=True)


def http_get(url: str) -> str:
    """A GET on a loopback server, as text."""
    with urllib.request.urlopen(url, timeout=30) as response:
        body: bytes = response.read()
        return body.decode()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _wait_port(port: int, process: subprocess.Popen[bytes], what: str, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{what} exited with code {process.returncode} before listening on port {port}")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return
        time.sleep(0.05)
    raise RuntimeError(f"{what} did not listen on port {port} within {timeout:.0f} s")


def _postgres_bin(name: str) -> str | None:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    return found[-1] if found else shutil.which(name)


def _as_user() -> tuple[list[str], int | None, int | None]:
    """Postgres refuses to run as root: as root, run it as the `postgres` account Debian's package creates."""
    if os.geteuid() != 0:
        return [], None, None
    for name in ("postgres", "nobody"):
        with contextlib.suppress(KeyError):
            entry = pwd.getpwnam(name)
            return ["runuser", "-u", name, "--"], entry.pw_uid, entry.pw_gid
    return [], None, None


def start_postgres() -> Service | str:
    initdb, postgres = _postgres_bin("initdb"), _postgres_bin("postgres")
    if not initdb or not postgres:
        return "Postgres is not installed (apt-get install postgresql)"
    prefix, uid, gid = _as_user()
    if os.geteuid() == 0 and not prefix:
        return "running as root and no postgres/nobody account to run Postgres as"
    directory = Path(tempfile.mkdtemp(prefix="deliberation-pg-"))
    if uid is not None and gid is not None:
        os.chown(directory, uid, gid)
    data = directory / "data"
    subprocess.run(
        [*prefix, initdb, "-D", str(data), "-U", "deliberation", "--auth=trust", "-E", "UTF8", "--no-sync"],
        check=True, capture_output=True,
    )
    port = free_port()
    process = subprocess.Popen(
        [*prefix, postgres, "-D", str(data), "-h", "127.0.0.1", "-p", str(port), "-k", str(directory),
         "-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off", "-c", "max_connections=200"],
        stdout=subprocess.DEVNULL, stderr=open(directory / "postgres.log", "wb"),  # noqa: SIM115  (the server owns it)
    )
    _wait_port(port, process, "postgres")
    url = f"postgresql://deliberation@127.0.0.1:{port}/postgres"
    _ready(url, process)
    return Service(url, process, directory)


def _ready(url: str, process: subprocess.Popen[bytes]) -> None:
    import psycopg

    deadline = time.monotonic() + 30
    while True:
        try:
            psycopg.connect(url, connect_timeout=2).close()
            return
        except psycopg.OperationalError:  # listening but still starting up
            if time.monotonic() > deadline or process.poll() is not None:
                raise
            time.sleep(0.1)


def start_redis() -> Service | str:
    binary = shutil.which("redis-server")
    if not binary:
        return "Redis is not installed (apt-get install redis-server)"
    directory = Path(tempfile.mkdtemp(prefix="deliberation-redis-"))
    port = free_port()
    process = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--dir", str(directory), "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    _wait_port(port, process, "redis-server")
    return Service(f"redis://127.0.0.1:{port}/0", process, directory)


def start_chroma() -> Service | str:
    binary = shutil.which("chroma") or str(Path(sys.executable).with_name("chroma"))
    if not Path(binary).exists():
        return "the chroma CLI (from the chromadb package) is not installed"
    directory = Path(tempfile.mkdtemp(prefix="deliberation-chroma-"))
    port = free_port()
    process = subprocess.Popen(
        [binary, "run", "--path", str(directory / "data"), "--host", "127.0.0.1", "--port", str(port)],
        stdout=subprocess.DEVNULL, stderr=open(directory / "chroma.log", "wb"),  # noqa: SIM115
        env={**os.environ, "ANONYMIZED_TELEMETRY": "False"},
    )
    _wait_port(port, process, "chroma run")
    return Service(f"http://127.0.0.1:{port}", process, directory)


@contextlib.contextmanager
def running(service: Service) -> Iterator[Service]:
    try:
        yield service
    finally:
        service.stop()


def start_replica(env: dict[str, str], data_dir: Path, log: Path) -> tuple[subprocess.Popen[bytes], str]:
    """A `deliberation serve` process on a free loopback port with `env` added; returns it and its base URL."""
    port = free_port()
    data_dir.mkdir(parents=True, exist_ok=True)
    process = subprocess.Popen(
        [sys.executable, "-m", "deliberation", "serve", "--host", "127.0.0.1", "--port", str(port)],
        env={**os.environ, "LITELLM_LOCAL_MODEL_COST_MAP": "True", "DELIBERATION_DATA_DIR": str(data_dir), **env},
        stdout=subprocess.DEVNULL, stderr=open(log, "wb"),  # noqa: SIM115  (the child owns it)
    )
    _wait_port(port, process, f"deliberation serve (log: {log})", timeout=120)
    return process, f"http://127.0.0.1:{port}"


def serving(start: Callable[[], Service | str], needs: str) -> Iterator[Service]:
    """A fixture's body: the started service until the fixture ends, or a skip naming why it could not start."""
    import pytest

    started = start()
    if isinstance(started, str):
        pytest.skip(f"needs {needs}: {started}")
    yield started
    started.stop()
