// The console's counter view: a clerk picks a window of a site (from the hall's plan), signs in, and calls,
// recalls, starts, completes, marks no-show, parks and unparks, calls a chosen number with a reason,
// transfers to a queue or a window, and pauses. What is at the window is always asked of the hall
// (GET /windows/mine), so a reload shows the current ticket again.
import { api, el } from "/static/hall.js";
import { ago, clockTime } from "/static/when.js";
import { MESSAGES, PRIORITIES, STATES, bilingual, errorWords } from "./counter_words.js";

const $ = (id) => document.getElementById(id);
const REFRESH_MS = 15000;
let token = null;
let desk = null; // the last GET /windows/mine answer
let deskAt = 0; // performance.now() when it came
let timer = null;

export async function startCounter(sessionToken) {
  token = sessionToken;
  await loadSites();
  await refresh();
  clearInterval(timer);
  timer = setInterval(refresh, REFRESH_MS);
}

const site = () => $("counter-site").value;
const at = () => `/counters/${encodeURIComponent(desk.window)}`;
const withSite = (path) => `${path}${path.includes("?") ? "&" : "?"}site=${encodeURIComponent(desk ? desk.site : site())}`;

async function loadSites() {
  try {
    const data = await api("/sites", { token });
    const halls = data.sites.filter((s) => s.kind === "hall");
    $("counter-site").replaceChildren(...halls.map((s) => el("option", { value: s.code }, `${s.code} · ${s.name}`)));
  } catch (error) {
    showError(error);
  }
}

$("counter-site").addEventListener("change", () => loadWindows());

async function loadWindows() {
  try {
    const data = await api(`/windows?site=${encodeURIComponent(site())}`, { token });
    const options = [el("option", { value: "" }, `${MESSAGES.pick_window["zh-Hans"]} ${MESSAGES.pick_window.en}`)];
    for (const w of data.windows) {
      const state = STATES[w.state] || { "zh-Hans": w.state, en: w.state };
      const text = `${w.number} · ${w.area} · ${w.name} (${w.queues.join("/")}) · ${state["zh-Hans"]} ${state.en}`;
      const attrs = { value: w.number };
      if (w.state === "closed" || w.state === "open" || w.state === "paused") attrs.disabled = "disabled";
      options.push(el("option", attrs, text));
    }
    const chosen = $("window-select").value;
    $("window-select").replaceChildren(...options);
    if (chosen) $("window-select").value = chosen;
  } catch (error) {
    showError(error);
  }
}

$("window-pick").addEventListener("submit", async (event) => {
  event.preventDefault();
  const number = $("window-select").value;
  if (!number) return;
  await run(() => api(`/windows/${encodeURIComponent(number)}/sign-in?site=${encodeURIComponent(site())}`,
    { method: "POST", token }), MESSAGES.signed_in);
});

$("sign-out-window").addEventListener("click", () =>
  run(() => api(withSite(`/windows/${encodeURIComponent(desk.window)}/sign-out`), { method: "POST", token }),
    MESSAGES.signed_out));

$("pause").addEventListener("click", () => {
  const reason = $("pause-reason").value.trim();
  return run(() => api(withSite(`/windows/${encodeURIComponent(desk.window)}/pause`),
    { method: "POST", token, body: reason ? { reason } : {} }), MESSAGES.paused_now);
});

$("resume").addEventListener("click", () =>
  run(() => api(withSite(`/windows/${encodeURIComponent(desk.window)}/resume`), { method: "POST", token }),
    MESSAGES.resumed));

for (const button of $("desk").querySelectorAll("button[data-action]")) {
  button.addEventListener("click", () =>
    run(() => api(withSite(`${at()}/${button.dataset.action}`), { method: "POST", token })));
}

$("call-number").addEventListener("submit", (event) => {
  event.preventDefault();
  const form = event.target;
  const body = { number: form.number.value.trim().toUpperCase(), reason: form.reason.value.trim() };
  return run(async () => {
    const answer = await api(withSite(`${at()}/call-number`), { method: "POST", token, body });
    form.reset();
    return answer;
  });
});

$("transfer").addEventListener("submit", (event) => {
  event.preventDefault();
  const [kind, target] = $("transfer-target").value.split(":");
  if (!target) return;
  const body = kind === "w" ? { window: target } : { queue: target };
  const said = kind === "w" ? MESSAGES.transferred_to_window : MESSAGES.transferred_to_queue;
  return run(async () => {
    const answer = await api(withSite(`${at()}/transfer`), { method: "POST", token, body });
    return { said: { "zh-Hans": `${said["zh-Hans"]} ${kind === "w" ? target : answer.number}`,
      en: `${said.en} ${kind === "w" ? target : answer.number}` } };
  });
});

// Run an action, then ask the hall what is at the window now; say `said` (or the action's own words).
async function run(action, said) {
  $("counter-error").replaceChildren();
  $("counter-message").replaceChildren();
  try {
    const answer = await action();
    const words = (answer && answer.said) || said;
    if (words) $("counter-message").replaceChildren(bilingual(words));
    else if (answer && answer.number && STATES[answer.status]) {
      $("counter-message").replaceChildren(`${answer.number} · `, bilingual(STATES[answer.status]));
    }
  } catch (error) {
    showError(error);
  }
  await refresh();
}

function showError(error) {
  $("counter-error").replaceChildren(bilingual(errorWords(error)));
}

