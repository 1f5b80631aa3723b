"""Classroom debates: the summit graph driven per debate, human seats, teacher controls, live turns.

No HTTP here. Debate records live in SQLite (`debates.sqlite`) and the talks themselves in the graph
checkpoints (`checkpoints.sqlite`), both under the data directory, so a restarted service picks up
every debate where it stopped.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from langchain_core.runnables import RunnableConfig
from langgraph.types import Command

from deliberation.config import Settings
from deliberation.debate_store import DebateStore
from deliberation.debate_types import Created, Debate, DebateSpec, DebateView, Status, Viewer
from deliberation.deps import SummitDeps
from deliberation.errors import Conflict, Forbidden, TooLarge, Unauthorized, UserError
from deliberation.graph import build_graph
from deliberation.protocol import first_step_of
from deliberation.summit import SummitOptions, checkpointer, drive, make_deps
from deliberation.tokens import hash_token, new_token, token_matches
from deliberation.turns import Stage, Turn

log = logging.getLogger(__name__)

Event = Turn | DebateView
"""What a viewer's stream yields: each new turn it may see, and the state of the talks whenever it changes."""


class _Stop(Exception):
    """Raised from the turn callback so driving stops after the turn that just finished."""


@dataclass
class _Live:
    """A debate's in-process state: the turns so far, the driving task, the subscribers."""

    debate: Debate
    deps: SummitDeps
    turns: list[Turn]
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    subscribers: set[asyncio.Queue[Turn | Status]] = field(default_factory=set)
    """Each gets every new turn and every status change; filtering is per viewer, on the way out."""
    task: asyncio.Task[None] | None = None
    silence: asyncio.Task[None] | None = None
    stop: bool = False


def _config(debate_id: str) -> RunnableConfig:
    return {"configurable": {"thread_id": f"debate-{debate_id}"}}


