// Times as people read them: "10:31" on the hall's wall clock, and "3 分钟前 · 3 min ago" against the
// hall's own now (the hall's clock, which the hall answers with, not the browser's).

// "HH:MM" of an ISO 8601 instant written in hall time (the hall answers "2026-11-25T10:31:07+08:00").
export function clockTime(iso) {
  const match = /T(\d{2}):(\d{2})/.exec(iso || "");
  return match ? `${match[1]}:${match[2]}` : "";
}

// How long before `nowMs` (milliseconds since the epoch, the hall's now) the instant `iso` was, as
// { "zh-Hans", "zh-Hant", en } words.
export function ago(iso, nowMs) {
  const seconds = Math.max(0, (nowMs - Date.parse(iso)) / 1000);
  if (!Number.isFinite(seconds)) return { "zh-Hans": "", "zh-Hant": "", en: "" };
  if (seconds < 60) return { "zh-Hans": "刚刚", "zh-Hant": "剛剛", en: "just now" };
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return { "zh-Hans": `${minutes} 分钟前`, "zh-Hant": `${minutes} 分鐘前`, en: `${minutes} min ago` };
  const hours = Math.floor(minutes / 60);
  return { "zh-Hans": `${hours} 小时前`, "zh-Hant": `${hours} 小時前`, en: `${hours} h ago` };
}
