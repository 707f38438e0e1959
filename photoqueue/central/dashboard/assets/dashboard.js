// The staff dashboard: renders each snapshot the server pushes; staff actions become station commands.
"use strict";

const CSRF = document.querySelector('meta[name="csrf-token"]').content;
const PRINTER = {ok: ["打印机正常", "ok"], failing: ["打印机故障", "bad"], unknown: ["打印机未知", ""]};
const CAMERA = {ok: ["摄像头正常", "ok"], no_frames: ["摄像头无画面", "bad"], unknown: ["摄像头未知", ""]};
const STATUS = {waiting: "排队", called: "拍摄中", photographed: "已拍", skipped: "未到", voided: "作废"};
const KIND = {switch_class: "切换班级", void: "作废", correct_class: "改班级", advance: "拍完一位",
              undo: "撤销", skip: "过号", recall: "召回", reprint: "补打"};
let rooms = {};

function badge(pair) { return h("span", {class: "badge " + (pair[1] || "")}, pair[0]); }

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
    card.append(h("div", {class: "empty"}, "尚未收到本组数据"),
                h("div", {class: "health"}, badge(PRINTER[r.printer] || [r.printer, ""]), badge(CAMERA[r.camera] || [r.camera, ""])));
    return card;
  }
  const cur = r.current_class, nxt = r.next_class, prog = r.progress || {};
  card.append(
    h("div", {class: "serving"},
      h("div", {}, h("div", {class: "label"}, "正在拍摄"),
        h("div", {class: "num now-serving" + (r.now_serving === null ? " idle" : "")},
          r.now_serving === null ? "空闲，等待同学" : String(r.now_serving))),
      h("div", {class: "side"}, h("div", {class: "label"}, "排队"), h("div", {class: "n waiting"}, String(r.waiting)),
        h("div", {class: "label"}, "已取号 ", h("b", {class: "last-number"}, r.last_number === null ? "0" : String(r.last_number))))),
    row("当前班级", cur ? `${cur.name}（已拍 ${cur.photographed}/${cur.expected}）` : "—"),
    row("下一班级", nxt ? `${nxt.class} · 预计 ${nxt.expected_start || "—"}（原定 ${nxt.scheduled_start || "—"}）` : "—"),
    h("div", {class: "bar-track", title: "全天进度"}, (() => {
      const fill = h("div", {class: "bar-fill"}); fill.style.width = (prog.percent || 0) + "%"; return fill; })()),
    row("全天进度", `已拍 ${prog.photographed || 0} / 应拍 ${prog.expected || 0}` + (prog.percent === null ? "" : `（${prog.percent}%）`)),
    h("div", {class: "row"}, h("span", {class: "k"}, "对照时间表"),
      h("span", {class: "v"}, badge(lateText(r.late_min)), " ",
        h("span", {class: "muted"}, `每人约 ${r.pace_s} 秒${r.pace_source === "measured" ? "（实测）" : "（默认）"}`))),
    h("div", {class: "health"}, badge(PRINTER[r.printer] || [r.printer, ""]), badge(CAMERA[r.camera] || [r.camera, ""]),
      badge([ago(r.seen_ago_s), r.online ? "" : "bad"]),
      r.outbox_pending ? badge([`待上传 ${r.outbox_pending}`, "warn"]) : null),
    r.sync_alert ? h("div", {class: "alert sync-alert"}, r.sync_alert) : null,
    ...(r.alerts || []).map((a) => h("div", {class: "alert"}, a)),
    h("div", {class: "tickets"}, h("span", {class: "muted"}, "最近取号"),
      (r.recent || []).map((t) => h("span", {class: "ticket " + t.status, "data-number": t.number,
                                               title: `${t.class} · ${STATUS[t.status] || t.status}`}, String(t.number)))),
    h("div", {class: "actions"},
      h("button", {type: "button", onclick: () => openAction("next_class", r)}, "切换到下一班级"),
      h("button", {type: "button", onclick: () => openAction("void", r)}, "作废号码"),
      h("button", {type: "button", onclick: () => openAction("correct_class", r)}, "更正班级")));
  return card;
}

const COUNT_HEAD = [["date", "日期", "t"], ["room", "拍摄组", "t"], ["college", "学院", "t"], ["class", "班级", "t"],
  ["expected", "应拍"], ["photographed", "已拍"], ["skipped", "未到"], ["voided", "作废"], ["waiting", "排队中"],
  ["not_seen", "未取号"], ["fee", "应收(元)"]];
const TOTAL_HEAD = [["key", "", "t"], ["classes", "班级数"], ["expected", "应拍"], ["photographed", "已拍"],
  ["skipped", "未到"], ["voided", "作废"], ["not_seen", "未取号"], ["fee", "应收(元)"]];
const MAKEUP_HEAD = [["date", "日期", "t"], ["room", "拍摄组", "t"], ["college", "学院", "t"], ["class", "班级", "t"],
  ["expected", "应拍"], ["photographed", "已拍"], ["missing", "需补拍"], ["not_seen", "未取号"], ["skipped", "过号"],
  ["waiting", "排队中"]];

