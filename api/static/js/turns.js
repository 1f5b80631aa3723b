// Turn cards, the sources a turn cites, and faithfulness badges. Every message is set as text, never as HTML.

import { call } from "./api.js";

const VERBS = { statement: "says", relay: "relays", question: "asks", proposal: "proposes", answer: "answers", summary: "sums up" };

export function el(tag, { className, text, attrs } = {}, children = []) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined && text !== null) node.textContent = text;
  for (const [name, value] of Object.entries(attrs || {})) node.setAttribute(name, value);
  for (const child of children) if (child) node.append(child);
  return node;
}

export function clear(node) { node.replaceChildren(); }

/** Names of the scenario's personas, filled once the scenarios are loaded. */
export const names = { mediator: "Mediator" };

export const nameOf = (id) => names[id] || id;

export function audienceText(turn, parties) {
  if (parties.length && parties.every((p) => turn.audience.includes(p))) return "to all parties";
  return "to " + turn.audience.map(nameOf).join(", ");
}

/**
 * A turn as a list item. `me` is the seat reading it (its own words are marked "You"), `parties` the scenario's
 * parties, `debate` and `token` are needed to fetch the cited sources on demand.
 */
export function turnCard(turn, { me = null, parties = [], debate, token, mediator = "mediator", withBadge = false, idPrefix = "" }) {
  const mine = me !== null && turn.speaker === me;
  const fromMediator = turn.speaker === mediator;
  const item = el("li", { className: `turn ${mine ? "from-self" : fromMediator ? "from-mediator" : "from-party"} kind-${turn.kind}` });
  item.dataset.turn = String(turn.turn);
  const who = mine ? "You" : nameOf(turn.speaker);
  const verb = VERBS[turn.kind] || turn.kind;
  const meta = el("p", { className: "meta" }, [
    el("span", { className: "who", text: who }),
    el("span", { className: "verb", text: ` ${verb} ` }),
    el("span", { className: "to", text: fromMediator ? audienceText(turn, parties) : mine ? "to the mediator" : "" }),
    el("span", { className: "num", text: `#${turn.turn}` }),
  ]);
  if (turn.human && !mine) meta.append(el("span", { className: "tag", text: "student" }));
  if (withBadge) meta.append(el("span", { className: "badge-slot" }));
  item.append(meta);
  const failed = turn.error && !turn.content;
  item.append(el("p", { className: failed ? "content failed" : "content", text: failed ? `(no reply: ${turn.error})` : turn.content }));
  if (turn.answers && turn.answers.length) {
    item.append(el("ul", { className: "answers", attrs: { "aria-label": "Answers to the proposal" } },
      turn.answers.map((a) => el("li", { text: `Point ${a.point}: ${a.answer}${a.amendment ? ` (${a.amendment})` : ""}` }))));
  }
  if (turn.citations && turn.citations.length) item.append(sourcesToggle(turn, debate, token, idPrefix));
  return item;
}

function sourcesToggle(turn, debate, token, idPrefix) {
  const panelId = `${idPrefix}sources-${turn.turn}`;
  const count = new Set(turn.citations.map((c) => c.passage)).size;
  const button = el("button", { className: "link-button", text: `Sources (${count})`,
    attrs: { type: "button", "aria-expanded": "false", "aria-controls": panelId } });
  const panel = el("div", { className: "sources", attrs: { id: panelId, hidden: "" } });
  button.addEventListener("click", async () => {
    const open = button.getAttribute("aria-expanded") !== "true";
    button.setAttribute("aria-expanded", String(open));
    panel.hidden = !open;
    if (open && !panel.childElementCount) {
      panel.append(el("p", { className: "muted", text: "Loading the cited passages…" }));
      try {
        const sources = await call("GET", `/v1/debates/${encodeURIComponent(debate)}/turns/${turn.turn}/sources`, { token });
        panel.replaceChildren(...sources.map(sourceBlock));
      } catch (error) {
        panel.replaceChildren(el("p", { className: "error", text: error.message }));
      }
    }
  });
  return el("div", { className: "sources-wrap" }, [button, panel]);
}

/** One cited passage: its paragraph from the source, with the quoted spans marked. */
export function sourceBlock(source) {
  if (!source.found) return el("p", { className: "muted", text: `${source.passage}: not a passage of the source.` });
  const quote = el("blockquote", { className: "passage", attrs: { "aria-label": `Source passage ${source.passage}` } });
  let at = 0;
  for (const span of source.quoted) {
    quote.append(document.createTextNode(source.context.slice(at, span.start)));
    quote.append(el("mark", { text: source.context.slice(span.start, span.end) }));
    at = span.end;
  }
  quote.append(document.createTextNode(source.context.slice(at)));
  const caption = source.positions.length ? `Passage ${source.passage}, quoted for ${source.positions.join(", ")}` : `Passage ${source.passage}`;
  return el("figure", { className: "source" }, [el("figcaption", { text: caption }), quote]);
}

/** The deterministic scorer's verdict as a badge; the rule and evidence show on hover and on click. */
export function badge(score) {
  if (!score.verdict) {  // the turn failed or said nothing, or the scorer could not score it
    const why = score.failed || score.error || "";
    return el("span", { className: "badge bad", text: score.failed ? "failed" : "not scored", attrs: { title: why } });
  }
  const violations = score.verdict.violations;
  if (!violations.length) {
    return el("span", { className: "badge ok", text: "faithful", attrs: { title: `Score ${score.verdict.score.toFixed(2)}: no rule fired` } });
  }
  const detail = violations.map((v) => `${v.kind}: rule ${v.rule}, on “${v.evidence}”`).join("\n");
  const id = `verdict-${score.turn}-${Math.random().toString(36).slice(2, 8)}`;
  const button = el("button", { className: "badge bad", text: `${violations.length} issue${violations.length > 1 ? "s" : ""}`,
    attrs: { type: "button", title: detail, "aria-expanded": "false", "aria-controls": id } });
  const list = el("ul", { className: "violations", attrs: { id, hidden: "" } },
    violations.map((v) => el("li", {}, [el("strong", { text: v.kind }), ` (rule ${v.rule}): “${v.evidence}”`])));
  button.addEventListener("click", () => {
    const open = button.getAttribute("aria-expanded") !== "true";
    button.setAttribute("aria-expanded", String(open));
    list.hidden = !open;
  });
  return el("span", { className: "badge-wrap" }, [button, list]);
}

export function formatSeconds(seconds) {
  const s = Math.max(0, Math.ceil(seconds));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")}`;
}
