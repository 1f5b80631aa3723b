"""The routes behind the classroom page: observer links, cited sources, per-turn scores, downloads, the eval report."""

from __future__ import annotations

import json
from typing import Any

import httpx

from tests.api.helpers import bearer, create, ended, post, start, transcript, wait_for, waiting_for


async def end(client: httpx.AsyncClient, debate: dict[str, Any]) -> None:
    """End a debate a test leaves waiting, so that later apps on the session's data dir do not drive it on."""
    response = await client.post(f"/v1/debates/{debate['id']}/end", headers=bearer(debate["teacher_token"]))
    assert response.status_code == 200, response.text


async def test_an_observer_reads_only_what_the_mediator_says_to_every_party(client: httpx.AsyncClient) -> None:
    debate = await create(client, rounds=1)
    await start(client, debate)
    await wait_for(client, debate, ended, timeout=60)
    everything = await transcript(client, debate, debate["teacher_token"])
    public = await transcript(client, debate, debate["observer_token"])
    parties = {"kabul", "taliban", "us"}
    assert public and [t["turn"] for t in public] == [t["turn"] for t in everything if parties <= set(t["audience"])]
    assert len(public) < len(everything)
    assert all(t["speaker"] == "mediator" for t in public)
    view = (await client.get(f"/v1/debates/{debate['id']}", headers=bearer(debate["observer_token"]))).json()
    assert view["viewer"] == "observer" and view["prompt"] is None
    assert all(point["answers"] == {} for point in view["text"]) and view["text"]  # the parties' answers are their channels
    events = await client.get(f"/v1/debates/{debate['id']}/events", headers=bearer(debate["observer_token"]))
    turns = [json.loads(line[5:]) for line in events.text.splitlines() if line.startswith("data:") and '"turn"' in line]
    assert {t["turn"] for t in turns if "speaker" in t} == {t["turn"] for t in public}


async def test_an_observer_cannot_steer_post_or_read_a_channel(client: httpx.AsyncClient) -> None:
    debate = await create(client, seats={"kabul": "human"})
    token = bearer(debate["observer_token"])
    base = f"/v1/debates/{debate['id']}"
    assert (await client.post(f"{base}/start", headers=token)).status_code == 403
    assert (await client.post(f"{base}/messages", headers=token, json={"content": "hello"})).status_code == 403
    assert (await client.get(f"{base}/transcript?channel=kabul", headers=token)).status_code == 403
    assert (await client.get(f"{base}/report", headers=token)).status_code == 403
    assert (await client.get(f"{base}/scores", headers=token)).status_code == 403


async def test_sources_show_the_cited_passage_in_its_paragraph_only_for_a_visible_turn(client: httpx.AsyncClient) -> None:
    debate = await create(client, seats={"kabul": "human"}, rounds=1)
    await start(client, debate)
    seat = debate["seat_tokens"]["kabul"]
    while not [t for t in await transcript(client, debate, seat) if t["citations"]]:  # the Taliban's answer, relayed
        await wait_for(client, debate, waiting_for("kabul"))
        assert (await post(client, debate, "kabul", "Kabul will talk to anyone who renounces violence.")).status_code == 202
        await wait_for(client, debate, lambda v: v["status"] == "waiting" or v["status"] == "ended")
    mine = await transcript(client, debate, seat)
    cited = next(t for t in mine if t["citations"])
    assert cited["speaker"] == "mediator" and cited["kind"] == "relay"
    response = await client.get(f"/v1/debates/{debate['id']}/turns/{cited['turn']}/sources", headers=bearer(seat))
    assert response.status_code == 200, response.text
    sources = response.json()
    source_text = (await client.get(f"/v1/debates/{debate['id']}/transcript?format=md", headers=bearer(seat))).text
    assert [s["passage"] for s in sources] == list(dict.fromkeys(c["passage"] for c in cited["citations"]))
    for source, citation in zip(sources, dict((c["passage"], c) for c in cited["citations"]).values(), strict=True):
        span = source["passage_span"]
        assert source["context_start"] + span["start"] == citation["start"]  # offsets agree with the turn's citation
        passage = source["context"][span["start"] : span["end"]]
        assert passage and passage[:40] in source_text  # the markdown footnotes quote the same source text
        for quoted in source["quoted"]:
            assert span["start"] <= quoted["start"] < quoted["end"] <= span["end"]
    hidden = {t["turn"] for t in await transcript(client, debate, debate["teacher_token"])} - {t["turn"] for t in mine}
    assert hidden
    barred = await client.get(f"/v1/debates/{debate['id']}/turns/{min(hidden)}/sources", headers=bearer(seat))
    assert barred.status_code == 404  # another party's turn is not even confirmed to exist
    await end(client, debate)


