"""Finding 7: metadata. A seat's view tells only its own channel; a foreign token looks like an unknown id; headers."""

from __future__ import annotations

import httpx
from deliberation.api.main import create_app

from deliberation.config import Settings
from tests.api.helpers import OPERATOR_KEY, bearer, create, post, start, transcript, wait_for, waiting_for


async def test_a_seat_view_counts_only_its_own_channel(client: httpx.AsyncClient) -> None:
    debate = await create(client, seats={"kabul": "human", "us": "human"}, rounds=1, silence={"after_s": 3600})
    await start(client, debate)
    await wait_for(client, debate, waiting_for("kabul"))
    assert (await post(client, debate, "kabul", "Kabul is ready to talk.")).status_code == 202
    await wait_for(client, debate, waiting_for("us"))
    assert (await post(client, debate, "us", "The United States is listening.")).status_code == 202
    teacher_view = await wait_for(client, debate, lambda v: v["status"] == "waiting" and v["turns"] > 3)
    waiting = teacher_view["waiting_for"]
    other = "us" if waiting == "kabul" else "kabul"
    views = {
        seat: (await client.get(f"/v1/debates/{debate['id']}", headers=bearer(debate["seat_tokens"][seat]))).json()
        for seat in ("kabul", "us")
    }
    other_turns = await transcript(client, debate, debate["seat_tokens"][other])
    assert views[other]["turns"] == len(other_turns) < teacher_view["turns"]
    assert views[other]["next_speaker"] is None and views[other]["waiting_for"] is None
    assert views[waiting]["next_speaker"] == views[waiting]["waiting_for"] == waiting


async def test_a_foreign_token_gets_the_404_of_an_unknown_id(client: httpx.AsyncClient) -> None:
    first, second = await create(client), await create(client)
    foreign = await client.get(f"/v1/debates/{second['id']}", headers=bearer(first["teacher_token"]))
    unknown = await client.get("/v1/debates/0123456789abcdef0123456789abcdef", headers=bearer(first["teacher_token"]))
    bogus = await client.get(f"/v1/debates/{second['id']}/events", headers=bearer("not-a-token"))
    assert foreign.status_code == unknown.status_code == bogus.status_code == 404
    assert foreign.json()["error"]["message"].replace(second["id"], "ID") == unknown.json()["error"]["message"].replace(
        "0123456789abcdef0123456789abcdef", "ID"
    )


async def test_security_headers(client: httpx.AsyncClient) -> None:
    for path in ("/", "/static/app.js", "/v1/scenarios", "/v1/debates/nope"):
        headers = (await client.get(path)).headers
        assert headers["x-content-type-options"] == "nosniff", path
        assert "frame-ancestors 'none'" in headers["content-security-policy"], path
        assert "default-src 'self'" in headers["content-security-policy"], path
        assert headers["x-frame-options"] == "DENY", path
        assert headers["referrer-policy"] == "no-referrer", path


async def test_docs_can_be_turned_off(settings: Settings) -> None:
    for docs, expected in ((True, 200), (False, 404)):
        app = create_app(settings.model_copy(update={"docs": docs}))
        transport = httpx.ASGITransport(app=app)
        async with app.router.lifespan_context(app), httpx.AsyncClient(
            transport=transport, base_url="http://t", headers=bearer(OPERATOR_KEY)
        ) as http:
            codes = [(await http.get(path)).status_code for path in ("/docs", "/redoc", "/openapi.json")]
        assert codes == [expected] * 3
