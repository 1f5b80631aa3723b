"""The LLM judge through litellm's OpenAI path, HTTP replayed from tests/fixtures/llm (scripted verdicts)."""

from __future__ import annotations

import json

import httpx
import pytest
from deliberation.evals.judge import JudgeScorer, checked
from deliberation.evals.judge_schema import ClaimVerdict
from deliberation.evals.types import JudgeFailed, Utterance, Verdict, Violation
from llm_fixtures import MockLLM, mentions, reply

from deliberation.config import Settings
from deliberation.errors import DeliberationError
from deliberation.llm.client import model_config
from deliberation.loader import scenario

# litellm's OpenAI path imports a TypedDict pydantic warns about; not ours to fix
pytestmark = pytest.mark.filterwarnings("ignore:Items? .* on TypedDict class .*`ReadOnly` qualifier:UserWarning")

UTTERANCES = {
    u.id: u
    for u in [
        Utterance(id="kabul-supported", persona="kabul",
                  text="We will not sit down face to face with the Taliban. Direct negotiations with terrorists are out of the "
                  "question."),
        Utterance(id="kabul-contradicted", persona="kabul", text="We are ready to meet the Taliban face to face next week."),
        Utterance(id="kabul-unverifiable", persona="kabul", text="We trained ten thousand new police officers this year."),
        Utterance(id="kabul-bad-ids", persona="kabul",
                  text="We will not sit down with the Taliban, by any channel, and we will never recognise them."),
        Utterance(id="mediator-procedural", persona="mediator",
                  text="Welcome to all delegations. I will carry each party's words to the others."),
    ]
}
SUPPORTED = Verdict(id="kabul-supported", faithful=True, score=1.0)


@pytest.fixture(scope="module")
def judge(recorded_settings: Settings) -> JudgeScorer:
    model = model_config(recorded_settings, "openai/gpt-4o-mini")
    return JudgeScorer(scenario(recorded_settings, "afghanistan"), model, settings=recorded_settings)


async def test_supported_claim_scores_one(judge: JudgeScorer, mock_llm: MockLLM) -> None:
    assert await judge.score(UTTERANCES["kabul-supported"]) == SUPPORTED
    assert [body["temperature"] for body in mock_llm.requests] == [0.0, 0.0]


async def test_contradicted_claim_is_a_violation_on_the_cited_position(judge: JudgeScorer, mock_llm: MockLLM) -> None:
    verdict = await judge.score(UTTERANCES["kabul-contradicted"])
    assert verdict == Verdict(
        id="kabul-contradicted",
        faithful=False,
        score=0.0,
        violations=[Violation(kind="contradiction", rule="judge.contradicted", position="kabul.no-direct-talks",
                              evidence="Kabul is ready to meet the Taliban face to face next week.")],
    )


async def test_unverifiable_claim_is_faithful_but_unsupported(judge: JudgeScorer, mock_llm: MockLLM) -> None:
    assert await judge.score(UTTERANCES["kabul-unverifiable"]) == Verdict(id="kabul-unverifiable", faithful=True, score=0.0)


async def test_verdicts_citing_unknown_ids_are_discarded_as_unverifiable(judge: JudgeScorer, mock_llm: MockLLM) -> None:
    # c1 supported; c2 "contradicted" on an invented position id; c3 "supported" on passage p99.9
    verdict = await judge.score(UTTERANCES["kabul-bad-ids"])
    assert (verdict.faithful, verdict.score, verdict.violations) == (True, pytest.approx(1 / 3), [])


async def test_procedural_turn_has_no_claims_and_scores_one(judge: JudgeScorer, mock_llm: MockLLM) -> None:
    assert await judge.score(UTTERANCES["mediator-procedural"]) == Verdict(id="mediator-procedural", faithful=True, score=1.0)
    assert len(mock_llm.requests) == 1  # no verdict step without claims


def test_checked_keeps_known_ids_and_needs_some_grounding() -> None:
    known = ({"kabul.no-direct-talks"}, {"p07.2"})
    good = ClaimVerdict(claim="c1", verdict="supported", position="kabul.no-direct-talks", passage="p07.2", reason="")
    assert checked(good, *known) == good
    assert checked(good.model_copy(update={"passage": "p07.9"}), *known).verdict == "unverifiable"
    bare = ClaimVerdict(claim="c1", verdict="contradicted", position=None, passage=None, reason="")
    assert checked(bare, *known).verdict == "unverifiable"


@pytest.mark.parametrize(
    "fault",
    [
        httpx.Response(429, json={"error": {"message": "rate limited", "type": "rate_limit_error"}}),
        httpx.Response(500, json={"error": {"message": "internal error"}}),
        reply('{"verdicts": [{"claim": "c1", "verdict": "probably"}]}'),
    ],
    ids=["429", "500", "schema-invalid-then-repaired"],
)
async def test_a_transient_fault_is_retried(judge: JudgeScorer, mock_llm: MockLLM, fault: httpx.Response | Exception) -> None:
    mock_llm.script(fault, when=mentions("<claims>"))
    assert await judge.score(UTTERANCES["kabul-supported"]) == SUPPORTED
    assert len(mock_llm.requests) == 3


@pytest.mark.parametrize(
    "fault",
    [
        httpx.Response(200, content=b"not json at all", headers={"content-type": "application/json"}),
        reply(json.dumps({"verdicts": [{"claim": "c1", "verdict": "probably"}]})),
    ],
    ids=["malformed-body", "schema-invalid"],
)
async def test_a_persistent_fault_is_a_clear_judge_error(judge: JudgeScorer, mock_llm: MockLLM, fault: httpx.Response) -> None:
    mock_llm.script(fault, fault, when=mentions("<claims>"))  # retries=1 or repairs=1: two attempts, both bad
    with pytest.raises(JudgeFailed) as failed:
        await judge.score(UTTERANCES["kabul-supported"])
    assert isinstance(failed.value, DeliberationError)
    assert failed.value.utterance_id == "kabul-supported"
    assert "'kabul-supported'" in str(failed.value) and "judge_verdicts.j2" in str(failed.value)


OTHER_JSON = reply(json.dumps({"name": "Kabul", "role": "assistant"}))


async def test_some_other_json_object_is_never_a_verdict(judge: JudgeScorer, mock_llm: MockLLM) -> None:
    mock_llm.script(OTHER_JSON, OTHER_JSON)  # the claims step, then its repair
    with pytest.raises(JudgeFailed) as failed:
        await judge.score(UTTERANCES["kabul-supported"])
    message = str(failed.value)
    assert "claims: Field required" in message and "name: Extra inputs are not permitted" in message
    assert "stronger judge model" in message and len(mock_llm.requests) == 2


async def test_a_timed_out_judge_says_timeout(judge: JudgeScorer, mock_llm: MockLLM) -> None:
    mock_llm.script(httpx.ReadTimeout("read timed out"))
    with pytest.raises(JudgeFailed) as failed:
        await judge.score(UTTERANCES["kabul-supported"])
    message = str(failed.value)
    assert "timed out after" in message and "API key" not in message and "model name" not in message
    assert len(mock_llm.requests) == 1  # not queued again behind the request that timed out
