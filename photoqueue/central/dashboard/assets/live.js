// Shared by the dashboard and /status: a tiny DOM builder and a server-sent-events connection.
"use strict";

function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k === "class") el.className = v;
    else if (k === "text") el.textContent = v;
    else if (k.startsWith("on")) el.addEventListener(k.slice(2), v);
    else el.setAttribute(k, v === true ? "" : v);
  }
  return add(el, ...children);
}

// Append the children that are there: DOM's own append() would show a null as the text "null".
function add(el, ...children) {
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

function lateText(min) {
  if (min === null || min === undefined) return ["按时间表", ""];
  if (min > 1) return ["晚 " + min + " 分钟", min > 10 ? "bad" : "warn"];
  if (min < -1) return ["早 " + (-min) + " 分钟", "ok"];
  return ["准时", "ok"];
}

// Connect to a server-sent-events stream; onSnapshot(data) runs on each snapshot. The browser
// reconnects by itself; onDown() runs when the stream drops (e.g. to check the login). With pollUrl, a
// stream the server refuses (503 when it is full, 429 for too many from one address) turns into polling
// pollUrl every X-Poll-Seconds, and the stream is tried again after a few minutes. Both /status and the
// staff dashboard do this: a page is never left without data because its stream was refused.
function connectLive(url, onSnapshot, onDown, pollUrl) {
  const conn = document.getElementById("conn");
  const say = (text, cls) => { if (conn) { conn.textContent = text; conn.className = "conn " + cls; } };
  const source = new EventSource(url);
  source.addEventListener("open", () => say("实时更新", "ok"));
  // the centre's database is away: what is shown stays, marked as perhaps not current
  source.addEventListener("stale", () => say("数据暂停更新，显示的可能不是最新", "down"));
  source.addEventListener("snapshot", (e) => {
    say("实时更新", "ok");
    try { onSnapshot(JSON.parse(e.data)); } catch (err) { console.error(err); }
  });
  source.addEventListener("error", () => {
    if (pollUrl && source.readyState === EventSource.CLOSED) {
      if (onDown) onDown(source);  // e.g. a refused staff stream: is the login still there?
      pollLive(pollUrl, onSnapshot, say, () => connectLive(url, onSnapshot, onDown, pollUrl));
      return;
    }
    say("连接中断，正在重连…", "down");
    if (onDown) onDown(source);
  });
  return source;
}

function pollLive(pollUrl, onSnapshot, say, retryStream) {
  let polls = 0;
  const tick = async () => {
    let wait = 15;
    try {
      const r = await fetch(pollUrl, {cache: "no-store", credentials: "same-origin"});
      wait = Number(r.headers.get("X-Poll-Seconds")) || wait;
      if (r.ok) { onSnapshot(await r.json()); say("定时刷新", "ok"); }
    } catch (err) {
      say("连接中断，正在重试…", "down");
    }
    polls += 1;
    if (polls * wait >= 300) { retryStream(); return; }
    setTimeout(tick, wait * 1000);
  };
  tick();
}
