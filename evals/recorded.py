"""Scorers built from other scorers: a judge's recorded verdicts replayed, and the combined scorer.

No LLM is reachable in CI, so the judge is validated on the labelled sets from verdicts it gave earlier
(`eval validate --scorer judge --model M --record FILE` writes them, one Verdict per line), the same way the
deterministic scorer is validated: same cases, same metrics.
"""

from __future__ import annotations

import json
from pathlib import Path

from deliberation.evals.types import Scorer, Utterance, Verdict
from pydantic import ValidationError

from deliberation.errors import NotFound, UserError


class RecordedScorer:
    """Replays verdicts recorded from a scorer (the judge), by utterance id."""

    def __init__(self, path: Path, name: str = "judge") -> None:
        self.name = name
        self.path = path
        try:
            lines = path.read_text(encoding="utf-8").splitlines()
        except FileNotFoundError:
            raise NotFound(f"{path}: recorded verdicts not found (record them with --model M --record {path})") from None
        self.verdicts: dict[str, Verdict] = {}
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            try:
                verdict = Verdict.model_validate(json.loads(line))
            except (json.JSONDecodeError, ValidationError) as error:
                raise UserError(f"{path}: line {number} is not a recorded verdict ({error.__class__.__name__})") from None
            self.verdicts[verdict.id] = verdict

    async def score(self, utterance: Utterance) -> Verdict:
        try:
            return self.verdicts[utterance.id]
        except KeyError:
            raise NotFound(
                f"{self.path}: no recorded {self.name} verdict for {utterance.id!r}; "
                f"record the missing ones with --model M --record {self.path}"
            ) from None


class RecordingScorer:
    """Passes verdicts through and appends each to a file, so a run against a real model can be replayed."""

    def __init__(self, inner: Scorer, path: Path) -> None:
        self.inner = inner
        self.name = inner.name
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)

    async def score(self, utterance: Utterance) -> Verdict:
        verdict = await self.inner.score(utterance)
        with self.path.open("a", encoding="utf-8") as handle:
            handle.write(verdict.model_dump_json() + "\n")
        return verdict


UNDECIDED = "unsupported"


class CombinedScorer:
    """Deterministic first; the judge decides only what the deterministic scorer could not ground.

    A turn the rules flag stays flagged, and one they ground stays faithful: the judge is asked only about
    turns whose sole findings are unsupported clauses, and its verdict decides them.
    """

    name = "combined"

    def __init__(self, deterministic: Scorer, judge: Scorer) -> None:
        self.deterministic = deterministic
        self.judge = judge
        self.asked = 0

    async def score(self, utterance: Utterance) -> Verdict:
        first = await self.deterministic.score(utterance)
        if not first.faithful or not any(v.kind == UNDECIDED for v in first.violations):
            return first
        self.asked += 1
        second = await self.judge.score(utterance)
        return Verdict(
            id=utterance.id,
            faithful=second.faithful,
            score=min(first.score, second.score),
            violations=[*first.violations, *second.violations],
        )
