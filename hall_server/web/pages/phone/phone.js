// The citizen's phone at /t/{id}: the ticket's state live from the hall, and when it is called a full-screen
// "请到 15 号窗口" with the area, a chime and a vibration (where the phone allows).
import { el, stream } from "/static/hall.js";

const TICKET = document.body.dataset.ticket;
const FINAL = ["done", "no_show", "transferred"];
const STATES = {
  waiting: ["等候中", "Waiting"], called: ["请到窗口办理", "Please go to the counter"],
  serving: ["正在办理", "Being served"], done: ["已办结", "Completed"], no_show: ["已过号", "Missed"],
  transferred: ["已转办", "Transferred"],
  // Held at the window (挂起): the clerk calls the same number again when the matter can go on.
  parked: ["暂缓办理，稍后再叫号", "On hold: you will be called again"],
};
const COLOURS = { called: "#b3261e", serving: "#1b7f3b" };
let audio = null;
let lastCall = null;

function minutes(seconds) {
  const m = Math.max(1, Math.round(seconds / 60));
  return `约 ${m} 分钟 / ~${m} min`;
}

// Two falling tones made in the page: no file to fetch, and nothing that needs the hall's voice pack.
function chime() {
  try {
    audio = audio || new (window.AudioContext || window.webkitAudioContext)();
    if (audio.state === "suspended") audio.resume();
    const start = audio.currentTime + 0.05;
    [[659.25, 0], [523.25, 0.45]].forEach(([frequency, offset]) => {
      const tone = audio.createOscillator();
      const gain = audio.createGain();
      tone.type = "sine";
      tone.frequency.value = frequency;
      gain.gain.setValueAtTime(0.0001, start + offset);
      gain.gain.exponentialRampToValueAtTime(0.6, start + offset + 0.03);
      gain.gain.exponentialRampToValueAtTime(0.0001, start + offset + 0.9);
      tone.connect(gain).connect(audio.destination);
      tone.start(start + offset);
      tone.stop(start + offset + 1);
    });
  } catch (e) { /* no audio on this phone: the screen and the vibration still tell */ }
}

function vibrate() {
  if (navigator.vibrate) {
    try { navigator.vibrate([400, 150, 400, 150, 800]); } catch (e) { /* not allowed here */ }
  }
}

function showCall(state) {
  const area = state.area || {};
  const overlay = el("div", { id: "call", role: "alertdialog", "aria-live": "assertive" },
    el("div", { class: "call-number" }, state.number),
    el("div", { class: "call-go" }, `请到 ${state.window} 号窗口`),
    el("div", { class: "call-go-en" }, `Please go to window ${state.window}`),
    el("div", { class: "call-area" }, [area["zh-Hans"], area.en].filter(Boolean).join(" · ")),
    el("button", { onclick: () => overlay.remove() }, "我知道了 · OK"));
  const old = document.getElementById("call");
  if (old) old.remove();
  document.body.append(overlay);
  chime();
  vibrate();
}

function render(state) {
  const [zh, en] = STATES[state.status] || [state.status, state.status];
  document.body.dataset.status = state.status;
  const stateNode = document.querySelector(".state");
  stateNode.replaceChildren(zh, el("small", {}, en));
  stateNode.style.color = COLOURS[state.status] || "inherit";
  const rows = [];
  if (state.status === "waiting") {
    rows.push(["前面还有", "People ahead", String(state.people_ahead)]);
    rows.push(["预计等候", "Estimated wait", state.estimated_wait_s ? minutes(state.estimated_wait_s) : "即将叫号 / soon"]);
  }
  if (state.window && ["called", "serving", "parked"].includes(state.status)) {
    rows.push(["办理窗口", "Window", `${state.window} 号窗口`]);
    if (state.area) rows.push(["区域", "Area", state.area["zh-Hans"]]);
  }
  document.querySelector("dl").replaceChildren(...rows.flatMap(([a, b, c]) => [
    el("dt", {}, a, el("small", {}, b)), el("dd", { "data-field": b }, c)]));
  const time = new Date().toLocaleTimeString("zh-CN", { hour12: false });
  document.querySelector("footer").textContent = FINAL.includes(state.status)
    ? `更新于 Updated ${time}` : `实时更新 · Live · ${time}`;
  // A new call (or a recall: its own time) fills the screen; the same call seen again after a reconnect does not.
  const call = state.status === "called" ? `${state.window}@${state.called_at}` : null;
  if (call && call !== lastCall) showCall(state);
  if (state.status !== "called") {
    const overlay = document.getElementById("call");
    if (overlay) overlay.remove();
  }
  lastCall = call || lastCall;
}

// A tap anywhere lets the page play sound later (phones keep audio locked until the person touches it).
document.addEventListener("pointerdown", () => {
  try {
    audio = audio || new (window.AudioContext || window.webkitAudioContext)();
    if (audio.state === "suspended") audio.resume();
  } catch (e) { /* no audio */ }
}, { once: true });

const link = stream(`/api/v1/tickets/${encodeURIComponent(TICKET)}/stream`, (type, state) => {
  render(state);
  if (state.status === "transferred" && state.transferred_to) {
    link.close();
    location.replace(`/t/${encodeURIComponent(state.transferred_to)}`);
  } else if (FINAL.includes(state.status)) {
    link.close();
  }
}, { events: ["ticket"] });
