// The console's kiosk fleet: each kiosk's heartbeat (online, last seen, version, device states).
import { api, el } from "/static/hall.js";

const $ = (id) => document.getElementById(id);
let token = null;

export function startFleet(sessionToken) {
  token = sessionToken;
  refreshFleet();
}

$("fleet-refresh").addEventListener("click", refreshFleet);

async function refreshFleet() {
  $("fleet-error").textContent = "";
  try {
    const data = await api("/fleet", { token });
    $("fleet-table").tBodies[0].replaceChildren(...data.kiosks.map((k) => el("tr", {},
      el("td", {}, k.name), el("td", {}, k.site),
      el("td", {}, el("span", { class: "badge " + (k.online ? "ok" : "bad") }, k.online ? "在线 Online" : "离线 Offline")),
      el("td", {}, k.last_seen || "—"), el("td", {}, k.app_version || "—"),
      el("td", {}, ...Object.entries(k.devices || {}).map(([name, h]) =>
        el("div", { class: "dev-" + h.state }, `${name}: ${h.state}${h.reason ? " (" + h.reason + ")" : ""}`))))));
  } catch (error) {
    $("fleet-error").textContent = `${error.code}: ${error.message}`;
  }
}
