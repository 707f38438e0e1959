// The staff dashboard: renders each snapshot the server pushes; staff actions become station commands.
// Its words are the glossary's (docs/glossary.md): 应拍 已取号 已拍 过号 作废 排队中 未到（已过时段） 未开始 需补拍.
"use strict";

const CSRF = document.querySelector('meta[name="csrf-token"]').content;
const PHONE = window.matchMedia("(max-width: 600px)");
const PRINTER = {ok: ["打印机正常", "ok"], failing: ["打印机故障", "bad"], unknown: ["打印机状态未知", ""]};
const CAMERA = {ok: ["摄像头正常", "ok"], none: ["未接摄像头（手动录入）", ""], no_frames: ["摄像头无画面", "bad"],
                camera_stalled: ["摄像头无画面", "bad"], camera_unavailable: ["摄像头无法打开", "bad"],
                camera_bad_frame: ["摄像头画面异常", "bad"], unknown: ["摄像头状态未知", ""]};
// the 最近取号 chips: one colour per ticket status, explained by the legend under the cards
const STATUS = {waiting: "排队中", called: "正在拍摄", photographed: "已拍", skipped: "过号", voided: "作废"};
const KIND = {switch_class: "切换班级", void: "作废", correct_class: "更正班级", advance: "拍完一位",
              undo: "撤销", skip: "过号", recall: "召回", reprint: "补打"};
let rooms = {};

function badge(pair, title) { return h("span", {class: "badge " + (pair[1] || ""), title: title || null}, pair[0]); }
function printerBadge(v) { return badge(PRINTER[v] || ["打印机异常", "bad"], v); }
function cameraBadge(v) { return badge(CAMERA[v] || ["摄像头异常", "bad"], v); }

function ago(seconds) {
  if (seconds === null || seconds === undefined) return "从未同步";
  if (seconds < 60) return seconds + " 秒前同步";
  if (seconds < 3600) return Math.floor(seconds / 60) + " 分钟前同步";
  return Math.floor(seconds / 3600) + " 小时前同步";
}

function row(k, v) { return h("div", {class: "row"}, h("span", {class: "k"}, k), h("span", {class: "v"}, v)); }

function roomCard(r) {
  const online = r.online ? ["在线", "ok"] : ["离线", "bad"];
  const card = h("article", {class: "card" + (r.online ? "" : " offline"), "data-room": r.room,
                             "data-station": r.station_id || ""},
    h("div", {class: "card-head"},
      h("div", {}, h("span", {class: "room-name"}, r.room), r.location ? h("span", {class: "where"}, r.location) : null),
      badge(online)));
  if (r.empty) {
    add(card, h("div", {class: "empty"}, "尚未收到本组数据"),
                h("div", {class: "health"}, printerBadge(r.printer), cameraBadge(r.camera)));
    return card;
  }
  const cur = r.current_class, nxt = r.next_class, prog = r.progress || {};
  add(card,
    h("div", {class: "serving"},
      h("div", {}, h("div", {class: "label"}, "正在拍摄"),
        h("div", {class: "num now-serving" + (r.now_serving === null ? " idle" : "")},
          r.now_serving === null ? "空闲，等待同学" : String(r.now_serving))),
      h("div", {class: "side"}, h("div", {class: "label"}, "排队中"), h("div", {class: "n waiting"}, String(r.waiting)),
        h("div", {class: "label"}, "最后取号 ", h("b", {class: "last-number"}, r.last_number === null ? "—" : String(r.last_number))))),
    row("当前班级", cur ? `${cur.name}（已拍 ${cur.photographed}/${cur.expected}）` : "—"),
    row("下一班级", nxt ? `${nxt.class} · 预计 ${nxt.expected_start || "—"}（原定 ${nxt.scheduled_start || "—"}）` : "—（已是最后一个班级）"),
    h("div", {class: "bar-track", title: "全天进度"}, (() => {
      const fill = h("div", {class: "bar-fill"}); fill.style.width = (prog.percent || 0) + "%"; return fill; })()),
    row("全天进度", `已拍 ${prog.photographed || 0} / 应拍 ${prog.expected || 0}` + (prog.percent === null ? "" : `（${prog.percent}%）`)),
    h("div", {class: "row"}, h("span", {class: "k"}, "对照时间表"),
      h("span", {class: "v"}, badge(lateText(r.late_min)), " ",
        h("span", {class: "muted"}, `每人约 ${r.pace_s} 秒${r.pace_source === "measured" ? "（实测）" : "（默认）"}`))),
    h("div", {class: "health"}, printerBadge(r.printer), cameraBadge(r.camera),
      badge([ago(r.seen_ago_s), r.online ? "" : "bad"]),
      r.outbox_pending ? badge([`待上传 ${r.outbox_pending} 条`, "warn"]) : null),
    r.sync_alert ? h("div", {class: "alert sync-alert"}, r.sync_alert) : null,
    setAsideNotice(r),
    ...(r.alerts || []).map((a) => h("div", {class: "alert"}, a)),
    h("div", {class: "tickets"}, h("span", {class: "muted"}, "最近取号"),
      (r.recent || []).map((t) => h("span", {class: "ticket " + t.status, "data-number": t.number,
                                               title: `${t.class} · ${STATUS[t.status] || t.status}`}, String(t.number)))),
    h("div", {class: "actions"},
      h("button", {type: "button", onclick: () => openAction("next_class", r)}, "切换到下一班级"),
      h("button", {type: "button", onclick: () => openAction("void", r)}, "作废号码"),
      h("button", {type: "button", onclick: () => openAction("correct_class", r)}, "更正班级"),
      replaceStationButton(r)));
  return card;
}

