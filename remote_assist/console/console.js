// Staff console of the hall: cloud seat (video assistance), counter queue actions and the kiosk fleet.
// Plain browser JavaScript, no build step. Signaling follows DESIGN §6.1, the data channel §6.2.
"use strict";

const API = "/api/v1";
const SILENCE_MS = 5000; // the server pings every 1.5 s; this much silence means the link is gone
const NO_MEDIA_MS = 10000;
const $ = (id) => document.getElementById(id);

const S = {
  token: null, role: null, username: null, displayName: null,
  ws: null, lastMessageAt: 0, reconnectTimer: null,
  pc: null, channel: null, callId: null, kiosk: null, iceServers: [], pendingCandidates: [],
  localStream: null, muted: false, cameraOff: false,
  photo: null, consent: null, photosReceived: 0, lastPhotoBytes: 0,
  callStartedAt: 0, lastEnd: null, mediaProgress: { value: -1, at: 0 },
  incoming: new Map(),
  log: [],
};

// --- HTTP ------------------------------------------------------------------------------------
async function api(method, path, body) {
  const headers = { "Content-Type": "application/json" };
  if (S.token) headers.Authorization = "Bearer " + S.token;
  const reply = await fetch(API + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  let data = null;
  try { data = await reply.json(); } catch (e) { data = null; }
  if (!reply.ok) {
    const error = (data && data.error) || { code: "http_" + reply.status, message: reply.statusText };
    throw Object.assign(new Error(error.message), { code: error.code });
  }
  return data;
}

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (key === "class") node.className = value;
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value);
  }
  for (const child of children) node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  return node;
}

function note(kind, detail) {
  S.log.push({ at: Date.now(), kind, detail });
  if (S.log.length > 200) S.log.shift();
}

// --- sign in ---------------------------------------------------------------------------------
const ROLE_LABELS = { agent: "云坐席 Agent", counter: "窗口 Counter", technician: "运维 Technician", admin: "管理员 Admin" };

$("login-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const form = event.target;
  $("login-error").textContent = "";
  try {
    const session = await api("POST", "/auth/login", { username: form.username.value, password: form.password.value });
    S.token = session.token; S.role = session.role;
    S.username = session.username || form.username.value; S.displayName = session.display_name || S.username;
    form.password.value = "";
    showWorkspace();
  } catch (error) {
    $("login-error").textContent = error.code === "unauthorized" || error.code === "invalid_credentials"
      ? "用户名或密码错误 Wrong username or password" : `登录失败 Sign-in failed (${error.code})`;
  }
});

$("logout").addEventListener("click", async () => {
  if (S.callId) hangUp();
  try { await api("POST", "/auth/logout"); } catch (e) { /* the session may have expired already */ }
  location.reload();
});

function showWorkspace() {
  $("login").hidden = true;
  $("who").hidden = false;
  $("who-name").textContent = S.displayName;
  $("who-role").textContent = ROLE_LABELS[S.role] || S.role;
  const admin = S.role === "admin";
  $("seat").hidden = !(admin || S.role === "agent");
  $("counter").hidden = !(admin || S.role === "counter");
  $("fleet").hidden = !(admin || S.role === "technician");
  if (!$("seat").hidden) startSeat();
  if (!$("counter").hidden) refreshQueues();
  if (!$("fleet").hidden) refreshFleet();
}

// --- cloud seat: presence and skills ----------------------------------------------------------
async function startSeat() {
  const box = $("skills");
  const skills = [{ code: "general", name: "综合咨询 General" }];
  try {
    const catalogue = await api("GET", "/services?lang=zh-Hans");
    S.services = catalogue.services;
    skills.push(...catalogue.departments);
    const select = $("guide-service");
    for (const service of catalogue.services) select.append(el("option", { value: service.code }, `${service.code} ${service.name}`));
  } catch (error) {
    note("catalogue_failed", error.code);
  }
  for (const skill of skills) {
    const input = el("input", { type: "checkbox", value: skill.code, checked: "" });
    input.addEventListener("change", sendPresence);
    box.append(el("label", {}, input, skill.name));
  }
  $("presence").addEventListener("change", sendPresence);
  connectSignaling();
  setInterval(watchdog, 1000);
}

