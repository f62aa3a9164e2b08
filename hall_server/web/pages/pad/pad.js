// The rating pad at one window: /rate/{site}/{n}#token=… (the token once; then kept in localStorage).
//
// The device token never travels in a URL the server sees: a fragment is not sent with any request, the page
// drops it from the address bar at once, and the stream is read with fetch() so that the token goes in the
// Authorization header (an EventSource could only put it in the query string, i.e. in access logs, proxy
// logs and browser history).
import { API_PREFIX, LANGUAGES, el } from "/static/hall.js";

const [, , SITE, WINDOW] = location.pathname.split("/");
const TOKEN_KEY = `hall-pad-token:${SITE}:${WINDOW}`;
const LANG_KEY = "hall-pad-lang";
const THANKS_MS = 5000;
const RETRY_MS = 3000;

const WORDS = {
  "zh-Hans": {
    title: "好差评", window: (n) => `${n} 号窗口`, idle: "欢迎对本窗口的服务作出评价",
    idle_hint: "办结后请在此为本次服务评价", ask: "请您为本次服务评价", ticket: (t) => `号票 ${t}`,
    reasons: "请告诉我们哪里不满意（可多选）", send: "提交评价", back: "返回",
    thanks: "感谢您的评价！", thanks_hint: "您的意见我们会认真对待", bad_thanks: (due) => `我们会在 ${due} 前跟进处理`,
    setup: "此平板尚未设置", setup_hint: "请管理员用设备令牌打开本页（#token=…）",
    refused: "设备令牌无效或已停用", offline: "正在连接大厅服务器…", closes: (s) => `${s} 秒后自动关闭`,
    failed: "提交失败，请重试",
  },
  "zh-Hant": {
    title: "好差評", window: (n) => `${n} 號窗口`, idle: "歡迎對本窗口的服務作出評價",
    idle_hint: "辦結後請在此為本次服務評價", ask: "請您為本次服務評價", ticket: (t) => `號票 ${t}`,
    reasons: "請告訴我們哪裡不滿意（可多選）", send: "提交評價", back: "返回",
    thanks: "感謝您的評價！", thanks_hint: "您的意見我們會認真對待", bad_thanks: (due) => `我們會在 ${due} 前跟進處理`,
    setup: "此平板尚未設定", setup_hint: "請管理員用設備令牌打開本頁（#token=…）",
    refused: "設備令牌無效或已停用", offline: "正在連接大廳伺服器…", closes: (s) => `${s} 秒後自動關閉`,
    failed: "提交失敗，請重試",
  },
  en: {
    title: "Rate our service", window: (n) => `Window ${n}`, idle: "Tell us how we served you at this window",
    idle_hint: "When your business is done, rate it here", ask: "How was our service today?",
    ticket: (t) => `Ticket ${t}`, reasons: "What went wrong? (choose any)", send: "Send", back: "Back",
    thanks: "Thank you!", thanks_hint: "We take every answer seriously",
    bad_thanks: (due) => `We will follow up by ${due}`,
    setup: "This pad is not set up", setup_hint: "An administrator opens this page with the device token (#token=…)",
    refused: "The device token is not accepted", offline: "Connecting to the hall…",
    closes: (s) => `Closes in ${s} s`, failed: "Could not send; please try again",
  },
};

const pad = {
  token: null, lang: localStorage.getItem(LANG_KEY) || "zh-Hans", hall: null, prompt: null,
  screen: "starting", level: null, reasons: new Set(), followUp: null, timer: null, tick: null, deadline: 0,
};

function words() { return WORDS[pad.lang] || WORDS["zh-Hans"]; }

