// The review page: a drafted scenario's positions beside their evidence in the source; accept, edit or drop each.
// Everything from the server is shown as text (textContent), never as HTML: sources and drafts are untrusted.
"use strict";

const $ = (id) => document.getElementById(id);
const state = { review: null };

async function api(method, path, body) {
  const headers = { "Content-Type": "application/json" };
  const key = $("key").value.trim();
  if (key) headers.Authorization = `Bearer ${key}`;
  const response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const data = response.headers.get("content-type")?.includes("json") ? await response.json() : await response.text();
  if (!response.ok) throw new Error(data.error ? data.error.message : `HTTP ${response.status}`);
  return data;
}

function showError(error) { $("error").textContent = error ? error.message : ""; }

function element(tag, props = {}, children = []) {
  const node = Object.assign(document.createElement(tag), props);
  for (const child of children) node.append(child);
  return node;
}

async function listScenarios(selected) {
  const scenarios = await api("GET", "/v1/authoring/scenarios");
  $("scenario").replaceChildren(...scenarios.map((s) => element("option", { value: s.id, textContent: s.id })));
  if (selected) $("scenario").value = selected;
}

// The source with every evidence span marked; overlapping spans share the first mark.
function renderSource(review) {
  const spans = [];
  for (const party of review.parties) {
    for (const position of party.positions) {
      position.evidence.forEach((span, index) => spans.push({ ...span, key: `${position.id}#${index}` }));
    }
  }
  spans.sort((a, b) => a.start - b.start);
  const parts = [];
  let cursor = 0;
  for (const span of spans) {
    if (span.start < cursor) continue;
    parts.push(review.source.slice(cursor, span.start));
    parts.push(element("mark", { id: `span-${span.key}`, textContent: review.source.slice(span.start, span.end) }));
    cursor = span.end;
  }
  parts.push(review.source.slice(cursor));
  $("source").replaceChildren(...parts);
}

function highlight(key) {
  document.querySelectorAll("#source mark.active").forEach((m) => m.classList.remove("active"));
  const mark = document.getElementById(`span-${key}`);
  if (mark) { mark.classList.add("active"); mark.scrollIntoView({ block: "center" }); }
}

function positionCard(position) {
  const name = `action-${position.id}`;
  const radio = (value, label) => element("label", {}, [
    element("input", { type: "radio", name, value, checked: value === "accept" }), ` ${label}`]);
  const stance = element("select", { className: "stance" },
    ["support", "oppose", "conditional"].map((s) => element("option", { value: s, textContent: s, selected: s === position.stance })));
  const card = element("div", { className: "position" }, [
    element("div", { className: "topic", textContent: position.topic }),
    element("label", {}, ["Stance ", stance]),
    element("label", {}, ["Statement (first person)", element("textarea", { className: "statement", rows: 2, value: position.statement })]),
    element("label", {}, ["Relay (third person)", element("textarea", { className: "relay", rows: 2, value: position.relay })]),
    ...position.evidence.map((span, index) => {
      const quote = element("p", { className: "quote", textContent: `“${span.quote}” (${span.start}–${span.end})` });
      quote.addEventListener("click", () => highlight(`${position.id}#${index}`));
      return quote;
    }),
    element("div", { className: "actions" }, [radio("accept", "Accept"), radio("edit", "Edit"), radio("drop", "Drop")]),
  ]);
  card.dataset.id = position.id;
  card.addEventListener("input", (event) => {
    if (event.target.matches("textarea, select")) card.querySelector("input[value=edit]").checked = true;
    card.classList.toggle("drop", card.querySelector("input[value=drop]").checked);
  });
  card.addEventListener("change", () => card.classList.toggle("drop", card.querySelector("input[value=drop]").checked));
  card.addEventListener("mouseenter", () => highlight(`${position.id}#0`));
  return card;
}

function showReview(review) {
  state.review = review;
  $("review").hidden = false;
  $("title").textContent = `${review.title} (${review.id})`;
  $("positions").replaceChildren(...review.parties.map((party) => element("div", { className: "party" }, [
    element("h3", { textContent: `${party.name} — ${party.positions.length} positions` }),
    ...party.positions.map(positionCard),
  ])));
  renderSource(review);
  const problems = review.problems.length
    ? review.problems.map((p) => element("li", { textContent: p }))
    : [element("li", { className: "ok", textContent: "No problems: ready to play." })];
  $("problems").replaceChildren(...problems);
}

function decisions() {
  return [...document.querySelectorAll(".position")].map((card) => {
    const action = card.querySelector("input[type=radio]:checked").value;
    const decision = { id: card.dataset.id, action };
    if (action === "edit") {
      decision.stance = card.querySelector(".stance").value;
      decision.statement = card.querySelector(".statement").value;
      decision.relay = card.querySelector(".relay").value;
    }
    return decision;
  });
}

async function run(action) {
  showError(null);
  try { await action(); } catch (error) { showError(error); }
}

$("open").addEventListener("click", () => run(async () => {
  showReview(await api("GET", `/v1/authoring/scenarios/${encodeURIComponent($("scenario").value)}`));
}));

$("save").addEventListener("click", () => run(async () => {
  const id = state.review.id;
  showReview(await api("PUT", `/v1/authoring/scenarios/${encodeURIComponent(id)}/positions`, { decisions: decisions() }));
}));

$("draft").addEventListener("submit", (event) => {
  event.preventDefault();
  run(async () => {
    const parties = $("draft-parties").value.split(",").map((p) => p.trim()).filter(Boolean);
    const body = { name: $("draft-name").value, source: $("draft-source").value, parties: parties.length ? parties : null };
    const review = await api("POST", "/v1/authoring/drafts", body);
    await listScenarios(review.id);
    showReview(review);
  });
});

$("key").addEventListener("change", () => run(() => listScenarios()));
run(() => listScenarios());
