// The teacher: set up a debate, hand out join links, watch every channel, steer, and grade afterwards.

import { call, download, follow, joinLink, operatorKey, saveSession, setOperatorKey } from "./api.js";
import { $, showError, showStatus, stageText } from "./page.js";
import { showQr } from "./qr.js";
import { badge, clear, el, formatSeconds, nameOf, turnCard } from "./turns.js";

// -- setting up ---------------------------------------------------------------------------

export function startSetup(scenarios, onCreated) {
  $("setup").hidden = false;
  $("operator-key").value = operatorKey();
  $("operator-key").addEventListener("change", () => setOperatorKey($("operator-key").value.trim()));
  const select = $("scenario");
  select.replaceChildren(...scenarios.map((s) => el("option", { text: s.title, attrs: { value: s.id } })));
  const seats = () => {
    const scenario = scenarios.find((s) => s.id === select.value) || scenarios[0];
    const boxes = scenario.parties.map((p) => el("label", { className: "check" }, [
      el("input", { attrs: { type: "checkbox", name: "seat", value: p } }), ` ${scenario.personas.find((x) => x.id === p).name}`]));
    $("seats").replaceChildren(el("legend", { text: "Seats played by students" }), ...boxes);
    $("rounds").value = String(scenario.rounds);
  };
  select.addEventListener("change", seats);
  if (scenarios.length) seats();
  $("create").addEventListener("submit", async (event) => {
    event.preventDefault();
    showError(null);
    setOperatorKey($("operator-key").value.trim());
    const chosen = [...document.querySelectorAll("input[name=seat]:checked")].map((b) => b.value);
    try {
      const created = await call("POST", "/v1/debates", {
        token: operatorKey() || undefined,
        body: {
          scenario: select.value, seats: Object.fromEntries(chosen.map((s) => [s, "human"])), rounds: Number($("rounds").value),
          silence: { action: $("silence").value, after_s: Number($("after").value) },
        },
      });
      saveSession(created.id, { token: created.teacher_token, seats: created.seat_tokens, observer: created.observer_token });
      $("setup").hidden = true;
      onCreated(created.id);
    } catch (error) {
      showError(error.status === 401 ? new Error(`${error.message}. Enter the operator key under "Operator key".`) : error);
      if (error.status === 401) $("operator-details").open = true;
    }
  });
}

// -- the dashboard --------------------------------------------------------------------------

export function startDashboard(session, view, scenario) {
  const d = { session, view, scenario, turns: [], scores: new Map(), scored: 0, refresh: null, deadline: null };
  const base = `/v1/debates/${encodeURIComponent(session.id)}`;
  $("dashboard").hidden = false;
  $("dash-title").textContent = scenario ? scenario.title : "Debate";
  renderLinks(d);
  buildColumns(d);
  controls(d, base);
  afterTalks(d, base);
  render(d, view);
  setInterval(() => tickTimers(d), 1000);
  follow(session.id, session.token, {
    onTurn: (turn) => { d.turns.push(turn); addTurn(d, turn); scheduleRefresh(d, base); },
    onStatus: (next) => { render(d, next); scheduleRefresh(d, base); },
    onError: showError,
  });
}

function renderLinks(d) {
  const list = $("link-list");
  clear(list);
  const seats = d.session.seats || {};
  const entries = Object.entries(seats).map(([seat, token]) => [nameOf(seat), `seat-${seat}`, joinLink(d.session.id, token)]);
  if (d.session.observer) entries.push(["Observers (projector)", "observer", joinLink(d.session.id, d.session.observer)]);
  if (!entries.length) {
    list.append(el("li", { className: "muted", text: "The join links are shown only in the tab that created the debate." }));
    return;
  }
  for (const [label, key, url] of entries) {
    const inputId = `link-${key}`;
    const input = el("input", { className: "link", attrs: { id: inputId, type: "text", readonly: "", value: url } });
    const copy = el("button", { text: "Copy", attrs: { type: "button", "aria-label": `Copy the join link for ${label}` } });
    copy.addEventListener("click", () => copyText(input, copy));
    const qr = el("button", { text: "Show QR", attrs: { type: "button", "aria-label": `Show QR code of the join link for ${label}` } });
    qr.addEventListener("click", () => showQr(label, url));
    const item = el("li", {}, [el("label", { text: label, attrs: { for: inputId } }), input, copy, qr]);
    item.dataset.link = key;
    list.append(item);
  }
}

async function copyText(input, button) {
  try {
    await navigator.clipboard.writeText(input.value);
  } catch {  // no clipboard API outside a secure context: select it for Ctrl+C
    input.select();
    document.execCommand("copy");
  }
  button.textContent = "Copied";
  setTimeout(() => { button.textContent = "Copy"; }, 2000);
}

