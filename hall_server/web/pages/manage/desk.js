// The 好差评 desk (managers, admins): bad reviews' follow-up cases, overdue first, with their deadlines in
// working days as the hall's calendar counts them; a case is assigned, answered, then closed, each step dated
// by the hall. The session is the management web's (sessionStorage, one tab), or signed in here.
import { api, el } from "/static/hall.js";
import { managerSession } from "./sign_in.js";

const $ = (id) => document.getElementById(id);
// The page's language: its <html lang>, or ?lang= (zh-Hans, zh-Hant, en) for the names the hall sends.
const LANG = new URLSearchParams(location.search).get("lang") || document.documentElement.lang || "zh-Hans";
const LEVELS = { 1: "非常不满意 Very dissatisfied", 2: "不满意 Dissatisfied" };
const STATES = { open: "待回复 Open", answered: "待办结 Answered", closed: "已办结 Closed" };
const REFUSALS = {
  follow_up_not_answered: "请先答复再办结 Answer the case before closing it",
  follow_up_already_answered: "已答复 The case is answered already",
  follow_up_closed: "已办结 The case is closed",
  follow_up_not_found: "无此案件 No such case",
  unknown_staff: "无此账号 No such staff account",
  answer_required: "请填写答复 Write the answer first",
  answer_too_long: "答复过长 The answer is too long",
};
// Cases a page (the API's limit, 1-200); ?limit= asks for other pages, as a long list is paged by cursor.
const PAGE = Math.min(200, Math.max(1, Number(new URLSearchParams(location.search).get("limit")) || 50));
const desk = { token: null, cases: [], names: {}, reasons: {}, selected: null, next: null, total: 0, overdue: 0 };

const site = () => $("site").value.trim() || "HQ";
const when = (iso) => (iso ? `${iso.slice(0, 10)} ${iso.slice(11, 16)}` : "");
const refusal = (error) => `${REFUSALS[error.code] || "操作失败 Failed"} (${error.code})`;

async function start() {
  $("login").hidden = true;
  $("who").hidden = false;
  $("desk").hidden = false;
  const staff = await api("/reviews/follow-ups/assignees", { token: desk.token });
  $("assignee").replaceChildren(...staff.staff.map((s) => el("option", { value: s.username },
    `${s.display_name} (${s.username})`)));
  await load();
}

// The first page again (as many cases as were shown, after a step changed one), or with ``more`` the page
// after the last case shown.
async function load(more = false) {
  const limit = more ? PAGE : Math.min(200, Math.max(PAGE, desk.cases.length));
  const query = new URLSearchParams({ status: $("filter").value, site: site(), lang: LANG, limit });
  if (more) query.set("cursor", desk.next);
  try {
    const body = await api(`/reviews/follow-ups?${query}`, { token: desk.token });
    $("desk-error").textContent = "";
    desk.cases = more ? [...desk.cases, ...body.follow_ups] : body.follow_ups;
    desk.next = body.next_cursor;
    desk.total = body.total;
    desk.overdue = body.overdue;
    desk.names = body.department_names;
    desk.reasons = body.reason_labels;
    renderList();
    // A case the filter now leaves out (closed while showing the pending ones) stays open in the panel.
    const still = desk.cases.find((c) => c.id === desk.selected);
    if (still) renderCase(still);
  } catch (error) {
    if (error.status === 401) { session.expired(); return; }
    $("desk-error").textContent = `案件不可用 Cases unavailable (${error.code})`;
  }
}

const department = (code) => (code ? desk.names[code] || code : "–");
const reasons = (codes) => codes.map((c) => desk.reasons[c] || c).join("、") || "–";
const state = (c) => (c.overdue ? "已超期 Overdue" : STATES[c.status] || c.status);

function renderList() {
  const shown = desk.cases.length < desk.total ? `显示 shown ${desk.cases.length} / ` : "";
  $("counts").textContent = `${shown}${desk.total} 件 cases · ${desk.overdue} 件超期 overdue`;
  $("more").hidden = !desk.next;
  $("cases").tBodies[0].replaceChildren(...desk.cases.map((c) => el("tr", {
    "data-case": c.id, class: [c.overdue ? "overdue" : "", c.id === desk.selected ? "selected" : ""].join(" "),
    onclick: () => { desk.selected = c.id; renderList(); renderCase(c); },
  }, ...[c.review.level, department(c.department), reasons(c.review.reasons), when(c.created_at), c.due,
    c.status === "open" ? c.working_days_left : "–", state(c), c.assignee || "–"].map((v) => el("td", {}, v)))));
}

function renderCase(c) {
  $("case").hidden = false;
  $("case-error").textContent = "";
  $("case-title").textContent = `${LEVELS[c.review.level] || c.review.level} · ${department(c.department)}`;
  const facts = [["原因 Reasons", reasons(c.review.reasons)], ["留言 Comment", c.review.comment || "–"],
    ["期限 Due", `${c.due} (${c.working_days_left} 个工作日 working days)`], ["状态 State", state(c)]];
  $("case-facts").replaceChildren(...facts.flatMap(([k, v]) => [el("dt", {}, k), el("dd", {}, v)]));
  const steps = [
    ["评价 Given", when(c.created_at), ""],
    ["分派 Assigned", when(c.assigned_at), c.assignee ? `→ ${c.assignee}` : ""],
    ["答复 Answered", when(c.answered_at), c.answered_by ? `${c.answered_by}: ${c.answer}` : ""],
    ["办结 Closed", when(c.closed_at), c.closed_by || ""],
  ];
  $("case-steps").replaceChildren(...steps.map(([what, at, more]) => el("li", { class: at ? "done" : "todo" },
    el("strong", {}, what), " ", at || "—", more ? ` · ${more}` : "")));
  $("assign-form").hidden = c.status !== "open";
  $("answer-form").hidden = c.status !== "open";
  $("close-case").hidden = c.status !== "answered";
  if (c.assignee) $("assignee").value = c.assignee;
}

async function act(step, body) {
  $("case-error").textContent = "";
  let changed;
  try {
    changed = await api(`/reviews/follow-ups/${encodeURIComponent(desk.selected)}/${step}`,
      { method: "POST", body, token: desk.token });
    if (step === "answer") $("answer").value = "";
  } catch (error) {
    $("case-error").textContent = refusal(error);
    return;
  }
  await load();
  renderCase(changed);
}

$("assign-form").addEventListener("submit", (event) => {
  event.preventDefault();
  act("assign", { assignee: $("assignee").value });
});
$("answer-form").addEventListener("submit", (event) => {
  event.preventDefault();
  act("answer", { answer: $("answer").value });
});
$("close-case").addEventListener("click", () => act("close", {}));
$("more").addEventListener("click", () => load(true));
function reload() {
  desk.selected = null;
  desk.cases = [];
  $("case").hidden = true;
  load();
}
$("filter").addEventListener("change", reload);
$("site").addEventListener("change", reload);

const session = managerSession((signed) => {
  desk.token = signed.token;
  start();
});
