"use strict";
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
    if (r.ok) { location.href = document.getElementById("next").value || "/"; return; }
    msg.textContent = r.status === 401 ? "账号或密码错误" : "登录失败（" + r.status + "）";
  } catch (err) {
    msg.textContent = "无法连接服务器";
  }
});
