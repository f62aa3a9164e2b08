// The hall's shared browser module (plain ES module, no build step), imported by every page:
// the JSON API with its error shape, a live event stream that reconnects, the languages, and a DOM builder.

export const API_PREFIX = "/api/v1";

// The three languages the hall serves, each named in itself (as the citizen picked it at the kiosk).
export const LANGUAGES = { "zh-Hans": "简体中文", "zh-Hant": "繁體中文", en: "English" };

export function languageName(code) {
  return LANGUAGES[code] || code;
}

// Call the hall API. A refusal arrives as {"error": {"code", "message"}} (DESIGN §4.4); it is thrown as an
// Error carrying `code` and `status`, and a reply that is not JSON gets the code "http_<status>".
export async function api(path, { method = "GET", body, token } = {}) {
  const headers = { "Content-Type": "application/json" };
  if (token) headers.Authorization = "Bearer " + token;
  const reply = await fetch(API_PREFIX + path, {
    method, headers, body: body === undefined ? undefined : JSON.stringify(body),
  });
  let data = null;
  try { data = await reply.json(); } catch (e) { data = null; }
  if (!reply.ok) {
    const error = (data && data.error) || { code: "http_" + reply.status, message: reply.statusText };
    throw Object.assign(new Error(error.message), { code: error.code, status: reply.status });
  }
  return data;
}

// Follow a server-sent event stream: onEvent(type, data, lastEventId) for each event named in `events`
// (data parsed as JSON when it is JSON). The browser retries a dropped link by itself, but gives up for good
// when the server answers with an error status; then this opens a new one after `retryMs`.
// Returns { close() }.
export function stream(url, onEvent, { events = ["message"], retryMs = 2000, onState } = {}) {
  let source = null;
  let timer = null;
  let closed = false;
  const open = () => {
    source = new EventSource(url);
    source.onopen = () => { if (onState) onState("open"); };
    source.onerror = () => {
      if (closed) return;
      if (onState) onState(source.readyState === EventSource.CLOSED ? "closed" : "retrying");
      if (source.readyState === EventSource.CLOSED) {
        clearTimeout(timer);
        timer = setTimeout(open, retryMs);
      }
    };
    for (const type of events) {
      source.addEventListener(type, (event) => {
        let data = event.data;
        try { data = JSON.parse(event.data); } catch (e) { /* plain text stays text */ }
        onEvent(type, data, event.lastEventId);
      });
    }
  };
  open();
  return {
    close() {
      closed = true;
      clearTimeout(timer);
      if (source) source.close();
    },
  };
}

// Build an element: attributes ("class", "on<event>" handlers, the rest as attributes) and children
// (nodes, or anything else as text).
export function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (key === "class") node.className = value;
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value);
  }
  for (const child of children) node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  return node;
}
