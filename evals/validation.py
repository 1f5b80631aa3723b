"""Validate a scorer on the labelled set: balanced accuracy, precision on 'unfaithful', per persona and kind."""

from __future__ import annotations

from collections import defaultdict

from deliberation.evals.dataset import Case
from deliberation.evals.types import Scorer
from pydantic import BaseModel


class Confusion(BaseModel):
    tp: int = 0
    fp: int = 0
    tn: int = 0
    fn: int = 0

    def add(self, unfaithful: bool, flagged: bool) -> None:
        if unfaithful:
            self.tp, self.fn = self.tp + flagged, self.fn + (not flagged)
        else:
            self.fp, self.tn = self.fp + flagged, self.tn + (not flagged)

    @property
    def balanced_accuracy(self) -> float:
        recall = self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0
        specificity = self.tn / (self.tn + self.fp) if self.tn + self.fp else 1.0
        return (recall + specificity) / 2

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def kept(self) -> float:
        """Faithful utterances left unflagged (specificity)."""
        return self.tn / (self.tn + self.fp) if self.tn + self.fp else 1.0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0


class Validation(BaseModel):
    overall: Confusion
    per_persona: dict[str, Confusion]
    detected_per_kind: dict[str, tuple[int, int]]
    misses: list[str]


async def validate(scorer: Scorer, cases: list[Case]) -> Validation:
    overall: Confusion = Confusion()
    personas: defaultdict[str, Confusion] = defaultdict(Confusion)
    kinds: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    misses = []
    for case in cases:
        flagged = not (await scorer.score(case)).faithful
        unfaithful = case.label == "unfaithful"
        overall.add(unfaithful, flagged)
        personas[case.persona].add(unfaithful, flagged)
        if unfaithful:
            kinds[case.kind or "?"][0] += flagged
            kinds[case.kind or "?"][1] += 1
        if flagged != unfaithful:
            misses.append(case.id)
    return Validation(
        overall=overall,
        per_persona=dict(personas),
        detected_per_kind={k: (v[0], v[1]) for k, v in sorted(kinds.items())},
        misses=misses,
    )


def render_validation(result: Validation, title: str) -> str:
    overall = result.overall
    lines = [
        f"{title}: balanced accuracy {overall.balanced_accuracy:.3f}, precision(unfaithful) {overall.precision:.3f}, "
        f"unfaithful caught {overall.tp}/{overall.tp + overall.fn}, faithful kept {overall.tn}/{overall.tn + overall.fp} "
        f"({overall.kept:.3f})"
    ]
    lines += ["", "| persona | balanced acc. | precision | faithful kept |", "|---|---|---|---|"]
    lines += [
        f"| {p} | {c.balanced_accuracy:.3f} | {c.precision:.3f} | {c.kept:.3f} |" for p, c in sorted(result.per_persona.items())
    ]
    lines += ["", "| failure kind | detected |", "|---|---|"]
    lines += [f"| {k} | {a}/{b} |" for k, (a, b) in result.detected_per_kind.items()]
    return "\n".join(lines)


def render_comparison(results: dict[str, Validation], title: str) -> str:
    """Scorers in columns, the same rows as render_validation."""
    names = list(results)
    lines = [f"{title}", "", "| | " + " | ".join(names) + " |", "|---" * (len(names) + 1) + "|"]

    def row(label: str, cells: list[str]) -> str:
        return f"| {label} | " + " | ".join(cells) + " |"

    lines.append(row("balanced accuracy", [f"{r.overall.balanced_accuracy:.3f}" for r in results.values()]))
    lines.append(row("unfaithful caught", [f"{r.overall.recall:.3f}" for r in results.values()]))
    lines.append(row("faithful kept", [f"{r.overall.kept:.3f}" for r in results.values()]))
    lines.append(row("precision(unfaithful)", [f"{r.overall.precision:.3f}" for r in results.values()]))
    personas = sorted({p for r in results.values() for p in r.per_persona})
    for persona in personas:
        lines.append(row(f"{persona} (balanced acc.)", [
            f"{r.per_persona[persona].balanced_accuracy:.3f}" if persona in r.per_persona else "-" for r in results.values()
        ]))  # fmt: skip
    kinds = sorted({k for r in results.values() for k in r.detected_per_kind})
    for kind in kinds:
        lines.append(row(kind, [
            "{}/{}".format(*r.detected_per_kind[kind]) if kind in r.detected_per_kind else "-" for r in results.values()
        ]))  # fmt: skip
    return "\n".join(lines)
