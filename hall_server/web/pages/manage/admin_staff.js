// Staff accounts and roles: add, change role, disable or enable, set a new password (each ends the
// account's sessions).
import { el } from "/static/hall.js";

const $ = (id) => document.getElementById(id);
let roles = [];

export function setup(ctx) {
  $("staff-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const form = event.target;
    const body = { username: form.username.value.trim(), role: form.role.value, password: form.password.value };
    if (form.display_name.value.trim()) body.display_name = form.display_name.value.trim();
    form.password.value = "";
    ctx.change(body.username, () => ctx.call("/admin/staff", { method: "POST", body }), "staff");
  });
}

export async function load(ctx) {
  let body;
  try {
    body = await ctx.call("/admin/staff");
  } catch (error) {
    ctx.failed(error);
    return;
  }
  roles = body.roles;
  $("staff-form").role.replaceChildren(...roles.map((r) => el("option", { value: r }, r)));
  $("staff-list").tBodies[0].replaceChildren(...body.staff.map((a) => row(ctx, a)));
  ctx.lock($("staff-list"));
}

function row(ctx, a) {
  const role = el("select", {}, ...roles.map((r) => el("option", { value: r }, r)));
  role.value = a.role;
  const put = (body) => ctx.change(a.username,
    () => ctx.call(`/admin/staff/${encodeURIComponent(a.username)}`, { method: "PUT", body }), "staff");
  const password = () => {
    const value = prompt(`${a.username} 的新密码（至少8位） New password (8 characters or more)`);
    if (value) {
      ctx.change(a.username, () => ctx.call(`/admin/staff/${encodeURIComponent(a.username)}/password`,
        { method: "POST", body: { password: value } }), "staff");
    }
  };
  return el("tr", { "data-username": a.username, class: a.disabled ? "off" : "" },
    el("td", {}, a.username), el("td", {}, a.display_name), el("td", {}, role),
    el("td", {}, a.disabled ? "已停用 Disabled" : "启用 Active"),
    el("td", { class: "admin-only" },
      el("button", { type: "button", onclick: () => put({ role: role.value }) }, "改角色 Set role"), " ",
      el("button", { type: "button", onclick: () => put({ disabled: !a.disabled }) }, a.disabled ? "启用 Enable" : "停用 Disable"), " ",
      el("button", { type: "button", onclick: password }, "重置密码 Reset password")));
}
