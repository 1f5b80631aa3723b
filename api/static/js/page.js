// Page-wide bits: element lookup, the error line, the status line.

import { nameOf } from "./turns.js";

export const $ = (id) => document.getElementById(id);

export function showError(error) {
  $("error").textContent = error ? error.message || String(error) : "";
  $("error").hidden = !error;
}

export function showStatus(text) { $("status").textContent = text; }

const STATUS = { created: "Not started", running: "In progress", paused: "Paused", waiting: "In progress", ended: "Ended" };
const STAGES = { opening: "Opening", rounds: "Indirect rounds", convergence: "Convergence", closing: "Closing" };

/** "In progress · Indirect rounds, round 2 · waiting for Kabul"; only the teacher is told who else has the floor. */
export function stageText(view) {
  const parts = [STATUS[view.status] || view.status];
  if (view.stage && view.status !== "ended") {
    parts.push(view.stage === "rounds" && view.round ? `${STAGES.rounds}, round ${view.round}` : STAGES[view.stage] || view.stage);
  }
  if (view.waiting_for && view.viewer === "teacher") parts.push(`waiting for ${nameOf(view.waiting_for)}`);
  else if (view.waiting_for && view.waiting_for === view.viewer) parts.push("your turn");
  return parts.join(" · ");
}
