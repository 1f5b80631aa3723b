"""The typed runtime context every node receives (langgraph `context_schema`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from deliberation.llm.client import ModelConfig
from deliberation.protocol import Step
from deliberation.retrieval.index import Retriever
from deliberation.scenario import Scenario


@dataclass(frozen=True)
class SummitDeps:
    scenario: Scenario
    steps: list[Step]
    retriever: Retriever
    models: dict[str, ModelConfig]
    prompts_dir: Path
    seed: int = 0
    top_k: int = 4
    recent_messages: int = 4
    human_seats: frozenset[str] = field(default_factory=frozenset)

    def model_for(self, persona: str) -> ModelConfig:
        return self.models[persona]