async def test_scores_report_and_downloads(client: httpx.AsyncClient) -> None:
    debate = await create(client, seats={"kabul": "human"}, rounds=1)
    teacher = bearer(debate["teacher_token"])
    base = f"/v1/debates/{debate['id']}"
    await start(client, debate)
    await wait_for(client, debate, waiting_for("kabul"))
    assert (await post(client, debate, "kabul", "The Afghan state will talk to anyone who renounces violence.")).status_code == 202
    await wait_for(client, debate, waiting_for("kabul"))
    assert (await client.post(f"{base}/end", headers=teacher)).status_code == 200

    turns = await transcript(client, debate, debate["teacher_token"])
    scores = (await client.get(f"{base}/scores", headers=teacher)).json()
    assert [s["turn"] for s in scores] == [t["turn"] for t in turns if t["content"]]
    later = (await client.get(f"{base}/scores?after=3", headers=teacher)).json()
    assert later == [s for s in scores if s["turn"] > 3]  # a verdict never changes as the talks go on
    assert all({"rule", "evidence", "kind"} <= set(v) for s in scores for v in s["verdict"]["violations"])

    report = (await client.get(f"{base}/report", headers=teacher)).json()
    kabul = next(p for p in report["parties"] if p["party"] == "kabul")
    assert kabul["seat"] == "human" and kabul["turns"] == sum(t["speaker"] == "kabul" for t in turns)
    assert kabul["words"] == sum(len(t["content"].split()) for t in turns if t["speaker"] == "kabul")
    assert {p["party"] for p in report["parties"]} == {"kabul", "taliban", "us"}
    assert 0.0 <= kabul["faithful_rate"] <= 1.0 and "barrier" in report["metrics"] and "kabul" in report["airtime"]
    markdown = await client.get(f"{base}/report?format=md", headers=teacher)
    assert markdown.headers["content-disposition"].startswith("attachment;") and "| party |" in markdown.text

    jsonl = await client.get(f"{base}/transcript?format=jsonl", headers=teacher)
    lines = [json.loads(line) for line in jsonl.text.splitlines()]
    assert [e["turn"] for e in lines] == [t["turn"] for t in turns] and {e["event"] for e in lines} == {"turn"}
    assert jsonl.headers["content-type"].startswith("application/x-ndjson")


async def test_the_view_counts_down_the_waiting_seats_silence(client: httpx.AsyncClient) -> None:
    debate = await create(client, seats={"kabul": "human"}, silence={"action": "skip", "after_s": 600})
    assert (await wait_for(client, debate, lambda v: v["status"] == "created"))["silence_left_s"] is None
    await start(client, debate)
    view = await wait_for(client, debate, waiting_for("kabul"))
    assert 0 < view["silence_left_s"] <= 600 and view["round"] == 0 and view["max_message_chars"] > 0
    await end(client, debate)


async def test_the_page_is_served_with_no_referrer(client: httpx.AsyncClient) -> None:
    page = await client.get("/")
    assert page.headers["referrer-policy"] == "no-referrer"
    assert "<script>" not in page.text and "style=" not in page.text  # nothing inline: a strict CSP can hold


async def test_a_seat_answers_the_tabled_points_and_the_teacher_sees_it(client: httpx.AsyncClient) -> None:
    debate = await create(client, seats={"kabul": "human"}, rounds=1)
    await start(client, debate)
    seat = bearer(debate["seat_tokens"]["kabul"])
    while True:
        await wait_for(client, debate, waiting_for("kabul"))
        view = (await client.get(f"/v1/debates/{debate['id']}", headers=seat)).json()
        if view["text"]:
            break
        early = await client.post(f"/v1/debates/{debate['id']}/messages", headers=seat,
                                  json={"content": "Noted.", "answers": [{"point": "political-solution", "answer": "accept"}]})  # fmt: skip
        assert early.status_code == 400 and "points tabled: none yet" in early.json()["error"]["message"]
        assert (await post(client, debate, "kabul", "Kabul will talk through the mediator.")).status_code == 202
    points = [p["id"] for p in view["text"]]
    bogus = {"content": "Yes.", "answers": [{"point": "no-such-point", "answer": "accept"}]}
    response = await client.post(f"/v1/debates/{debate['id']}/messages", headers=seat, json=bogus)
    assert response.status_code == 400 and "no-such-point" in response.json()["error"]["message"]
    answers = [{"point": points[0], "answer": "accept"}, {"point": points[1], "answer": "amend", "amendment": "Only through the mediator."}]
    body = {"content": "Kabul accepts the first point and amends the second.", "answers": answers}
    assert (await client.post(f"/v1/debates/{debate['id']}/messages", headers=seat, json=body)).status_code == 202
    teacher = await wait_for(client, debate, lambda v: bool(v["text"][1]["answers"].get("kabul")))
    assert teacher["text"][0]["answers"]["kabul"]["answer"] == "accept"
    assert teacher["text"][1]["answers"]["kabul"] == {"point": points[1], "answer": "amend", "amendment": "Only through the mediator."}
    said = next(t for t in await transcript(client, debate, debate["teacher_token"]) if t["content"] == body["content"])
    assert said["human"] and [a["point"] for a in said["answers"]] == points[:2]
    too_long = {"content": "x" * 3990, "answers": [{"point": points[2], "answer": "amend", "amendment": "y" * 20}]}
    await wait_for(client, debate, waiting_for("kabul"))  # its closing statement
    response = await client.post(f"/v1/debates/{debate['id']}/messages", headers=seat, json=too_long)
    assert response.status_code == 413 and "with its amendments" in response.json()["error"]["message"]
    await end(client, debate)
