"""Transcripts: the JSONL machine record (one event per line, appended as turns happen) and Markdown."""

from __future__ import annotations

import html
import json
import os
import re
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field, TypeAdapter, ValidationError

from deliberation.errors import InvalidScenario, NotFound, StorageError
from deliberation.turns import NegotiatingPoint, Turn, Usage


class RunStarted(BaseModel):
    event: Literal["run_started"] = "run_started"
    run_id: str
    scenario: str
    scenario_sha256: str
    models: dict[str, str]
    files: dict[str, str]
    """sha256 of every prompt and persona file used."""
    seed: int
    rounds: int
    topics: list[str] | None = None
    started_at: str


class TurnEvent(Turn):
    event: Literal["turn"] = "turn"


class Outcome(BaseModel):
    agreed: list[NegotiatingPoint] = []
    open: list[NegotiatingPoint] = []


class RunFinished(BaseModel):
    event: Literal["run_finished"] = "run_finished"
    run_id: str
    outcome: Outcome
    usage: Usage
    turns: int
    failed_turns: int
    duration_s: float


Event = Annotated[RunStarted | TurnEvent | RunFinished, Field(discriminator="event")]
_EVENT = TypeAdapter(Event)


class TranscriptWriter:
    """Appends one event per line and flushes it, so an interrupted run loses no finished turn."""

    def __init__(self, path: Path) -> None:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise StorageError(f"{path.parent}: cannot create the transcript folder ({error.strerror or error})") from None
        self.path = path

    def write(self, event: BaseModel) -> None:
        try:
            with self.path.open("a", encoding="utf-8") as handle:
                handle.write(event.model_dump_json() + "\n")
                handle.flush()
                os.fsync(handle.fileno())
        except OSError as error:
            raise StorageError(f"{self.path}: cannot write the transcript ({error.strerror or error})") from None

    def cut_torn_tail(self) -> bool:
        """Drop a last line cut short by a crash (no newline, not a whole event); True when there was one."""
        data = self.path.read_bytes()
        if not data or data.endswith(b"\n"):
            return False
        start = data.rfind(b"\n") + 1
        try:
            _EVENT.validate_python(json.loads(data[start:]))
        except (ValueError, ValidationError):
            try:
                with self.path.open("r+b") as handle:
                    handle.truncate(start)
            except OSError as error:
                raise StorageError(f"{self.path}: cannot repair the transcript ({error.strerror or error})") from None
            return True
        with self.path.open("ab") as handle:  # a whole event that only lacks its newline
            handle.write(b"\n")
        return False


def read_events(path: Path, torn_tail_ok: bool = False) -> list[RunStarted | TurnEvent | RunFinished]:
    """Every event of a transcript; with `torn_tail_ok`, a last line cut short by a crash is left out, not an error."""
    if not path.is_file():
        raise NotFound(f"{path}: transcript not found")
    events = []
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise StorageError(f"{path}: cannot read the transcript ({getattr(error, 'strerror', None) or error})") from None
    lines = text.splitlines()
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            events.append(_EVENT.validate_python(json.loads(line)))
        except (json.JSONDecodeError, ValidationError) as error:
            if torn_tail_ok and number == len(lines) and not text.endswith("\n"):
                break
            raise InvalidScenario(f"{path}:{number}: not a transcript event ({str(error).splitlines()[0]})") from None
    return events


def turns_of(events: list[Any]) -> list[Turn]:
    return [Turn.model_validate(e.model_dump(exclude={"event"})) for e in events if isinstance(e, TurnEvent)]


_INLINE = re.compile(r"([\\`*_\[\]#|~!])")
_LINE_START = re.compile(r"^(\s*\d*)([-+=>.)])", re.MULTILINE)


def escape_markdown(text: str) -> str:
    """What a person or a model wrote, as literal text: no HTML, no headings, lists, links or footnotes of its own."""
    text = html.escape(text, quote=False)
    text = _INLINE.sub(r"\\\1", text)
    return _LINE_START.sub(lambda m: f"{m.group(1)}\\{m.group(2)}", text)


def _footnotes(turn: Turn, source: str, notes: list[str]) -> str:
    marks = []
    for citation in turn.citations:
        notes.append(
            f'[^{len(notes) + 1}]: {citation.passage}: "{source[citation.start : citation.end]}"'
            if citation.start is not None and citation.end is not None
            else f"[^{len(notes) + 1}]: {citation.passage}: (no such passage)"
        )
        marks.append(f"[^{len(notes)}]")
    return "".join(marks)


def render_markdown(events: list[Any], source: str, names: dict[str, str]) -> str:
    """For people: stages as headings, who spoke to whom, citations as footnotes quoting the source."""
    lines: list[str] = []
    notes: list[str] = []
    stage = None
    for event in events:
        if isinstance(event, RunStarted):
            lines += [
                f"# {event.scenario}: run {event.run_id}",
                "",
                f"Seed {event.seed}, models: " + ", ".join(f"{k}={v}" for k, v in event.models.items()),
                "",
            ]
        elif isinstance(event, TurnEvent):
            if event.stage != stage:
                stage = event.stage
                lines += [f"## {stage.value.capitalize()}", ""]
            to = ", ".join(names.get(a, a) for a in event.audience)
            relay = f" (relaying turn {event.relayed_from})" if event.relayed_from else ""
            head = f"**{event.turn}. {names.get(event.speaker, event.speaker)} → {to}** _{event.kind.value}{relay}_"
            failed = event.error and not event.content
            body = f"_failed: {escape_markdown(event.error or '')}_" if failed else escape_markdown(event.content)
            lines += [head, "", f"{body}{_footnotes(event, source, notes)}", ""]
        elif isinstance(event, RunFinished):
            lines += ["## Outcome", ""]
            lines += [f"- Agreed: {p.text}" for p in event.outcome.agreed] or ["- Agreed: none"]
            lines += [f"- Open: {p.text}" for p in event.outcome.open]
            lines += [
                "",
                f"{event.turns} turns ({event.failed_turns} failed), {event.usage.prompt_tokens} prompt + "
                f"{event.usage.completion_tokens} completion tokens, {event.duration_s:.1f} s.",
                "",
            ]
    return "\n".join(lines + notes) + "\n"