function takeToken() {
  const match = /(?:^#|&)token=([^&]+)/.exec(location.hash);
  if (match) {
    localStorage.setItem(TOKEN_KEY, decodeURIComponent(match[1]));
    history.replaceState(null, "", location.pathname);
  }
  return localStorage.getItem(TOKEN_KEY);
}

function show(screen) {
  pad.screen = screen;
  document.body.dataset.screen = screen;
  render();
}

function clearTimers() {
  clearTimeout(pad.timer);
  clearInterval(pad.tick);
  pad.timer = pad.tick = null;
}

function idle() {
  clearTimers();
  pad.prompt = null;
  pad.level = null;
  pad.reasons = new Set();
  show("idle");
}

function ask(prompt) {
  clearTimers();
  pad.prompt = prompt;
  pad.level = null;
  pad.reasons = new Set();
  pad.deadline = Date.now() + prompt.expires_in_s * 1000;
  // No answer in time: the next citizen finds a clear pad.
  pad.timer = setTimeout(idle, prompt.expires_in_s * 1000);
  pad.tick = setInterval(() => { const c = document.querySelector(".countdown"); if (c) c.textContent = countdown(); }, 1000);
  show("levels");
}

function countdown() {
  return words().closes(Math.max(0, Math.ceil((pad.deadline - Date.now()) / 1000)));
}

function levelsOf() {
  return (pad.hall && pad.hall.levels[pad.lang]) || [];
}

function choose(level) {
  pad.level = level;
  const found = levelsOf().find((l) => l.level === level);
  if (found && found.bad) {
    show("reasons");
  } else {
    send();
  }
}

async function send() {
  const w = words();
  const body = { ticket_id: pad.prompt.ticket_id, level: pad.level, reasons: [...pad.reasons] };
  pad.followUp = null;
  try {
    const reply = await fetch(`${API_PREFIX}/windows/${WINDOW}/pad/review?site=${encodeURIComponent(SITE)}`, {
      method: "POST",
      headers: { "Content-Type": "application/json", Authorization: "Bearer " + pad.token,
        // A retry after a lost reply is the same answer, not a second one.
        "Idempotency-Key": `pad:${pad.prompt.ticket_id}:${pad.level}:${body.reasons.join(",")}` },
      body: JSON.stringify(body),
    });
    if (reply.status === 401 || reply.status === 403) return refused();
    const data = await reply.json().catch(() => null);
    const code = data && data.error && data.error.code;
    if (!reply.ok && code !== "already_reviewed") {
      if (code === "review_closed" || code === "subject_not_found") return idle();
      throw new Error(code || String(reply.status));
    }
    // A bad review opened a follow-up case: the citizen is told by when (the hall's working days).
    pad.followUp = reply.ok && data.follow_up ? data.follow_up.due : null;
  } catch (e) {
    setStatus(w.failed, true);
    return;
  }
  clearTimers();
  show("thanks");
  pad.timer = setTimeout(idle, THANKS_MS);
}

function refused() {
  clearTimers();
  show("refused");
}

function setStatus(text, down) {
  const footer = document.getElementById("link");
  footer.textContent = text || "";
  footer.classList.toggle("down", Boolean(down));
}

function render() {
  const w = words();
  document.documentElement.lang = pad.lang;
  document.getElementById("title").textContent = w.title;
  const area = pad.hall ? pad.hall.area[pad.lang] : "";
  const site = pad.hall ? pad.hall.site_name[pad.lang] : SITE;
  document.getElementById("where").textContent = `${site} · ${w.window(WINDOW)}${area ? " · " + area : ""}`;
  const nav = document.getElementById("languages");
  nav.replaceChildren(...Object.entries(LANGUAGES).map(([code, name]) => el("button", {
    class: code === pad.lang ? "on" : "", "data-lang": code,
    onclick: () => { pad.lang = code; localStorage.setItem(LANG_KEY, code); render(); },
  }, name)));
  const main = document.getElementById("screen");
  const screens = {
    starting: () => [el("p", {}, w.offline)],
    setup: () => [el("h2", {}, w.setup), el("p", {}, w.setup_hint)],
    refused: () => [el("h2", {}, w.refused), el("p", {}, w.setup_hint)],
    idle: () => [el("h2", {}, w.idle), el("p", {}, w.idle_hint)],
    levels: () => [
      el("h2", {}, w.ask), el("div", { class: "ticket" }, w.ticket(pad.prompt.ticket)),
      el("div", { class: "levels" }, ...levelsOf().map((l) => el("button", {
        class: l.bad ? "bad" : "", "data-level": String(l.level), onclick: () => choose(l.level),
      }, el("span", { class: "stars" }, "★".repeat(l.level)), el("span", {}, l.label)))),
      el("div", { class: "countdown" }, countdown()),
    ],
    reasons: () => {
      const level = levelsOf().find((l) => l.level === pad.level);
      const sendButton = el("button", { class: "primary", "data-action": "send", onclick: send }, w.send);
      if (pad.reasons.size === 0) sendButton.setAttribute("disabled", "");
      return [
        el("h2", {}, w.reasons), el("div", { class: "ticket" }, `${"★".repeat(pad.level)} ${level ? level.label : ""}`),
        el("div", { class: "reasons" }, ...(level ? level.reasons : []).map((r) => el("button", {
          class: pad.reasons.has(r.code) ? "on" : "", "data-reason": r.code,
          onclick: () => { pad.reasons.has(r.code) ? pad.reasons.delete(r.code) : pad.reasons.add(r.code); render(); },
        }, r.label))),
        el("div", { class: "actions" }, el("button", { "data-action": "back", onclick: () => show("levels") }, w.back),
          sendButton),
        el("div", { class: "countdown" }, countdown()),
      ];
    },
    thanks: () => [el("div", { class: "thanks" }, w.thanks), el("p", {}, pad.followUp ? w.bad_thanks(pad.followUp) : w.thanks_hint)],
  };
  main.replaceChildren(...(screens[pad.screen] || screens.starting)());
}

// Read a Server-Sent Events body: calls onEvent(name, data) for each event; comment lines are skipped.
async function readEvents(reply, onEvent) {
  const reader = reply.body.getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer += decoder.decode(value, { stream: true });
    let end;
    while ((end = buffer.indexOf("\n\n")) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      let name = "message";
      const data = [];
      for (const line of block.split("\n")) {
        if (line.startsWith("event:")) name = line.slice(6).trim();
        else if (line.startsWith("data:")) data.push(line.slice(5).trim());
      }
      if (data.length) onEvent(name, JSON.parse(data.join("\n")));
    }
  }
}

function onEvent(name, data) {
  if (name === "state") {
    pad.hall = data;
    setStatus("");
    if (data.pending && (!pad.prompt || pad.prompt.ticket_id !== data.pending.ticket_id)) ask(data.pending);
    else if (pad.screen === "starting") idle();
    else render();
  } else if (name === "review") {
    ask(data);
  } else if (name === "closed") {
    throw Object.assign(new Error("closed"), { refused: true });
  }
}

async function follow() {
  for (;;) {
    try {
      const reply = await fetch(`${API_PREFIX}/windows/${WINDOW}/pad/stream?site=${encodeURIComponent(SITE)}`, {
        headers: { Authorization: "Bearer " + pad.token, Accept: "text/event-stream" }, cache: "no-store",
      });
      if (reply.status === 401 || reply.status === 403) { refused(); return; }
      if (reply.ok) await readEvents(reply, onEvent);
    } catch (e) {
      if (e.refused) { refused(); return; }
    }
    setStatus(words().offline, true);
    await new Promise((resolve) => setTimeout(resolve, RETRY_MS));
  }
}

pad.token = takeToken();
if (!pad.token) {
  show("setup");
} else {
  render();
  follow();
}
