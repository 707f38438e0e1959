// The public /status page: which class each room is shooting, and when each remaining class is expected.
"use strict";

let last = null;
const search = document.getElementById("search");

function when(c) {
  if (c.status === "done") return h("span", {class: "when"}, "已完成");
  const label = c.status === "shooting" ? "正在拍摄" : "预计 " + (c.expected_start || "—");
  const sub = [];
  if (c.scheduled_start && c.scheduled_start !== c.expected_start) sub.push("原定 " + c.scheduled_start);
  else if (c.status === "waiting" && c.scheduled_start) sub.push("按时间表");
  if (c.status === "shooting" && c.expected_end) sub.push("约 " + c.expected_end + " 结束");
  return h("span", {class: "when"}, label, sub.length ? h("small", {}, sub.join(" · ")) : null);
}

function card(r, query) {
  const late = lateText(r.late_min);
  const classes = r.classes.filter((c) => (query ? c.class.includes(query) : c.status !== "done"));
  const done = r.classes.filter((c) => c.status === "done").map((c) => c.class);
  return h("article", {class: "pcard", "data-room": r.room},
    h("div", {class: "card-head"},
      h("div", {}, h("span", {class: "room-name"}, r.room), r.location ? h("span", {class: "where"}, r.location) : null),
      r.current_class ? h("span", {class: "badge " + late[1]}, late[0]) : h("span", {class: "badge"}, "未开始")),
    h("div", {class: "now"},
      h("div", {}, h("div", {class: "muted"}, "正在拍摄"), h("div", {class: "cls"}, r.current_class || "—")),
      h("div", {style: null}, h("div", {class: "muted"}, "当前叫号"),
        h("div", {class: "num"}, r.now_serving === null ? "—" : String(r.now_serving)))),
    !query && done.length ? h("div", {class: "note done-list"}, "已完成：" + done.join("，")) : null,
    h("ul", {class: "plist"}, classes.map((c) =>
      h("li", {class: c.status + (query ? " hit" : ""), "data-class": c.class}, h("span", {}, c.class), when(c)))));
}

function render(data) {
  last = data;
  const query = search.value.trim();
  let shown = data.rooms;
  if (query) shown = shown.filter((r) => r.classes.some((c) => c.class.includes(query)));
  document.getElementById("rooms").replaceChildren(...(shown.length ? shown.map((r) => card(r, query))
    : [h("div", {class: "empty"}, query ? "没有找到该班级，请检查班级名称" : "今天还没有拍摄安排")]));
}

search.addEventListener("input", () => { if (last) render(last); });
connectLive("/status/stream", render);
