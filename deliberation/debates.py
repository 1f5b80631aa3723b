"""Classroom debates: the summit graph driven per debate, human seats, teacher controls, live turns.

No HTTP here. Debate records live in SQLite (`debates.sqlite`) and the talks themselves in the graph
checkpoints (`checkpoints.sqlite`), both under the data directory, so a restarted service picks up
every debate where it stopped.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sqlite3
import time
import uuid
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from langchain_core.runnables import RunnableConfig
from langgraph.types import Command

from deliberation.classroom.backends import coordination, open_store
from deliberation.classroom.events import EventBus, LocalBus, Subscription
from deliberation.classroom.leases import Leases, LocalLeases, StopAction
from deliberation.classroom.store import DebateRecords
from deliberation.config import Settings
from deliberation.debate_types import Created, Debate, DebateSpec, DebateView, Status, Viewer
from deliberation.deps import SummitDeps
from deliberation.errors import (
    Conflict,
    DeliberationError,
    Forbidden,
    NotAllowed,
    NotFound,
    StorageError,
    TooLarge,
    TurnFailed,
    UserError,
)
from deliberation.graph import build_graph
from deliberation.passages import Passage
from deliberation.protocol import first_step_of
from deliberation.quotas import LiveDebates, MemoryLiveDebates
from deliberation.scenario import Scenario
from deliberation.storage import usable
from deliberation.summit import SummitOptions, checkpointer, drive, make_deps
from deliberation.summit import scenario as scenario_of
from deliberation.tokens import hash_token, new_token, token_matches
from deliberation.turns import NegotiatingPoint, PointAnswer, Stage, Turn

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
    subscribers: set[Subscription] = field(default_factory=set)
    """The event streams open on this debate in this process; filtering is per viewer, on the way out."""
    task: asyncio.Task[None] | None = None
    silence: asyncio.Task[None] | None = None
    silence_started: float | None = None
    """Event-loop time the waiting seat's silence clock started."""
    stop: bool = False
    touched: float = field(default_factory=time.monotonic)
    damage: str | None = None
    """Why the debate cannot go on (its checkpoint is missing or unreadable); None when it is whole."""

    def idle(self) -> bool:
        running = self.task is not None and not self.task.done()
        return not running and self.silence is None and not self.subscribers and not self.lock.locked()


def _public(turn: Turn) -> Turn:
    """A provider's error text stays in the checkpoint and the log, never reaches a viewer."""
    return turn.model_copy(update={"error": TurnFailed.public_message}) if turn.error and not turn.human else turn


def _config(debate_id: str) -> RunnableConfig:
    return {"configurable": {"thread_id": f"debate-{debate_id}"}}


SWEEP_S = 0.5
"""How often a replica looks for debates whose driver died and for silence deadlines that passed (shared mode)."""


