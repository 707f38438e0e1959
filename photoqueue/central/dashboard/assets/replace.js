// A room card's "更换设备" (replace the room's Pi) and its "另存记录" notice (a second station's events the
// centre refused: kept aside, never counted). The same flow as `photoqueue central replace-station`:
// staff type the room's name to confirm; the new Pi's token is shown once.
"use strict";

function setAsideNotice(r) {
  const aside = r.set_aside || [];
  if (!aside.length) return null;
  const parts = aside.map((a) => a.events
    ? `${a.date} 设备 ${a.station_id.slice(0, 8)}：${a.events} 条记录（取号 ${a.tickets}）`
    : `设备 ${a.station_id.slice(0, 8)} 已连上中心，被拒绝编号`);
  return h("div", {class: "alert set-aside"},
    `另一台设备的记录已另存，未计入统计（本组当天由设备 ${(aside[0].holder || "").slice(0, 8)} 编号）：` + parts.join("；")
    + "。如是更换设备，请用“更换设备”接管本组 / events of another station set aside, not counted");
}

function replaceStationButton(r) {
  return h("button", {type: "button", class: "replace-station", onclick: () => openReplace(r)}, "更换设备");
}

function tokenBox(token) {
  // wrapped and selectable in one click (set through CSSOM: the page's CSP refuses inline style attributes)
  const box = h("pre", {class: "new-token"}, token);
  Object.assign(box.style, {whiteSpace: "pre-wrap", wordBreak: "break-all", userSelect: "all",
                            background: "#f3f6fa", padding: ".5rem", borderRadius: "6px", fontSize: "1.05rem"});
  return box;
}

function openReplace(r) {
  const dlg = h("dialog", {class: "replace-dialog"});
  const input = h("input", {maxlength: "200", autocomplete: "off", "aria-label": "组名"});
  const msg = h("div", {class: "msg"});
  const ok = h("button", {type: "button", class: "btn primary"}, "确认更换");
  const cancel = h("button", {type: "button", class: "btn"}, "取消");
  const body = h("div", {},
    h("h2", {}, `更换 ${r.room} 的设备`),
    h("p", {class: "note"}, `旧设备（${r.station_id || "—"}）的令牌将被撤销，不能再上传。新设备用下面给出的新令牌启动后，`
      + "会从中心取回本组当天的全部记录，接着最后一个号码继续编号。"),
    h("label", {}, `请输入组名“${r.room}”确认：`), input, msg,
    h("div", {class: "buttons"}, cancel, ok));
  add(dlg, body);
  document.body.appendChild(dlg);
  const close = () => { dlg.close(); dlg.remove(); };
  cancel.addEventListener("click", close);
  ok.addEventListener("click", async () => {
    if (input.value.trim() !== r.room) { msg.textContent = `请输入组名“${r.room}”`; msg.className = "msg err"; return; }
    ok.disabled = true;
    try {
      const res = await fetch("/dashboard/api/replace-station", {method: "POST", credentials: "same-origin",
        headers: {"Content-Type": "application/json", "X-CSRF-Token": CSRF},
        body: JSON.stringify({room: r.room, confirm: input.value.trim()})});
      const doc = await res.json().catch(() => ({}));
      if (!res.ok) { msg.textContent = doc.error || ("失败（" + res.status + "）"); msg.className = "msg err"; ok.disabled = false; return; }
      body.replaceChildren(
        h("h2", {}, `${r.room} 的新设备令牌`),
        h("p", {class: "note"}, `已撤销旧设备的 ${doc.revoked} 个令牌。新令牌只显示这一次，请立即填入新设备 station.toml 的 [central] token：`),
        tokenBox(doc.token),
        h("p", {class: "muted"}, `新设备将接管设备编号 ${doc.station_id}（${doc.date}）。`),
        h("div", {class: "buttons"}, h("button", {type: "button", class: "btn primary", onclick: close}, "已抄下，关闭")));
    } catch (err) {
      msg.textContent = "无法连接服务器"; msg.className = "msg err"; ok.disabled = false;
    }
  });
  dlg.showModal();
  input.focus();
}
