// The calling screen (/display/{site}[?area=...]): the latest call large, the last calls, people waiting per
// queue, the notice line and the hall's clock; each call announced from the voice pack, one at a time.
import { el } from "/static/hall.js";
import { SITE, followFloor, hallNow, setHallTime } from "/display/files/floor.js";
import { Announcer } from "/display/files/announcer.js";

const AREA = new URLSearchParams(location.search).get("area");
const RECENT = 8;
const CAPTION_MS = 4000;
const NOTICE_LANGS = ["zh-Hans", "zh-Hant", "en"];
const WEEKDAYS = ["星期日", "星期一", "星期二", "星期三", "星期四", "星期五", "星期六"];
const $ = (id) => document.getElementById(id);

const floor = { calls: [], announce: ["zh-Hans"], notice: {}, latest: null };
let captionTurn = 0;
let noticeTurn = 0;

function forThisScreen(call) {
  return !AREA || call.area === AREA || Object.values(call.areas || {}).includes(AREA);
}

function showCaption(call, lang) {
  $("caption").textContent = call ? (call.say[lang] || Object.values(call.say)[0] || "") : "";
  $("caption").lang = lang === "yue" ? "zh-Hant" : lang;
}

function showLatest(call) {
  floor.latest = call;
  $("latest-ticket").textContent = call ? call.ticket : "—";
  $("latest-window").textContent = call ? call.window : "";
  $("latest-window-label").textContent = call ? "号窗口 · Window" : "";
  const areas = call ? [call.area, (call.areas || {}).en].filter(Boolean) : [];
  $("latest-area").textContent = areas.join(" · ");
  showCaption(call, floor.announce[0]);
}

function showRecent() {
  const items = floor.calls.slice(0, RECENT).map((call) => el("li", { "data-ticket": call.ticket },
    el("span", {}, call.ticket), el("span", { class: "where" }, `${call.window} 号窗口`)));
  $("recent").replaceChildren(...items);
}

function showWaiting(waiting) {
  const queues = Object.keys(waiting).sort();
  $("waiting").replaceChildren(...queues.map((queue) => el("li", { "data-queue": queue },
    el("b", {}, String(waiting[queue])), `${queue} 队列 · Queue ${queue}`)));
}

function showNotice() {
  const langs = NOTICE_LANGS.filter((lang) => floor.notice[lang]);
  $("notice").textContent = langs.length ? floor.notice[langs[noticeTurn++ % langs.length]] : "";
}

function addCall(call) {
  floor.calls = [call, ...floor.calls.filter((c) => c.ticket !== call.ticket)].slice(0, RECENT);
}

const announcer = new Announcer({
  onSegment(call, lang) { showCaption(call, lang || floor.announce[0]); },
  onStart(call) {
    showLatest(call);
    const box = document.querySelector(".latest");
    box.classList.remove("flash");
    void box.offsetWidth;  // restart the animation for a call that follows another
    box.classList.add("flash");
  },
  onBlocked() { $("sound").hidden = false; },
});

$("sound").addEventListener("click", () => { $("sound").hidden = true; announcer.unlock(); });

function onEvent(event) {
  if (event.type === "state") {
    setHallTime(event.now);
    tick();
    floor.announce = event.announce || ["zh-Hans"];
    floor.notice = event.notice || {};
    floor.calls = (event.calls || []).filter(forThisScreen);
    const names = event.names || {};
    $("site-name").textContent = names["zh-Hans"] || event.site;
    $("site-name-en").textContent = names.en || "";
    document.title = `叫号屏 · ${names["zh-Hans"] || event.site}`;
    if (!announcer.busy) showLatest(floor.calls[0] || null);
    showRecent();
    showWaiting(event.waiting || {});
    showNotice();
  } else if (event.type === "called") {
    if (!forThisScreen(event)) return;
    addCall(event);
    showRecent();
    announcer.add(event);
  } else if (event.type === "waiting") {
    showWaiting(event.waiting || {});
  }
}

function tick() {
  const now = hallNow();
  const pad = (n) => String(n).padStart(2, "0");
  $("date").textContent = `${now.getUTCFullYear()}年${now.getUTCMonth() + 1}月${now.getUTCDate()}日 `
    + WEEKDAYS[now.getUTCDay()];
  $("time").textContent = `${pad(now.getUTCHours())}:${pad(now.getUTCMinutes())}:${pad(now.getUTCSeconds())}`;
}

// Between announcements the latest call's sentence shows in each language in turn, for who cannot hear it.
setInterval(() => {
  if (!announcer.busy && floor.latest) showCaption(floor.latest, floor.announce[++captionTurn % floor.announce.length]);
}, CAPTION_MS);
setInterval(showNotice, 8000);
setInterval(tick, 1000);
tick();
followFloor(onEvent);