async function refresh() {
  try {
    desk = await api("/windows/mine", { token });
    deskAt = performance.now();
  } catch (error) {
    showError(error);
    return;
  }
  if (desk.window) {
    $("counter-site").value = desk.site;
  }
  $("window-pick").hidden = Boolean(desk.window);
  $("desk").hidden = !desk.window;
  if (desk.window) renderDesk();
  else await loadWindows();
  await refreshQueues();
}

// The hall's now, moved on by the time since it answered.
const hallNow = () => Date.parse(desk.now) + (performance.now() - deskAt);

function when(iso) {
  const words = ago(iso, hallNow());
  return `${clockTime(iso)} · ${words["zh-Hans"]} ${words.en}`;
}

function renderDesk() {
  $("desk-window").textContent = `${desk.window} 号窗口 · ${desk.area} · ${desk.name}`;
  const state = STATES[desk.state];
  $("desk-state").className = `badge ${desk.state}`;
  $("desk-state").replaceChildren(bilingual(state));
  $("desk-since").textContent = desk.since
    ? `${MESSAGES.since["zh-Hans"]} ${MESSAGES.since.en} ${when(desk.since)}${desk.pause_reason ? ` · ${desk.pause_reason}` : ""}` : "";
  $("pause").hidden = desk.state === "paused";
  $("pause-reason").hidden = desk.state === "paused";
  $("resume").hidden = desk.state !== "paused";
  renderTicket(desk.current);
  const parked = desk.parked.map((t) => el("li", {}, `${t.number} · ${t.service.name} `,
    el("button", { type: "button", "data-unpark": t.number, onclick: () => unpark(t.number) },
      bilingual(MESSAGES.unpark))));
  $("parked").replaceChildren(...(parked.length ? parked : [el("li", { class: "muted" },
    bilingual(MESSAGES.nothing_parked))]));
}

function unpark(number) {
  return run(() => api(withSite(`${at()}/unpark`), { method: "POST", token, body: { number } }));
}

function renderTicket(ticket) {
  $("current-number").textContent = ticket ? ticket.number : "—";
  $("current-state").className = `badge ${ticket ? ticket.status : ""}`;
  $("current-state").replaceChildren(ticket ? bilingual(STATES[ticket.status]) : bilingual(MESSAGES.no_ticket));
  $("current-service").textContent = ticket ? ticket.service.name : "";
  $("current-issued").textContent = ticket ? `${MESSAGES.issued["zh-Hans"]} ${MESSAGES.issued.en} ${when(ticket.issued_at)}` : "";
  const mark = $("current-priority");
  mark.hidden = !(ticket && (ticket.priority || ticket.booking_id));
  if (ticket && ticket.priority) {
    const kind = PRIORITIES[ticket.priority] || { "zh-Hans": ticket.priority, en: ticket.priority };
    mark.replaceChildren(bilingual({
      "zh-Hans": `${MESSAGES.green_channel["zh-Hans"]} · ${kind["zh-Hans"]} · ${MESSAGES.check_proof["zh-Hans"]}`,
      en: `${MESSAGES.green_channel.en}: ${kind.en} — ${MESSAGES.check_proof.en}`,
    }));
  } else if (ticket && ticket.booking_id) {
    mark.replaceChildren(bilingual(MESSAGES.booking));
  }
}

async function refreshQueues() {
  try {
    const data = await api(`/queues?site=${encodeURIComponent(desk && desk.site ? desk.site : site())}`, { token });
    const next = (tickets) => tickets.slice(0, 5).map((t) => t.number).join(" ");
    // Then the tickets transferred to one window: they wait in that window's own line, called first there.
    $("queues").tBodies[0].replaceChildren(
      ...data.queues.map((q) => el("tr", {},
        el("td", {}, q.queue), el("td", {}, q.waiting), el("td", {}, q.counters_open ?? ""),
        el("td", {}, next(q.tickets)))),
      ...(data.windows || []).map((w) => el("tr", { class: "window-line" },
        el("td", {}, `${w.window} ${MESSAGES.window["zh-Hans"]} `, el("small", {}, `${MESSAGES.window.en} ${w.window}`)),
        el("td", {}, w.waiting), el("td", {}, ""), el("td", {}, next(w.tickets)))));
    if (desk && desk.window) await fillTransferTargets(data.queues.map((q) => q.queue));
  } catch (error) {
    showError(error);
  }
}

async function fillTransferTargets(queues) {
  const select = $("transfer-target");
  const data = await api(`/windows?site=${encodeURIComponent(desk.site)}`, { token });
  // Read after the answer came: the clerk may have picked a target while it was on its way.
  const chosen = select.value;
  const toQueues = el("optgroup", { label: `${MESSAGES.queues["zh-Hans"]} ${MESSAGES.queues.en}` },
    ...queues.map((q) => el("option", { value: `q:${q}` }, `${MESSAGES.queue["zh-Hans"]} ${q} ${MESSAGES.queue.en} ${q}`)));
  const toWindows = el("optgroup", { label: `${MESSAGES.windows["zh-Hans"]} ${MESSAGES.windows.en}` },
    ...data.windows.filter((w) => w.open && w.number !== desk.window).map((w) =>
      el("option", { value: `w:${w.number}` }, `${w.number} ${MESSAGES.window["zh-Hans"]} · ${w.area} (${w.queues.join("/")})`)));
  select.replaceChildren(toQueues, toWindows);
  if (chosen) select.value = chosen;
}
