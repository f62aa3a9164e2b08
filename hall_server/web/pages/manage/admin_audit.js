// The audit of administration changes: who, when, what, newest first.
import { el } from "/static/hall.js";

const $ = (id) => document.getElementById(id);
const AREAS = { services: "事项 Services", windows: "窗口 Windows", calendar: "日历 Calendar", staff: "人员 Staff", tokens: "令牌 Tokens" };

export function setup() {}

export async function load(ctx) {
  let body;
  try {
    body = await ctx.call("/admin/audit?limit=300");
  } catch (error) {
    ctx.failed(error);
    return;
  }
  $("audit-list").tBodies[0].replaceChildren(...body.entries.map((e) => el("tr", {},
    el("td", {}, e.at.slice(0, 19).replace("T", " ")), el("td", {}, e.actor), el("td", {}, AREAS[e.area] || e.area),
    el("td", {}, e.action), el("td", {}, e.target),
    el("td", {}, el("pre", { class: "detail" }, JSON.stringify(e.detail, null, 1))))));
}
