// What both waiting-area screens share: the site (and window) from the page's address, the floor's event
// stream, hall time for the clock, and the connection badge. Text goes in through textContent only.
import { API_PREFIX, stream } from "/static/hall.js";

export const SITE = decodeURIComponent(location.pathname.split("/")[2] || "");

// The hall's clock: the state's `now` carries the hall's UTC offset; the screen's own clock may be off.
let skewMs = 0;
let offsetMin = 0;

export function setHallTime(iso) {
  const match = /([+-])(\d\d):(\d\d)$/.exec(iso);
  offsetMin = match ? (match[1] === "-" ? -1 : 1) * (Number(match[2]) * 60 + Number(match[3])) : 0;
  skewMs = Date.parse(iso) - Date.now();
}

// A Date whose UTC fields are the hall's wall time.
export function hallNow() {
  return new Date(Date.now() + skewMs + offsetMin * 60000);
}

// Follow the floor: onEvent(data) for every event (the state first on each connection).
export function followFloor(onEvent) {
  const badge = document.getElementById("link");
  return stream(`${API_PREFIX}/sites/${encodeURIComponent(SITE)}/calls/stream`, (_type, data) => {
    if (data && typeof data === "object") onEvent(data);
  }, {
    events: ["message"],
    onState(state) { if (badge) badge.hidden = state === "open"; },
  });
}