function chosenSkills() {
  return [...$("skills").querySelectorAll("input:checked")].map((input) => input.value);
}

function sendPresence() {
  const state = $("presence").value;
  if (state === "available") ensureCamera();
  send({ type: "presence", state, skills: chosenSkills() });
}

async function ensureCamera() {
  if (S.localStream) return S.localStream;
  try {
    S.localStream = await navigator.mediaDevices.getUserMedia({ video: { width: 640, height: 480 }, audio: true });
    $("self-video").srcObject = S.localStream;
  } catch (error) {
    note("camera_failed", error.name);
  }
  return S.localStream;
}

// --- signaling -------------------------------------------------------------------------------
function connectSignaling() {
  const scheme = location.protocol === "https:" ? "wss:" : "ws:";
  const ws = new WebSocket(`${scheme}//${location.host}/ws/assist/staff?token=${encodeURIComponent(S.token)}`);
  S.ws = ws;
  S.lastMessageAt = Date.now();
  ws.onmessage = (event) => {
    S.lastMessageAt = Date.now();
    let message;
    try { message = JSON.parse(event.data); } catch (e) { return; }
    onSignal(message).catch((error) => note("handler_failed", String(error)));
  };
  ws.onclose = () => {
    if (S.ws !== ws) return;
    setBadge($("signal-state"), "未连接 Offline", "bad");
    if (S.callId) endCall("signaling_lost");
    clearTimeout(S.reconnectTimer);
    S.reconnectTimer = setTimeout(connectSignaling, 2000);
  };
}

function send(message) {
  if (S.ws && S.ws.readyState === WebSocket.OPEN) S.ws.send(JSON.stringify(message));
}

async function onSignal(message) {
  note("in", message.type);
  switch (message.type) {
    case "ping": send({ type: "pong" }); break;
    case "welcome":
      setBadge($("signal-state"), "已连接 Online", "ok");
      sendPresence();
      break;
    case "presence": break;
    case "incoming": addIncoming(message); break;
    case "withdrawn": removeIncoming(message.call_id); break;
    case "accepted": startCall(message); break;
    case "offer": await answerOffer(message); break;
    case "candidate": await addCandidate(message); break;
    case "ended": endCall(message.reason); break;
    case "error":
      note("error", message.code);
      if (message.code === "replaced") { S.ws = null; setBadge($("signal-state"), "已在别处登录 Signed in elsewhere", "bad"); }
      break;
    default: break;
  }
}

function watchdog() {
  const now = Date.now();
  if (S.ws && S.ws.readyState === WebSocket.OPEN && now - S.lastMessageAt > SILENCE_MS) {
    note("signaling_silent", now - S.lastMessageAt);
    S.ws.close();
  }
  for (const [callId, row] of S.incoming) {
    row.cells[4].textContent = formatSeconds(row.waited + (now - row.receivedAt) / 1000);
    row.dataset.callId = callId;
  }
  if (S.callId && S.callStartedAt) $("call-clock").textContent = formatSeconds((now - S.callStartedAt) / 1000);
  if (S.pc && S.pc.connectionState === "connected") checkMedia(now);
}

// --- incoming calls --------------------------------------------------------------------------
const LANG_LABELS = { "zh-Hans": "简体中文", "zh-Hant": "繁體中文", en: "English" };

function addIncoming(message) {
  const accept = el("button", { class: "primary", onclick: () => send({ type: "accept", call_id: message.call_id }) },
    "接听 ", el("small", {}, "Accept"));
  const decline = el("button", {
    onclick: () => { send({ type: "decline", call_id: message.call_id }); removeIncoming(message.call_id); },
  }, "拒接 ", el("small", {}, "Decline"));
  const row = el("tr", { "data-call-id": message.call_id },
    el("td", {}, message.kiosk), el("td", {}, message.site), el("td", {}, message.skill),
    el("td", {}, LANG_LABELS[message.lang] || message.lang), el("td", {}, formatSeconds(message.waited_s)),
    el("td", {}, accept, " ", decline));
  row.waited = message.waited_s;
  row.receivedAt = Date.now();
  S.incoming.set(message.call_id, row);
  $("incoming").tBodies[0].append(row);
  $("no-incoming").hidden = true;
}

