"""Structured outputs, bounded replies, repair and retries at the HTTP boundary (respx; no network)."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from llm_fixtures import API_BASE, MockLLM, completion, reply, streamed

from deliberation.context import PassageBrief, PointBrief, PositionBrief, TurnContext
from deliberation.llm import client
from deliberation.llm.client import CallFailed, ModelConfig, complete, parse, resolve_mode
from deliberation.llm.schema import Reply, content_chars, json_schema, turn_schema
from deliberation.turns import Kind, Stage

pytestmark = pytest.mark.filterwarnings("ignore:Items? .* on TypedDict class .*`ReadOnly` qualifier:UserWarning")

MESSAGES = [{"role": "user", "content": "Say hello."}]
GOOD = {"content": "We will talk only through the mediator.", "citations": ["p07.2"], "positions": ["kabul.no-direct-talks"]}


def context(kind: Kind = Kind.statement, points: bool = False) -> TurnContext:
    return TurnContext(
        persona="kabul", persona_name="Kabul", is_mediator=False, stage=Stage.convergence if points else Stage.opening,
        round=0, turn=3, kind=kind, seed=0, names={"kabul": "Kabul"},
        positions=[PositionBrief(id="kabul.no-direct-talks", topic="direct-talks", stance="oppose", statement="No.",
                                 relay="No.", passages=["p07.2"])],
        passages=[PassageBrief(id="p01.1", text="...")],
        points=[PointBrief(id="pt-daesh", topic="daesh", text="Act against Daesh."),
                PointBrief(id="pt-aid", topic="aid", text="Keep aid flowing.")] if points else [],
    )  # fmt: skip


def config(**overrides: Any) -> ModelConfig:
    values: dict[str, Any] = {"model": "openai/gpt-4o-mini", "retries": 1, "api_base": API_BASE, "api_key": "test",
                              "seed": 5, "timeout_s": 5.0}  # fmt: skip
    return ModelConfig(**{**values, **overrides})


@pytest.fixture(autouse=True)
def forget_settled_forms() -> None:
    client._settled.clear()


def test_each_kind_of_turn_has_its_own_schema() -> None:
    statement = json_schema(turn_schema(context(), 450))
    answer = json_schema(turn_schema(context(Kind.answer, points=True), 600))
    assert set(statement["properties"]) == {"content", "citations", "positions"}
    assert statement["required"] == ["content", "citations", "positions"] and statement["additionalProperties"] is False
    assert statement["properties"]["positions"]["items"]["enum"] == ["kabul.no-direct-talks"]
    assert statement["properties"]["citations"]["items"]["enum"] == ["p01.1", "p07.2"]
    assert statement["properties"]["content"]["maxLength"] == content_chars(450)
    answers = answer["properties"]["answers"]
    assert answers["required"] == ["pt-daesh", "pt-aid"] and answers["additionalProperties"] is False
    assert answers["properties"]["pt-aid"]["properties"]["answer"]["enum"] == ["accept", "reject", "amend"]
    assert answer["properties"]["content"]["maxLength"] < statement["properties"]["content"]["maxLength"] + 450
    assert "$ref" not in json.dumps(answer) and "$defs" not in answer


def test_ids_not_offered_and_keys_not_asked_for_are_refused() -> None:
    schema = turn_schema(context(), 450)
    for bad in ({**GOOD, "positions": ["kabul.invented"]}, {**GOOD, "answers": {}}, {"content": "x"}):
        with pytest.raises(Exception, match="does not match"):
            parse(json.dumps(bad), schema)
    answered = turn_schema(context(Kind.answer, points=True), 600)
    output = parse(json.dumps({**GOOD, "answers": {"pt-daesh": {"answer": "accept", "amendment": None},
                                                   "pt-aid": {"answer": "amend", "amendment": "Through the UN."}}}), answered)
    assert [(a.point, a.answer) for a in output.to_output().answers] == [("pt-daesh", "accept"), ("pt-aid", "amend")]


def test_the_first_json_object_is_read_out_of_prose_and_fences() -> None:
    raw = 'Sure! Here it is:\n```json\n' + json.dumps(GOOD) + '\n```\nAnything else? {"x": 1}'
    assert parse(raw, turn_schema(context(), 450)).content == GOOD["content"]  # type: ignore[attr-defined]


def test_a_raw_line_break_inside_a_string_is_read() -> None:
    raw = '{"content": "We will talk.\nOnly through\tthe mediator.", "citations": [], "positions": []}'  # as llama.cpp's grammar lets through
    assert parse(raw, turn_schema(context(), 450)).content == "We will talk.\nOnly through\tthe mediator."  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("setting", "expected"),
    [
        ("auto", "json_schema"),  # litellm knows gpt-4o-mini supports response schemas
        ("json_object_schema", "json_object_schema"),
        ("json_object", "json_object"),
        ("off", None),
    ],
)
async def test_the_schema_reaches_the_model_in_the_form_set(mock_llm: MockLLM, setting: str, expected: str | None) -> None:
    schema = turn_schema(context(), 450)
    mock_llm.script(reply(json.dumps(GOOD)))
    done = await complete(config(structured_output=setting), MESSAGES, schema, "statement")
    body = mock_llm.requests[0]
    form = body.get("response_format")
    assert done.trace.mode == (expected or "off") and body["max_tokens"] == 450
    if expected is None:
        assert form is None
    elif expected == "json_schema":
        sent = form["json_schema"]
        assert form["type"] == "json_schema" and sent["strict"] is True
        assert sent["schema"]["properties"]["positions"]["items"]["enum"] == ["kabul.no-direct-talks"]
        assert "maxLength" not in json.dumps(sent["schema"])  # OpenAI's strict mode rejects length keywords
    elif expected == "json_object_schema":
        assert form["type"] == "json_object" and form["schema"]["properties"]["content"]["maxLength"] == content_chars(450)
    else:
        assert form == {"type": "json_object"}


def test_llama_cpp_gets_string_lengths_its_grammar_parser_takes() -> None:
    summary = turn_schema(context(Kind.summary), 900)
    assert json_schema(summary)["properties"]["content"]["maxLength"] > client.GRAMMAR_MAX_LENGTH
    form = client.response_format("json_object_schema", summary, config(structured_output="json_object_schema"))
    assert form is not None and form["schema"]["properties"]["content"]["maxLength"] == client.GRAMMAR_MAX_LENGTH
    statement = client.response_format("json_object_schema", turn_schema(context(), 450), config())
    assert statement is not None and statement["schema"]["properties"]["content"]["maxLength"] == content_chars(450)


def test_auto_mode_from_what_litellm_knows() -> None:
    assert resolve_mode(ModelConfig(model="offline/extractive")) == "off"
    assert resolve_mode(ModelConfig(model="openai/some-local-model")) == "json_object"


async def test_a_rejected_form_falls_back_and_is_remembered(mock_llm: MockLLM) -> None:
    rejected = httpx.Response(500, json={"error": {"message": "response_format json_schema is not supported"}})
    mock_llm.script(rejected, reply(json.dumps(GOOD)), reply(json.dumps(GOOD)))
    cfg = config(structured_output="json_schema")
    first = await complete(cfg, MESSAGES, turn_schema(context(), 450), "statement")
    second = await complete(cfg, MESSAGES, turn_schema(context(), 450), "statement")
    forms = [(body.get("response_format") or {}).get("type") for body in mock_llm.requests]
    assert forms == ["json_schema", "json_object", "json_object"]
    assert (first.trace.mode, first.trace.attempts, second.trace.mode, second.trace.attempts) == ("json_object", 2, "json_object", 1)


async def test_a_reply_that_does_not_fit_is_repaired_with_its_error(mock_llm: MockLLM) -> None:
    offending = json.dumps({"name": "Kabul", "role": "assistant"})
    mock_llm.script(httpx.Response(200, json=completion(offending, prompt_tokens=100)),
                    httpx.Response(200, json=completion(json.dumps(GOOD), prompt_tokens=130)))  # fmt: skip
    done = await complete(config(), MESSAGES, turn_schema(context(), 450), "statement")
    first, second = mock_llm.requests
    assert done.trace.repairs == 1 and done.trace.attempts == 2
    assert done.trace.usage.prompt_tokens == 230  # both attempts count
    assert second["messages"][: len(MESSAGES)] == MESSAGES and second["messages"][-2] == {"role": "assistant", "content": offending}
    note = second["messages"][-1]["content"]
    assert "content: Field required" in note and "name: Extra inputs are not permitted" in note
    assert first["seed"] != second["seed"]


async def test_a_reply_still_wrong_after_repair_fails_with_the_whole_error(mock_llm: MockLLM) -> None:
    mock_llm.script(reply('{"content": ""}'), reply('{"content": "ok", "citations": ["p99"]}'))
    with pytest.raises(CallFailed) as failed:
        await complete(config(), MESSAGES, turn_schema(context(), 450), "statement")
    message = str(failed.value)
    assert failed.value.failure == "malformed" and failed.value.trace.repairs == 1
    assert "citations.0" in message and "positions: Field required" in message and "1 repair(s)" in message
    assert failed.value.trace.usage.completion_tokens > 0


async def test_a_truncated_reply_is_told_it_was_cut_off(mock_llm: MockLLM) -> None:
    cut = completion('{"content": "We will', prompt_tokens=10)
    cut["choices"][0]["finish_reason"] = "length"
    mock_llm.script(httpx.Response(200, json=cut), reply(json.dumps(GOOD)))
    await complete(config(), MESSAGES, turn_schema(context(), 450), "statement")
    assert "cut off at the limit of 450 tokens" in mock_llm.requests[1]["messages"][-1]["content"]


async def test_a_timeout_is_not_retried_and_says_so(mock_llm: MockLLM) -> None:
    mock_llm.script(httpx.ReadTimeout("slow"))
    with pytest.raises(CallFailed) as failed:
        await complete(config(retries=2), MESSAGES, turn_schema(context(), 450), "statement")
    assert len(mock_llm.requests) == 1 and failed.value.failure == "timeout"
    assert "timed out after 5 s" in str(failed.value) and "API key" not in str(failed.value)
    assert failed.value.trace.usage.prompt_tokens > 0  # the server read the prompt


@pytest.mark.parametrize(("status", "sent"), [(429, 2), (503, 2), (400, 1), (401, 1)])
async def test_only_errors_a_retry_can_fix_are_retried(mock_llm: MockLLM, status: int, sent: int) -> None:
    mock_llm.script(*[httpx.Response(status, json={"error": {"message": "nope"}})] * sent)
    with pytest.raises(CallFailed) as failed:
        await complete(config(retries=1), MESSAGES, turn_schema(context(), 450), "statement")
    assert len(mock_llm.requests) == sent and failed.value.failure == "transport"


async def test_stream_yields_text_then_the_validated_reply(mock_llm: MockLLM) -> None:
    text = json.dumps(GOOD)
    mock_llm.script(streamed(text))
    got = [item async for item in client.stream(config(), MESSAGES, turn_schema(context(), 450), "chat")]
    assert "".join(i for i in got if isinstance(i, str)) == text and mock_llm.requests[0]["stream"] is True
    assert len(got) > 5
    last = got[-1]
    assert isinstance(last, client.Completion) and isinstance(last.output, Reply)
