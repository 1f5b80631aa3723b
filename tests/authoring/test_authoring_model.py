"""Drafting with a model: litellm's OpenAI path answered by respx; quotes that are not verbatim are rejected."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest
from llm_fixtures import MockLLM, prompt_of, reply

from deliberation.authoring.check import check_scenario
from deliberation.authoring.draft import write_draft
from deliberation.authoring.model import DraftOut, draft_with_model
from deliberation.errors import TurnFailed, UserError
from deliberation.llm.client import ModelConfig
from tests.authoring.drafting import SOURCES
from tests.factories import REPO

pytestmark = pytest.mark.filterwarnings("ignore:Items? .* on TypedDict class .*`ReadOnly` qualifier:UserWarning")
TEXT = (SOURCES / "colorado-river-1922.txt").read_text(encoding="utf-8")
CONFIG = ModelConfig(model="openai/gpt-4o-mini", retries=0)
PROMPTS = REPO / "prompts"


def _position(topic: str, stance: str, quote: str, statement: str = "We hold this.", relay: str = "They hold this.") -> dict[str, Any]:
    return {"topic": topic, "stance": stance, "statement": statement, "relay": relay, "quotes": [quote]}


def answer() -> dict[str, Any]:
    return {
        "title": "The Colorado River Compact",
        "parties": [
            {"name": "Arizona", "aliases": ["the State of Arizona"], "role": "A lower-basin State.", "voice": "Wary.",
             "positions": [
                 _position("gila", "support", "Arizona insists that the waters of the Gila River"),
                 _position("dam", "conditional", "Arizona opposes the construction of the dam until its own share"),
                 _position("mexico", "oppose", "Arizona refuses to guarantee any water to Mexico"),
                 _position("power", "support", "Arizona demands a share of the revenue from the power"),
                 _position("tax", "support", "Arizona will happily pay any tax on power"),  # invented: not in the source
             ],
             "characterisations": [{"text": "Fears California.", "quotes": ["leave it at the mercy of California"]}]},
            {"name": "California", "role": "The largest user of the river.", "voice": "Confident.",
             "positions": [
                 _position("gila", "oppose", "California does not accept that the Gila be left outside the division"),
                 _position("dam", "support", "California demands that a high dam be built at Boulder Canyon without delay"),
                 _position("mexico", "oppose", "California does not accept that water be delivered to Mexico"),
                 _position("power", "oppose", "California  does not accept that Arizona may tax"),  # whitespace differs
             ]},
        ],
        "agenda": [
            {"topic": "gila", "title": "The Gila River", "question": "Should the Gila be divided?", "cues": ["Gila"]},
            {"topic": "dam", "title": "The dam", "question": "When should the dam be built?", "cues": ["dam", "Boulder"]},
            {"topic": "tax", "title": "Taxes", "question": "Who taxes?", "cues": ["tax"]},
        ],
        "points": [{"topic": "dam", "text": "Build the dam once the shares are fixed."}],
    }  # fmt: skip


async def test_spans_are_located_and_non_verbatim_ones_rejected(mock_llm: MockLLM, tmp_path: Path) -> None:
    mock_llm.script(reply(json.dumps(answer())))
    draft = await draft_with_model(TEXT, "colorado.txt", PROMPTS, CONFIG, parties=["Arizona", "California"])

    body = mock_llm.requests[0]
    assert body["model"] == "gpt-4o-mini" and "Arizona, California" in prompt_of(body)
    assert json.loads(prompt_of(body).rsplit("\n", 1)[-1]) == DraftOut.model_json_schema()
    arizona, california = draft.personas[1], draft.personas[2]
    assert [p.topic for p in arizona.positions] == ["gila", "dam", "mexico", "power"]
    assert [p.topic for p in california.positions] == ["gila", "dam", "mexico"]
    for persona in draft.personas[1:]:
        for position in persona.positions:
            span = position.evidence[0]
            assert TEXT[span.start : span.end] == span.quote
    assert arizona.characterisations[0].evidence[0].quote == "leave it at the mercy of California"
    assert any("Arizona will happily pay" in note for note in draft.notes)
    assert any("california.power: dropped" in note for note in draft.notes)
    assert [a.topic for a in draft.spec.protocol.agenda] == ["gila", "dam"]  # 'tax' had only an invented quote
    assert draft.lexicon.topics == {"gila": ["gila"], "dam": ["dam", "boulder"]}
    assert draft.lexicon.aliases["arizona"] == ["arizona", "the state of arizona"]

    write_draft(draft, tmp_path / "colorado")
    assert check_scenario(tmp_path / "colorado") == []


async def test_a_draft_without_shared_topics_is_refused(mock_llm: MockLLM) -> None:
    lonely = answer()
    lonely["parties"][1]["positions"] = [_position("x", "support", "no such words anywhere")]
    mock_llm.script(reply(json.dumps(lonely)))
    with pytest.raises(UserError, match=r"1 usable party|no agenda topic"):
        await draft_with_model(TEXT, "colorado.txt", PROMPTS, CONFIG)


async def test_a_provider_error_names_the_model(mock_llm: MockLLM) -> None:
    mock_llm.script(httpx.Response(401, json={"error": {"message": "bad key"}}))
    with pytest.raises(TurnFailed, match="openai/gpt-4o-mini"):
        await draft_with_model(TEXT, "colorado.txt", PROMPTS, CONFIG)
