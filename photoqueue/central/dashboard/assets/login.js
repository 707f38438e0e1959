"use strict";

// Where to go after the login: only where the server says (guard.safe_next checks `next` once, in every
// encoding, and answers a path it rebuilt); the page never judges the text itself.
function serverTarget(doc) {
  const next = doc && doc.next;
  return typeof next === "string" && next.startsWith("/") && !next.startsWith("//") ? next : "/";
}

document.getElementById("login").addEventListener("submit", async (e) => {
  e.preventDefault();
  const msg = document.getElementById("msg");
  msg.textContent = "";
  try {
    const r = await fetch("/api/v1/login", {
      method: "POST", headers: {"Content-Type": "application/json"}, credentials: "same-origin",
      body: JSON.stringify({name: document.getElementById("name").value,
                            password: document.getElementById("password").value,
                            next: document.getElementById("next").value || "/"}),
    });
    if (r.ok) { location.href = serverTarget(await r.json().catch(() => null)); return; }
    msg.textContent = r.status === 401 ? "账号或密码错误" : "登录失败（" + r.status + "）";
  } catch (err) {
    msg.textContent = "无法连接服务器";
  }
});
