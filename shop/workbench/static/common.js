// Shared by the workbench pages: building elements (values only through textContent, never
// innerHTML: shopper text is untrusted) and calling the workbench's JSON API (session cookie,
// CSRF header on POSTs, back to the sign-in page on 401).
"use strict";
window.workbench = (function () {
  const BASE = document.body.dataset.base;
  let csrf = "";

  function el(tag, attrs, text) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, v);
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  async function call(path, options) {
    const opts = Object.assign({ credentials: "same-origin", headers: {} }, options || {});
    if (opts.method === "POST") {
      opts.headers["X-CSRF-Token"] = csrf;
      opts.headers["Content-Type"] = "application/json";
    }
    const resp = await fetch(BASE + path, opts);
    if (resp.status === 401) { window.location.href = BASE + "login"; throw new Error("login"); }
    const body = await resp.json();
    if (!resp.ok) throw new Error(body.message || resp.statusText);
    return body;
  }

  // Who is signed in; keeps the session's CSRF token for later POSTs.
  async function me() {
    const who = await call("api/me");
    csrf = who.csrf_token;
    return who;
  }

  return { BASE, el, call, me };
})();
