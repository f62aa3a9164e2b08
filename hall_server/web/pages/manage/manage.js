// The management web: sign-in (manager or admin), the live operations panel polled every 2 s, and the
// reports with Apache ECharts (bundled under /static/vendor/echarts, no CDN: halls run on an intranet).
// Polled, not streamed: the panel joins the windows, the queues, the kiosks' heartbeats and the video-help
// routing, of which only the windows are on the floor bus; one indexed read every 2 s is cheap.
import { api, el } from "/static/hall.js";

const $ = (id) => document.getElementById(id);
const session = { token: null };
const charts = {};
const STATE_LABELS = { busy: "办理中 Busy", idle: "空闲 Idle", paused: "暂停 Paused", closed: "关闭 Closed" };
let timer = null;
// The page's language (its <html lang>, or ?lang=): the names the hall sends (departments) are in it.
const LANG = new URLSearchParams(location.search).get("lang") || document.documentElement.lang || "zh-Hans";
const departmentName = (body, code) => (code ? (body.department_names || {})[code] || code : "–");

const site = () => $("site").value.trim() || "HQ";
const minutes = (s) => (s === null || s === undefined ? null : Math.round(s / 6) / 10);
const clock = (s) => (s === null || s === undefined ? "–" : `${Math.floor(s / 60)}′${String(Math.round(s % 60)).padStart(2, "0")}″`);
const percent = (x) => (x === null || x === undefined ? "–" : `${Math.round(x * 1000) / 10}%`);
const isoDay = (d) => d.toISOString().slice(0, 10);

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
    session.token = reply.token;
    sessionStorage.setItem("hall.manage.token", reply.token);  // the other /manage/ pages of this tab
    $("who-name").textContent = reply.display_name || form.username.value;
    form.password.value = "";
    start();
  } catch (error) {
    $("login-error").textContent = error.code === "unauthorized" || error.code === "invalid_credentials"
      ? "用户名或密码错误 Wrong username or password" : `登录失败 Sign-in failed (${error.code})`;
  }
});

$("logout").addEventListener("click", async () => {
  try { await api("/auth/logout", { method: "POST", token: session.token }); } catch (e) { /* expired already */ }
  sessionStorage.removeItem("hall.manage.token");
  location.reload();
});

function start() {
  $("login").hidden = true;
  $("who").hidden = false;
  $("live").hidden = false;
  $("reports").hidden = false;
  for (const id of ["chart-wait", "chart-windows", "chart-satisfaction", "chart-trend"]) {
    charts[id] = echarts.init($(id));
  }
  window.addEventListener("resize", () => Object.values(charts).forEach((c) => c.resize()));
  refreshLive();
  timer = setInterval(refreshLive, 2000);
  loadReports();
}

async function refreshLive() {
  try {
    const live = await api(`/stats/live?site=${encodeURIComponent(site())}`, { token: session.token });
    $("live-error").textContent = "";
    renderLive(live);
  } catch (error) {
    $("live-error").textContent = `实时数据不可用 Live data unavailable (${error.code})`;
    if (error.status === 401) clearInterval(timer);
  }
}

function renderLive(live) {
  $("live-at").textContent = live.at.slice(11, 19);
  const waiting = live.queues.reduce((n, q) => n + q.waiting, 0);
  const longest = Math.max(0, ...live.queues.map((q) => q.longest_wait_s));
  $("tile-waiting").textContent = waiting;
  $("tile-longest").textContent = clock(longest);
  // Busy among the windows open now (a clerk signed in); a closed window is neither busy nor idle.
  const open = live.windows.filter((w) => w.state !== "closed").length;
  $("tile-busy").textContent = `${live.windows.filter((w) => w.state === "busy").length} / ${open}`;
  $("tile-kiosks").textContent = `${live.kiosks.offline.length} / ${live.kiosks.total}`;
  $("tile-assist").textContent = live.assist.callers_waiting;
  $("live-queues").tBodies[0].replaceChildren(...live.queues.map((q) => el("tr", {},
    el("td", {}, q.queue), el("td", {}, q.waiting), el("td", {}, clock(q.longest_wait_s)))));
  $("offline-kiosks").textContent = live.kiosks.offline.length
    ? `离线终端 Offline: ${live.kiosks.offline.join(", ")}` : "终端全部在线 All kiosks online";
  $("live-windows").replaceChildren(...live.windows.map((w) => el("div", { class: `window ${w.state}`, "data-window": w.window },
    el("strong", {}, `${w.window}号`), " ", STATE_LABELS[w.state] || w.state,
    el("br"), w.ticket ? `${w.ticket} · ${w.clerk || ""}` : (w.clerk || ""))));
}

async function report(name, params) {
  const query = new URLSearchParams({ site: site(), lang: LANG, ...params });
  return api(`/stats/${name}?${query}`, { token: session.token });
}

$("report-load").addEventListener("click", () => loadReports());

