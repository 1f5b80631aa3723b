"""The offline engine through litellm (a registered custom provider) answers exactly as the in-process call."""

from __future__ import annotations

from pathlib import Path

import litellm
import pytest
import yaml

from deliberation.context import PositionBrief, TurnContext, encode
from deliberation.llm.offline import answer
from deliberation.llm.offline_provider import register
from deliberation.llm.schema import TurnOutput
from deliberation.turns import Kind, Stage
from tests.factories import REPO

CONTEXT = TurnContext(
    persona="kabul", persona_name="Kabul", is_mediator=False, stage=Stage.opening, round=0, turn=2, kind=Kind.statement,
    seed=3, names={"mediator": "Mediator", "kabul": "Kabul"},
    positions=[PositionBrief(id="kabul.a", topic="t", stance="oppose", statement="We refuse.", relay="Kabul refuses.", passages=["p01.1"]),
               PositionBrief(id="kabul.b", topic="u", stance="support", statement="We agree.", relay="Kabul agrees.")],
)
register()


def messages(context: TurnContext) -> list[dict[str, str]]:
    return [{"role": "system", "content": "You are Kabul."}, {"role": "user", "content": f"Speak.\n{encode(context)}"}]


async def test_litellm_path_equals_the_direct_call() -> None:
    prompts = REPO / "prompts"
    direct, usage = answer(CONTEXT, prompts, messages(CONTEXT))
    response = await litellm.acompletion(
        model="offline/extractive", messages=messages(CONTEXT), metadata={"prompts_dir": str(prompts)}
    )
    assert response.choices[0].message.content == direct
    assert TurnOutput.model_validate_json(direct).positions == ["kabul.a", "kabul.b"]
    assert response.usage.prompt_tokens == usage.prompt_tokens and response.usage.completion_tokens == usage.completion_tokens


async def test_litellm_path_without_a_context_block_is_refused() -> None:
    with pytest.raises(Exception, match="needs a <context> block"):
        await litellm.acompletion(model="offline/extractive", messages=[{"role": "user", "content": "hello"}])


async def test_litellm_path_takes_the_prompts_dir_from_the_call(tmp_path: Path) -> None:
    bank = yaml.safe_load((REPO / "prompts" / "offline_phrases.yaml").read_text(encoding="utf-8"))
    bank["party"]["opening"] = ["Edited opening."]
    (tmp_path / "offline_phrases.yaml").write_text(yaml.safe_dump(bank, allow_unicode=True), encoding="utf-8")
    response = await litellm.acompletion(model="offline/extractive", messages=messages(CONTEXT), metadata={"prompts_dir": str(tmp_path)})
    assert TurnOutput.model_validate_json(response.choices[0].message.content).content.startswith("Edited opening.")
