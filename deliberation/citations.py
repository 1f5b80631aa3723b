"""A turn's cited passages as a reader checks them: the passage in its paragraph, the quoted span marked."""

from __future__ import annotations

from collections.abc import Mapping

from pydantic import BaseModel

from deliberation.passages import Passage
from deliberation.scenario import Scenario
from deliberation.turns import Turn


class Span(BaseModel):
    """Offsets into `CitedSource.context`."""

    start: int
    end: int


class CitedSource(BaseModel):
    passage: str
    found: bool
    """False when the turn cited a passage id the source does not have."""
    context: str = ""
    """The paragraph the passage belongs to, verbatim from the source."""
    context_start: int = 0
    """Where `context` starts in the source."""
    passage_span: Span | None = None
    quoted: list[Span] = []
    """The source evidence of the positions the turn takes, inside this passage; the whole passage when none is."""
    positions: list[str] = []
    """The turn's ledger positions whose evidence lies in this passage."""


def _paragraph(passage: Passage, passages: Mapping[str, Passage]) -> tuple[int, int]:
    """Passage ids are `p<paragraph>.<chunk>`: the paragraph spans every chunk with the same prefix."""
    prefix = passage.id.split(".")[0] + "."
    siblings = [p for p in passages.values() if p.id.startswith(prefix)] or [passage]
    return min(p.start for p in siblings), max(p.end for p in siblings)


def _evidence(turn: Turn, scenario: Scenario) -> list[tuple[str, int, int]]:
    found = []
    for position_id in turn.positions:
        persona = scenario.personas.get(position_id.split(".")[0])
        position = persona.position(position_id) if persona else None
        found += [(position_id, e.start, e.end) for e in (position.evidence if position else [])]
    return found


def _merged(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Overlapping spans as one, in order, so a page can mark them without nesting."""
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def cited_sources(turn: Turn, scenario: Scenario, passages: Mapping[str, Passage]) -> list[CitedSource]:
    evidence = _evidence(turn, scenario)
    sources = []
    for citation in dict.fromkeys(c.passage for c in turn.citations):
        passage = passages.get(citation)
        if passage is None:
            sources.append(CitedSource(passage=citation, found=False))
            continue
        begin, end = _paragraph(passage, passages)
        inside = [(pid, max(s, passage.start), min(e, passage.end))
                  for pid, s, e in evidence if s < passage.end and passage.start < e]  # fmt: skip
        spans = _merged([(s - begin, e - begin) for _, s, e in inside]) or [(passage.start - begin, passage.end - begin)]
        sources.append(CitedSource(
            passage=citation, found=True, context=scenario.source_text[begin:end], context_start=begin,
            passage_span=Span(start=passage.start - begin, end=passage.end - begin),
            quoted=[Span(start=s, end=e) for s, e in spans],
            positions=list(dict.fromkeys(pid for pid, _, _ in inside)),
        ))  # fmt: skip
    return sources
