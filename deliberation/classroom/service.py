"""Classroom debates: the summit graph driven per debate, human seats, teacher controls, live turns.

A thin facade over the classroom's parts: `memory` (which debates are loaded), `runner` (driving the graph and
storing each status change), `controls` (the teacher's transition table), `views` (what each viewer may see),
`streams` (live events) and `takeover` (restarts and replicas). No HTTP here.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from typing import Any

from langgraph.types import Command

from deliberation.classroom import access, controls, views
from deliberation.classroom.backends import coordination, open_store
from deliberation.classroom.controls import Action
from deliberation.classroom.events import EventBus, LocalBus
from deliberation.classroom.leases import Leases, LocalLeases
from deliberation.classroom.live import LiveDebate, cursor
from deliberation.classroom.memory import Memory, deps_for
from deliberation.classroom.records import Created, DebateSpec, DebateView, Viewer
from deliberation.classroom.runner import Runner
from deliberation.classroom.silence import SilenceClock
from deliberation.classroom.store import DebateRecords
from deliberation.classroom.streams import Event, stream
from deliberation.classroom.takeover import TakeOver
from deliberation.config import Settings
from deliberation.errors import Conflict, Forbidden, NotAllowed, NotFound, TooLarge, UserError
from deliberation.graph import build_graph
from deliberation.loader import scenario as scenario_of
from deliberation.passages import Passage
from deliberation.protocol import first_step_of
from deliberation.quotas import LiveDebates, MemoryLiveDebates
from deliberation.runtime import checkpointer
from deliberation.scenario import Scenario
from deliberation.storage import usable
from deliberation.turns import PointAnswer, Stage, Turn


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
        self._bus: EventBus = bus or LocalBus()
        leases = leases or LocalLeases()
        cap = live_cap or MemoryLiveDebates(settings.max_live_debates, settings.max_live_debates_per_key)
        self._memory = Memory(settings, store, graph, leases, cap)
        self._runner = Runner(store, graph, self._bus, leases, self._memory)
        self._takeover = TakeOver(store, self._bus, leases, self._memory, self._runner)

    def allowed_models(self) -> list[str]:
        return list(dict.fromkeys([self.settings.model, *self.settings.allowed_models]))

    # -- creating and authenticating ---------------------------------------------------------

    async def create(self, spec: DebateSpec, owner: str = "") -> Created:
        allowed = self.allowed_models()
        if spec.model is not None and spec.model not in allowed:
            raise NotAllowed(f"model {spec.model!r} is not allowed on this server; choose one of: {', '.join(allowed)}")
        deps = await deps_for(self.settings, spec)
        unknown = [s for s in spec.seats if s not in deps.scenario.parties]
        if unknown:
            parties = ", ".join(deps.scenario.parties)
            raise UserError(f"seats must be parties of {spec.scenario!r} ({parties}); got {', '.join(unknown)}")
        debate_id = uuid.uuid4().hex
        await self._memory.cap.acquire(owner, debate_id)
        created = access.issue(debate_id, spec, owner)
        try:
            self._store.save(created.debate)
        except Exception:
            await self._memory.cap.release(debate_id)
            raise
        self._memory.hold(LiveDebate(created.debate, deps, []))
        return created

    def authenticate(self, debate_id: str, token: str) -> Viewer:
        """A token that does not open the debate gets the answer of an unknown id: ids cannot be probed."""
        unknown = NotFound(f"no debate {debate_id!r} opens with this token: check the id, and use its teacher or seat token")
        try:
            debate = self._store.get(debate_id)
        except NotFound:
            raise unknown from None
        viewer = access.viewer_of(debate, token, lambda: scenario_of(self.settings, debate.spec.scenario).parties)
        if viewer is None:
            raise unknown
        return viewer

    # -- teacher controls --------------------------------------------------------------------

    async def control(self, viewer: Viewer, action: Action, news: str | None = None) -> DebateView:
        if not viewer.is_teacher:
            raise Forbidden(f"only the teacher may {action} a debate; a seat token may post and read its own channel")
        live = await self._memory.get(viewer.debate_id, fresh=False)  # read again under the lock
        _refuse_damaged(live)
        async with self._memory.locked(live):
            status = live.debate.status
            move = controls.move(viewer.debate_id, status, action)
            if move.redirect:
                self._redirect(live, action, news)
            if move.stop == "halt":
                await self._runner.halt(live)
            elif move.stop == "cancel":
                await self._runner.cancel(live)
            if move.launch:
                await self._runner.run(live, {"cursor": 0} if action == "start" else None)
            elif move.to != status:
                await self._runner.set_status(live, move.to)
            return self._view(live, viewer)

    def _redirect(self, live: LiveDebate, action: Action, news: str | None) -> None:
        """New graph input, kept as pending: applied when the talks are launched now, started or resumed."""
        if action == "inject":
            if not news:
                raise UserError("inject needs the news item's text")
            update: dict[str, Any] = {"news": [*live.debate.pending.get("news", []), news]}
        else:
            update = {"cursor": self._next_stage(live)}
        live.debate.pending = {**live.debate.pending, **update}
        self._store.save(live.debate)

    @staticmethod
    def _next_stage(live: LiveDebate) -> int:
        """The first step of the next stage that has any, or `Conflict` in the last one."""
        at = cursor(live)
        steps, stages = live.deps.steps, list(Stage)
        current = steps[min(at, len(steps) - 1)].stage
        later = [s for s in stages[stages.index(current) + 1 :] if first_step_of(steps, s) < len(steps)]
        if at >= len(steps) or not later:
            raise Conflict(f"debate {live.debate.id} is in its last stage ({current.value}); end it instead")
        return first_step_of(steps, later[0])

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
        live = await self._memory.get(viewer.debate_id, fresh=False)  # read again under the lock
        _refuse_damaged(live)
        async with self._memory.locked(live):
            view = self._view(live, viewer)
            if view.waiting_for != viewer.seat:
                whose = f"waiting for {view.waiting_for}" if view.waiting_for else view.status.value
                raise Conflict(f"it is not {viewer.seat}'s turn (the debate is {whose}); wait for the mediator to address you")
            unknown = sorted({a.point for a in answers} - {p.id for p in view.text})
            if unknown:
                tabled = ", ".join(p.id for p in view.text) or "none yet"
                raise UserError(f"no point {', '.join(unknown)} in the negotiating text (points tabled: {tabled})")
            SilenceClock.disarm(live)
            answer = {"content": content, "answers": [a.model_dump(mode="json") for a in answers]}
            await self._runner.run(live, Command(resume=answer))
            return self._view(live, viewer)  # the graph has not stepped yet: its task starts once this returns

    # -- reading -----------------------------------------------------------------------------

    def _view(self, live: LiveDebate, viewer: Viewer) -> DebateView:
        moment = views.Moment(
            debate=live.debate,
            parties=live.deps.scenario.parties,
            steps=live.deps.steps,
            turns=list(live.turns),
            cursor=cursor(live),
            points=list(live.values["text"].points.values()) if "text" in live.values else [],
            silence_elapsed_s=SilenceClock.elapsed(live),
            max_message_chars=self.settings.max_message_chars,
            damage=live.damage,
        )
        return views.view(moment, viewer)

    async def view(self, viewer: Viewer) -> DebateView:
        return self._view(await self._memory.get(viewer.debate_id), viewer)

    async def turns(self, viewer: Viewer, after: int = 0) -> list[Turn]:
        return views.visible((await self._memory.get(viewer.debate_id)).turns, viewer, after)

    async def names(self, viewer: Viewer) -> tuple[str, dict[str, str]]:
        """The scenario source and persona names, for rendering a transcript."""
        scenario = (await self._memory.get(viewer.debate_id)).deps.scenario
        return scenario.source_text, {pid: p.name for pid, p in scenario.personas.items()}

    async def sources(self, viewer: Viewer) -> tuple[Scenario, dict[str, Passage]]:
        """The debate's scenario and its source passages by id, for scoring turns and showing what they cite."""
        deps = (await self._memory.get(viewer.debate_id)).deps
        return deps.scenario, deps.retriever.passages

    async def events(self, viewer: Viewer, after: int = 0) -> AsyncIterator[Event]:
        """Turns after `after` this viewer may see, then live ones; the talks' state on every change."""
        live = await self._memory.get(viewer.debate_id)

        async def view(of: LiveDebate) -> DebateView:
            return self._view(of, viewer)

        async for event in stream(self._bus, live, viewer, after, view, lambda: self._memory.get(viewer.debate_id)):
            yield event

    # -- memory and lifecycle ----------------------------------------------------------------

    def live_ids(self) -> set[str]:
        return set(self._memory.live)

    async def sweep(self) -> None:
        await self._memory.sweep()

    async def sweep_forever(self) -> None:
        while True:
            await asyncio.sleep(min(60.0, self.settings.idle_s / 2))
            await self.sweep()

    async def recover(self) -> None:
        await self._takeover.recover()

    async def close(self) -> None:
        await self._takeover.close()
        for live in list(self._memory.live.values()):
            SilenceClock.disarm(live)
            await Runner.abort(live)


def _refuse_damaged(live: LiveDebate) -> None:
    if live.damage is not None:
        raise Conflict(f"debate {live.debate.id} is damaged: {live.damage}; it cannot go on; create a new one")


@asynccontextmanager
async def open_service(settings: Settings) -> AsyncIterator[DebateService]:
    store = open_store(settings)
    if not settings.database_url:
        usable(settings.checkpoints_file)  # an unreadable file is set aside: its debates show as damaged
    async with checkpointer(settings) as saver, coordination(settings) as shared:
        service = DebateService(settings, store, build_graph(saver), shared.bus, shared.leases, shared.live)
        await service.recover()
        sweeper = asyncio.create_task(service.sweep_forever(), name="debate-sweeper")
        try:
            yield service
        finally:
            sweeper.cancel()
            await service.close()
            await shared.bus.flush()
            store.close()
