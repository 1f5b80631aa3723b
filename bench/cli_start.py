"""How fast `deliberation` starts: CPU time and peak memory of fresh processes.

Runs each case REPEATS times in a new interpreter (`python -m deliberation`, the same code as the installed
script) and prints the median and the best: `--help`, `scenarios`, and `serve` until it answers GET / (its
CPU and peak RSS read from /proc while it is still serving). Settings: defaults, a fresh temporary data dir;
the OS file cache is warm after the first run, .pyc files are written on the first run. Linux only (/proc).
Targets (issue 7): --help and scenarios under 0.3 s CPU, serve ready in under 1.5 s.
"""

from __future__ import annotations

import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

REPEATS = 7
TICK = os.sysconf("SC_CLK_TCK")


def _env(data: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DELIBERATION_")}
    return env | {"DELIBERATION_DATA_DIR": str(data), "LITELLM_LOCAL_MODEL_COST_MAP": "True"}


def one_command(argv: list[str], env: dict[str, str]) -> tuple[float, float]:
    """CPU seconds and peak RSS (MB) of one finished child."""
    child = subprocess.Popen([sys.executable, "-m", "deliberation", *argv], env=env, stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(child.pid, 0)
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode != 0:
        raise SystemExit(f"deliberation {' '.join(argv)} exited {child.returncode}")
    return usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


def _port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def one_serve(env: dict[str, str]) -> tuple[float, float, float]:
    """Wall seconds until GET / answers, CPU seconds and peak RSS (MB) of the server at that moment."""
    port = _port()
    began = time.monotonic()
    server = subprocess.Popen(
        [sys.executable, "-m", "deliberation", "serve", "--port", str(port)],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5):
                    break
            except OSError:
                if server.poll() is not None:
                    raise SystemExit("serve exited before it was ready") from None
                time.sleep(0.01)
        ready = time.monotonic() - began
        fields = Path(f"/proc/{server.pid}/stat").read_text().rsplit(")", 1)[1].split()
        cpu = (int(fields[11]) + int(fields[12])) / TICK  # utime, stime
        status = Path(f"/proc/{server.pid}/status").read_text()
        rss = next(int(line.split()[1]) for line in status.splitlines() if line.startswith("VmHWM:")) / 1024
        return ready, cpu, rss
    finally:
        server.terminate()
        server.wait()


def _row(name: str, values: list[float], unit: str) -> str:
    return f"  {name:<30}{statistics.median(values):>9.2f}{min(values):>9.2f}  {unit}"


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        env = _env(Path(tmp) / "data")
        print(f"CLI start (python -m deliberation; median and best of {REPEATS} fresh processes; load average "
              f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs)")  # fmt: skip
        print(f"  {'case':<30}{'median':>9}{'best':>9}")
        for argv in (["--help"], ["scenarios"]):
            runs = [one_command(argv, env) for _ in range(REPEATS)]
            print(_row(f"{' '.join(argv)}: CPU", [cpu for cpu, _ in runs], "s"))
            print(_row(f"{' '.join(argv)}: peak RSS", [rss for _, rss in runs], "MB"))
        serves = [one_serve(env) for _ in range(REPEATS)]
        print(_row("serve: ready (wall)", [ready for ready, _, _ in serves], "s"))
        print(_row("serve: CPU until ready", [cpu for _, cpu, _ in serves], "s"))
        print(_row("serve: peak RSS when ready", [rss for _, _, rss in serves], "MB"))


if __name__ == "__main__":
    main()
