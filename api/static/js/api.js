// Talking to the server: JSON calls with the tab's token, the tab's session, and the live event stream.
// Tokens travel only in the Authorization header (never in a URL the server sees) and live in sessionStorage.

const OPERATOR_KEY = "deliberation:operator-key";

export class ApiError extends Error {
  constructor(message, status) { super(message); this.status = status; }
}

export function operatorKey() { return sessionStorage.getItem(OPERATOR_KEY) || ""; }

export function setOperatorKey(key) {
  if (key) sessionStorage.setItem(OPERATOR_KEY, key); else sessionStorage.removeItem(OPERATOR_KEY);
}

async function request(method, path, { token, body, accept } = {}) {
  const headers = {};
  if (body !== undefined) headers["Content-Type"] = "application/json";
  if (token) headers.Authorization = `Bearer ${token}`;
  if (accept) headers.Accept = accept;
  const response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  if (!response.ok) {
    let message = `${method} ${path}: HTTP ${response.status}`;
    try { message = (await response.json()).error.message; } catch { /* not our JSON error body */ }
    throw new ApiError(message, response.status);
  }
  return response;
}

export async function call(method, path, options = {}) {
  const response = await request(method, path, options);
  return response.headers.get("content-type")?.includes("json") ? response.json() : response.text();
}

/** Fetch a file with the token and hand it to the browser as a download. */
export async function download(path, token, filename) {
  const blob = await (await request("GET", path, { token })).blob();
  const link = document.createElement("a");
  link.href = URL.createObjectURL(blob);
  link.download = filename;
  document.body.appendChild(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(link.href), 10_000);
}

// -- the tab's session ------------------------------------------------------------------

const key = (id) => `deliberation:debate:${id}`;

export function saveSession(id, session) { sessionStorage.setItem(key(id), JSON.stringify(session)); }

export function loadSession(id) {
  try { return JSON.parse(sessionStorage.getItem(key(id)) || "null"); } catch { return null; }
}

/** The debate a link or this tab names: `#d=<id>&t=<token>`; the token is moved into the tab's storage at once. */
export function sessionFromLocation() {
  const params = new URLSearchParams(location.hash.slice(1));
  const id = params.get("d");
  if (!id) return null;
  const token = params.get("t");
  if (token) {
    saveSession(id, { ...(loadSession(id) || {}), token });
    history.replaceState(null, "", `${location.pathname}#d=${encodeURIComponent(id)}`);
  }
  const session = loadSession(id);
  return session && session.token ? { id, ...session } : { id, token: null };
}

export function joinLink(id, token) {
  return `${location.origin}/#d=${encodeURIComponent(id)}&t=${encodeURIComponent(token)}`;
}

// -- the live stream ----------------------------------------------------------------------

function parseBlock(block) {
  const field = (name) => block.split("\n").filter((l) => l.startsWith(name + ":")).map((l) => l.slice(name.length + 1).replace(/^ /, ""));
  return { event: field("event")[0] || "message", data: field("data").join("\n"), id: field("id")[0] };
}

/**
 * Follow a debate's Server-Sent Events with fetch (so the token goes in a header), reconnecting with
 * Last-Event-ID = the last turn seen: no turn is lost or shown twice. Returns a function that stops it.
 */
export function follow(id, token, { onTurn, onStatus, onError }) {
  let lastId = 0;
  let stopped = false;
  let controller = null;
  let ended = false;
  (async () => {
    while (!stopped && !ended) {
      controller = new AbortController();
      try {
        const headers = { Authorization: `Bearer ${token}`, "Last-Event-ID": String(lastId) };
        const response = await fetch(`/v1/debates/${encodeURIComponent(id)}/events`, { headers, signal: controller.signal });
        if (!response.ok) throw new ApiError((await response.json()).error.message, response.status);
        const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
        let buffer = "";
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          buffer += value.replace(/\r\n/g, "\n");
          let end;
          while ((end = buffer.indexOf("\n\n")) >= 0) {
            const { event, data, id: eventId } = parseBlock(buffer.slice(0, end));
            buffer = buffer.slice(end + 2);
            if (!data) continue;
            if (event === "turn") {
              const turn = JSON.parse(data);
              if (turn.turn > lastId) { lastId = turn.turn; onTurn(turn); }
            } else if (event === "status") {
              const view = JSON.parse(data);
              ended = view.status === "ended";
              onStatus(view);
            }
            if (eventId) lastId = Math.max(lastId, Number(eventId));
          }
        }
      } catch (error) {
        if (stopped) return;
        onError(error);
        if (error instanceof ApiError && error.status < 500) return;  // a bad token will not get better
      }
      if (!stopped && !ended) await new Promise((resolve) => setTimeout(resolve, 1000));
    }
  })();
  return () => { stopped = true; controller?.abort(); };
}
