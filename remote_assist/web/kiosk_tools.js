// What the cloud seat does over the call's data channel "assist" (DESIGN §6.2): push a guide, a QR code or a
// form, ask for a document photo (shown only after the citizen consents), print at the kiosk, chat.
// The console page holds the forms: #push-guide, #push-qr, #push-form, #request-photo, #send-print, #chat-form.
import { note } from "./call_log.js";

const $ = (id) => document.getElementById(id);

const T = { channel: null, photo: null, consent: null, photosReceived: 0, lastPhotoBytes: 0 };

export function attachChannel(channel) {
  T.channel = channel;
  channel.onmessage = (event) => {
    let message;
    try { message = JSON.parse(event.data); } catch (e) { return; }
    onKioskMessage(message);
  };
}

export function closeChannel() {
  if (T.channel) { try { T.channel.close(); } catch (e) { /* already closed */ } }
  T.channel = null;
}

// A new call starts with no photo asked for and the previous call's results cleared.
export function resetTools() {
  T.consent = null; T.photo = null;
  $("photo").hidden = true; $("photo-state").textContent = ""; $("print-state").textContent = "";
  $("chat-log").replaceChildren();
}

export function toolsState() {
  return {
    channel: T.channel ? T.channel.readyState : null, consent: T.consent,
    photosReceived: T.photosReceived, lastPhotoBytes: T.lastPhotoBytes,
  };
}

function push(message) {
  if (!T.channel || T.channel.readyState !== "open") { note("channel_closed", message.type); return false; }
  T.channel.send(JSON.stringify(message));
  note("out", message.type);
  return true;
}

function onKioskMessage(message) {
  note("dc", message.type);
  switch (message.type) {
    case "chat": chatLine("终端 Kiosk", message.text, false); break;
    case "consent":
      if (!T.photo || message.request_id !== T.photo.requestId) return;
      T.consent = message.granted;
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
  if (!T.photo || message.request_id !== T.photo.requestId || T.consent !== true) return;
  T.photo.parts[message.seq] = message.data;
  T.photo.total = message.total;
  if (Object.keys(T.photo.parts).length < message.total) return;
  const binary = [];
  for (let i = 0; i < message.total; i += 1) binary.push(atob(T.photo.parts[i]));
  const text = binary.join("");
  const bytes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i += 1) bytes[i] = text.charCodeAt(i);
  const img = $("photo");
  if (img.src) URL.revokeObjectURL(img.src);
  img.src = URL.createObjectURL(new Blob([bytes], { type: "image/jpeg" }));
  img.hidden = false;
  T.photosReceived += 1; T.lastPhotoBytes = bytes.length;
  $("photo-state").textContent = `已收到照片 Photo received (${Math.round(bytes.length / 1024)} KB)`;
}

function chatLine(who, text, mine) {
  const item = document.createElement("li");
  item.className = mine ? "me" : "";
  item.textContent = `${who}: ${text}`;
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
  T.photo = { requestId, parts: {}, total: 0 };
  T.consent = null;
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
