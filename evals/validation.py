"""Validate a scorer on the labelled set: balanced accuracy, precision on 'unfaithful', per persona and kind."""

from __future__ import annotations

from collections import defaultdict

from deliberation.evals.dataset import Case
from deliberation.evals.types import JudgeFailed, Scorer
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
    def precision(self) -> float | None:
        """None when nothing was flagged: there is no precision to speak of."""
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else None


def _share(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.3f}"


class Validation(BaseModel):
    overall: Confusion
    per_persona: dict[str, Confusion]
    detected_per_kind: dict[str, tuple[int, int]]
    misses: list[str]
    unscored: dict[str, str] = {}
    """Case id -> why the scorer could not score it (a judge that never answered in its schema); left out of the
    figures and listed, so one failed case does not lose the others."""


async def validate(scorer: Scorer, cases: list[Case]) -> Validation:
    overall: Confusion = Confusion()
    personas: defaultdict[str, Confusion] = defaultdict(Confusion)
    kinds: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    misses, unscored = [], {}
    for case in cases:
        try:
            flagged = not (await scorer.score(case)).faithful
        except JudgeFailed as error:
            unscored[case.id] = str(error)
            continue
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
        unscored=unscored,
    )


def render_validation(result: Validation, title: str) -> str:
    overall = result.overall
    lines = [
        f"{title}: balanced accuracy {overall.balanced_accuracy:.3f}, precision(unfaithful) {_share(overall.precision)}, "
        f"unfaithful caught {overall.tp}/{overall.tp + overall.fn}, faithful kept {overall.tn}/{overall.tn + overall.fp} "
        f"({overall.kept:.3f})"
    ]
    lines += ["", "| persona | balanced acc. | precision | faithful kept |", "|---|---|---|---|"]
    lines += [
        f"| {p} | {c.balanced_accuracy:.3f} | {_share(c.precision)} | {c.kept:.3f} |"
        for p, c in sorted(result.per_persona.items())
    ]
    lines += ["", "| failure kind | detected |", "|---|---|"]
    lines += [f"| {k} | {a}/{b} |" for k, (a, b) in result.detected_per_kind.items()]
    if result.unscored:
        lines += ["", f"unscored ({len(result.unscored)}, left out of the figures above):"]
        lines += [f"- {case}: {why}" for case, why in result.unscored.items()]
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
    lines.append(row("precision(unfaithful)", [_share(r.overall.precision) for r in results.values()]))
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
    lines.append(row("unscored", [str(len(r.unscored)) for r in results.values()]))
    return "\n".join(lines)
