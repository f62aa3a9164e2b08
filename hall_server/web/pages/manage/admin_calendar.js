// Calendar overrides: an extra closed day or a working-day correction (调休), and next year's holiday file
// (checked by the hall before anything is stored: a bad file is refused with its code and line).
import { el } from "/static/hall.js";

const $ = (id) => document.getElementById(id);
const KINDS = { closed: "闭厅 Closed", workday: "调休上班 Working day" };

export function setup(ctx) {
  $("day-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const form = event.target;
    const body = { kind: form.kind.value };
    const names = { "zh-Hans": form["zh-Hans"].value.trim(), "zh-Hant": form["zh-Hant"].value.trim(), en: form.en.value.trim() };
    if (body.kind === "closed" && Object.values(names).every(Boolean)) body.names = names;
    ctx.change(form.day.value, () => ctx.call(`/admin/calendar/days/${form.day.value}`, { method: "PUT", body }), "calendar");
  });
  $("year-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const file = event.target.file.files[0];
    if (!file) return;
    const toml = await file.text();
    try {
      const loaded = await ctx.call("/calendars", { method: "POST", body: { toml } });
      ctx.say(`已载入 Loaded ${loaded.year}: ${loaded.holidays} 节假日 holiday days, ${loaded.adjusted_workdays} 调休 working days`);
    } catch (error) {
      ctx.failed(error);
    }
    await load(ctx);
  });
}

export async function load(ctx) {
  let body;
  try {
    body = await ctx.call("/admin/calendar");
  } catch (error) {
    ctx.failed(error);
    return;
  }
  $("day-list").tBodies[0].replaceChildren(...body.days.map((d) => el("tr", { "data-day": d.date },
    el("td", {}, d.date), el("td", {}, KINDS[d.kind] || d.kind),
    el("td", {}, d.names ? `${d.names["zh-Hans"]} · ${d.names.en}` : "–"),
    el("td", { class: "admin-only" }, el("button", { type: "button", onclick: () => ctx.change(d.date,
      () => ctx.call(`/admin/calendar/days/${d.date}`, { method: "DELETE" }), "calendar") }, "撤销 Withdraw")))));
  $("year-list").tBodies[0].replaceChildren(...body.years.map((y) => el("tr", {},
    el("td", {}, y.year), el("td", {}, y.loaded_at.slice(0, 19).replace("T", " ")))));
}
