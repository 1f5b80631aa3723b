"""Retrieval quality on a labelled question set: recall@k and MRR."""

from __future__ import annotations

import yaml
from pydantic import BaseModel, Field

from deliberation.resources import packaged
from deliberation.retrieval.ranking import Retriever

DATA = packaged("deliberation.evals") / "data" / "retrieval"


class Question(BaseModel):
    id: str
    question: str
    gold: list[str] = Field(min_length=1)


class QuestionSet(BaseModel):
    scenario: str
    questions: list[Question] = Field(min_length=1)


class RetrievalScores(BaseModel):
    questions: int
    recall_at_k: float
    mrr: float
    k: int
    misses: list[str]


def load_questions(scenario: str) -> QuestionSet:
    return QuestionSet.model_validate(yaml.safe_load((DATA / f"{scenario}.yaml").read_text(encoding="utf-8")))


def evaluate(retriever: Retriever, questions: QuestionSet, k: int = 5) -> RetrievalScores:
    """Recall@k: a question counts when any gold passage is in the top k. MRR over the first gold hit (depth 10)."""
    hits, reciprocal, misses = 0, 0.0, []
    for question in questions.questions:
        ranked = [h.passage.id for h in retriever.search(question.question, max(k, 10))]
        gold = set(question.gold)
        if gold & set(ranked[:k]):
            hits += 1
        else:
            misses.append(question.id)
        rank = next((i for i, pid in enumerate(ranked, start=1) if pid in gold), None)
        reciprocal += 1 / rank if rank else 0.0
    n = len(questions.questions)
    return RetrievalScores(questions=n, recall_at_k=hits / n, mrr=reciprocal / n, k=k, misses=misses)
