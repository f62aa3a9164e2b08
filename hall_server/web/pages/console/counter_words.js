// What the counter view says, in the console's languages (Chinese first, English beneath), by code.

export const STATES = {
  waiting: { "zh-Hans": "等候中", en: "Waiting" },
  called: { "zh-Hans": "叫号中", en: "Called" },
  serving: { "zh-Hans": "办理中", en: "Serving" },
  no_show: { "zh-Hans": "过号", en: "No-show" },
  done: { "zh-Hans": "已办结", en: "Done" },
  parked: { "zh-Hans": "已挂起", en: "Parked" },
  transferred: { "zh-Hans": "已转出", en: "Transferred" },
  open: { "zh-Hans": "服务中", en: "Open" },
  paused: { "zh-Hans": "暂停服务", en: "Paused" },
  signed_out: { "zh-Hans": "未签到", en: "Nobody signed in" },
  closed: { "zh-Hans": "未开放", en: "Closed" },
};

// The 绿色通道 classes: the clerk checks the proof (an ID card's age, a disability or military card, ...).
export const PRIORITIES = {
  elderly: { "zh-Hans": "老年人", en: "Elderly" },
  disabled: { "zh-Hans": "残疾人", en: "Disability" },
  pregnant: { "zh-Hans": "孕妇", en: "Pregnancy" },
  military: { "zh-Hans": "军人", en: "Military" },
};

export const MESSAGES = {
  green_channel: { "zh-Hans": "绿色通道", en: "Priority lane" },
  check_proof: { "zh-Hans": "核验证明", en: "check the proof" },
  booking: { "zh-Hans": "预约", en: "Booking" },
  issued: { "zh-Hans": "取号", en: "Taken" },
  since: { "zh-Hans": "自", en: "Since" },
  window: { "zh-Hans": "号窗口", en: "Window" },
  no_ticket: { "zh-Hans": "当前无号", en: "No ticket at the window" },
  nothing_parked: { "zh-Hans": "无", en: "None" },
  unpark: { "zh-Hans": "恢复叫号", en: "Call again" },
  queue: { "zh-Hans": "队列", en: "Queue" },
  queues: { "zh-Hans": "转至队列（新号）", en: "To a queue (new number)" },
  windows: { "zh-Hans": "转至窗口（原号）", en: "To a window (same number)" },
  signed_in: { "zh-Hans": "已签到", en: "Signed in" },
  signed_out: { "zh-Hans": "已签退", en: "Signed out" },
  paused_now: { "zh-Hans": "已暂停服务，不再叫号", en: "Paused: no calls to this window" },
  resumed: { "zh-Hans": "已恢复服务", en: "Taking calls again" },
  transferred_to_queue: { "zh-Hans": "已转至新号", en: "Transferred: new number" },
  transferred_to_window: { "zh-Hans": "已转至窗口", en: "Transferred to window" },
  pick_window: { "zh-Hans": "请选择窗口", en: "Pick a window" },
  taken_by: { "zh-Hans": "已有人签到", en: "taken" },
};

export const ERRORS = {
  queue_empty: { "zh-Hans": "暂无等候", en: "Nobody waiting" },
  counter_busy: { "zh-Hans": "请先办结、过号、挂起或转移当前号", en: "Finish the current ticket first" },
  window_paused: { "zh-Hans": "窗口暂停服务中，恢复后才能叫号", en: "The window is paused; resume to call" },
  not_signed_in: { "zh-Hans": "请先签到窗口", en: "Sign in at the window first" },
  window_taken: { "zh-Hans": "该窗口已有工作人员签到", en: "Another clerk is signed in at that window" },
  signed_in_elsewhere: { "zh-Hans": "您已在其他窗口签到", en: "You are signed in at another window" },
  window_closed: { "zh-Hans": "该窗口未开放", en: "That window is closed" },
  unknown_window: { "zh-Hans": "无此窗口", en: "No such window" },
  no_current_ticket: { "zh-Hans": "当前无号", en: "No ticket at the window" },
  wrong_ticket_state: { "zh-Hans": "该号当前状态不能这样操作", en: "Not possible in the ticket's state" },
  ticket_not_found: { "zh-Hans": "无此号码", en: "No such number" },
  unknown_queue: { "zh-Hans": "本窗口不办理该队列", en: "Not a queue of this window" },
  same_queue: { "zh-Hans": "已在该队列", en: "Already in that queue" },
  same_window: { "zh-Hans": "已在本窗口", en: "Already at this window" },
  invalid_request: { "zh-Hans": "输入有误，请检查", en: "Check what you entered" },
  unauthorized: { "zh-Hans": "登录已过期，请重新登录", en: "Signed out: sign in again" },
  forbidden: { "zh-Hans": "无权操作", en: "Not allowed" },
};

// A word as the console shows it: Chinese, then the English in a <small>.
export function bilingual(words) {
  const span = document.createElement("span");
  span.append(document.createTextNode(words["zh-Hans"] + " "));
  const small = document.createElement("small");
  small.lang = "en";
  small.textContent = words.en;
  span.append(small);
  return span;
}

export function errorWords(error) {
  return ERRORS[error.code] || { "zh-Hans": `操作失败（${error.code}）`, en: `Failed (${error.code})` };
}
