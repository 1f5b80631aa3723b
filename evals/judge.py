"""The LLM judge scorer: decompose a turn into claims, then judge each claim against the ledger and the source."""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from typing import Any, TypeVar

from deliberation.evals.judge_schema import Claims, ClaimVerdict, Verdicts
from deliberation.evals.types import JudgeFailed, Utterance, Verdict, Violation
from pydantic import BaseModel

from deliberation.config import Settings, get_settings
from deliberation.llm.client import CallFailed, ModelConfig, complete
from deliberation.llm.schema import json_schema
from deliberation.passages import Passage
from deliberation.prompts import render
from deliberation.retrieval.index import open_retriever
from deliberation.retrieval.ranking import Retriever
from deliberation.scenario import Persona, Position, Scenario

Schema = TypeVar("Schema", bound=BaseModel)
ADVICE = {
    "timeout": "",  # the message already says it timed out and which setting to raise
    "transport": ". Check the model name, its API base and key.",
    "malformed": ". The reply never fit the judge's schema: try a stronger judge model.",
}


@dataclass(frozen=True)
class Claim:
    id: str
    text: str


@dataclass(frozen=True)
class LedgerEntry:
    """A ledger position as the judge sees it: the passages covering its evidence alongside."""

    id: str
    topic: str
    stance: str
    statement: str
    passages: list[str]


def covering(position: Position, passages: dict[str, Passage]) -> list[str]:
    ids = [p.id for e in position.evidence for p in passages.values() if p.start < e.end and e.start < p.end]
    return list(dict.fromkeys(ids))


def ledger_of(scenario: Scenario, persona: Persona, passages: dict[str, Passage]) -> list[LedgerEntry]:
    """The speaker's own positions; the mediator relays every party, so it is judged against theirs too."""
    speakers = [persona, *(scenario.personas[p] for p in scenario.parties)] if persona.id == scenario.mediator else [persona]
    return [
        LedgerEntry(p.id, p.topic, p.stance.value, p.statement, covering(p, passages))
        for speaker in speakers
        for p in speaker.positions
    ]


def checked(verdict: ClaimVerdict, positions: set[str], passages: set[str]) -> ClaimVerdict:
    """A verdict citing an id that does not exist, or resting on nothing, counts as unverifiable."""
    unknown = [i for i, known in ((verdict.position, positions), (verdict.passage, passages)) if i is not None and i not in known]
    if unknown:
        return verdict.model_copy(update={"verdict": "unverifiable", "reason": f"cites unknown id(s) {', '.join(unknown)}"})
    if verdict.verdict != "unverifiable" and verdict.position is None and verdict.passage is None:
        return verdict.model_copy(update={"verdict": "unverifiable", "reason": "cites no position or passage"})
    return verdict


def to_verdict(utterance_id: str, claims: list[Claim], verdicts: dict[str, ClaimVerdict]) -> Verdict:
    """score = supported / all claims (1.0 with none); faithful = no claim contradicted."""
    if not claims:
        return Verdict(id=utterance_id, faithful=True, score=1.0)
    labels = {c.id: verdicts[c.id].verdict if c.id in verdicts else "unverifiable" for c in claims}
    violations = [
        Violation(kind="contradiction", rule="judge.contradicted", position=verdicts[c.id].position, evidence=c.text)
        for c in claims
        if labels[c.id] == "contradicted"
    ]
    supported = sum(1 for label in labels.values() if label == "supported")
    return Verdict(id=utterance_id, faithful=not violations, score=supported / len(claims), violations=violations)


class JudgeScorer:
    """Scorer protocol over litellm at temperature 0; one call per step (claims, then verdicts)."""

    name = "judge"

    def __init__(
        self,
        scenario: Scenario,
        model_config: ModelConfig,
        *,
        retriever: Retriever | None = None,
        settings: Settings | None = None,
    ) -> None:
        self.scenario = scenario
        self.model = replace(model_config, temperature=0.0)
        self.settings = settings or get_settings()
        self._retriever = retriever

    @property
    def retriever(self) -> Retriever:
        if self._retriever is None:
            s = self.settings
            self._retriever = open_retriever(self.scenario, s.embedding, s.data_dir, s.chroma_url)
        return self._retriever

    async def score(self, utterance: Utterance) -> Verdict:
        persona = self.scenario.persona(utterance.persona)
        found = await self._ask(utterance, "judge_claims.j2", Claims, persona=persona)
        claims = [Claim(f"c{i}", text) for i, text in enumerate(found.claims, start=1)]
        if not claims:
            return to_verdict(utterance.id, [], {})
        passages = self.retriever.passages
        ledger = ledger_of(self.scenario, persona, passages)
        answer = await self._ask(
            utterance,
            "judge_verdicts.j2",
            Verdicts,
            persona=persona,
            claims=claims,
            positions=ledger,
            concessions=persona.concessions,
            passages=[hit.passage for hit in self.retriever.search(utterance.text, self.settings.top_k)],
        )
        known = ({e.id for e in ledger}, set(passages))
        verdicts: dict[str, ClaimVerdict] = {}
        for verdict in answer.verdicts:
            verdicts.setdefault(verdict.claim, checked(verdict, *known))
        return to_verdict(utterance.id, claims, verdicts)

    async def _ask(self, utterance: Utterance, template: str, schema: type[Schema], **values: Any) -> Schema:
        prompt = render(
            self.settings.prompts_dir,
            template,
            scenario_title=self.scenario.title,
            utterance=utterance,
            schema=json.dumps(json_schema(schema), separators=(",", ":")),
            **values,
        )
        kind = template.removesuffix(".j2")
        try:
            done = await complete(self.model, [{"role": "user", "content": prompt}], schema, kind)
        except CallFailed as error:
            raise JudgeFailed(
                utterance.id,
                f"judge could not score utterance {utterance.id!r} ({template}, model {self.model.model}): {error}"
                f"{ADVICE[error.failure]}",
            ) from None
        return done.output
