// The administration pages: sign-in (manager reads, admin changes), the tabs, and what every area shares
// (the API with the session's token, the status line). Each area is its own module: admin_*.js.
import { api } from "/static/hall.js";
import * as services from "./admin_services.js";
import * as windows from "./admin_windows.js";
import * as calendar from "./admin_calendar.js";
import * as staff from "./admin_staff.js";
import * as tokens from "./admin_tokens.js";
import * as audit from "./admin_audit.js";

const $ = (id) => document.getElementById(id);
const AREAS = { services, windows, calendar, staff, tokens, audit };
const session = { token: null, role: null };

export const ctx = {
  call: (path, options = {}) => api(path, { ...options, token: session.token }),
  isAdmin: () => session.role === "admin",
  // A manager reads: the fields of a change are shown, never editable.
  lock(root) {
    if (ctx.isAdmin()) return;
    for (const field of root.querySelectorAll("input, select, textarea")) field.disabled = true;
  },
  say(text, ok = true) {
    $("status").textContent = text;
    $("status").className = `status ${ok ? "ok" : "error"}`;
  },
  failed(error) {
    ctx.say(`未完成 Not done: ${error.code}${error.message ? " – " + error.message : ""}`, false);
  },
  // Run a change, then reload the area; a refusal is said on the status line with its code.
  async change(what, work, area) {
    try {
      await work();
      ctx.say(`已保存 Saved: ${what}`);
    } catch (error) {
      ctx.failed(error);
    }
    await AREAS[area].load(ctx);
  },
};

$("login-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const form = event.target;
  $("login-error").textContent = "";
  try {
    const reply = await api("/auth/login", {
      method: "POST", body: { username: form.username.value, password: form.password.value },
    });
    if (reply.role !== "manager" && reply.role !== "admin") {
      $("login-error").textContent = "此账号不是管理账号 This account is not a manager's";
      return;
    }
    Object.assign(session, { token: reply.token, role: reply.role });
    $("who-name").textContent = reply.display_name || form.username.value;
    $("who-role").textContent = reply.role;
    form.password.value = "";
    start();
  } catch (error) {
    $("login-error").textContent = error.code === "invalid_credentials"
      ? "用户名或密码错误 Wrong username or password" : `登录失败 Sign-in failed (${error.code})`;
  }
});

$("logout").addEventListener("click", async () => {
  try { await ctx.call("/auth/logout", { method: "POST" }); } catch (e) { /* expired already */ }
  location.reload();
});

function show(name) {
  for (const button of document.querySelectorAll("[data-tab]")) {
    button.classList.toggle("active", button.dataset.tab === name);
  }
  for (const section of document.querySelectorAll(".tab")) section.hidden = section.id !== `tab-${name}`;
  ctx.say("");
  AREAS[name].load(ctx);
}

function start() {
  $("login").hidden = true;
  $("who").hidden = false;
  $("tabs").hidden = false;
  document.body.classList.toggle("read-only", !ctx.isAdmin());
  $("read-only").hidden = ctx.isAdmin();
  for (const area of Object.values(AREAS)) area.setup(ctx);
  for (const button of document.querySelectorAll("[data-tab]")) {
    button.addEventListener("click", () => show(button.dataset.tab));
  }
  show(location.hash.slice(1) in AREAS ? location.hash.slice(1) : "services");
}
