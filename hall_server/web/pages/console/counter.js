// The console's counter queue: call next, recall, start, no-show, complete and transfer at one counter,
// and the site's queues with who is next.
import { api, el } from "/static/hall.js";

const $ = (id) => document.getElementById(id);
let token = null;

export function startCounter(sessionToken) {
  token = sessionToken;
  refreshQueues();
}

for (const button of $("counter").querySelectorAll("button[data-action]")) {
  button.addEventListener("click", () => counterAction(button.dataset.action));
}

async function counterAction(action) {
  const site = encodeURIComponent($("counter-site").value.trim());
  const counter = encodeURIComponent($("counter-name").value.trim());
  $("counter-error").textContent = "";
  try {
    const body = action === "transfer" ? { queue: $("transfer-queue").value.trim().toUpperCase() } : undefined;
    const ticket = await api(`/counters/${counter}/${action}?site=${site}`, { method: "POST", body, token });
    const service = ticket.service ? (ticket.service.name || ticket.service.code || ticket.service) : "";
    $("counter-current").textContent = `${ticket.number || ""} ${service} · ${ticket.status || ""}`;
  } catch (error) {
    $("counter-error").textContent = error.code === "queue_empty" ? "暂无等候 Nobody waiting" : `${error.code}: ${error.message}`;
  }
  refreshQueues();
}

async function refreshQueues() {
  try {
    const data = await api(`/queues?site=${encodeURIComponent($("counter-site").value.trim())}`, { token });
    $("queues").tBodies[0].replaceChildren(...data.queues.map((q) => el("tr", {},
      el("td", {}, q.queue), el("td", {}, q.waiting), el("td", {}, q.counters_open ?? ""),
      el("td", {}, q.tickets.slice(0, 5).map((t) => t.number).join(" ")))));
  } catch (error) {
    $("counter-error").textContent = `${error.code}: ${error.message}`;
  }
}