class DebateService:
    def __init__(self, settings: Settings, store: DebateStore, graph: Any) -> None:
        self.settings, self._store, self._graph = settings, store, graph
        self._live: dict[str, _Live] = {}

    # -- creating and authenticating ---------------------------------------------------------

    async def create(self, spec: DebateSpec) -> Created:
        # building the retrieval index the first time is slow, blocking work: keep it off the event loop
        deps = await asyncio.to_thread(make_deps, self.settings, self._options(spec), spec.human_seats())
        unknown = [s for s in spec.seats if s not in deps.scenario.parties]
        if unknown:
            parties = ", ".join(deps.scenario.parties)
            raise UserError(f"seats must be parties of {spec.scenario!r} ({parties}); got {', '.join(unknown)}")
        teacher = new_token()
        seats = {seat: new_token() for seat in sorted(spec.human_seats())}
        debate = Debate(
            id=uuid.uuid4().hex,
            spec=spec,
            teacher_hash=hash_token(teacher),
            seat_hashes={seat: hash_token(token) for seat, token in seats.items()},
            created_at=datetime.now(UTC).isoformat(),
        )
        self._store.save(debate)
        self._live[debate.id] = _Live(debate, deps, [])
        return Created(debate=debate, teacher_token=teacher, seat_tokens=seats)

    def authenticate(self, debate_id: str, token: str) -> Viewer:
        debate = self._store.get(debate_id)
        teacher = token_matches(token, debate.teacher_hash)
        seats = [seat for seat, digest in debate.seat_hashes.items() if token_matches(token, digest)]
        if teacher:
            return Viewer(debate_id=debate_id)
        if seats:
            return Viewer(debate_id=debate_id, seat=seats[0])
        raise Unauthorized(f"this token does not open debate {debate_id!r}: use the teacher or seat token it was created with")

    @staticmethod
    def _options(spec: DebateSpec) -> SummitOptions:
        return SummitOptions(scenario=spec.scenario, model=spec.model, rounds=spec.rounds, topics=spec.topics, seed=spec.seed)

    async def _get(self, debate_id: str) -> _Live:
        live = self._live.get(debate_id)
        if live is None:
            debate = self._store.get(debate_id)
            deps = await asyncio.to_thread(make_deps, self.settings, self._options(debate.spec), debate.spec.human_seats())
            values = (await self._graph.aget_state(_config(debate_id))).values or {}
            turns = list(values["history"].turns) if "history" in values else []
            live = self._live.setdefault(debate_id, _Live(debate, deps, turns))
        return live

    # -- driving the graph ---------------------------------------------------------------------

    def _on_turn(self, live: _Live, turn: Turn) -> None:
        if live.turns and turn.turn <= live.turns[-1].turn:
            return  # a resumed graph may replay a turn that was already published
        live.turns.append(turn)
        for queue in live.subscribers:
            queue.put_nowait(turn)
        if live.stop:
            raise _Stop

    async def _drive(self, live: _Live, graph_input: Any) -> None:
        try:
            done = await drive(self._graph, graph_input, _config(live.debate.id), live.deps, lambda t: self._on_turn(live, t))
        except _Stop:
            return  # whoever stopped the run sets the status
        except Exception:  # a background task has no caller to raise to: log it and let the teacher resume
            log.exception("debate %s stopped on an error", live.debate.id)
            await self._set_status(live, Status.paused)
            return
        if not live.stop:
            await self._set_status(live, Status.ended if done else Status.waiting)

    def _launch(self, live: _Live, graph_input: Any) -> None:
        pending = live.debate.pending
        if pending and not isinstance(graph_input, Command):
            graph_input = {**(graph_input or {}), **pending}
            live.debate.pending = {}
            self._store.save(live.debate)
        live.task = asyncio.create_task(self._drive(live, graph_input), name=f"debate-{live.debate.id}")

    async def _halt(self, live: _Live) -> None:
        """Stop driving after the current turn (a turn in flight is finished and recorded, never cut)."""
        self._disarm(live)
        if live.task is None or live.task.done():
            return
        live.stop = True
        try:
            await asyncio.shield(live.task)
        finally:
            live.stop = False

    async def _set_status(self, live: _Live, status: Status) -> None:
        live.debate.status = status
        self._store.save(live.debate)
        if status == Status.waiting:
            self._arm(live)
        for queue in live.subscribers:
            queue.put_nowait(status)

    # -- silence of a human seat -------------------------------------------------------------

    def _arm(self, live: _Live) -> None:
        self._disarm(live)
        live.silence = asyncio.create_task(self._on_silence(live, len(live.turns)))

    def _disarm(self, live: _Live) -> None:
        if live.silence is not None and live.silence is not asyncio.current_task():
            live.silence.cancel()
        live.silence = None

    async def _on_silence(self, live: _Live, turns: int) -> None:
        await asyncio.sleep(live.debate.spec.silence.after_s)
        async with live.lock:
            if live.debate.status == Status.waiting and len(live.turns) == turns:
                live.silence = None
                await self._set_status(live, Status.running)
                self._launch(live, Command(resume={"action": live.debate.spec.silence.action}))

    # -- teacher controls --------------------------------------------------------------------

    async def control(self, viewer: Viewer, action: str, news: str | None = None) -> DebateView:
        if not viewer.is_teacher:
            raise Forbidden(f"only the teacher may {action} a debate; a seat token may post and read its own channel")
        live = await self._get(viewer.debate_id)
        async with live.lock:
            status = live.debate.status
            if status == Status.ended:
                raise Conflict(f"debate {viewer.debate_id} has ended; create a new one")
            controls = {"start": self._start, "pause": self._pause, "resume": self._resume,
                        "advance": self._advance, "inject": self._inject, "end": self._end}
            await controls[action](live, status, news)
            return await self._view(live, viewer)

    async def _start(self, live: _Live, status: Status, _: str | None) -> None:
        if status != Status.created:
            raise Conflict(f"debate {live.debate.id} is already {status.value}; use resume after a pause")
        await self._set_status(live, Status.running)
        self._launch(live, {"cursor": 0})

    async def _pause(self, live: _Live, status: Status, _: str | None) -> None:
        if status not in (Status.running, Status.waiting):
            raise Conflict(f"debate {live.debate.id} is {status.value}; only running talks can be paused")
        await self._halt(live)
        await self._set_status(live, Status.paused)

    async def _resume(self, live: _Live, status: Status, _: str | None) -> None:
        if status != Status.paused:
            raise Conflict(f"debate {live.debate.id} is {status.value}, not paused")
        await self._set_status(live, Status.running)
        self._launch(live, None)

    async def _advance(self, live: _Live, status: Status, _: str | None) -> None:
        cursor = await self._cursor(live)
        steps = live.deps.steps
        stages = list(Stage)
        current = steps[min(cursor, len(steps) - 1)].stage
        later = [s for s in stages[stages.index(current) + 1 :] if first_step_of(steps, s) < len(steps)]
        if cursor >= len(steps) or not later:
            raise Conflict(f"debate {live.debate.id} is in its last stage ({current.value}); end it instead")
        await self._redirect(live, status, {"cursor": first_step_of(steps, later[0])})

    async def _inject(self, live: _Live, status: Status, news: str | None) -> None:
        if not news:
            raise UserError("inject needs the news item's text")
        await self._redirect(live, status, {"news": [*live.debate.pending.get("news", []), news]})

    async def _redirect(self, live: _Live, status: Status, update: dict[str, Any]) -> None:
        """Apply new graph input now if the talks are live, or when they are started or resumed."""
        live.debate.pending = {**live.debate.pending, **update}
        self._store.save(live.debate)
        if status in (Status.running, Status.waiting):
            await self._halt(live)
            await self._set_status(live, Status.running)
            self._launch(live, None)

    async def _end(self, live: _Live, status: Status, _: str | None) -> None:
        self._disarm(live)
        if live.task is not None and not live.task.done():
            live.task.cancel()  # no turn follows, so one cut short is simply never recorded
            with contextlib.suppress(asyncio.CancelledError):
                await live.task
        await self._set_status(live, Status.ended)

    # -- human seats -------------------------------------------------------------------------

    async def post(self, viewer: Viewer, content: str, seat: str | None = None) -> DebateView:
        if viewer.seat is None:
            raise Forbidden("the teacher cannot post for a seat; post with that seat's token")
        if seat is not None and seat != viewer.seat:
            raise Forbidden(f"this token belongs to seat {viewer.seat!r}; it cannot post for {seat!r}")
        if len(content) > self.settings.max_message_chars:
            raise TooLarge(f"message is {len(content)} characters; the limit is {self.settings.max_message_chars}")
        live = await self._get(viewer.debate_id)
        async with live.lock:
            view = await self._view(live, viewer)
            if view.waiting_for != viewer.seat:
                whose = f"waiting for {view.waiting_for}" if view.waiting_for else view.status.value
                raise Conflict(f"it is not {viewer.seat}'s turn (the debate is {whose}); wait for the mediator to address you")
            self._disarm(live)
            await self._set_status(live, Status.running)
            self._launch(live, Command(resume={"content": content}))
            return await self._view(live, viewer)

    # -- views -------------------------------------------------------------------------------

    async def _cursor(self, live: _Live) -> int:
        values = (await self._graph.aget_state(_config(live.debate.id))).values or {}
        return int(live.debate.pending.get("cursor", values.get("cursor", 0)))

    async def _view(self, live: _Live, viewer: Viewer) -> DebateView:
        values = (await self._graph.aget_state(_config(live.debate.id))).values or {}
        steps, debate = live.deps.steps, live.debate
        cursor = int(live.debate.pending.get("cursor", values.get("cursor", 0)))
        step = steps[cursor] if cursor < len(steps) and debate.status != Status.ended else None
        waiting = step.speaker if step and debate.status == Status.waiting else None
        shown = viewer.is_teacher or viewer.seat == waiting
        said = [t for t in live.turns if waiting and waiting in t.audience]
        points = list(values["text"].points.values()) if "text" in values else []
        if viewer.seat is not None:  # a party's answers to the proposal are its own channel
            points = [p.model_copy(update={"answers": {k: v for k, v in p.answers.items() if k == viewer.seat}}) for p in points]
        return DebateView(
            id=debate.id, viewer=viewer.seat or "teacher", scenario=debate.spec.scenario,
            status=debate.status, stage=step.stage if step else None,
            next_speaker=step.speaker if step else None, waiting_for=waiting,
            prompt=said[-1].content if said and shown else None, turns=len(live.turns),
            seats={p: debate.spec.seats.get(p, "ai") for p in live.deps.scenario.parties},
            silence=debate.spec.silence, text=points,
        )

    async def view(self, viewer: Viewer) -> DebateView:
        return await self._view(await self._get(viewer.debate_id), viewer)

    async def turns(self, viewer: Viewer, after: int = 0) -> list[Turn]:
        live = await self._get(viewer.debate_id)
        return [t for t in live.turns if t.turn > after and viewer.sees(t)]

    async def names(self, viewer: Viewer) -> tuple[str, dict[str, str]]:
        """The scenario source and persona names, for rendering a transcript."""
        scenario = (await self._get(viewer.debate_id)).deps.scenario
        return scenario.source_text, {pid: p.name for pid, p in scenario.personas.items()}

    async def events(self, viewer: Viewer, after: int = 0) -> AsyncIterator[Event]:
        """Turns after `after` this viewer may see, then live ones; the talks' state on every change."""
        live = await self._get(viewer.debate_id)
        queue: asyncio.Queue[Turn | Status] = asyncio.Queue()
        live.subscribers.add(queue)  # before reading the backlog, so nothing falls between the two
        try:
            backlog = [t for t in live.turns if t.turn > after]
            sent = backlog[-1].turn if backlog else after
            for turn in backlog:
                if viewer.sees(turn):
                    yield turn
            yield await self._view(live, viewer)
            while live.debate.status != Status.ended or not queue.empty():
                item = await queue.get()
                if isinstance(item, Turn):
                    if item.turn > sent and viewer.sees(item):
                        yield item
                    sent = max(sent, item.turn)
                else:
                    yield await self._view(live, viewer)
        finally:
            live.subscribers.discard(queue)

    # -- lifecycle ---------------------------------------------------------------------------

    async def recover(self) -> None:
        """After a restart: running debates drive on from their checkpoints; waiting seats get a fresh clock."""
        for debate in self._store.with_status(Status.running, Status.waiting):
            live = await self._get(debate.id)
            if debate.status == Status.running:
                self._launch(live, None)
            else:
                self._arm(live)

    async def close(self) -> None:
        for live in self._live.values():
            self._disarm(live)
            if live.task is not None and not live.task.done():
                live.task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await live.task


@asynccontextmanager
async def open_service(settings: Settings) -> AsyncIterator[DebateService]:
    store = DebateStore(settings.data_dir / "debates.sqlite")
    async with checkpointer(settings) as saver:
        service = DebateService(settings, store, build_graph(saver))
        await service.recover()
        try:
            yield service
        finally:
            await service.close()
            store.close()
