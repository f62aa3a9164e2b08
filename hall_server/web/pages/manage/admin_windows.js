// Windows and their queues: per window the queues it serves in calling order ("A, B": call-next takes A
// first), its name in the three languages, open or closed.
import { el } from "/static/hall.js";

const $ = (id) => document.getElementById(id);
const LANGS = ["zh-Hans", "zh-Hant", "en"];
const site = () => $("window-site").value.trim() || "HQ";

export function setup(ctx) {
  $("window-site").addEventListener("change", () => load(ctx));
}

export async function load(ctx) {
  let body;
  try {
    body = await ctx.call(`/admin/windows?site=${encodeURIComponent(site())}`);
  } catch (error) {
    ctx.failed(error);
    return;
  }
  $("window-list").tBodies[0].replaceChildren(...body.windows.map((w) => row(ctx, w, body.queues)));
  ctx.lock($("window-list"));
}

function row(ctx, w, queues) {
  const names = LANGS.map((lang) => el("input", { class: "wname", name: lang, value: w.names[lang], title: lang }));
  const queueInput = el("input", { class: "queues", value: w.queues.join(", "), title: `可选 Runs: ${queues.join(", ")}` });
  const open = el("input", { type: "checkbox" });
  open.checked = w.open;
  const save = () => {
    const body = {};
    const wanted = queueInput.value.split(/[\s,，]+/).filter(Boolean).map((q) => q.toUpperCase());
    if (wanted.join() !== w.queues.join()) body.queues = wanted;
    if (names.some((input) => input.value !== w.names[input.name])) {
      body.names = Object.fromEntries(names.map((input) => [input.name, input.value]));
    }
    if (open.checked !== w.open) body.open = open.checked;
    return ctx.change(`${w.number}号窗口 window ${w.number}`,
      () => ctx.call(`/admin/windows/${w.number}?site=${encodeURIComponent(site())}`, { method: "PUT", body }), "windows");
  };
  const reset = () => ctx.change(`${w.number}号窗口 window ${w.number}`,
    () => ctx.call(`/admin/windows/${w.number}?site=${encodeURIComponent(site())}`, { method: "DELETE" }), "windows");
  return el("tr", { "data-window": w.number },
    el("td", {}, el("strong", {}, w.number), el("br"), el("small", {}, w.area),
      w.edited ? el("div", { class: "edited" }, `已修改 edited (出厂 shipped: ${w.shipped_queues.join(", ")})`) : ""),
    el("td", {}, ...names),
    el("td", {}, queueInput),
    el("td", {}, open),
    el("td", { class: "admin-only" }, el("button", { type: "button", class: "primary", onclick: save }, "保存 Save"), " ",
      w.edited ? el("button", { type: "button", onclick: reset }, "恢复 Reset") : ""));
}
