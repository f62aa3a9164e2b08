// The cloud seat's side of a video call, loaded by the hall's staff console (ES module, no build step):
// presence and skills, the signaling link (DESIGN §6.1), incoming calls, the peer connection and its media
// watch. The page supplies the elements by id (#seat and what it holds) and, at start, the session token,
// the skills to offer and how to name a language; the data-channel tools are in kiosk_tools.js.
import { note, noted } from "./call_log.js";
import { attachChannel, closeChannel, resetTools, toolsState } from "./kiosk_tools.js";

export { note };

const SILENCE_MS = 5000; // the server pings every 1.5 s; this much silence means the link is gone
const NO_MEDIA_MS = 10000;
const $ = (id) => document.getElementById(id);

const S = {
  token: null, languageName: (code) => code,
  ws: null, lastMessageAt: 0, reconnectTimer: null,
  pc: null, callId: null, kiosk: null, iceServers: [], pendingCandidates: [],
  localStream: null, muted: false, cameraOff: false,
  callStartedAt: 0, lastEnd: null, mediaProgress: { value: -1, at: 0 },
  incoming: new Map(),
};

// --- presence and skills ---------------------------------------------------------------------
// skills: [{code, name}], each offered ticked; languageName(code) names a caller's language.
export function startSeat({ token, skills, languageName }) {
  S.token = token;
  if (languageName) S.languageName = languageName;
  const box = $("skills");
  for (const skill of skills) {
    const input = el("input", { type: "checkbox", value: skill.code, checked: "" });
    input.addEventListener("change", sendPresence);
    box.append(el("label", {}, input, skill.name));
  }
  $("presence").addEventListener("change", sendPresence);
  connectSignaling();
  setInterval(watchdog, 1000);
}

// Signing out in a call hangs it up first.
export function leaveSeat() {
  if (S.callId) hangUp();
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
  // The token goes in the first message, not the URL, so that no proxy or server log holds it.
  const ws = new WebSocket(`${scheme}//${location.host}/ws/assist/staff`);
  S.ws = ws;
  S.lastMessageAt = Date.now();
  ws.onopen = () => ws.send(JSON.stringify({ type: "auth", token: S.token }));
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
function addIncoming(message) {
  const accept = el("button", { class: "primary", onclick: () => send({ type: "accept", call_id: message.call_id }) },
    "接听 ", el("small", {}, "Accept"));
  const decline = el("button", {
    onclick: () => { send({ type: "decline", call_id: message.call_id }); removeIncoming(message.call_id); },
  }, "拒接 ", el("small", {}, "Decline"));
  const row = el("tr", { "data-call-id": message.call_id },
    el("td", {}, message.kiosk), el("td", {}, message.site), el("td", {}, message.skill),
    el("td", {}, S.languageName(message.lang)), el("td", {}, formatSeconds(message.waited_s)),
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
  S.callStartedAt = Date.now(); S.mediaProgress = { value: -1, at: Date.now() };
  resetTools();
  $("call").hidden = false;
  $("call-title").textContent = `${message.kiosk} · ${message.site}`;
  setBadge($("call-state"), "连接中 Connecting", "warn");
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
  pc.ondatachannel = (event) => attachChannel(event.channel);
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
  closeChannel();
  if (S.pc) S.pc.close();
  S.lastEnd = { callId: S.callId, reason, seconds: Math.round((Date.now() - S.callStartedAt) / 1000) };
  S.pc = null; S.callId = null; S.pendingCandidates = [];
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

// --- page pieces -----------------------------------------------------------------------------
// Kept here rather than borrowed from the hall's shared module: this script is remote assistance's own.
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

function setBadge(node, text, kind) {
  node.textContent = text;
  node.className = "badge " + (kind || "");
}

function formatSeconds(seconds) {
  const s = Math.max(0, Math.round(seconds));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")}`;
}

// For the end-to-end tests and the benchmark: what the seat knows, read-only.
window.assistConsole = {
  state: () => ({
    callId: S.callId, kiosk: S.kiosk, connection: S.pc ? S.pc.connectionState : null,
    ...toolsState(), lastEnd: S.lastEnd,
    incoming: [...S.incoming.keys()], signaling: S.ws ? S.ws.readyState : null,
  }),
  videoFramesDecoded: async () => {
    if (!S.pc) return 0;
    let frames = 0;
    (await S.pc.getStats()).forEach((r) => { if (r.type === "inbound-rtp" && r.kind === "video") frames += r.framesDecoded || 0; });
    return frames;
  },
  log: () => noted(),
};