function fillTable(id, head, rows, total, emptyText) {
  const table = document.getElementById(id);
  table.replaceChildren(
    h("thead", {}, h("tr", {}, head.map(([, zh, c]) => h("th", {class: c || ""}, zh)))),
    h("tbody", {},
      rows.length ? rows.map((r) => h("tr", {}, head.map(([k, , c]) => h("td", {class: c || ""}, r[k] ?? ""))))
                  : h("tr", {}, h("td", {class: "t empty", colspan: head.length}, emptyText)),
      total ? h("tr", {class: "total"}, head.map(([k, , c], i) => h("td", {class: c || ""}, i === 0 ? "合计" : (total[k] ?? "")))) : null));
}

function render(data) {
  rooms = {};
  const list = document.getElementById("rooms");
  list.replaceChildren(...(data.rooms.length ? data.rooms.map((r) => { rooms[r.room] = r; return roomCard(r); })
                                              : [h("div", {class: "empty"}, "还没有工作站连接")]));
  const rep = data.report, t = rep.total;
  document.getElementById("summary").replaceChildren(
    ...[["拍摄组", data.rooms.length], ["在线", data.rooms.filter((r) => r.online).length], ["应拍", t.expected],
        ["已拍", t.photographed], ["未到", t.skipped], ["未取号", t.not_seen], ["应收费用（元）", t.fee]]
      .map(([k, v]) => h("div", {class: "tile"}, h("div", {class: "k"}, k), h("div", {class: "v", "data-key": k}, String(v)))));
  document.getElementById("fee-note").textContent = `（每人 ${rep.fee_yuan} 元，按已拍人数）`;
  fillTable("classes", COUNT_HEAD, rep.classes, Object.assign({}, t, {date: "合计", room: "", college: "", class: ""}), "暂无数据");
  fillTable("colleges", TOTAL_HEAD, rep.by_college, t, "暂无数据");
  fillTable("days", TOTAL_HEAD, rep.by_day, t, "暂无数据");
  fillTable("makeup", MAKEUP_HEAD, rep.makeup, null, "没有需要补拍的班级");
  document.getElementById("agency-links").replaceChildren(...data.rooms.filter((r) => !r.empty).map((r) =>
    h("a", {class: "btn", href: "/dashboard/export/agency.csv?room=" + encodeURIComponent(r.room)}, `图片社名单 ${r.room} csv`)));
  const cmds = data.commands.map((c) => ({time: officeTime(c.created_at, data.office_tz), room: c.room,
    what: describe(c), by: c.created_by, state: commandState(c)}));
  fillTable("commands", [["time", "时间", "t"], ["room", "拍摄组", "t"], ["what", "操作", "t"], ["by", "操作人", "t"],
                         ["state", "状态", "t"]], cmds, null, "暂无操作");
  document.getElementById("updated").textContent = "更新于 " + new Date().toLocaleTimeString("zh-CN", {hour12: false});
}

// done / refused (with the station's reason) / pending / expired / cancelled: only what the station committed is 已执行
const STATE = {done: ["已执行", "ok"], refused: ["已拒绝", "bad"], pending: ["等待中", "warn"], expired: ["已过期", ""],
               cancelled: ["已撤销", ""]};

function commandState(c) {
  const [text, cls] = STATE[c.state] || STATE.pending;
  const label = c.state === "refused" && c.reason ? `${text}（${c.reason}）` : text;
  if (c.state !== "pending") return badge([label, cls]);
  return h("span", {}, badge([label, cls]), " ",
    h("button", {type: "button", class: "cancel-command", onclick: () => cancelCommand(c.id)}, "撤销"));
}

function officeTime(iso, tz) {
  if (!iso) return "";
  try {
    return new Date(iso).toLocaleString("zh-CN", {timeZone: tz || undefined, hour12: false, month: "2-digit",
                                                  day: "2-digit", hour: "2-digit", minute: "2-digit", second: "2-digit"});
  } catch (err) { return iso.slice(11, 19) + " UTC"; }
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
const dialog = document.getElementById("action");
let pending = null;

function show(id, on) { document.getElementById(id).style.display = on ? "" : "none"; }

function openAction(action, r) {
  pending = {action, room: r.room};
  const titles = {next_class: "切换班级", void: "作废号码", correct_class: "更正号码的班级"};
  document.getElementById("action-title").textContent = titles[action];
  document.getElementById("action-room").textContent = `${r.room} · 当前班级：${r.current_class ? r.current_class.name : "—"}`;
  const select = document.getElementById("f-class");
  const classes = r.classes || [];
  const following = r.next_class ? r.next_class.class : null;
  select.replaceChildren(...classes.map((c) => h("option", {value: c, selected: action === "next_class" ? c === following : false}, c)));
  show("f-class-wrap", action !== "void");
  show("f-number-wrap", action !== "next_class");
  show("f-reason-wrap", action === "void");
  document.getElementById("f-number").value = "";
  document.getElementById("f-reason").value = "";
  const msg = document.getElementById("action-msg");
  msg.textContent = ""; msg.className = "msg";
  dialog.showModal();
}

document.getElementById("action-cancel").addEventListener("click", () => dialog.close());
document.getElementById("action-form").addEventListener("submit", async (e) => {
  e.preventDefault();
  const msg = document.getElementById("action-msg");
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
  await fetch("/api/v1/logout", {method: "POST", credentials: "same-origin"}).catch(() => null);
  location.href = "/login";
});

connectLive("/dashboard/api/stream", render, async (source) => {
  const r = await fetch("/api/v1/me", {credentials: "same-origin"}).catch(() => null);
  if (r && r.status === 401) { source.close(); location.href = "/login?next=/"; }
});
