"""A real small model's speed and reply lengths, from its recorded replies (tests/fixtures/llm/gemma-3-270m).

Each fixture keeps the upstream's wall time (`elapsed_s`) beside the server's token counts, so the figures
are those of the recording run (machine load and all). Prints the offline engine's time per turn beside them.

Usage: python bench/real_model.py
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")
ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from llm_fixtures import REAL_FIXTURES  # noqa: E402

from deliberation.config import Settings  # noqa: E402
from deliberation.summit import SummitOptions, run_summit  # noqa: E402


def main() -> None:
    records = [json.loads(p.read_text(encoding="utf-8")) for p in sorted(REAL_FIXTURES.glob("*.json"))]
    print(f"gemma-3-270m (Q4_K_M) on llama-cpp-python's server, {len(records)} recorded requests")
    for r in records:
        usage, elapsed = r["response"]["usage"], float(r["elapsed_s"])
        print(f"  {usage['prompt_tokens']} prompt + {usage['completion_tokens']} completion tokens "
              f"(max_tokens {r['request']['max_tokens']}, {r['response']['choices'][0]['finish_reason']}) in {elapsed:.0f} s: "
              f"{(usage['prompt_tokens'] + usage['completion_tokens']) / elapsed:.1f} tokens/s all in")  # fmt: skip
    with tempfile.TemporaryDirectory() as tmp:
        began = time.monotonic()
        result = asyncio.run(run_summit(Settings(data_dir=Path(tmp) / "d", embedding="lexical"), SummitOptions(rounds=1),
                                        Path(tmp) / "r"))  # fmt: skip
        took = time.monotonic() - began
    print(
        f"offline engine, one-round summit: {result.finished.turns} turns in {took:.1f} s "
        f"({1000 * took / result.finished.turns:.0f} ms a turn, index build included)"
    )


if __name__ == "__main__":
    main()
