// The staff console's page: sign-in, then the views the role may use: the cloud seat (video assistance,
// whose call is remote assistance's own script), the counter queue and the kiosk fleet.
// Plain ES modules, no build step; the shared API module is the hall's /static/hall.js.
import { api, languageName } from "/static/hall.js";
import { leaveSeat, note, startSeat } from "/assist/web/call.js";
import { startCounter } from "./counter.js";
import { startFleet } from "./fleet.js";

const $ = (id) => document.getElementById(id);
const session = { token: null, role: null, username: null, displayName: null };

const ROLE_LABELS = { agent: "云坐席 Agent", counter: "窗口 Counter", technician: "运维 Technician", admin: "管理员 Admin" };

$("login-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const form = event.target;
  $("login-error").textContent = "";
  try {
    const reply = await api("/auth/login", {
      method: "POST", body: { username: form.username.value, password: form.password.value },
    });
    session.token = reply.token; session.role = reply.role;
    session.username = reply.username || form.username.value;
    session.displayName = reply.display_name || session.username;
    form.password.value = "";
    showWorkspace();
  } catch (error) {
    $("login-error").textContent = error.code === "unauthorized" || error.code === "invalid_credentials"
      ? "用户名或密码错误 Wrong username or password" : `登录失败 Sign-in failed (${error.code})`;
  }
});

$("logout").addEventListener("click", async () => {
  leaveSeat();
  try { await api("/auth/logout", { method: "POST", token: session.token }); } catch (e) { /* the session may have expired already */ }
  location.reload();
});

function showWorkspace() {
  $("login").hidden = true;
  $("who").hidden = false;
  $("who-name").textContent = session.displayName;
  $("who-role").textContent = ROLE_LABELS[session.role] || session.role;
  const admin = session.role === "admin";
  $("seat").hidden = !(admin || session.role === "agent");
  $("counter").hidden = !(admin || session.role === "counter");
  $("fleet").hidden = !(admin || session.role === "technician");
  if (!$("seat").hidden) openSeat();
  if (!$("counter").hidden) startCounter(session.token);
  if (!$("fleet").hidden) startFleet(session.token);
}

// The seat offers general help and each department of the catalogue as skills, and the catalogue's
// services as guides to push.
async function openSeat() {
  const skills = [{ code: "general", name: "综合咨询 General" }];
  try {
    const catalogue = await api("/services?lang=zh-Hans", { token: session.token });
    skills.push(...catalogue.departments);
    const select = $("guide-service");
    for (const service of catalogue.services) {
      const option = document.createElement("option");
      option.value = service.code;
      option.textContent = `${service.code} ${service.name}`;
      select.append(option);
    }
  } catch (error) {
    note("catalogue_failed", error.code);
  }
  startSeat({ token: session.token, skills, languageName });
}
