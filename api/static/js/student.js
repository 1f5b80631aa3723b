// A student's seat (its own channel, its turn, its answer) and the observer's view (what the mediator says to all).

import { call, follow } from "./api.js";
import { $, showError, showStatus, stageText } from "./page.js";
import { clear, el, formatSeconds, nameOf, turnCard } from "./turns.js";

const SILENCE = { stand_in: "before an AI answers for you", skip: "before your turn is skipped" };

export function startStudent(session, view, scenario) {
  const seat = view.viewer;
  const thread = $("my-turns");
  const message = $("message");
  const state = { view: { ...view, status: "created" }, deadline: null, sending: false, asked: null };
  $("student").hidden = false;
  $("student-title").textContent = `You are ${nameOf(seat)}`;
  $("student-role").textContent = scenario ? scenario.personas.find((p) => p.id === seat)?.role || "" : "";
  message.maxLength = view.max_message_chars;
  clear(thread);

  const count = () => {
    const length = message.value.length;
    $("count").textContent = `${length} / ${state.view.max_message_chars} characters`;
    $("count").classList.toggle("over", length > state.view.max_message_chars);
    $("send").disabled = !myTurn() || state.sending || !message.value.trim() || length > state.view.max_message_chars;
  };
  const myTurn = () => state.view.status === "waiting" && state.view.waiting_for === seat;

  const render = (next) => {
    // A post's reply can arrive after a newer view from the stream (the AI's turns are that quick): keep the newer.
    if (next.turns < state.view.turns) return false;
    const wasMine = myTurn();
    state.view = next;
    const mine = myTurn();
    state.deadline = mine && next.silence_left_s !== null ? Date.now() + next.silence_left_s * 1000 : null;
    $("turn-banner").classList.toggle("mine", mine);
    $("turn-state").textContent = mine ? "Your turn: answer the mediator below." : waitingText(next, seat);
    $("countdown").hidden = !mine || state.deadline === null;
    document.title = `${mine ? "● Your turn · " : ""}${nameOf(seat)} · Classroom peace talks`;
    showStatus(stageText(next));
    renderPoints(next.text, seat, mine && state.asked === "proposal");
    count();
    tick();
    if (mine && !wasMine) message.focus();
    return true;
  };
  const tick = () => {
    if (state.deadline === null) return;
    $("countdown").textContent = `${formatSeconds((state.deadline - Date.now()) / 1000)} left ${SILENCE[state.view.silence.action]}`;
  };
  setInterval(tick, 1000);
  message.addEventListener("input", count);
  message.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) { event.preventDefault(); $("post").requestSubmit(); }
  });
  $("post").addEventListener("submit", async (event) => {
    event.preventDefault();
    showError(null);
    state.sending = true;
    count();
    try {
      const body = { content: message.value, answers: chosenAnswers() };
      const current = render(await call("POST", `/v1/debates/${encodeURIComponent(session.id)}/messages`, { token: session.token, body }));
      message.value = "";
      delete $("point-answers").dataset.points;
      if (current) $("turn-state").textContent = "Sent. The mediator will come back to you.";
    } catch (error) { showError(error); }
    state.sending = false;
    count();
  });

  render(view);
  follow(session.id, session.token, {
    onTurn: (turn) => {
      if (turn.speaker !== seat) state.asked = turn.kind;
      thread.append(turnCard(turn, { me: seat, parties: scenario?.parties || [], debate: session.id, token: session.token, mediator: scenario?.mediator }));
    },
    onStatus: render,
    onError: showError,
  });
}

const CHOICES = [["accept", "Accept"], ["reject", "Reject"], ["amend", "Amend"]];

/** When the mediator has tabled points, the seat answers each with accept, reject or an amendment. */
function renderPoints(points, seat, mine) {
  const box = $("point-answers");
  box.hidden = !mine || points.length === 0;
  const ids = points.map((p) => p.id).join(" ");
  if (box.hidden || box.dataset.points === ids) return;
  box.dataset.points = ids;
  box.replaceChildren(el("p", { className: "muted", text: "The mediator's proposal: give your answer to each point (optional), then explain it below." }),
    ...points.map((point) => {
      const given = point.answers[seat];
      const name = `point-${point.id}`;
      const radios = CHOICES.map(([value, label]) => {
        const input = el("input", { attrs: { type: "radio", name, value, id: `${name}-${value}` } });
        input.checked = given?.answer === value;
        return el("label", { className: "check" }, [input, ` ${label}`]);
      });
      const amendmentId = `${name}-amendment`;
      const amendment = el("input", { className: "amendment", attrs: { id: amendmentId, type: "text", maxlength: "600" } });
      amendment.value = given?.amendment || "";
      const amendBox = el("div", { className: "amend-box" }, [el("label", { text: "Your amendment", attrs: { for: amendmentId } }), amendment]);
      const group = el("fieldset", { className: "point" }, [el("legend", { text: point.text }), ...radios, amendBox]);
      group.dataset.point = point.id;
      const sync = () => { amendBox.hidden = group.querySelector("input[type=radio]:checked")?.value !== "amend"; };
      group.addEventListener("change", sync);
      sync();
      return group;
    }));
}

function chosenAnswers() {
  if ($("point-answers").hidden) return [];
  return [...document.querySelectorAll("#point-answers fieldset.point")].flatMap((group) => {
    const answer = group.querySelector("input[type=radio]:checked")?.value;
    if (!answer) return [];
    const amendment = answer === "amend" ? group.querySelector("input.amendment").value.trim() || null : null;
    return [{ point: group.dataset.point, answer, amendment }];
  });
}

function waitingText(view, seat) {
  if (view.status === "created") return "The talks have not started yet.";
  if (view.status === "paused") return "The teacher has paused the talks.";
  if (view.status === "ended") return "The talks have ended.";
  if (view.status === "waiting" && view.waiting_for !== seat) return "Another seat is answering the mediator. Wait for the mediator to address you.";
  return "Wait for the mediator to address you.";
}

export function startObserver(session, view, scenario) {
  const thread = $("public-turns");
  $("observer").hidden = false;
  clear(thread);
  showStatus(stageText(view));
  follow(session.id, session.token, {
    onTurn: (turn) => thread.append(turnCard(turn, { parties: scenario?.parties || [], debate: session.id, token: session.token, mediator: scenario?.mediator })),
    onStatus: (next) => showStatus(stageText(next)),
    onError: showError,
  });
}
