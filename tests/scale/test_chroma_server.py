"""DELIBERATION_CHROMA_URL against a real `chroma run` server: the index is built once and every replica reuses it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from services import Service, serving, start_chroma

from deliberation.config import Settings
from deliberation.errors import DeliberationError
from deliberation.loader import scenario
from deliberation.retrieval import chroma_store
from deliberation.retrieval.index import open_retriever


@pytest.fixture(scope="module")
def chroma_server() -> Iterator[Service]:
    yield from serving(start_chroma, "a Chroma server")


def test_replicas_share_one_index_on_a_chroma_server(settings: Settings, chroma_server: Service, tmp_path: Path) -> None:
    afghanistan = scenario(settings, "afghanistan")
    server = chroma_store.client(tmp_path, chroma_server.url)
    first = open_retriever(afghanistan, "lexical", tmp_path / "replica-a", chroma_server.url)
    built = server.get_collection("afghanistan-lexical").id
    second = open_retriever(afghanistan, "lexical", tmp_path / "replica-b", chroma_server.url)
    assert server.get_collection("afghanistan-lexical").id == built  # reused, not rebuilt
    hits = second.search("ceasefire and a political settlement", 3)
    assert hits and [h.passage.id for h in hits] == [h.passage.id for h in first.search("ceasefire and a political settlement", 3)]
    assert any("ceasefire" in h.passage.text for h in hits)
    assert not (tmp_path / "replica-a").exists() and not (tmp_path / "replica-b").exists()  # nothing embedded on disk


def test_an_unreachable_chroma_server_is_a_named_error(settings: Settings, tmp_path: Path) -> None:
    with pytest.raises(DeliberationError, match="retrieval index for 'afghanistan'"):
        open_retriever(scenario(settings, "afghanistan"), "lexical", tmp_path, "http://127.0.0.1:1")