function removeIncoming(callId) {
  const row = S.incoming.get(callId);
  if (row) row.remove();
  S.incoming.delete(callId);
  $("no-incoming").hidden = S.incoming.size > 0;
}

// --- the call --------------------------------------------------------------------------------
function startCall(message) {
  removeIncoming(message.call_id);
  S.callId = message.call_id; S.kiosk = message.kiosk; S.iceServers = message.ice_servers || [];
  S.callStartedAt = Date.now(); S.consent = null; S.photo = null; S.mediaProgress = { value: -1, at: Date.now() };
  $("call").hidden = false;
  $("call-title").textContent = `${message.kiosk} · ${message.site}`;
  setBadge($("call-state"), "连接中 Connecting", "warn");
  $("photo").hidden = true; $("photo-state").textContent = ""; $("print-state").textContent = "";
  $("chat-log").replaceChildren();
  ensureCamera();
}

async function answerOffer(message) {
  if (message.call_id !== S.callId) return;
  const pc = new RTCPeerConnection({ iceServers: S.iceServers });
  S.pc = pc;
  const stream = await ensureCamera();
  if (stream) for (const track of stream.getTracks()) pc.addTrack(track, stream);
  pc.ontrack = (event) => {
    const remote = event.streams[0] || new MediaStream([event.track]);
    if (event.track.kind === "video") $("remote-video").srcObject = remote;
    else $("remote-audio").srcObject = remote; // remote audio plays only through an <audio> element
  };
  pc.ondatachannel = (event) => setUpChannel(event.channel);
  pc.onicecandidate = (event) => {
    if (event.candidate && event.candidate.candidate) {
      send({ type: "candidate", call_id: S.callId, candidate: event.candidate.candidate,
        sdpMid: event.candidate.sdpMid, sdpMLineIndex: event.candidate.sdpMLineIndex });
    }
  };
  pc.onconnectionstatechange = () => {
    const state = pc.connectionState;
    if (state === "connected") setBadge($("call-state"), "通话中 Connected", "ok");
    else if (state === "failed") { setBadge($("call-state"), "连接失败 Failed", "bad"); hangUp("error"); }
  };
  await pc.setRemoteDescription({ type: "offer", sdp: message.sdp });
  await pc.setLocalDescription(await pc.createAnswer());
  send({ type: "answer", call_id: S.callId, sdp: pc.localDescription.sdp });
  for (const candidate of S.pendingCandidates.splice(0)) await addCandidate(candidate);
}

async function addCandidate(message) {
  if (message.call_id !== S.callId) return;
  if (!S.pc || !S.pc.remoteDescription) { S.pendingCandidates.push(message); return; }
  if (!message.candidate) return;
  try {
    await S.pc.addIceCandidate({ candidate: message.candidate, sdpMid: message.sdpMid, sdpMLineIndex: message.sdpMLineIndex });
  } catch (error) { note("candidate_refused", String(error)); }
}

async function checkMedia(now) {
  const value = await receivedFrames();
  if (value > S.mediaProgress.value) S.mediaProgress = { value, at: now };
  else if (now - S.mediaProgress.at > NO_MEDIA_MS) { note("no_media", value); hangUp("no_media"); }
}

async function receivedFrames() {
  if (!S.pc) return 0;
  let total = 0;
  const stats = await S.pc.getStats();
  stats.forEach((report) => {
    if (report.type === "inbound-rtp") total += (report.framesDecoded || 0) + (report.packetsReceived || 0);
  });
  return total;
}

function hangUp(reason) {
  if (!S.callId) return;
  const message = { type: "hangup", call_id: S.callId };
  if (reason && reason !== "normal") message.reason = reason;
  const text = $("hangup-form").note.value.trim();
  if (text) message.note = text;
  send(message);
  endCall(reason === undefined ? "staff_hangup" : reason);
}

