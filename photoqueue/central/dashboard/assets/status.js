// The public /status page: per day (tabs), which class each room is shooting, when each remaining class is
// expected and when its students should be at the door. The search looks through every day, so a class on
// another day is found on its day; it ignores full-width/half-width and spaces ("２０财务" finds 20财务).
"use strict";

let last = null;
let chosen = null;  // the day the reader picked; else the server's (today, or the next day with classes)
const search = document.getElementById("search");
const MAKEUP = "没拍到？请联系班长，报名补拍。";
// the ticket's QR code opens /status?room=第一组&n=17: that room first, and how many are ahead of 17
const params = new URLSearchParams(location.search);
const myRoom = params.get("room");
const myNumber = /^\d+$/.test(params.get("n") || "") ? Number(params.get("n")) : null;

function norm(text) { return String(text || "").normalize("NFKC").toLowerCase().replace(/\s+/g, ""); }

// "请于 HH:MM 前到场" is the notice's rule (the slot less 15 minutes); once that time has passed on the day,
// a class still to come is told to come now rather than shown a time gone by
function arriveText(c, day) {
  if (day && day.today && last && last.clock && c.arrive_by <= last.clock) return "请现在到场排队";
  return `请于 ${c.arrive_by} 前到场`;
}

function when(c, brief, day) {
  if (c.status === "done") return h("span", {class: "when"}, "已拍完", brief ? null : h("small", {}, MAKEUP));
  // the room's day is over: nothing is "shooting" or "expected" any more
  if (c.status === "ended") return h("span", {class: "when"}, "已结束",
    h("small", {}, c.photographed ? `已拍 ${c.photographed} 人 · ` + MAKEUP : "未拍 · " + MAKEUP));
  const label = c.status === "shooting" ? "正在拍摄" : "预计 " + (c.expected_start || "—");
  const sub = [];
  if (c.status === "waiting" && c.arrive_by) sub.push(h("b", {class: "arrive"}, arriveText(c, day)));
  if (c.scheduled_start && c.scheduled_start !== c.expected_start) sub.push("原定 " + c.scheduled_start);
  if (c.status === "shooting" && c.expected_end) sub.push("约 " + c.expected_end + " 结束");
  return h("span", {class: "when"}, label, sub.length ? h("small", {}, sub.flatMap((x, i) => (i ? [" · ", x] : [x]))) : null);
}

// what a class leader searches for: how many were photographed, and what the class owes under the fee rule
function leaderLine(c) {
  if (c.photographed === undefined || !last) return null;
  const fee = c.fee === undefined ? "" : ` · 应交 ${c.fee_base} × ${last.fee_yuan} = ${c.fee} 元（${last.fee_rule_zh}）`;
  return h("div", {class: "leader"}, `已拍 ${c.photographed} 人${fee}`);
}

function classItem(c, hit, brief, day) {
  return h("li", {class: c.status + (hit ? " hit" : ""), "data-class": c.class}, h("span", {class: "cls-name"}, c.class),
           when(c, brief, day), hit ? leaderLine(c) : null);
}

// "前面还有 N 人" for the number on the ticket (numbers between it and the one being called; a skipped or
// voided number among them makes it a little less)
function mine(r) {
  if (myNumber === null || r.room !== myRoom || r.over) return null;
  const serving = r.now_serving;
  let text;
  if (serving === null || serving === undefined) text = `您的号码 ${myNumber} · 还没有开始叫号`;
  else if (myNumber > serving) text = `您的号码 ${myNumber} · 前面还有 ${myNumber - serving} 人`;
  else if (myNumber === serving) text = `正在叫您的号码 ${myNumber}，请到摄影师处`;
  else text = `您的号码 ${myNumber} 已叫过；如果还没有拍，请找工作人员`;
  return h("div", {class: "mine"}, text);
}

function card(r, day, query) {
  const late = lateText(r.late_min);
  // the day shown first is the working day (today; else a rehearsal's or the latest day): its rooms show
  // what they are shooting; other days show their timetable
  // one word for the room, from the same facts as its classes: never 未开始 beside a class 正在拍摄, never
  // 正在拍摄 after the day
  const shooting = !r.over && r.classes.some((c) => c.status === "shooting");
  const live = !r.over && (shooting || (day.date === (last && last.date) && (r.current_class || r.now_serving !== null)));
  const classes = r.classes.filter((c) => (query ? norm(c.class).includes(query) : c.status !== "done"));
  const done = r.classes.filter((c) => c.status === "done");
  return h("article", {class: "pcard", "data-room": r.room, "data-date": r.date},
    h("div", {class: "card-head"},
      h("div", {}, h("span", {class: "room-name"}, r.room), r.location ? h("span", {class: "where"}, r.location) : null),
      live ? h("span", {class: "badge " + late[1]}, late[0])
           : h("span", {class: "badge"}, r.over || (done.length === r.classes.length && done.length) ? "已结束"
             : done.length ? "进行中" : "未开始")),
    mine(r),
    live ? h("div", {class: "now"},
      h("div", {class: "now-class"}, h("div", {class: "label"}, "正在拍摄"), h("div", {class: "cls"}, r.current_class || "—")),
      h("div", {class: "now-num"}, h("div", {class: "label"}, "当前叫号"),
        h("div", {class: "num"}, r.now_serving === null ? "—" : String(r.now_serving)))) : null,
    h("ul", {class: "plist"}, classes.map((c) => classItem(c, Boolean(query), false, day))),
    !query && done.length ? h("details", {class: "done-list"},
      h("summary", {}, `已拍完的班级（${done.length} 个）`),
      h("ul", {class: "plist"}, done.map((c) => classItem(c, false, true))),
      h("p", {class: "note"}, "本班已拍完而你还没有拍：请联系班长，报名参加补拍。")) : null);
}

