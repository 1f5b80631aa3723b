"""The offline engine: composes turns from the ledger. Not generative.

It takes the turn's `TurnContext`, picks the persona's documented positions most relevant to what it
was just told, and joins their statements with seeded connective phrasing from the phrase bank
(`offline_phrases.yaml` in the prompts directory the caller names). It never invents a claim: every
sentence of substance is ledger text.

The talks call `answer` directly: it is deterministic and in-process, so litellm's routing, cost and
logging work would be pure overhead (and importing litellm alone costs an offline run 1.5-2 s). Registered
as a litellm provider (`offline/<anything>`, `offline_provider.py`) it serves any litellm caller, reading
the context back from the prompt with the shared codec.
"""

from __future__ import annotations

import json
import random
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from deliberation.context import PositionBrief, TurnContext, from_messages
from deliberation.errors import MalformedOutput
from deliberation.llm.schema import TurnOutput, as_reply
from deliberation.prompts import phrases
from deliberation.terms import terms
from deliberation.turns import Kind, PointAnswer, Usage

PROVIDER = "offline"


def _relevance(position: PositionBrief, query: set[str], topic: str | None, used: set[str]) -> float:
    words = set(terms(f"{position.statement} {position.relay} {position.topic.replace('-', ' ')}"))
    score = len(words & query) / (len(words) ** 0.5 or 1.0)
    if position.topic == topic:
        score += 2.0
    if position.id in used:
        score -= 1.0
    return score


def _pick(context: TurnContext, rng: random.Random, count: int) -> list[PositionBrief]:
    """The most relevant positions, with a seeded choice among near-ties so replies vary."""
    heard = " ".join(m.content for m in (context.incoming, context.relay_source) if m)
    topic = context.topic.topic if context.topic else None
    query = set(terms(f"{heard} {context.topic.title if context.topic else ''}"))
    used = set(context.memory)
    ranked = sorted(context.positions, key=lambda p: (-_relevance(p, query, topic, used), p.id))
    head = ranked[: count + 1]
    rng.shuffle(head[1:])  # keep the best first, vary the rest
    return head[:count]


def _fill(template: str, **values: str) -> str:
    return template.format(**values)


def _party_turn(context: TurnContext, bank: dict[str, Any], rng: random.Random) -> TurnOutput:
    if context.points:
        return _answer_points(context, bank, rng)
    chosen = _pick(context, rng, 2 if context.kind == Kind.statement else rng.choice([1, 2]))
    if context.news:
        lead = bank["injected_news"]
    elif context.stage.value == "closing":
        lead = rng.choice(bank["closing"])
    elif context.relay_source or (context.incoming and context.incoming.kind == Kind.relay):
        source = context.relay_source or context.incoming
        other = context.names.get(source.speaker, "the other side") if source else "the other side"
        lead = _fill(rng.choice(bank["reply_relay"]), other=_relayed_party(context) or other)
    elif context.kind == Kind.statement:
        lead = _fill(rng.choice(bank["opening"]), me=context.persona_name)
    else:
        lead = _fill(rng.choice(bank["reply_question"]), topic=context.topic.title if context.topic else "this")
    body = [p.statement for p in chosen]
    names = _proper_nouns(context)
    text = " ".join([lead, body[0], *(f"{rng.choice(bank['connective'])} {_lower_first(s, names)}" for s in body[1:])])
    return TurnOutput(
        content=text,
        citations=_citations(chosen, context),
        positions=[p.id for p in chosen],
    )


def _relayed_party(context: TurnContext) -> str | None:
    """The party whose words a relay carried (the relay names it in `relayed_positions`)."""
    for position in context.relayed_positions:
        return context.names.get(position.id.split(".")[0])
    return None


def _answer_points(context: TurnContext, bank: dict[str, Any], rng: random.Random) -> TurnOutput:
    answers, sentences, used = [], [], []
    for number, point in enumerate(context.points, start=1):
        concession = next((c for c in context.concessions if c.topic == point.topic), None)
        position = next((p for p in context.positions if p.topic == point.topic), None)
        stance = concession.to if concession else (position.stance if position else None)
        title = point.text.rstrip(".")
        if stance == "support":
            answers.append(PointAnswer(point=point.id, answer="accept"))
            sentences.append(_fill(bank["accept"], point=title, number=str(number)))
        elif stance == "oppose":
            answers.append(PointAnswer(point=point.id, answer="reject"))
            sentences.append(_fill(bank["reject"], point=title, number=str(number)))
        else:
            amendment = concession.statement if concession else (position.statement if position else bank["no_position"])
            answers.append(PointAnswer(point=point.id, answer="amend", amendment=amendment))
            sentences.append(_fill(bank["amend"], point=title, number=str(number), amendment=amendment))
        if position and stance != "support":
            sentences.append(position.statement)
            used.append(position)
        elif position:
            used.append(position)
    return TurnOutput(
        content=" ".join(sentences),
        citations=_citations(used, context),
        positions=[p.id for p in used],
        answers=answers,
    )


_CAPITALISED = re.compile(r"(?<=[a-z,;:] )[A-Z][\w’']*")


def _proper_nouns(context: TurnContext) -> set[str]:
    """Words the persona's own material capitalises mid-sentence (names), so joining never lower-cases them."""
    texts = [p.statement + " " + p.relay for p in context.positions] + [p.text for p in context.passages]
    return {w.split("’")[0].split("'")[0] for text in [*texts, *context.names.values()] for w in _CAPITALISED.findall(text)}


