// The classroom page: a teacher creates and steers a debate; a seat joins with its token and answers in turn.
// Live updates come over Server-Sent Events read with fetch, so the token travels in a header, never a URL.
"use strict";

const $ = (id) => document.getElementById(id);
const state = { id: null, token: null, seat: null, lastId: 0, stream: null };

async function api(method, path, body) {
  const headers = { "Content-Type": "application/json" };
  if (state.token) headers.Authorization = `Bearer ${state.token}`;
  const response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const data = response.headers.get("content-type")?.includes("json") ? await response.json() : await response.text();
  if (!response.ok) throw new Error(data.error ? data.error.message : `HTTP ${response.status}`);
  return data;
}

function showError(error) { $("error").textContent = error ? error.message : ""; }

async function loadScenarios() {
  const scenarios = await api("GET", "/v1/scenarios");
  $("scenario").innerHTML = scenarios.map((s) => `<option value="${s.id}">${s.title}</option>`).join("");
  const first = scenarios[0];
  $("seats").innerHTML = "<legend>Human seats</legend>" + first.parties.map((p) =>
    `<label><input type="checkbox" name="seat" value="${p}"> ${first.personas.find((x) => x.id === p).name}</label>`).join("");
}

function addTurn(turn) {
  const item = document.createElement("li");
  item.id = `turn-${turn.turn}`;
  item.className = turn.human ? "human" : "";
  const to = turn.audience.join(", ");
  const text = turn.error && !turn.content ? `(${turn.error})` : turn.content;
  item.innerHTML = `<span class="who"></span> <span class="kind"></span><div class="content"></div>`;
  item.querySelector(".who").textContent = `${turn.turn}. ${turn.speaker} → ${to}`;
  item.querySelector(".kind").textContent = turn.kind;
  item.querySelector(".content").textContent = text;
  $("turns").appendChild(item);
}

function showStatus(view) {
  $("status").textContent = `(${view.status}${view.stage ? ", " + view.stage : ""}${view.waiting_for ? ", waiting for " + view.waiting_for : ""})`;
  if (state.seat) {
    const mine = view.status === "waiting" && view.waiting_for === state.seat;
    $("send").disabled = !mine;
    $("prompt").textContent = mine ? `The mediator: ${view.prompt || "(your turn)"}` : "Wait for the mediator to address you.";
  }
}

function handle(event, data, id) {
  if (event === "turn") {
    const turn = JSON.parse(data);
    if (turn.turn > state.lastId) { addTurn(turn); state.lastId = turn.turn; }
  } else if (event === "status") {
    showStatus(JSON.parse(data));
  }
  if (id) state.lastId = Math.max(state.lastId, Number(id));
}

async function follow() {
  // Reconnects with Last-Event-ID (the last turn number) so no turn is lost or shown twice.
  const mine = Symbol("stream");
  state.stream = mine;
  while (state.stream === mine) {
    try {
      const headers = { Authorization: `Bearer ${state.token}`, "Last-Event-ID": String(state.lastId) };
      const response = await fetch(`/v1/debates/${state.id}/events`, { headers });
      if (!response.ok) throw new Error((await response.json()).error.message);
      const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
      let buffer = "";
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buffer += value.replace(/\r\n/g, "\n");
        let end;
        while ((end = buffer.indexOf("\n\n")) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const field = (name) => block.split("\n").filter((l) => l.startsWith(name + ":")).map((l) => l.slice(name.length + 1).trimStart());
          const data = field("data").join("\n");
          if (data) handle(field("event")[0] || "message", data, field("id")[0]);
        }
      }
      if ($("status").textContent.startsWith("(ended")) return;
    } catch (error) {
      showError(error);
    }
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
}

function watch(id, token) {
  Object.assign(state, { id, token, lastId: 0 });
  $("turns").innerHTML = "";
  follow();
}

$("create").addEventListener("submit", async (event) => {
  event.preventDefault();
  showError(null);
  try {
    state.token = null;
    const seats = Object.fromEntries([...document.querySelectorAll("input[name=seat]:checked")].map((b) => [b.value, "human"]));
    const created = await api("POST", "/v1/debates", {
      scenario: $("scenario").value, seats, rounds: Number($("rounds").value),
      silence: { action: $("silence").value, after_s: Number($("after").value) },
    });
    $("created").hidden = false;
    $("debate-id").textContent = created.id;
    $("tokens").innerHTML = "";
    for (const [seat, token] of Object.entries(created.seat_tokens)) {
      const item = document.createElement("li");
      item.innerHTML = `<span></span>: <code class="seat-token"></code>`;
      item.querySelector("span").textContent = seat;
      item.querySelector("code").textContent = token;
      item.dataset.seat = seat;
      $("tokens").appendChild(item);
    }
    state.seat = null;
    watch(created.id, created.teacher_token);
  } catch (error) { showError(error); }
});

document.querySelectorAll("[data-control]").forEach((button) => button.addEventListener("click", async () => {
  showError(null);
  try { showStatus(await api("POST", `/v1/debates/${state.id}/${button.dataset.control}`)); } catch (error) { showError(error); }
}));

$("inject").addEventListener("submit", async (event) => {
  event.preventDefault();
  try { await api("POST", `/v1/debates/${state.id}/inject`, { text: $("news").value }); $("news").value = ""; } catch (error) { showError(error); }
});

$("join").addEventListener("submit", async (event) => {
  event.preventDefault();
  showError(null);
  try {
    Object.assign(state, { id: $("join-id").value.trim(), token: $("join-token").value.trim() });
    const view = await api("GET", `/v1/debates/${state.id}`);
    state.seat = view.viewer === "teacher" ? null : view.viewer;
    $("post").hidden = !state.seat;
    $("teacher").hidden = Boolean(state.seat);
    showStatus(view);
    watch(state.id, state.token);
  } catch (error) { showError(error); }
});

$("post").addEventListener("submit", async (event) => {
  event.preventDefault();
  showError(null);
  try {
    $("send").disabled = true;
    await api("POST", `/v1/debates/${state.id}/messages`, { content: $("message").value });
    $("message").value = "";
  } catch (error) { showError(error); $("send").disabled = false; }
});

loadScenarios().catch(showError);