function legend() {
  return [h("span", {class: "muted"}, "最近取号的颜色："),
          ...Object.entries(STATUS).map(([k, zh]) => h("span", {class: "ticket " + k, "data-status": k}, zh))];
}

// [key, heading, css class, phone]: "phone" columns are the ones a 390-px screen shows (班级, 已拍, 应收);
// the rest open with a tap on the row. Headings carry the glossary's words; title = what each means.
const COUNT_HEAD = [["date", "日期", "t"], ["room", "拍摄组", "t"], ["college", "学院", "t"], ["class", "班级", "t", 1],
  ["expected", "应拍"], ["issued", "已取号"], ["photographed", "已拍", "", 1], ["skipped", "过号"], ["voided", "作废"],
  ["waiting", "排队中"], ["absent", "未到（已过时段）"], ["not_started", "未开始"], ["over", "超出应拍"], ["fee", "应收(元)", "", 1]];
const TOTAL_HEAD = [["key", "", "t", 1], ["classes", "班级数"], ["expected", "应拍"], ["photographed", "已拍", "", 1],
  ["skipped", "过号"], ["voided", "作废"], ["waiting", "排队中"], ["absent", "未到（已过时段）"], ["not_started", "未开始"],
  ["over", "超出应拍"], ["fee", "应收(元)", "", 1]];
const MAKEUP_HEAD = [["date", "日期", "t"], ["room", "拍摄组", "t"], ["college", "学院", "t"], ["class", "班级", "t", 1],
  ["expected", "应拍"], ["photographed", "已拍"], ["missing", "需补拍", "", 1], ["absent", "未到（已过时段）"],
  ["skipped", "过号"], ["waiting", "排队中"]];
const MEANING = {expected: "时间表上的人数", issued: "取了号的人次（含作废）", photographed: "已拍照",
  skipped: "取了号、叫号时不在（可召回）", voided: "工作人员作废的号", waiting: "取了号、正在排队",
  absent: "没有取号，且本班已拍完或时段已过：需补拍", not_started: "没有取号，本班还没轮到或正在拍摄",
  over: "取号人数超过应拍（如更正班级转入）", missing: "应拍 − 已拍", fee: "已拍 × 每人费用"};
const NO_COLLEGE = "未注明学院";

// a column is shown only when some row has something in it (学院 without colleges, 超出应拍 at 0: hidden)
function visible(head, rows) {
  const empty = (k, v) => v === null || v === undefined || v === "" || (k === "college" && v === NO_COLLEGE) ||
    (["over", "voided"].includes(k) && Number(v) === 0);
  return head.filter(([k, , , phone]) => phone || !["college", "over", "voided"].includes(k) ||
                                         rows.some((r) => !empty(k, r[k])));
}