function endCall(reason) {
  if (!S.callId && !S.pc) return;
  if (S.channel) { try { S.channel.close(); } catch (e) { /* already closed */ } }
  if (S.pc) S.pc.close();
  S.lastEnd = { callId: S.callId, reason, seconds: Math.round((Date.now() - S.callStartedAt) / 1000) };
  S.pc = null; S.channel = null; S.callId = null; S.pendingCandidates = [];
  $("remote-video").srcObject = null; $("remote-audio").srcObject = null;
  $("call").hidden = true;
  $("hangup-form").note.value = "";
  $("last-call").textContent = `上一通话已结束 Last call ended: ${reason} (${formatSeconds(S.lastEnd.seconds)})`;
}

$("hangup-form").addEventListener("submit", (event) => { event.preventDefault(); hangUp(); });

$("mute").addEventListener("click", () => {
  S.muted = !S.muted;
  if (S.localStream) for (const track of S.localStream.getAudioTracks()) track.enabled = !S.muted;
  $("mute").classList.toggle("on", S.muted);
  $("mute").firstChild.textContent = S.muted ? "取消静音 " : "静音 ";
});

$("camera").addEventListener("click", () => {
  S.cameraOff = !S.cameraOff;
  if (S.localStream) for (const track of S.localStream.getVideoTracks()) track.enabled = !S.cameraOff;
  $("camera").classList.toggle("on", S.cameraOff);
  $("camera").firstChild.textContent = S.cameraOff ? "打开摄像头 " : "关闭摄像头 ";
});

// --- data channel "assist" -------------------------------------------------------------------
function setUpChannel(channel) {
  S.channel = channel;
  channel.onmessage = (event) => {
    let message;
    try { message = JSON.parse(event.data); } catch (e) { return; }
    onKioskMessage(message);
  };
}

function push(message) {
  if (!S.channel || S.channel.readyState !== "open") { note("channel_closed", message.type); return false; }
  S.channel.send(JSON.stringify(message));
  note("out", message.type);
  return true;
}

function onKioskMessage(message) {
  note("dc", message.type);
  switch (message.type) {
    case "chat": chatLine("终端 Kiosk", message.text, false); break;
    case "consent":
      if (!S.photo || message.request_id !== S.photo.requestId) return;
      S.consent = message.granted;
      $("photo-state").textContent = message.granted
        ? "市民已同意，正在接收 Citizen allowed, receiving…" : "市民拒绝拍照 Citizen declined";
      break;
    case "photo": receivePhotoChunk(message); break;
    case "device_state":
      if (message.print_result) {
        $("print-state").textContent = message.print_result === "ok"
          ? "已打印 Printed" : `打印失败 Print failed: ${message.print_result}`;
      }
      break;
    default: break;
  }
}

function receivePhotoChunk(message) {
  // A photo is shown only after the citizen's consent arrived for this very request.
  if (!S.photo || message.request_id !== S.photo.requestId || S.consent !== true) return;
  S.photo.parts[message.seq] = message.data;
  S.photo.total = message.total;
  if (Object.keys(S.photo.parts).length < message.total) return;
  const binary = [];
  for (let i = 0; i < message.total; i += 1) binary.push(atob(S.photo.parts[i]));
  const text = binary.join("");
  const bytes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i += 1) bytes[i] = text.charCodeAt(i);
  const img = $("photo");
  if (img.src) URL.revokeObjectURL(img.src);
  img.src = URL.createObjectURL(new Blob([bytes], { type: "image/jpeg" }));
  img.hidden = false;
  S.photosReceived += 1; S.lastPhotoBytes = bytes.length;
  $("photo-state").textContent = `已收到照片 Photo received (${Math.round(bytes.length / 1024)} KB)`;
}

function chatLine(who, text, mine) {
  const item = el("li", { class: mine ? "me" : "" }, `${who}: ${text}`);
  $("chat-log").append(item);
  item.scrollIntoView({ block: "nearest" });
}

$("push-guide").addEventListener("submit", (event) => {
  event.preventDefault();
  push({ type: "show_guide", service: event.target.service.value });
});

$("push-qr").addEventListener("submit", (event) => {
  event.preventDefault();
  const form = event.target;
  const message = { type: "show_qr", text: form.text.value };
  if (form.caption.value) message.caption = form.caption.value;
  push(message);
});