function parties(d) { return d.scenario ? d.scenario.parties : Object.keys(d.view.seats); }

function buildColumns(d) {
  const box = $("channels");
  clear(box);
  for (const party of parties(d)) {
    const head = el("header", {}, [
      el("h4", { text: nameOf(party), attrs: { id: `col-${party}-title` } }),
      el("p", { className: "seat-kind", text: d.view.seats[party] === "human" ? "Student" : "AI" }),
      el("p", { className: "seat-state", attrs: { id: `col-${party}-state` } }),
    ]);
    const list = el("ol", { className: "thread", attrs: { "aria-labelledby": `col-${party}-title` } });
    const column = el("section", { className: "column", attrs: { "aria-labelledby": `col-${party}-title` } }, [head, list]);
    column.dataset.party = party;
    box.append(column);
  }
}

function addTurn(d, turn) {
  for (const party of parties(d)) {
    if (turn.speaker !== party && !turn.audience.includes(party)) continue;
    const card = turnCard(turn, { parties: parties(d), debate: d.session.id, token: d.session.token,
      mediator: d.scenario?.mediator, withBadge: true, idPrefix: `${party}-` });
    const list = document.querySelector(`.column[data-party="${party}"] ol`);
    const following = list.scrollHeight - list.scrollTop - list.clientHeight < 40;  // keep the newest in view unless scrolled back
    list.append(card);
    if (following) list.scrollTop = list.scrollHeight;
    const score = d.scores.get(turn.turn);
    if (score) card.querySelector(".badge-slot").replaceChildren(badge(score));
  }
}

function render(d, view) {
  if (d.view && view.turns < d.view.turns) return; // a reply overtaken by a newer view from the stream
  d.view = view;
  showStatus(stageText(view));
  d.deadline = view.waiting_for && view.silence_left_s !== null ? Date.now() + view.silence_left_s * 1000 : null;
  const status = view.status;
  const allowed = { start: status === "created", pause: status === "running" || status === "waiting", resume: status === "paused",
    advance: status !== "ended", end: status !== "ended" };
  document.querySelectorAll("[data-control]").forEach((b) => { b.disabled = !allowed[b.dataset.control]; });
  $("news").disabled = $("inject-button").disabled = status === "ended";
  renderPoints(d, view.text);
  tickTimers(d);
  $("after-talks").classList.toggle("done", status === "ended");
}

function tickTimers(d) {
  const spoken = new Map();
  for (const turn of d.turns) spoken.set(turn.speaker, (spoken.get(turn.speaker) || 0) + 1);
  for (const party of parties(d)) {
    const node = $(`col-${party}-state`);
    if (!node) continue;
    const times = spoken.get(party) || 0;
    let text = `Spoke ${times} time${times === 1 ? "" : "s"}`;
    if (d.view.waiting_for === party && d.deadline !== null) {
      const left = (d.deadline - Date.now()) / 1000;
      text = left > 0 ? `Has the floor: ${formatSeconds(left)} left` : "Late: the silence rule applies now";
    } else if (d.view.next_speaker === party && d.view.status === "running") {
      text += " · speaks next";
    }
    node.textContent = text;
    node.closest(".column").classList.toggle("has-floor", d.view.waiting_for === party);
  }
}

const VERDICT = { accept: "✓ accepts", reject: "✗ rejects", amend: "✎ amends" };

function renderPoints(d, points) {
  const table = $("points");
  $("no-points").hidden = points.length > 0;
  table.hidden = points.length === 0;
  const head = el("tr", {}, [el("th", { text: "Point", attrs: { scope: "col" } }),
    ...parties(d).map((p) => el("th", { text: nameOf(p), attrs: { scope: "col" } }))]);
  const rows = points.map((point) => el("tr", {}, [
    el("th", { text: point.text, attrs: { scope: "row" } }),
    ...parties(d).map((p) => {
      const answer = point.answers[p];
      if (!answer) return el("td", { className: "pending", text: "no answer yet" });
      return el("td", { className: `verdict ${answer.answer}` }, [
        el("span", { text: VERDICT[answer.answer] || answer.answer }),
        answer.amendment ? el("span", { className: "amendment", text: answer.amendment }) : null,
      ]);
    }),
  ]));
  table.replaceChildren(el("caption", { className: "visually-hidden", text: "Each party's answer to each point" }),
    el("thead", {}, [head]), el("tbody", {}, rows));
}