function fillTable(id, head, rows, total, emptyText) {
  const table = document.getElementById(id);
  const cols = visible(head, rows);
  const cell = (r, [k, , c, phone], first) => h("td", {class: (c || "") + (phone ? " key" : " more"),
    "data-key": k}, first && (k === "class" || k === "key") ? first : (r[k] ?? ""));
  const slip = (r) => h("a", {class: "slip-link", target: "_blank", onclick: (e) => e.stopPropagation(),
    href: `/dashboard/export/slip.html?room=${encodeURIComponent(r.room)}&class=${encodeURIComponent(r.class)}`},
    "结算单");  // the class's settlement slip, printable for its class leader
  const detail = (r) => h("tr", {class: "detail"}, h("td", {colspan: cols.length},
    h("dl", {}, cols.filter(([, , , phone]) => !phone).map(([k, zh]) =>
      h("div", {}, h("dt", {}, zh), h("dd", {}, String(r[k] ?? ""))))), r.room && r.class ? slip(r) : null));
  const body = [];
  for (const r of rows) {
    const tr = h("tr", {class: "data" + (r.over > 0 ? " over" : "")}, cols.map((col) => {
      const td = cell(r, col);
      if (col[0] === "class" && r.over > 0) td.append(" ", h("span", {class: "badge warn over-badge"}, `超出应拍 ${r.over} 人`));
      if (col[0] === "class" && r.room && r.class) td.append(" ", slip(r));  // on a phone: in the row's detail
      return td;
    }));
    const more = detail(r);
    tr.addEventListener("click", () => { if (PHONE.matches) more.classList.toggle("open"); });
    body.push(tr, more);
  }
  if (!rows.length) body.push(h("tr", {}, h("td", {class: "t empty", colspan: cols.length}, emptyText)));
  if (total) {
    const tr = h("tr", {class: "total data"}, cols.map((col) => cell(total, col, "合计")));
    const more = detail(Object.assign({}, total, {date: "", room: "", college: ""}));
    tr.addEventListener("click", () => { if (PHONE.matches) more.classList.toggle("open"); });
    body.push(tr, more);
  }
  table.replaceChildren(
    h("thead", {}, h("tr", {}, cols.map(([k, zh, c, phone]) =>
      h("th", {class: (c || "") + (phone ? " key" : " more"), title: MEANING[k] || null, "data-key": k}, zh)))),
    h("tbody", {}, body));
}

// the office's two sums, spelled out so anyone can check them against the table
function sumCheck(t) {
  const left = t.photographed + t.skipped + t.waiting + t.absent + t.not_started;
  return `核对：已拍 ${t.photographed} + 过号 ${t.skipped} + 排队中 ${t.waiting} + 未到 ${t.absent} + 未开始 ${t.not_started}` +
    ` = ${left} = 应拍 ${t.expected}` + (t.over ? ` + 超出应拍 ${t.over}` : "") +
    `；已取号 ${t.issued} = 已拍 + 过号 + 排队中 + 作废 ${t.voided}。`;
}

function zoneName(tz) { return tz === "Asia/Shanghai" ? "北京时间" : tz; }

// the glossary's words, as the server sends them (core/glossary.py); the texts above are the fallback
function applyWords(words, meanings) {
  if (!words) return;
  for (const head of [COUNT_HEAD, TOTAL_HEAD, MAKEUP_HEAD]) {
    for (const col of head) if (words[col[0]]) col[1] = words[col[0]];
  }
  for (const k of Object.keys(STATUS)) if (words[k]) STATUS[k] = words[k];
  Object.assign(MEANING, meanings || {});
}

let firstRender = true;
function render(data) {
  applyWords(data.words, data.meanings);
  rooms = {};
  const list = document.getElementById("rooms");
  list.replaceChildren(...(data.rooms.length ? data.rooms.map((r) => { rooms[r.room] = r; return roomCard(r); })
                                              : [h("div", {class: "empty"}, "还没有工作站连接")]));
  document.getElementById("legend").replaceChildren(...legend());
  const rep = data.report, t = rep.total;
  document.getElementById("summary").replaceChildren(
    ...[["拍摄组", data.rooms.length, "rooms"], ["在线", data.rooms.filter((r) => r.online).length, "online"],
        ["应拍", t.expected, "expected"], ["已拍", t.photographed, "photographed"], ["过号", t.skipped, "skipped"],
        ["未到（已过时段）", t.absent, "absent"], ["未开始", t.not_started, "not_started"], ["应收费用（元）", t.fee, "fee"]]
      .map(([k, v, key]) => h("div", {class: "tile", title: MEANING[key] || null},
        h("div", {class: "k"}, k), h("div", {class: "v", "data-key": k, "data-field": key}, String(v)))));
  const rule = {photographed: "按已拍人数", issued: "按取号人数（不含作废）", expected: "按应拍人数"}[rep.fee_rule || "photographed"];
  document.getElementById("fee-note").textContent = `（每人 ${rep.fee_yuan} 元，${rule || rep.fee_rule}）`;
  fillTable("classes", COUNT_HEAD, rep.classes, Object.assign({}, t, {date: "", room: "", college: "", class: ""}), "暂无数据");
  document.getElementById("sum-check").textContent = sumCheck(t);
  // 按学院合计 is one useless row when the timetable names no college
  document.getElementById("colleges-wrap").style.display = data.has_college ? "" : "none";
  fillTable("colleges", TOTAL_HEAD, rep.by_college, t, "暂无数据");
  fillTable("days", TOTAL_HEAD, rep.by_day, t, "暂无数据");
  fillTable("makeup", MAKEUP_HEAD, rep.makeup, null, "暂时没有需要补拍的班级");
  document.getElementById("agency-links").replaceChildren(...data.rooms.filter((r) => !r.empty).map((r) =>
    h("a", {class: "btn", href: "/dashboard/export/agency.csv?room=" + encodeURIComponent(r.room)}, `图片社名单 ${r.room} csv`)));
  const cmds = data.commands.map((c) => ({time: c.time, room: c.room,
    what: describe(c), by: c.created_by, state: commandState(c)}));
  fillTable("commands", [["time", `时间（${zoneName(data.time_zone)}）`, "t", 1], ["room", "拍摄组", "t"],
                         ["what", "操作", "t", 1], ["by", "操作人", "t"], ["state", "状态", "t", 1]], cmds, null, "暂无操作");
  document.getElementById("updated").textContent = `更新于 ${data.clock}（${zoneName(data.time_zone)}）`;
  if (firstRender) {  // wide screens open everything; a phone keeps the long parts behind a tap
    for (const d of document.querySelectorAll("details.more")) d.open = !PHONE.matches;
    firstRender = false;
  }
}