$("push-form").addEventListener("submit", (event) => {
  event.preventDefault();
  const form = event.target;
  const fields = form.fields.value.split("\n").map((line) => line.trim()).filter(Boolean).map((line) => {
    const [name, ...label] = line.split(":");
    return { name: name.trim(), label: (label.join(":") || name).trim() };
  });
  const message = { type: "show_form", fields };
  if (form.title.value) message.title = form.title.value;
  push(message);
});

$("request-photo").addEventListener("submit", (event) => {
  event.preventDefault();
  const requestId = "r" + Date.now().toString(36);
  S.photo = { requestId, parts: {}, total: 0 };
  S.consent = null;
  $("photo").hidden = true;
  if (push({ type: "request_photo", purpose: event.target.purpose.value, request_id: requestId })) {
    $("photo-state").textContent = "等待市民同意 Waiting for the citizen's consent…";
  }
});

$("send-print").addEventListener("submit", (event) => {
  event.preventDefault();
  const lines = event.target.lines.value.split("\n").map((line) => line.slice(0, 200)).slice(0, 100);
  if (push({ type: "print", lines })) $("print-state").textContent = "打印中 Printing…";
});

$("chat-form").addEventListener("submit", (event) => {
  event.preventDefault();
  const input = event.target.text;
  if (input.value && push({ type: "chat", text: input.value })) {
    chatLine("我 Me", input.value, true);
    input.value = "";
  }
});

// --- counter ---------------------------------------------------------------------------------
for (const button of $("counter").querySelectorAll("button[data-action]")) {
  button.addEventListener("click", () => counterAction(button.dataset.action));
}

async function counterAction(action) {
  const site = encodeURIComponent($("counter-site").value.trim());
  const counter = encodeURIComponent($("counter-name").value.trim());
  $("counter-error").textContent = "";
  try {
    const body = action === "transfer" ? { queue: $("transfer-queue").value.trim().toUpperCase() } : undefined;
    const ticket = await api("POST", `/counters/${counter}/${action}?site=${site}`, body);
    const service = ticket.service ? (ticket.service.name || ticket.service.code || ticket.service) : "";
    $("counter-current").textContent = `${ticket.number || ""} ${service} · ${ticket.status || ""}`;
  } catch (error) {
    $("counter-error").textContent = error.code === "queue_empty" ? "暂无等候 Nobody waiting" : `${error.code}: ${error.message}`;
  }
  refreshQueues();
}

async function refreshQueues() {
  try {
    const data = await api("GET", `/queues?site=${encodeURIComponent($("counter-site").value.trim())}`);
    $("queues").tBodies[0].replaceChildren(...data.queues.map((q) => el("tr", {},
      el("td", {}, q.queue), el("td", {}, q.waiting), el("td", {}, q.counters_open ?? ""),
      el("td", {}, q.tickets.slice(0, 5).map((t) => t.number).join(" ")))));
  } catch (error) {
    $("counter-error").textContent = `${error.code}: ${error.message}`;
  }
}

// --- fleet -----------------------------------------------------------------------------------
$("fleet-refresh").addEventListener("click", refreshFleet);

async function refreshFleet() {
  $("fleet-error").textContent = "";
  try {
    const data = await api("GET", "/fleet");
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

// --- helpers ---------------------------------------------------------------------------------
function setBadge(node, text, kind) {
  node.textContent = text;
  node.className = "badge " + (kind || "");
}

function formatSeconds(seconds) {
  const s = Math.max(0, Math.round(seconds));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")}`;
}

// For the end-to-end tests and the benchmark: what the console knows, read-only.
window.assistConsole = {
  state: () => ({
    callId: S.callId, kiosk: S.kiosk, connection: S.pc ? S.pc.connectionState : null,
    channel: S.channel ? S.channel.readyState : null, consent: S.consent,
    photosReceived: S.photosReceived, lastPhotoBytes: S.lastPhotoBytes, lastEnd: S.lastEnd,
    incoming: [...S.incoming.keys()], signaling: S.ws ? S.ws.readyState : null,
  }),
  videoFramesDecoded: async () => {
    if (!S.pc) return 0;
    let frames = 0;
    (await S.pc.getStats()).forEach((r) => { if (r.type === "inbound-rtp" && r.kind === "video") frames += r.framesDecoded || 0; });
    return frames;
  },
  log: () => S.log.slice(),
};
