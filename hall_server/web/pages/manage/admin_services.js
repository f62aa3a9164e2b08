// Services and their guides: the texts of each language (name, where, time limit, fee, legal basis, steps
// and notes, one per line) and whether the kiosks offer the service.
import { el } from "/static/hall.js";

const $ = (id) => document.getElementById(id);
const LANGS = { "zh-Hans": "简体中文", "zh-Hant": "繁體中文", en: "English" };
const FIELDS = [
  ["name", "名称 Name"], ["where", "办理地点 Where"], ["time_limit", "办理时限 Time limit"], ["fee", "收费 Fee"],
  ["legal_basis", "设定依据 Legal basis"], ["steps", "办理流程（每行一步） Steps, one a line"],
  ["notes", "注意事项（每行一条） Notes, one a line"],
];
const LISTS = new Set(["steps", "notes"]);
let listed = [];
let current = null;

export function setup(ctx) {
  $("service-filter").addEventListener("input", render);
  $("service-form").addEventListener("submit", (event) => {
    event.preventDefault();
    save(ctx);
  });
  $("service-reset").addEventListener("click", () => ctx.change(current,
    () => ctx.call(`/admin/services/${current}`, { method: "DELETE" }), "services"));
  $("service-langs").replaceChildren(...Object.entries(LANGS).map(([lang, title]) => el("fieldset", { "data-lang": lang },
    el("legend", {}, title),
    ...FIELDS.map(([field, label]) => el("label", {}, label,
      LISTS.has(field) ? el("textarea", { name: `${lang}.${field}` }) : el("input", { name: `${lang}.${field}` }))))));
  ctx.lock($("service-form"));
}

export async function load(ctx) {
  try {
    listed = (await ctx.call("/admin/services")).services;
  } catch (error) {
    ctx.failed(error);
    return;
  }
  render();
  if (current) pick(current, ctx);
}

function render() {
  const q = $("service-filter").value.trim().toLowerCase();
  const rows = listed.filter((s) => !q || s.code.toLowerCase().includes(q)
    || Object.values(s.texts).some((t) => t.name.toLowerCase().includes(q)));
  $("service-list").tBodies[0].replaceChildren(...rows.map((s) => el("tr", {
    "data-code": s.code, class: s.code === current ? "selected" : "", onclick: () => pick(s.code),
  }, el("td", {}, s.code), el("td", {}, s.texts["zh-Hans"].name, el("br"), el("small", {}, s.texts.en.name)),
  el("td", { class: s.enabled ? "" : "off" }, s.enabled ? "提供 Offered" : "停用 Off",
    s.edited ? el("div", { class: "edited" }, "已修改 edited") : ""))));
}

function pick(code) {
  current = code;
  const service = listed.find((s) => s.code === code);
  if (!service) return;
  const form = $("service-form");
  form.hidden = false;
  $("service-title").textContent = `${service.code} · ${service.texts["zh-Hans"].name}`;
  form.enabled.checked = service.enabled;
  for (const lang of Object.keys(LANGS)) {
    for (const [field] of FIELDS) {
      const value = service.texts[lang][field];
      form.elements[`${lang}.${field}`].value = LISTS.has(field) ? value.join("\n") : value;
    }
  }
  render();
}

async function save(ctx) {
  const service = listed.find((s) => s.code === current);
  const form = $("service-form");
  // Only what differs from the text in force is sent: the audit then says what was changed.
  const texts = {};
  for (const lang of Object.keys(LANGS)) {
    for (const [field] of FIELDS) {
      const raw = form.elements[`${lang}.${field}`].value;
      const value = LISTS.has(field) ? raw.split("\n").map((l) => l.trim()).filter(Boolean) : raw.trim();
      if (JSON.stringify(value) !== JSON.stringify(service.texts[lang][field])) {
        (texts[lang] = texts[lang] || {})[field] = value;
      }
    }
  }
  const body = {};
  if (form.enabled.checked !== service.enabled) body.enabled = form.enabled.checked;
  if (Object.keys(texts).length) body.texts = texts;
  await ctx.change(current, () => ctx.call(`/admin/services/${current}`, { method: "PUT", body }), "services");
}