async function loadReports() {
  if (!$("report-day").value) $("report-day").value = isoDay(new Date());
  const day = $("report-day").value;
  const first = new Date(day + "T00:00:00Z");
  first.setUTCDate(first.getUTCDate() - 29);
  const month = { from: isoDay(first), to: day };
  try {
    const [byHour, windows, reviews, trend, total] = await Promise.all([
      report("queues", { from: day, to: day, by: "hour" }), report("windows", { from: day, to: day }),
      report("reviews", month), report("queues", { ...month, by: "day" }), report("queues", { from: day, to: day }),
    ]);
    $("report-error").textContent = "";
    drawWaits(byHour);
    drawWindows(windows);
    drawSatisfaction(reviews);
    drawTrend(trend);
    fillTables(total, reviews);
  } catch (error) {
    $("report-error").textContent = `报表不可用 Reports unavailable (${error.code})`;
  }
}

function drawWaits(body) {
  const hours = [...new Set(body.queues.map((r) => r.hour.slice(11)))].sort();
  const queues = [...new Set(body.queues.map((r) => r.queue))].sort();
  const value = (q, h, key) => {
    const row = body.queues.find((r) => r.queue === q && r.hour.slice(11) === h);
    return row ? minutes(row[key]) : null;
  };
  charts["chart-wait"].setOption({
    animation: false, tooltip: { trigger: "axis" }, legend: { top: 0 },
    xAxis: { type: "category", data: hours.map((h) => `${h}:00`) }, yAxis: { type: "value", name: "min" },
    series: queues.flatMap((q) => [
      { name: `${q} p50`, type: "bar", data: hours.map((h) => value(q, h, "wait_p50_s")) },
      { name: `${q} p90`, type: "line", data: hours.map((h) => value(q, h, "wait_p90_s")) },
    ]),
  }, true);
}

function drawWindows(body) {
  const rows = body.windows;
  charts["chart-windows"].setOption({
    animation: false, tooltip: { trigger: "axis" },
    xAxis: { type: "category", data: rows.map((r) => `${r.window} ${r.clerk || ""}`) },
    yAxis: { type: "value", name: "min" },
    series: [{ name: "平均办理 Mean service", type: "bar", data: rows.map((r) => minutes(r.service_mean_s)) }],
  }, true);
}

function drawSatisfaction(body) {
  // Bars lying down: department names are long, and read whole on the category axis.
  const rows = [...body.reviews].reverse();
  charts["chart-satisfaction"].setOption({
    animation: false, tooltip: { trigger: "axis" }, grid: { left: 8, right: 24, top: 24, bottom: 8, containLabel: true },
    yAxis: { type: "category", data: rows.map((r) => departmentName(body, r.department)),
      axisLabel: { width: 230, overflow: "truncate" } },
    xAxis: { type: "value", max: 100, name: "%" },
    series: [{ name: "满意率 Satisfied", type: "bar", itemStyle: { color: "#1e8449" },
      data: rows.map((r) => (r.satisfaction_share === null ? null : Math.round(r.satisfaction_share * 1000) / 10)) }],
  }, true);
}

function drawTrend(body) {
  const days = [...new Set(body.queues.map((r) => r.day))].sort();
  const issued = days.map((d) => body.queues.filter((r) => r.day === d).reduce((n, r) => n + r.issued, 0));
  const wait = days.map((d) => {
    const rows = body.queues.filter((r) => r.day === d && r.wait_mean_s !== null);
    const called = rows.reduce((n, r) => n + r.called, 0);
    return called ? minutes(rows.reduce((n, r) => n + r.wait_mean_s * r.called, 0) / called) : null;
  });
  charts["chart-trend"].setOption({
    animation: false, tooltip: { trigger: "axis" }, legend: { top: 0 },
    xAxis: { type: "category", data: days.map((d) => d.slice(5)) },
    yAxis: [{ type: "value", name: "取号 tickets" }, { type: "value", name: "min" }],
    series: [{ name: "取号 Issued", type: "bar", data: issued },
      { name: "平均等候 Mean wait", type: "line", yAxisIndex: 1, data: wait }],
  }, true);
}

function fillTables(total, reviews) {
  $("report-queues").tBodies[0].replaceChildren(...[...total.queues, { queue: "合计 Total", ...total.totals }].map((q) =>
    el("tr", {}, ...[q.queue, q.issued, q.served, q.no_show, q.transferred, clock(q.wait_p50_s), clock(q.wait_p90_s),
      clock(q.service_p50_s), percent(q.within_target_share)].map((v) => el("td", {}, v)))));
  // The desk's work: open cases, overdue first (the report's order); closed ones are counted in the chart.
  const open = reviews.bad_reviews.filter((b) => b.status === "open").slice(0, 30);
  $("report-bad").tBodies[0].replaceChildren(...open.map((b) => el("tr", { class: b.overdue ? "error" : "" },
    ...[b.level, departmentName(reviews, b.department), b.overdue ? "已超期 Overdue" : (b.status === "open" ? "待整改 Open" : "已办结 Closed"),
      b.due, b.working_days_left].map((v) => el("td", {}, v)))));
}

for (const button of document.querySelectorAll("[data-csv]")) {
  button.addEventListener("click", async () => {
    const day = $("report-day").value;
    const format = $("export-format").value;
    const query = new URLSearchParams({ site: site(), from: day, to: day, format });
    const reply = await fetch(`/api/v1/stats/${button.dataset.csv}?${query}`,
      { headers: { Authorization: "Bearer " + session.token } });
    const link = el("a", { href: URL.createObjectURL(await reply.blob()), download: `${button.dataset.csv}-${day}.${format}` });
    link.click();
  });
}