class DebateService:
    def __init__(
        self,
        settings: Settings,
        store: DebateRecords,
        graph: Any,
        bus: EventBus | None = None,
        leases: Leases | None = None,
        live_cap: LiveDebates | None = None,
    ) -> None:
        self.settings, self._store, self._graph = settings, store, graph
        self._live: dict[str, _Live] = {}
        self._bus: EventBus = bus or LocalBus()
        self._leases: Leases = leases or LocalLeases()
        self._leases.on_signal(self._on_signal)
        self._sweeper: asyncio.Task[None] | None = None
        self._cap = live_cap or MemoryLiveDebates(settings.max_live_debates, settings.max_live_debates_per_key)

    def allowed_models(self) -> list[str]:
        return list(dict.fromkeys([self.settings.model, *self.settings.allowed_models]))

    # -- creating and authenticating ---------------------------------------------------------

    async def create(self, spec: DebateSpec, owner: str = "") -> Created:
        allowed = self.allowed_models()
        if spec.model is not None and spec.model not in allowed:
            raise NotAllowed(f"model {spec.model!r} is not allowed on this server; choose one of: {', '.join(allowed)}")
        # building the retrieval index the first time is slow, blocking work: keep it off the event loop
        deps = await asyncio.to_thread(make_deps, self.settings, self._options(spec), spec.human_seats())
        unknown = [s for s in spec.seats if s not in deps.scenario.parties]
        if unknown:
            parties = ", ".join(deps.scenario.parties)
            raise UserError(f"seats must be parties of {spec.scenario!r} ({parties}); got {', '.join(unknown)}")
        debate_id = uuid.uuid4().hex
        await self._cap.acquire(owner, debate_id)
        teacher, observer = new_token(), new_token()
        seats = {seat: new_token() for seat in sorted(spec.human_seats())}
        debate = Debate(
            id=debate_id,
            spec=spec,
            teacher_hash=hash_token(teacher),
            seat_hashes={seat: hash_token(token) for seat, token in seats.items()},
            observer_hash=hash_token(observer),
            created_at=datetime.now(UTC).isoformat(),
            owner=owner,
        )
        try:
            self._store.save(debate)
        except Exception:
            await self._cap.release(debate_id)
            raise
        self._live[debate.id] = _Live(debate, deps, [])
        return Created(debate=debate, teacher_token=teacher, seat_tokens=seats, observer_token=observer)

    def authenticate(self, debate_id: str, token: str) -> Viewer:
        """A token that does not open the debate gets the answer of an unknown id: ids cannot be probed."""
        unknown = NotFound(f"no debate {debate_id!r} opens with this token: check the id, and use its teacher or seat token")
        try:
            debate = self._store.get(debate_id)
        except NotFound:
            raise unknown from None
        teacher = token_matches(token, debate.teacher_hash)
        seats = [seat for seat, digest in debate.seat_hashes.items() if token_matches(token, digest)]
        if teacher:
            return Viewer(debate_id=debate_id)
        if seats:
            return Viewer(debate_id=debate_id, seat=seats[0])
        if debate.observer_hash is not None and token_matches(token, debate.observer_hash):
            return Viewer(debate_id=debate_id, observer_of=tuple(scenario_of(self.settings, debate.spec.scenario).parties))
        raise unknown

    @staticmethod
    def _options(spec: DebateSpec) -> SummitOptions:
        return SummitOptions(scenario=spec.scenario, model=spec.model, rounds=spec.rounds, topics=spec.topics, seed=spec.seed)

    async def _get(self, debate_id: str, fresh: bool = True) -> _Live:
        live = self._live.get(debate_id)
        if live is not None:
            live.touched = time.monotonic()
            if fresh and self._leases.shared and not self._driving(live):
                await self._refresh(live)
            return live
        debate = self._store.get(debate_id)
        deps = await asyncio.to_thread(make_deps, self.settings, self._options(debate.spec), debate.spec.human_seats())
        turns, damage = await self._stored_turns(debate)
        loaded = _Live(debate, deps, turns, damage=damage)
        if debate.status == Status.ended or damage is not None:
            return loaded  # read from storage for this request; it does not stay in memory
        live = self._live.get(debate_id)
        if live is None:
            live = self._live[debate_id] = loaded
            await self._cap.track(debate.owner, debate_id)
        return live

    async def _stored_turns(self, debate: Debate) -> tuple[list[Turn], str | None]:
        """The turns of a debate's checkpoint, or why it cannot be read (a debate never started has none)."""
        try:
            state = await self._graph.aget_state(_config(debate.id))
        except Exception as error:  # a damaged row fails in the checkpointer's deserialiser: any exception type
            if isinstance(error, sqlite3.OperationalError) and ("locked" in str(error) or "busy" in str(error)):
                raise StorageError(f"the checkpoints of debate {debate.id} are busy; try again in a moment") from None
            detail = str(error).splitlines()[0][:120] if str(error) else ""
            reason = f"its checkpoint cannot be read ({type(error).__name__}: {detail})"
        else:
            if state.created_at is not None or debate.status == Status.created:
                return [_public(Turn.model_validate(t)) for t in (state.values or {}).get("turns", [])], None
            reason = f"its checkpoint is missing from {self.settings.data_dir / 'checkpoints.sqlite'}"
        log.error("debate %s is damaged: %s", debate.id, reason)
        return [], reason

    # -- driving the graph ---------------------------------------------------------------------

    def _on_turn(self, live: _Live, turn: Turn) -> None:
        if live.turns and turn.turn <= live.turns[-1].turn:
            return  # a resumed graph may replay a turn that was already published
        if turn.error and not turn.human:
            log.warning("debate %s, turn %d (%s): %s", live.debate.id, turn.turn, turn.speaker, turn.error)
        turn = _public(turn)
        live.turns.append(turn)
        self._bus.publish(live.debate.id, turn)
        if live.stop:
            raise _Stop

    async def _drive(self, live: _Live, graph_input: Any) -> None:
        try:
            await self._run_graph(live, graph_input)
        finally:  # after the status is stored: a running debate without a lease is one whose driver died
            await self._let_go(live)

    async def _run_graph(self, live: _Live, graph_input: Any) -> None:
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
            if self._leases.shared:  # another replica may be driving: stop it, then read what it recorded
                await self._leases.stop_driver(live.debate.id, "halt")
                await self._refresh(live)
            return
        live.stop = True
        try:
            await asyncio.shield(live.task)
        finally:
            live.stop = False

    async def _set_status(self, live: _Live, status: Status) -> None:
        if status == Status.running and not await self._leases.acquire(live.debate.id):
            raise Conflict(f"debate {live.debate.id} is being driven by another server; try again in a few seconds")
        live.debate.status = status
        waiting = status == Status.waiting
        live.debate.silence_deadline = time.time() + live.debate.spec.silence.after_s if waiting else None
        self._store.save(live.debate)
        if waiting:
            self._arm(live)
        self._bus.publish(live.debate.id, status)
        if status == Status.ended:
            await self._evict(live)

    # -- memory ------------------------------------------------------------------------------

    async def _evict(self, live: _Live) -> None:
        """Let go of a debate: it stays in storage, and `_get` reads it back when it is asked for."""
        if self._live.get(live.debate.id) is live:
            del self._live[live.debate.id]
            await self._cap.release(live.debate.id)

    def live_ids(self) -> set[str]:
        return set(self._live)

    async def sweep(self) -> None:
        """Evict debates nobody has touched for `idle_s` that are neither running nor timing a silent seat."""
        cutoff = time.monotonic() - self.settings.idle_s
        for live in [v for v in self._live.values() if v.touched < cutoff and v.idle()]:
            await self._evict(live)

    async def sweep_forever(self) -> None:
        while True:
            await asyncio.sleep(min(60.0, self.settings.idle_s / 2))
            await self.sweep()

    # -- silence of a human seat -------------------------------------------------------------

    def _arm(self, live: _Live) -> None:
        self._disarm(live)
        live.silence_started = asyncio.get_running_loop().time()
        if self._leases.shared:
            return  # the stored deadline is applied by whichever replica's sweep finds it passed
        live.silence = asyncio.create_task(self._on_silence(live, len(live.turns)))

    def _disarm(self, live: _Live) -> None:
        if live.silence is not None and live.silence is not asyncio.current_task():
            live.silence.cancel()
        live.silence, live.silence_started = None, None

    async def _on_silence(self, live: _Live, turns: int) -> None:
        await asyncio.sleep(live.debate.spec.silence.after_s)
        async with self._locked(live):
            if live.debate.status == Status.waiting and len(live.turns) == turns:
                live.silence = None
                await self._set_status(live, Status.running)
                self._launch(live, Command(resume={"action": live.debate.spec.silence.action}))

    # -- teacher controls --------------------------------------------------------------------

    async def control(self, viewer: Viewer, action: str, news: str | None = None) -> DebateView:
        if not viewer.is_teacher:
            raise Forbidden(f"only the teacher may {action} a debate; a seat token may post and read its own channel")
        live = await self._get(viewer.debate_id, fresh=False)  # read again under the lock
        self._refuse_damaged(live)
        async with self._locked(live):
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
        if self._leases.shared and not self._driving(live):  # another replica may be driving
            await self._leases.stop_driver(live.debate.id, "cancel")
            await self._refresh(live)
        if live.task is not None and not live.task.done():
            live.task.cancel()  # no turn follows, so one cut short is simply never recorded
            with contextlib.suppress(asyncio.CancelledError):
                await live.task
        await self._set_status(live, Status.ended)

    # -- human seats -------------------------------------------------------------------------

    async def post(
        self, viewer: Viewer, content: str, seat: str | None = None, answers: Sequence[PointAnswer] = ()
    ) -> DebateView:
        if viewer.seat is None:
            raise Forbidden(f"the {viewer.name} cannot post for a seat; post with that seat's token")
        if seat is not None and seat != viewer.seat:
            raise Forbidden(f"this token belongs to seat {viewer.seat!r}; it cannot post for {seat!r}")
        size = len(content) + sum(len(a.amendment or "") for a in answers)
        if size > self.settings.max_message_chars:
            raise TooLarge(f"message is {size} characters with its amendments; the limit is {self.settings.max_message_chars}")
        live = await self._get(viewer.debate_id, fresh=False)  # read again under the lock
        self._refuse_damaged(live)
        async with self._locked(live):
            view = await self._view(live, viewer)
            if view.waiting_for != viewer.seat:
                whose = f"waiting for {view.waiting_for}" if view.waiting_for else view.status.value
                raise Conflict(f"it is not {viewer.seat}'s turn (the debate is {whose}); wait for the mediator to address you")
            unknown = sorted({a.point for a in answers} - {p.id for p in view.text})
            if unknown:
                tabled = ", ".join(p.id for p in view.text) or "none yet"
                raise UserError(f"no point {', '.join(unknown)} in the negotiating text (points tabled: {tabled})")
            self._disarm(live)
            await self._set_status(live, Status.running)
            self._launch(live, Command(resume={"content": content, "answers": [a.model_dump(mode="json") for a in answers]}))
            return await self._view(live, viewer)

    @staticmethod
    def _refuse_damaged(live: _Live) -> None:
        if live.damage is not None:
            raise Conflict(f"debate {live.debate.id} is damaged: {live.damage}; it cannot go on; create a new one")

    # -- views -------------------------------------------------------------------------------

    async def _cursor(self, live: _Live) -> int:
        values = (await self._graph.aget_state(_config(live.debate.id))).values or {}
        return int(live.debate.pending.get("cursor", values.get("cursor", 0)))

    async def _view(self, live: _Live, viewer: Viewer) -> DebateView:
        """A seat sees counts and names from its own channel only: not when the others speak, nor how often."""
        debate = live.debate
        seats = {p: debate.spec.seats.get(p, "ai") for p in live.deps.scenario.parties}
        if live.damage is not None:
            return DebateView(
                id=debate.id, viewer=viewer.name, scenario=debate.spec.scenario, status=Status.damaged,
                stage=None, next_speaker=None, waiting_for=None, prompt=None, turns=0, seats=seats,
                silence=debate.spec.silence, text=[], damage=live.damage,
            )
        values = (await self._graph.aget_state(_config(live.debate.id))).values or {}
        mine = [t for t in live.turns if viewer.sees(t)]  # after the await: turns and status of one moment
        steps = live.deps.steps
        cursor = int(live.debate.pending.get("cursor", values.get("cursor", 0)))
        step = steps[cursor] if cursor < len(steps) and debate.status != Status.ended else None
        waiting = step.speaker if step and debate.status == Status.waiting else None
        shown = viewer.is_teacher or viewer.seat == waiting
        said = [t for t in live.turns if waiting and waiting in t.audience]
        points = [NegotiatingPoint.model_validate(p) for p in values.get("text", {}).values()]
        if not viewer.is_teacher:  # a party's answers to the proposal are its own channel
            points = [p.model_copy(update={"answers": {k: v for k, v in p.answers.items() if k == viewer.seat}}) for p in points]
        started = live.silence_started if waiting else None
        left = debate.spec.silence.after_s - (asyncio.get_running_loop().time() - started) if started is not None else None
        speaker = step.speaker if step else None
        return DebateView(
            id=debate.id, viewer=viewer.name, scenario=debate.spec.scenario,
            status=debate.status, stage=step.stage if step else None, round=step.round if step else None,
            next_speaker=speaker if shown or speaker == viewer.seat else None, waiting_for=waiting if shown else None,
            prompt=said[-1].content if said and shown else None, turns=len(mine),
            seats=seats, silence=debate.spec.silence,
            silence_left_s=None if left is None or not shown else max(0.0, left),
            max_message_chars=self.settings.max_message_chars, text=points,
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

    async def sources(self, viewer: Viewer) -> tuple[Scenario, dict[str, Passage]]:
        """The debate's scenario and its source passages by id, for scoring turns and showing what they cite."""
        deps = (await self._get(viewer.debate_id)).deps
        return deps.scenario, deps.retriever.passages

    async def events(self, viewer: Viewer, after: int = 0) -> AsyncIterator[Event]:
        """Turns after `after` this viewer may see, then live ones; the talks' state on every change."""
        live = await self._get(viewer.debate_id)
        # before reading the backlog, so nothing falls between the two
        queue = await self._bus.subscribe(viewer.debate_id, live.turns[-1].turn if live.turns else 0)
        live.subscribers.add(queue)
        try:
            backlog = [t for t in live.turns if t.turn > after]
            sent = backlog[-1].turn if backlog else after
            for turn in backlog:
                if viewer.sees(turn):
                    yield turn
            yield await self._view(live, viewer)
            # the stream ends with the `ended` status item: on a shared bus it may arrive after the stored status changed
            ended = live.debate.status == Status.ended
            while not ended:
                item = await queue.get()
                if isinstance(item, Turn):
                    if item.turn > sent and viewer.sees(item):
                        yield item
                    sent = max(sent, item.turn)
                else:
                    yield await self._view(await self._get(viewer.debate_id), viewer)
                    ended = item == Status.ended
        finally:
            live.subscribers.discard(queue)
            await queue.close()

    # -- several replicas --------------------------------------------------------------------

    @staticmethod
    def _driving(live: _Live) -> bool:
        return live.task is not None and not live.task.done()

    async def _refresh(self, live: _Live) -> None:
        """Another replica may have moved the debate on: read its record and turns from shared storage."""
        live.debate = self._store.get(live.debate.id)
        values = (await self._graph.aget_state(_config(live.debate.id))).values or {}
        live.turns = [Turn.model_validate(t) for t in values.get("turns", [])]

    @asynccontextmanager
    async def _locked(self, live: _Live) -> AsyncIterator[None]:
        """One state change of a debate at a time: in this process, and across replicas when there are several."""
        async with live.lock, self._leases.mutex(live.debate.id):
            if self._leases.shared and not self._driving(live):
                await self._refresh(live)
            yield

    async def _let_go(self, live: _Live) -> None:
        live.stop = False
        await self._leases.release(live.debate.id)

    def _on_signal(self, debate_id: str, action: StopAction) -> None:
        live = self._live.get(debate_id)
        if live is None or not self._driving(live):
            return
        if action == "halt":
            live.stop = True
        elif live.task is not None:
            live.task.cancel()

    async def _sweep_forever(self) -> None:
        while True:
            try:
                await self._sweep()
            except Exception:  # Postgres or Redis unreachable for a moment: the next sweep tries again
                log.exception("sweep for debates without a driver failed")
            await asyncio.sleep(SWEEP_S)

    async def _sweep(self) -> None:
        """Take over running debates nobody drives (their replica died) and apply silence deadlines that passed."""
        for debate in self._store.with_status(Status.running, Status.waiting):
            local = self._live.get(debate.id)
            if local is not None and self._driving(local):
                continue
            due = debate.status == Status.waiting and (debate.silence_deadline or float("inf")) <= time.time()
            if (debate.status == Status.running and not await self._leases.held(debate.id)) or due:
                await self._take_over(debate.id)

    async def _take_over(self, debate_id: str) -> None:
        live = await self._get(debate_id)
        async with self._locked(live):
            debate = live.debate
            if debate.status == Status.running and await self._leases.acquire(debate_id):
                log.warning("debate %s had no driver: driving it on from its checkpoint (turn %d)", debate_id, len(live.turns))
                for turn in live.turns:  # events its last driver checkpointed but may not have published
                    self._bus.publish(debate_id, turn)
                self._launch(live, None)
            elif debate.status == Status.waiting and (debate.silence_deadline or float("inf")) <= time.time():
                await self._set_status(live, Status.running)
                self._launch(live, Command(resume={"action": debate.spec.silence.action}))

    # -- lifecycle ---------------------------------------------------------------------------

    async def recover(self) -> None:
        """After a restart: running debates drive on from their checkpoints; waiting seats get a fresh clock."""
        if self._leases.shared:  # the sweep finds them, on this replica or another
            self._sweeper = asyncio.create_task(self._sweep_forever(), name="debate-sweep")
            return
        for debate in self._store.with_status(Status.running, Status.waiting):
            try:
                live = await self._get(debate.id)
            except DeliberationError as error:  # one debate that cannot be loaded now must not stop the server
                log.error("debate %s was not resumed: %s", debate.id, error)
                continue
            if live.damage is not None:
                continue  # logged by _get; shown as damaged to whoever opens it
            if debate.status == Status.running:
                self._launch(live, None)
            else:
                self._arm(live)

    async def close(self) -> None:
        if self._sweeper is not None:
            self._sweeper.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._sweeper
        for live in list(self._live.values()):
            self._disarm(live)
            if live.task is not None and not live.task.done():
                live.task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await live.task


@asynccontextmanager
async def open_service(settings: Settings) -> AsyncIterator[DebateService]:
    store = open_store(settings)
    if not settings.database_url:
        usable(settings.data_dir / "checkpoints.sqlite")  # an unreadable file is set aside: its debates show as damaged
    async with checkpointer(settings) as saver, coordination(settings) as shared:
        service = DebateService(settings, store, build_graph(saver), shared.bus, shared.leases)
        await service.recover()
        sweeper = asyncio.create_task(service.sweep_forever(), name="debate-sweeper")
        try:
            yield service
        finally:
            sweeper.cancel()
            await service.close()
            await shared.bus.flush()
            store.close()