function dayOf(data) {
  const wanted = chosen || data.date;
  return data.days.find((d) => d.date === wanted) || data.days.find((d) => d.date === data.date) || null;
}

function tabs(data, current, query) {
  const nav = document.getElementById("tabs");
  nav.replaceChildren(...data.days.map((d) => h("button", {type: "button", "data-date": d.date,
    class: "tab" + (!query && current && d.date === current.date ? " on" : ""),
    onclick: () => { chosen = d.date; search.value = ""; render(last); }}, d.label + (d.today ? " · 今天" : ""))));
  nav.style.display = data.days.length > 1 ? "" : "none";
}

function render(data) {
  last = data;
  const query = norm(search.value);
  const day = dayOf(data);
  tabs(data, day, query);
  const title = document.getElementById("day");
  const list = document.getElementById("rooms");
  if (query) {  // every day: the class is found on the day it is shot
    const found = data.days.map((d) => ({d, rooms: d.rooms.filter((r) => r.classes.some((c) => norm(c.class).includes(query)))}))
      .filter((x) => x.rooms.length);
    title.textContent = found.length ? `搜索“${search.value.trim()}”：` : "";
    list.replaceChildren(...(found.length ? found.flatMap(({d, rooms}) => [
      h("h2", {class: "day-head"}, d.label + (d.today ? " · 今天" : "")), ...rooms.map((r) => card(r, d, query))])
      : [h("div", {class: "empty"}, `没有找到“${search.value.trim()}”。请输入班级名称的一部分（如“20财务”），` +
                                    `或在上方选择日期查看全部班级。`)]));
    return;
  }
  if (!day) {
    title.textContent = "";
    list.replaceChildren(h("div", {class: "empty"}, "还没有拍摄安排"));
    return;
  }
  title.replaceChildren("拍摄日期：", h("b", {}, day.label), day.today ? " · 今天" : "");
  const rooms = myRoom ? [...day.rooms].sort((a, b) => (b.room === myRoom) - (a.room === myRoom)) : day.rooms;
  list.replaceChildren(...(rooms.length ? rooms.map((r) => card(r, day, ""))
    : [h("div", {class: "empty"}, "这一天没有拍摄安排")]));
}

search.addEventListener("input", () => { if (last) render(last); });

// What a phone is sent (docs/central.md): /status.json (the whole day, gzip) once, and again only when the
// stream says the plan changed; the stream /status/live then sends a patch of only what changed on the
// screen (a room's number, its lateness, a class's expected time), from one version to the next. A patch
// whose base is not the version held (a missed step, another worker) means: fetch /status.json again.
let version = null;
let fetching = null;

function say(text, cls) {
  const conn = document.getElementById("conn");
  if (conn) { conn.textContent = text; conn.className = "conn " + cls; }
}

async function fetchPlan() {
  if (fetching) return fetching;
  fetching = (async () => {
    try {  // no-cache: the browser revalidates with its ETag; an unchanged snapshot is a 304
      const r = await fetch("/status.json", {cache: "no-cache", credentials: "same-origin"});
      if (r.ok) {
        version = (r.headers.get("ETag") || "").replace(/^W\//, "").replace(/"/g, "");
        render(await r.json());
      }
      return r;
    } finally {
      fetching = null;
    }
  })();
  return fetching;
}

function applyPatch(p) {
  if (!last) return false;
  Object.assign(last, p.top || {});
  for (const [key, change] of Object.entries(p.rooms || {})) {
    const [d, r] = key.split(".").map(Number);  // the day's and the room's places in the plan
    const day = last.days[d];
    const room = day && day.rooms[r];
    if (!room) return false;
    for (const [k, v] of Object.entries(change)) if (k !== "c") room[k] = v;
    for (const [i, fields] of Object.entries(change.c || {})) {
      const c = room.classes[Number(i)];
      if (!c) return false;
      Object.assign(c, fields);
    }
  }
  return true;
}

function onEvent(kind, data) {
  let doc;
  try { doc = JSON.parse(data); } catch (err) { return; }
  say("实时更新", "ok");
  if (kind === "live" && version !== null && doc.base === version && applyPatch(doc)) {
    version = doc.v;
    render(last);
  } else if (doc.v !== version) {
    fetchPlan();
  }
}

function pollPlan() {
  let polls = 0;
  const tick = async () => {
    let wait = 15;
    try {
      const r = await fetchPlan();
      wait = Number(r && r.headers.get("X-Poll-Seconds")) || wait;
      say("定时刷新", "ok");
    } catch (err) {
      say("连接中断，正在重试…", "down");
    }
    polls += 1;
    if (polls * wait >= 300) { connectStatus(); return; }
    setTimeout(tick, wait * 1000);
  };
  tick();
}

function connectStatus() {
  const source = new EventSource("/status/live");
  for (const kind of ["hello", "live", "plan"]) source.addEventListener(kind, (e) => onEvent(kind, e.data));
  // the centre's database is away: what is shown stays, marked as perhaps not current
  source.addEventListener("stale", () => say("数据暂停更新，显示的可能不是最新", "down"));
  source.addEventListener("open", () => say("实时更新", "ok"));
  source.addEventListener("error", () => {
    if (source.readyState === EventSource.CLOSED) { pollPlan(); return; }  // refused: poll instead
    say("连接中断，正在重连…", "down");
  });
}

fetchPlan().catch(() => say("连接中断，正在重试…", "down"));
connectStatus();