// done / refused (with the station's reason) / pending / handed / expired / cancelled: only what the station
// committed is 已执行; one handed to the station cannot be withdrawn (it may have been carried out)
const STATE = {done: ["已执行", "ok"], refused: ["已拒绝", "bad"], pending: ["等待中", "warn"], expired: ["已过期", ""],
               cancelled: ["已撤销", ""], handed: ["已交给工作站，可能已执行", "warn"]};

function commandState(c) {
  const [text, cls] = STATE[c.state] || STATE.pending;
  const label = c.state === "refused" && c.reason ? `${text}（${c.reason}）` : text;
  if (c.state !== "pending") return badge([label, cls]);
  return h("span", {}, badge([label, cls]), " ",
    h("button", {type: "button", class: "cancel-command", onclick: () => cancelCommand(c.id)}, "撤销"));
}

async function cancelCommand(id) {
  await fetch(`/api/v1/commands/${id}/cancel`, {method: "POST", credentials: "same-origin",
    headers: {"Content-Type": "application/json", "X-CSRF-Token": CSRF}, body: "{}"}).catch(() => null);
}

function describe(c) {
  const a = c.args || {};
  if (c.kind === "switch_class") return "切换班级 → " + (a.class_name || "下一班级");
  if (c.kind === "void") return `作废 ${a.number} 号（${a.reason || ""}）`;
  if (c.kind === "correct_class") return `${a.number} 号改为 ${a.class_name}`;
  const n = a.target || a.number;
  if (n) return `${KIND[c.kind] || c.kind} ${n} 号`;
  return KIND[c.kind] || c.kind;
}

// --- actions -------------------------------------------------------------------------------
// Each dialog asks for the ticket first (what staff have in hand) and defaults to the sensible choice:
// 切换 to the class after the current one; on the last class nothing is preselected but the current one,
// which the dialog refuses to "switch" to; 更正班级 has no class preselected (a wrong default is one click
// from moving a student), and the ticket's present class cannot be picked.
const dialog = document.getElementById("action");
let pending = null;

function show(id, on) { document.getElementById(id).style.display = on ? "" : "none"; }

function ticketInfo(r, value) {
  const n = Number(value);
  if (!value) return null;
  if (!Number.isInteger(n) || n < 1) return {error: "拍摄号是正整数"};
  const t = (r.tickets || {})[String(n)];
  if (!t) return {error: `${r.room} 今天还没有发出 ${n} 号（最后取号 ${r.last_number ?? "—"}）`};
  return {number: n, class: t[0], status: t[1]};
}

function describeTicket(r, value) {
  const info = ticketInfo(r, value);
  if (!info) return "";
  if (info.error) return info.error;
  return `${info.number} 号：${info.class || "（未分班）"} · ${STATUS[info.status] || info.status}`;
}

function fillClasses(action, r, ticketClass) {
  const select = document.getElementById("f-class");
  const classes = r.classes || [];
  const current = r.current_class ? r.current_class.name : null;
  const opts = [];
  if (action === "correct_class") opts.push(h("option", {value: "", selected: true, disabled: true}, "— 请选择正确的班级 —"));
  for (const c of classes) {
    const mark = c === current ? "（当前班级）" : (action === "correct_class" && c === ticketClass ? "（该号现在的班级）" : "");
    let selected = false;
    if (action === "next_class") selected = r.next_class ? c === r.next_class.class : c === current;
    opts.push(h("option", {value: c, selected, disabled: action === "correct_class" && c === ticketClass}, c + mark));
  }
  select.replaceChildren(...opts);
}

