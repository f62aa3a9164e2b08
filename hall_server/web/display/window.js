// A window's own display (/display/{site}/window/{n}): the number being served there, or that the window
// is paused (暂停服务) or closed (未开放); live from the floor's stream.
import { SITE, followFloor } from "/display/files/floor.js";

const NUMBER = decodeURIComponent(location.pathname.split("/")[4] || "");
const $ = (id) => document.getElementById(id);
const WORDS = {
  paused: ["暂停服务", "", "Service paused"],
  closed: ["未开放", "", "Window closed"],
};

function show(win) {
  const shown = $("shown");
  const words = WORDS[win.state];
  if (words) {
    shown.textContent = words[0];
    shown.className = "shown state";
    $("label").textContent = words[1];
    $("label-en").textContent = words[2];
  } else {
    shown.textContent = win.ticket || "—";
    shown.className = "shown";
    $("label").textContent = win.ticket ? "请以下号码到本窗口办理" : "等候叫号";
    $("label-en").textContent = win.ticket ? "Now serving" : "Waiting for the next call";
  }
  document.body.dataset.state = win.state;
}

$("window-name").textContent = `${NUMBER} 号窗口`;
$("window-name-en").textContent = `Window ${NUMBER}`;
let current = { ticket: null, state: "open" };
followFloor((event) => {
  if (event.type === "state") {
    current = (event.windows || {})[NUMBER] || { ticket: null, state: "closed" };
  } else if (event.type === "window" && event.window === NUMBER) {
    current = { ticket: event.ticket, state: event.state };
  } else if (event.type === "called" && event.window === NUMBER) {
    current = { ticket: event.ticket, state: "open" };
  } else {
    return;
  }
  show(current);
});
