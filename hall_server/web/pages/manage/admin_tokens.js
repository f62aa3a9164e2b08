// Kiosk and device tokens: add (the token is shown here once, to be copied into the kiosk's or device's
// configuration), revoke, rotate (a new token; the old one stops working at once).
import { el } from "/static/hall.js";

const $ = (id) => document.getElementById(id);

function showToken(name, token) {
  const box = $("token-shown");
  box.hidden = false;
  box.replaceChildren(el("strong", {}, `${name} 的令牌（只显示这一次） Token of ${name}, shown this once:`), el("br"),
    el("code", { id: "token-value" }, token));
}

async function issue(ctx, name, work) {
  try {
    const reply = await work();
    showToken(name, reply.token);
    ctx.say(`已保存 Saved: ${name}`);
  } catch (error) {
    ctx.failed(error);
  }
  await load(ctx);
}

export function setup(ctx) {
  $("kiosk-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const form = event.target;
    const body = { name: form.name.value.trim(), site: form.site.value.trim() };
    issue(ctx, body.name, () => ctx.call("/admin/kiosks", { method: "POST", body }));
  });
  $("device-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const form = event.target;
    const body = { name: form.name.value.trim(), site: form.site.value.trim(), kind: form.kind.value };
    if (form.window.value.trim()) body.window = form.window.value.trim();
    issue(ctx, body.name, () => ctx.call("/admin/devices", { method: "POST", body }));
  });
}

function actions(ctx, holder, item) {
  const path = `/admin/${holder}s/${encodeURIComponent(item.name)}`;
  return el("td", { class: "admin-only" },
    item.revoked ? "" : el("button", { type: "button", onclick: () => {
      if (confirm(`吊销 Revoke ${item.name}?`)) ctx.change(item.name, () => ctx.call(`${path}/revoke`, { method: "POST" }), "tokens");
    } }, "吊销 Revoke"), " ",
    el("button", { type: "button", onclick: () => issue(ctx, item.name, () => ctx.call(`${path}/rotate`, { method: "POST" })) },
      "换发 Rotate"));
}

export async function load(ctx) {
  let body;
  try {
    body = await ctx.call("/admin/tokens");
  } catch (error) {
    ctx.failed(error);
    return;
  }
  const state = (item) => el("td", { class: item.revoked ? "off" : "" }, item.revoked ? "已吊销 Revoked" : "有效 Valid");
  $("kiosk-list").tBodies[0].replaceChildren(...body.kiosks.map((k) => el("tr", { "data-name": k.name },
    el("td", {}, k.name), el("td", {}, k.site),
    el("td", {}, k.last_used_at ? k.last_used_at.slice(0, 16).replace("T", " ") : "–"), state(k), actions(ctx, "kiosk", k))));
  $("device-list").tBodies[0].replaceChildren(...body.devices.map((d) => el("tr", { "data-name": d.name },
    el("td", {}, d.name), el("td", {}, d.site), el("td", {}, d.kind), el("td", {}, d.window || "–"), state(d),
    actions(ctx, "device", d))));
}