def _lower_first(sentence: str, names: set[str]) -> str:
    """Lower-case a joined sentence's first letter unless its first word is a name."""
    first = re.split(r"[\s’',]", sentence, maxsplit=1)[0]
    return sentence if first in names or first.isupper() else sentence[:1].lower() + sentence[1:]


def _citations(chosen: list[PositionBrief], context: TurnContext) -> list[str]:
    cited = [pid for p in chosen for pid in p.passages[:1]]
    if not cited and context.passages:
        cited = [context.passages[0].id]
    return list(dict.fromkeys(cited))


def _mediator_turn(context: TurnContext, bank: dict[str, Any], rng: random.Random) -> TurnOutput:
    if context.kind == Kind.statement and context.news:
        return TurnOutput(content=_fill(bank["news"], news=context.news.rstrip(".")))
    if context.kind == Kind.statement:
        agenda = "; ".join(context.agenda)
        return TurnOutput(content=_fill(rng.choice(bank["opening"]), agenda=agenda))
    if context.kind == Kind.question and context.topic:
        text = _fill(rng.choice(bank["question"]), question=context.topic.question, topic=context.topic.title)
        return TurnOutput(content=text)
    if context.kind == Kind.relay and context.relay_source:
        return _relay(context, bank, rng)
    if context.kind == Kind.proposal:
        points = "; ".join(f"({i}) {p.text.rstrip('.')}" for i, p in enumerate(context.points, start=1))
        return TurnOutput(content=_fill(bank["proposal"], points=points))
    if context.kind == Kind.summary:
        return _summary(context, bank)
    return TurnOutput(content=rng.choice(bank["relay_ask"]))


def _relay(context: TurnContext, bank: dict[str, Any], rng: random.Random) -> TurnOutput:
    source = context.relay_source
    assert source is not None
    other = context.names.get(source.speaker, source.speaker)
    lead = _fill(rng.choice(bank["relay_lead"]), other=other)
    if not source.content:
        body = _fill(bank["relay_failed"], other=other)
    elif context.relayed_positions:
        body = " ".join(p.relay for p in context.relayed_positions)
    else:
        body = _fill(bank["relay_verbatim"], content=source.content)
    return TurnOutput(
        content=f"{lead} {body} {rng.choice(bank['relay_ask'])}",
        positions=[p.id for p in context.relayed_positions],
        citations=list(dict.fromkeys(pid for p in context.relayed_positions for pid in p.passages[:1])),
    )


def _summary(context: TurnContext, bank: dict[str, Any]) -> TurnOutput:
    parties = [pid for pid in context.names if pid != context.persona]
    agreed = [
        p.text.rstrip(".") for p in context.points if all(p.answers.get(x) and p.answers[x].answer == "accept" for x in parties)
    ]
    open_points = [p.text.rstrip(".") for p in context.points if p.text.rstrip(".") not in agreed]
    parts = [_fill(bank["summary_agreed"], points="; ".join(agreed)) if agreed else bank["summary_none_agreed"]]
    if open_points:
        parts.append(_fill(bank["summary_open"], points="; ".join(open_points)))
    for message in context.recent:
        if message.speaker in parties and message.content:  # a seat's words are referred to, never pasted
            key = "summary_stance_seat" if message.human else "summary_stance"
            parts.append(_fill(bank[key], party=context.names[message.speaker], stance=message.content, turn=str(message.turn)))
    parts.append(bank["summary_close"])
    return TurnOutput(content=" ".join(parts))


def compose(context: TurnContext, prompts_dir: Path) -> TurnOutput:
    """The turn for `context`, worded from the phrase bank in `prompts_dir`."""
    bank = phrases(prompts_dir)
    rng = random.Random(f"{context.seed}:{context.turn}:{context.persona}")
    if context.is_mediator:
        return _mediator_turn(context, bank["mediator"], rng)
    return _party_turn(context, bank["party"], rng)


def _estimate_tokens(text: str) -> int:
    return max(1, len(text) // 4)


def handles(model: str) -> bool:
    return model.startswith(f"{PROVIDER}/")


def answer(context: TurnContext, prompts_dir: Path, messages: Sequence[dict[str, Any]]) -> tuple[str, Usage]:
    """The turn as a model returns it (JSON in the form of the turn's schema) and its usage, tokens estimated
    from the prompt and the reply as a provider counts them."""
    content = json.dumps(as_reply(compose(context, prompts_dir), context), ensure_ascii=False)
    usage = Usage(
        prompt_tokens=_estimate_tokens(json.dumps(list(messages), ensure_ascii=False)),
        completion_tokens=_estimate_tokens(content),
    )
    return content, usage


def chat_completion(body: dict[str, Any], prompts_dir: Path) -> dict[str, Any]:
    """The offline engine's turn as an OpenAI chat.completion JSON, for a chat request `body` carrying a context.

    This is what a mocked OpenAI-compatible provider answers in tests and benchmarks, so that litellm's
    OpenAI path runs whole talks without a model.
    """
    context = from_messages(body["messages"])
    if context is None:
        raise MalformedOutput("the offline engine needs a <context> block in the prompt (use deliberation's prompts)")
    content, usage = answer(context, prompts_dir, body["messages"])
    message = {"role": "assistant", "content": content}
    return {
        "id": "chatcmpl-offline",
        "object": "chat.completion",
        "created": 0,
        "model": body.get("model", "extractive"),
        "choices": [{"index": 0, "finish_reason": "stop", "message": message}],
        "usage": {
            "prompt_tokens": usage.prompt_tokens,
            "completion_tokens": usage.completion_tokens,
            "total_tokens": usage.prompt_tokens + usage.completion_tokens,
        },
    }
