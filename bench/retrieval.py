"""Retrieval quality per embedding on the labelled question set: recall@5 and MRR.

Embeddings that need a network or a server (chroma-default, openai, ollama) are tried and reported
as unavailable when they fail, so the same script measures them on a machine that has them.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")

from deliberation.evals.retrieval import evaluate, load_questions

from deliberation.config import get_settings
from deliberation.errors import DeliberationError
from deliberation.loader import scenario
from deliberation.retrieval.index import open_retriever

EMBEDDINGS = ["hybrid", "minilm", "lexical", "chroma-default", "openai", "ollama"]


def main(scenario_id: str = "afghanistan") -> None:
    settings = get_settings()
    loaded = scenario(settings, scenario_id)
    questions = load_questions(scenario_id)
    print(f"retrieval on {scenario_id}: {len(questions.questions)} labelled questions")
    print(f"{'embedding':<16}{'recall@5':>10}{'MRR':>8}{'ms/query':>10}  misses")
    with tempfile.TemporaryDirectory() as tmp:
        for name in EMBEDDINGS:
            try:
                retriever = open_retriever(loaded, name, Path(tmp))
                began = time.perf_counter()
                scores = evaluate(retriever, questions, k=5)
                per_query = (time.perf_counter() - began) * 1000 / scores.questions
            except (DeliberationError, Exception) as error:  # a real embedding without its network
                print(f"{name:<16}{'unavailable':>10}  ({str(error).splitlines()[0][:90]})")
                continue
            print(f"{name:<16}{scores.recall_at_k:>10.3f}{scores.mrr:>8.3f}{per_query:>10.1f}  {', '.join(scores.misses)}")


if __name__ == "__main__":
    main(*sys.argv[1:])
