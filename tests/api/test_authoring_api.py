"""The review API: list your scenarios, draft from pasted text, accept, edit or drop positions, save the YAML."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from deliberation.api.main import create_app

from deliberation.config import Settings
from tests.api.helpers import OPERATOR_KEY
from tests.authoring.drafting import SOURCES

KEY = "operator-key-for-tests"


@pytest.fixture
def own(tmp_path: Path) -> Path:
    return tmp_path / "mine"


@pytest.fixture
async def author(settings: Settings, own: Path) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(settings.model_copy(update={"scenarios_dir": own, "api_keys": [KEY]}))
    transport = httpx.ASGITransport(app=app)
    headers = {"Authorization": f"Bearer {KEY}"}
    async with app.router.lifespan_context(app), httpx.AsyncClient(transport=transport, base_url="http://test", headers=headers) as http:
        yield http


async def _draft(author: httpx.AsyncClient) -> dict[str, Any]:
    source = (SOURCES / "corn-laws-1846.txt").read_text(encoding="utf-8")
    response = await author.post("/v1/authoring/drafts", json={"name": "Corn Laws", "source": source})
    assert response.status_code == 201, response.text
    review: dict[str, Any] = response.json()
    return review


async def test_draft_review_and_save(author: httpx.AsyncClient, own: Path) -> None:
    review = await _draft(author)
    assert review["id"] == "corn-laws" and review["problems"] == []
    assert (await author.get("/v1/authoring/scenarios")).json() == [{"id": "corn-laws"}]
    peel = review["parties"][0]
    first, second, third = peel["positions"][:3]
    span = first["evidence"][0]
    assert review["source"][span["start"] : span["end"]] == span["quote"]

    decisions = [
        {"id": first["id"], "action": "edit", "statement": "We must feed Ireland first.", "stance": "support"},
        {"id": second["id"], "action": "drop"},
        {"id": third["id"], "action": "accept"},
    ]
    saved = (await author.put("/v1/authoring/scenarios/corn-laws/positions", json={"decisions": decisions})).json()
    written = yaml.safe_load((own / "corn-laws" / "peel.yaml").read_text(encoding="utf-8"))
    ids = [p["id"] for p in written["positions"]]
    assert second["id"] not in ids and third["id"] in ids and len(ids) == len(peel["positions"]) - 1
    edited = next(p for p in written["positions"] if p["id"] == first["id"])
    assert edited["statement"] == "We must feed Ireland first." and edited["relay"] == first["relay"]
    assert edited["evidence"] == first["evidence"]  # evidence is never edited: it stays verbatim
    assert saved["parties"][0]["positions"][0]["statement"] == "We must feed Ireland first."

    # the saved scenario is served to the classroom at once
    listed = {s["id"] for s in (await author.get("/v1/scenarios")).json()}
    assert "corn-laws" in listed


async def test_dropping_too_much_is_reported_by_the_check(author: httpx.AsyncClient) -> None:
    review = await _draft(author)
    cobden = review["parties"][1]
    decisions = [{"id": p["id"], "action": "drop"} for p in cobden["positions"][1:]]
    saved = (await author.put("/v1/authoring/scenarios/corn-laws/positions", json={"decisions": decisions})).json()
    assert "cobden.yaml: 1 position(s); a party needs at least 3" in saved["problems"]


async def test_bad_requests_get_clear_errors(author: httpx.AsyncClient, settings: Settings, own: Path) -> None:
    await _draft(author)
    unknown = await author.put("/v1/authoring/scenarios/corn-laws/positions", json={"decisions": [{"id": "peel.x", "action": "drop"}]})
    assert unknown.status_code == 404 and "peel.x" in unknown.json()["error"]["message"]
    assert (await author.get("/v1/authoring/scenarios/..%2Fetc")).status_code == 404
    assert (await author.get("/v1/authoring/scenarios/afghanistan")).status_code == 404  # packaged: not yours to edit
    source = (SOURCES / "corn-laws-1846.txt").read_text(encoding="utf-8")
    again = await author.post("/v1/authoring/drafts", json={"name": "Corn Laws", "source": source})
    assert again.status_code == 400 and "already holds a scenario" in again.json()["error"]["message"]
    nobody = await author.post("/v1/authoring/drafts", json={"name": "Weather", "source": "It rained. It was fine. Nobody minded."})
    assert nobody.status_code == 400 and "--parties" in nobody.json()["error"]["message"]
    anonymous = await author.get("/v1/authoring/scenarios", headers={"Authorization": "Bearer wrong"})
    assert anonymous.status_code == 401


async def test_without_a_user_folder_the_review_says_what_to_set(settings: Settings) -> None:
    app = create_app(settings)
    transport = httpx.ASGITransport(app=app)
    headers = {"Authorization": f"Bearer {OPERATOR_KEY}"}
    async with app.router.lifespan_context(app), httpx.AsyncClient(transport=transport, base_url="http://test", headers=headers) as http:
        response = await http.get("/v1/authoring/scenarios")
        page = await http.get("/review")
    assert response.status_code == 400 and "DELIBERATION_SCENARIOS_DIR" in response.json()["error"]["message"]
    assert page.status_code == 200 and "/static/review.js" in page.text