function openAction(action, r) {
  pending = {action, room: r.room, r};
  const titles = {next_class: "切换到下一班级", void: "作废号码", correct_class: "更正号码的班级"};
  document.getElementById("action-title").textContent = titles[action];
  const current = r.current_class ? r.current_class.name : "—";
  document.getElementById("action-room").textContent = `${r.room} · 当前班级：${current}`;
  document.getElementById("f-class-label").textContent = action === "next_class" ? "切换到" : "改到班级";
  fillClasses(action, r, null);
  show("f-class-wrap", action !== "void");
  show("f-number-wrap", action !== "next_class");
  show("f-reason-wrap", action === "void");
  document.getElementById("f-number").value = "";
  document.getElementById("f-reason").value = "";
  document.getElementById("f-number-info").textContent = "";
  document.getElementById("action-note").textContent = action === "next_class" && !r.next_class
    ? "当前班级已是本组今天最后一个班级；如需回到其他班级，请在上面选择。" : "";
  const msg = document.getElementById("action-msg");
  msg.textContent = ""; msg.className = "msg";
  dialog.showModal();
  if (action !== "next_class") document.getElementById("f-number").focus();
}

document.getElementById("f-number").addEventListener("input", (e) => {
  if (!pending) return;
  document.getElementById("f-number-info").textContent = describeTicket(pending.r, e.target.value);
  if (pending.action === "correct_class") {
    const info = ticketInfo(pending.r, e.target.value);
    fillClasses("correct_class", pending.r, info && !info.error ? info.class : null);
  }
});

function refusal() {
  const {action, r} = pending;
  if (action === "next_class") {
    const chosen = document.getElementById("f-class").value;
    if (r.current_class && chosen === r.current_class.name) return "所选班级就是当前班级，无需切换";
    return null;
  }
  const info = ticketInfo(r, document.getElementById("f-number").value);
  if (!info) return "请先填写拍摄号";
  if (info.error) return info.error;
  if (action === "void" && info.status === "voided") return `${info.number} 号已经作废`;
  if (action === "void" && info.status === "photographed") return `${info.number} 号已经拍完，不能作废`;
  if (action === "void" && !document.getElementById("f-reason").value.trim()) return "请填写作废原因";
  if (action === "correct_class" && !document.getElementById("f-class").value) return "请选择正确的班级";
  return null;
}

document.getElementById("action-cancel").addEventListener("click", () => dialog.close());
document.getElementById("action-form").addEventListener("submit", async (e) => {
  e.preventDefault();
  const msg = document.getElementById("action-msg");
  const why = refusal();
  if (why) { msg.textContent = why; msg.className = "msg err"; return; }
  const body = {room: pending.room, action: pending.action};
  if (pending.action !== "void") body.class_name = document.getElementById("f-class").value;
  if (pending.action !== "next_class") body.number = Number(document.getElementById("f-number").value);
  if (pending.action === "void") body.reason = document.getElementById("f-reason").value;
  try {
    const r = await fetch("/dashboard/api/command", {method: "POST", credentials: "same-origin",
      headers: {"Content-Type": "application/json", "X-CSRF-Token": CSRF}, body: JSON.stringify(body)});
    const doc = await r.json().catch(() => ({}));
    if (!r.ok) { msg.textContent = doc.error || ("失败（" + r.status + "）"); msg.className = "msg err"; return; }
    msg.textContent = "已发送，工作站同步后执行"; msg.className = "msg ok";
    setTimeout(() => dialog.close(), 700);
  } catch (err) {
    msg.textContent = "无法连接服务器"; msg.className = "msg err";
  }
});

document.getElementById("logout").addEventListener("click", async () => {
  await fetch("/api/v1/logout", {method: "POST", credentials: "same-origin",
    headers: {"X-CSRF-Token": CSRF}}).catch(() => null);
  location.href = "/login";
});

// a refused stream (the staff streams are full) turns into polling the same snapshot, as /status does
connectLive("/dashboard/api/stream", render, async (source) => {
  const r = await fetch("/api/v1/me", {credentials: "same-origin"}).catch(() => null);
  if (r && r.status === 401) { source.close(); location.href = "/login?next=/"; }
}, "/dashboard/api/snapshot");
