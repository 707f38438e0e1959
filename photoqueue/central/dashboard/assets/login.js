"use strict";

// Where to go after the login: a path on this site only. The server checks it too; this is the page's own
// check, after the browser's decoding (a backslash, a tab or a second slash would lead off-site).
function sameSitePath(next) {
  try {
    const url = new URL(next, location.origin);
    if (url.origin !== location.origin || !/^\/(?![\/\\])/.test(next) || /[\\\s]/.test(next)) return "/";
    return url.pathname + url.search + url.hash;
  } catch (err) {
    return "/";
  }
}

document.getElementById("login").addEventListener("submit", async (e) => {
  e.preventDefault();
  const msg = document.getElementById("msg");
  msg.textContent = "";
  try {
    const r = await fetch("/api/v1/login", {
      method: "POST", headers: {"Content-Type": "application/json"}, credentials: "same-origin",
      body: JSON.stringify({name: document.getElementById("name").value,
                            password: document.getElementById("password").value}),
    });
    if (r.ok) { location.href = sameSitePath(document.getElementById("next").value || "/"); return; }
    msg.textContent = r.status === 401 ? "账号或密码错误" : "登录失败（" + r.status + "）";
  } catch (err) {
    msg.textContent = "无法连接服务器";
  }
});
