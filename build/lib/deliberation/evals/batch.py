"""Score a JSONL file of utterances line by line; a bad line becomes an error line, the rest are scored."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

from deliberation.evals.types import Scorer, Utterance, Verdict
from pydantic import BaseModel, ValidationError

from deliberation.errors import DeliberationError, NotFound, UserError
from deliberation.scenario import Scenario


class LineError(BaseModel):
    id: str | None = None
    line: int
    error: str


def read_utterances(path: Path, scenario: Scenario) -> Iterator[Utterance | LineError]:
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        raise NotFound(f"{path}: file not found") from None
    except (OSError, UnicodeDecodeError) as error:
        raise UserError(f"{path}: cannot read ({error.__class__.__name__})") from None
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            data = json.loads(line)
            utterance = Utterance.model_validate(data)
        except json.JSONDecodeError as error:
            yield LineError(line=number, error=f"line {number}: not valid JSON ({error.msg})")
            continue
        except ValidationError as error:
            first = error.errors()[0]
            field = ".".join(str(p) for p in first["loc"]) or "line"
            ident = data.get("id") if isinstance(data, dict) else None
            yield LineError(id=ident if isinstance(ident, str) else None, line=number,
                            error=f"line {number}: {field}: {first['msg']}")  # fmt: skip
            continue
        if utterance.persona not in scenario.personas:
            known = ", ".join(scenario.personas)
            yield LineError(
                id=utterance.id, line=number, error=f"line {number}: unknown persona {utterance.persona!r} (known: {known})"
            )
            continue
        yield utterance


class BatchSummary(BaseModel):
    scored: int = 0
    faithful: int = 0
    errors: int = 0
    mean_score: float = 0.0


async def score_file(path: Path, scenario: Scenario, scorer: Scorer, out: Path) -> BatchSummary:
    """Writes one output line per input line, flushing as it goes, so a failure loses nothing scored."""
    summary, total = BatchSummary(), 0.0
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w", encoding="utf-8") as handle:
        for item in read_utterances(path, scenario):
            result: BaseModel
            if isinstance(item, LineError):
                result, summary.errors = item, summary.errors + 1
            else:
                try:
                    verdict: Verdict = await scorer.score(item)
                except DeliberationError as error:
                    result, summary.errors = LineError(id=item.id, line=0, error=str(error)), summary.errors + 1
                else:
                    result = verdict
                    summary.scored += 1
                    summary.faithful += verdict.faithful
                    total += verdict.score
            handle.write(result.model_dump_json(exclude_none=True) + "\n")
            handle.flush()
    summary.mean_score = total / summary.scored if summary.scored else 0.0
    return summary
