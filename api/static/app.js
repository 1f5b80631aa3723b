// The classroom page. One link opens one view: no link sets up a debate; a teacher's tab shows the dashboard;
// a seat's join link (#d=<debate>&t=<token>) opens that student's channel; the observer link the public view.

import { call, sessionFromLocation } from "./js/api.js";
import { $, showError } from "./js/page.js";
import { wireQrDialog } from "./js/qr.js";
import { startObserver, startStudent } from "./js/student.js";
import { startDashboard, startSetup } from "./js/teacher.js";
import { names } from "./js/turns.js";

const WHERE = { teacher: "Teacher dashboard", observer: "Observer view: what the mediator says to all parties" };

async function open(session, scenarios) {
  const view = await call("GET", `/v1/debates/${encodeURIComponent(session.id)}`, { token: session.token });
  const scenario = scenarios.find((s) => s.id === view.scenario) || null;
  for (const persona of scenario ? scenario.personas : []) names[persona.id] = persona.mediator ? "Mediator" : persona.name;
  $("where").textContent = WHERE[view.viewer] || `Student seat: ${names[view.viewer] || view.viewer}`;
  if (view.viewer === "teacher") startDashboard(session, view, scenario);
  else if (view.viewer === "observer") startObserver(session, view, scenario);
  else startStudent(session, view, scenario);
}

async function boot() {
  wireQrDialog();
  window.addEventListener("hashchange", () => location.reload());
  let scenarios = [];
  try { scenarios = await call("GET", "/v1/scenarios"); } catch (error) { showError(error); }
  const session = sessionFromLocation();
  if (session === null) {
    $("where").textContent = "Set up a debate";
    startSetup(scenarios, (id) => {
      history.replaceState(null, "", `${location.pathname}#d=${encodeURIComponent(id)}`);
      open(sessionFromLocation(), scenarios).catch(showError);
    });
    return;
  }
  if (!session.token) {
    $("where").textContent = "No access";
    showError(new Error("This tab has no token for this debate: open your join link again (teachers: the tab that created it)."));
    return;
  }
  await open(session, scenarios);
}

boot().catch(showError);