function scheduleRefresh(d, base) {
  clearTimeout(d.refresh);
  d.refresh = setTimeout(async () => {
    try {
      const [view, scores] = await Promise.all([
        call("GET", base, { token: d.session.token }),
        call("GET", `${base}/scores?after=${d.scored}`, { token: d.session.token }),
      ]);
      render(d, view);
      for (const score of scores) {
        d.scores.set(score.turn, score);
        d.scored = Math.max(d.scored, score.turn);
        document.querySelectorAll(`.column li[data-turn="${score.turn}"] .badge-slot`).forEach((slot) => slot.replaceChildren(badge(score)));
      }
    } catch (error) { showError(error); }
  }, 300);
}

function controls(d, base) {
  document.querySelectorAll("[data-control]").forEach((button) => button.addEventListener("click", async () => {
    showError(null);
    if (button.dataset.control === "end" && !confirm("End the talks for everyone?")) return;
    try { render(d, await call("POST", `${base}/${button.dataset.control}`, { token: d.session.token })); } catch (error) { showError(error); }
  }));
  $("inject").addEventListener("submit", async (event) => {
    event.preventDefault();
    showError(null);
    try {
      render(d, await call("POST", `${base}/inject`, { token: d.session.token, body: { text: $("news").value } }));
      $("news").value = "";
    } catch (error) { showError(error); }
  });
}

// -- after the talks -------------------------------------------------------------------------

function afterTalks(d, base) {
  const files = { "transcript-md": ["transcript?format=md", "transcript.md"], "transcript-jsonl": ["transcript?format=jsonl", "transcript.jsonl"],
    "report-md": ["report?format=md", "report.md"], "report-json": ["report", "report.json"] };
  for (const [id, [path, suffix]] of Object.entries(files)) {
    $(id).addEventListener("click", async () => {
      showError(null);
      try { await download(`${base}/${path}`, d.session.token, `debate-${d.session.id.slice(0, 8)}-${suffix}`); } catch (error) { showError(error); }
    });
  }
  const box = $("summary-buttons");
  clear(box);
  for (const party of parties(d).filter((p) => d.view.seats[p] === "human")) {
    const button = el("button", { text: `Summary for ${nameOf(party)}`, attrs: { type: "button" } });
    button.addEventListener("click", () => showSummary(d, base, party).catch(showError));
    box.append(button);
  }
  $("summary-print").addEventListener("click", () => window.print());
  $("summary-close").addEventListener("click", () => { $("summary").hidden = true; document.body.classList.remove("printing-summary"); });
}

async function showSummary(d, base, party) {
  const report = await call("GET", `${base}/report`, { token: d.session.token });
  const mine = report.parties.find((p) => p.party === party);
  const scored = new Map(report.turns.map((t) => [t.turn, t]));
  const pointText = new Map(Object.entries(report.points));
  $("summary-title").textContent = `${mine.name}: summary for grading`;
  $("summary-meta").textContent = `${report.title} · debate ${report.debate} · ${new Date().toLocaleString()}`;
  const facts = [["Turns taken", mine.turns], ["Words said", mine.words], ["Words the mediator addressed to this seat", mine.addressed_words],
    ["Faithful turns (deterministic scorer)", mine.faithful_rate === null ? "n/a" : `${Math.round(mine.faithful_rate * 100)}%`], ["Concessions made", mine.concessions.length]];
  $("summary-facts").replaceChildren(...facts.flatMap(([k, v]) => [el("dt", { text: k }), el("dd", { text: String(v) })]));
  $("summary-concessions").replaceChildren(...(mine.concessions.length
    ? mine.concessions.map((c) => el("li", { text: `Turn ${c.turn} (${c.topic}, now ${c.to}): ${c.statement}` }))
    : [el("li", { text: "No listed concession made." })]));
  $("summary-answers").replaceChildren(...(mine.answers.length
    ? mine.answers.map((a) => el("li", { text: `${pointText.get(a.point) || a.point}: ${a.answer}${a.amendment ? ` (${a.amendment})` : ""}` }))
    : [el("li", { text: "No answers to the negotiating text." })]));
  const turns = d.turns.filter((t) => t.speaker === party);
  $("summary-turns").replaceChildren(...turns.map((t) => {
    const verdict = scored.get(t.turn)?.verdict;
    const flags = verdict && verdict.violations.length
      ? el("ul", {}, verdict.violations.map((v) => el("li", { text: `${v.kind} (rule ${v.rule}): “${v.evidence}”` })))
      : el("p", { className: "muted", text: "No rule fired." });
    return el("li", {}, [el("p", { className: "meta", text: `Turn ${t.turn} · ${t.stage}${t.human ? "" : " · AI stood in"}` }),
      el("p", { text: t.content || `(no reply: ${t.error})` }), flags]);
  }));
  $("summary").hidden = false;
  document.body.classList.add("printing-summary");
  $("summary-title").focus();
}
