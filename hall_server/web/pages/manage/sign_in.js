// The management web's sign-in, shared by its pages (live panel and reports, the 好差评 desk, the
// administration): manager or admin accounts only, one session per browser tab (sessionStorage), so moving
// between the pages asks for the password once; a session the hall no longer knows is asked for again.
import { api } from "/static/hall.js";

const KEY = "hall.manage.session";
const $ = (id) => document.getElementById(id);

function saved() {
  try {
    const found = JSON.parse(sessionStorage.getItem(KEY) || "null");
    return found && typeof found.token === "string" ? found : null;
  } catch (e) {
    return null;
  }
}

// Wires the page's #login-form, #login-error, #who-name, #who-role (optional) and #logout; calls
// `onStart(session)` once signed in (or at once with the tab's session); `session.expired()` from a page
// that got 401 asks again.
export function managerSession(onStart) {
  const session = {
    token: null, role: null, name: "",
    expired() {
      sessionStorage.removeItem(KEY);
      location.reload();
    },
  };

  function begin(found) {
    Object.assign(session, found);
    sessionStorage.setItem(KEY, JSON.stringify(found));
    $("who-name").textContent = found.name;
    if ($("who-role")) $("who-role").textContent = found.role;
    onStart(session);
  }

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
      form.password.value = "";
      begin({ token: reply.token, role: reply.role, name: reply.display_name || form.username.value });
    } catch (error) {
      $("login-error").textContent = error.code === "unauthorized" || error.code === "invalid_credentials"
        ? "用户名或密码错误 Wrong username or password" : `登录失败 Sign-in failed (${error.code})`;
    }
  });

  $("logout").addEventListener("click", async () => {
    try { await api("/auth/logout", { method: "POST", token: session.token }); } catch (e) { /* expired already */ }
    sessionStorage.removeItem(KEY);
    location.reload();
  });

  const found = saved();
  if (found) {
    // Checked before the page shows anything: a session signed out elsewhere must not show a page of errors.
    api("/reviews/follow-ups/assignees", { token: found.token })
      .then(() => begin(found))
      .catch(() => sessionStorage.removeItem(KEY));
  }
  return session;
}
