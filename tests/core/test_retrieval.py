"""Chunking and the Chroma index: stable ids, exact offsets, reuse, rebuild, measured quality."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from deliberation.evals.retrieval import evaluate, load_questions

from deliberation.config import Settings
from deliberation.errors import UserError
from deliberation.loader import load_scenario
from deliberation.passages import chunk
from deliberation.retrieval.index import open_retriever
from tests.factories import copy_mini


def test_passages_are_exact_spans_with_stable_ids(settings: Settings) -> None:
    source = load_scenario("afghanistan", settings.scenarios_dir).source_text
    passages = chunk(source)
    assert [p.id for p in passages] == [p.id for p in chunk(source)]
    assert len({p.id for p in passages}) == len(passages)
    for passage in passages:
        assert source[passage.start : passage.end] == passage.text
    covered = sum(p.end - p.start for p in passages)
    assert covered / len(source.strip()) > 0.97


@pytest.mark.parametrize("embedding", ["hybrid", "lexical"])
def test_recall_on_the_labelled_questions(settings: Settings, embedding: str) -> None:
    scenario = load_scenario("afghanistan", settings.scenarios_dir)
    scores = evaluate(open_retriever(scenario, embedding, settings.data_dir), load_questions("afghanistan"))
    assert scores.questions >= 30
    assert scores.recall_at_k >= (0.9 if embedding == "hybrid" else 0.7), scores.misses


def test_index_is_reused_then_rebuilt_when_the_source_changes(tmp_path: Path, mini_settings: Settings) -> None:
    root = copy_mini(tmp_path / "scenarios")
    first = open_retriever(load_scenario("mini", root), "lexical", tmp_path / "data")
    assert first.search("pollution of the river", 1)[0].passage.id == "p03.1"
    source = root / "mini" / "source.txt"
    source.write_text(source.read_text(encoding="utf-8") + "\n\nA new paragraph about fishing quotas.\n", encoding="utf-8")
    second = open_retriever(load_scenario("mini", root), "lexical", tmp_path / "data")
    assert "p04.1" in second.passages
    assert second.search("fishing quotas", 1)[0].passage.id == "p04.1"


def test_unknown_embedding_is_a_user_error(mini_settings: Settings) -> None:
    with pytest.raises(UserError, match="unknown embedding 'word2vec'"):
        open_retriever(load_scenario("mini", mini_settings.scenarios_dir), "word2vec", mini_settings.data_dir)


def _ranked(retriever: Any, query: str) -> list[tuple[str, float]]:
    return [(hit.passage.id, round(hit.score, 6)) for hit in retriever.search(query, 5)]


def test_a_built_index_reopens_from_its_vector_copy_with_the_same_rankings(tmp_path: Path, mini_settings: Settings) -> None:
    scenario = load_scenario("mini", mini_settings.scenarios_dir)
    built = open_retriever(scenario, "hybrid", tmp_path / "data")
    copies = sorted((tmp_path / "data" / "vectors").glob("*.npz"))
    assert len(copies) == 3  # one per ranking: minilm, minilm with context, lexical
    reopened = open_retriever(scenario, "hybrid", tmp_path / "data")
    for query in ("pollution of the river", "who pays for the dam", "fishing"):
        assert _ranked(reopened, query) == _ranked(built, query)


def test_a_damaged_vector_copy_is_ignored_and_written_again(tmp_path: Path, mini_settings: Settings) -> None:
    scenario = load_scenario("mini", mini_settings.scenarios_dir)
    built = open_retriever(scenario, "lexical", tmp_path / "data")
    (copy,) = (tmp_path / "data" / "vectors").glob("*.npz")
    copy.write_bytes(b"not a numpy archive")
    reopened = open_retriever(scenario, "lexical", tmp_path / "data")
    assert _ranked(reopened, "pollution of the river") == _ranked(built, "pollution of the river")
    assert copy.read_bytes().startswith(b"PK")  # numpy's zip archive, rewritten from Chroma
