// The workbench page. Every value from the server goes in through textContent,
// never innerHTML: shopper text is untrusted.
"use strict";
(function () {
  const BASE = window.workbench.BASE;
  const CHANNELS = { app: "APP", miniprogram: "小程序", social: "社交媒体", rest: "REST" };
  const STATES = { waiting: "排队中", active: "人工服务中", closed: "已交还" };
  let me = "";
  let openId = null;

  const { el, call } = window.workbench;

  function badge(channel) {
    return el("span", { class: "badge badge-" + channel, "data-testid": "badge" }, CHANNELS[channel] || channel);
  }

  function renderQueue(handoffs) {
    const list = document.getElementById("queue");
    list.replaceChildren();
    const open = handoffs.filter(h => h.status !== "closed");
    document.querySelector("[data-testid=queue-count]").textContent = "(" + open.length + ")";
    for (const h of handoffs) {
      const item = el("li", { class: "item " + h.status + (h.id === openId ? " selected" : ""),
                              "data-testid": "queue-item", "data-handoff": String(h.id),
                              "data-conversation": h.conversation_id, tabindex: "0" });
      item.append(badge(h.channel));
      item.append(el("span", { class: "who" }, h.conversation_id));
      const state = h.status === "waiting" ? "第 " + h.position + " 位" : (STATES[h.status] + (h.agent ? " · " + h.agent : ""));
      item.append(el("span", { class: "state", "data-testid": "queue-state" }, state));
      item.append(el("span", { class: "reason" }, h.reason_label));
      if (!h.verified) item.append(el("span", { class: "unverified", "data-testid": "unverified" }, "未验证身份"));
      item.append(el("span", { class: "summary" }, h.summary));
      item.addEventListener("click", () => openConversation(h.id));
      item.addEventListener("keydown", e => { if (e.key === "Enter") openConversation(h.id); });
      list.append(item);
    }
  }

  async function refreshQueue() {
    try {
      renderQueue((await call("api/board")).handoffs);
      document.getElementById("queue-status").textContent = "";
    } catch (e) {
      document.getElementById("queue-status").textContent = "队列刷新失败：" + e.message;
    }
  }

  function renderConversation(data) {
    const h = data.handoff;
    document.getElementById("conversation").hidden = false;
    const ch = document.getElementById("conv-channel");
    ch.className = "badge badge-" + h.channel;
    ch.textContent = CHANNELS[h.channel] || h.channel;
    document.getElementById("conv-id").textContent = h.conversation_id;
    document.getElementById("conv-state").textContent = STATES[h.status] + (h.agent ? " · " + h.agent : "") +
      " · " + h.reason_label;
    // How the handoff was triggered (the rule and the shopper's words) and whether the sender is verified.
    document.getElementById("conv-trigger").textContent = "转人工原因：" + h.trigger_label;
    const mine = h.status === "active" && h.agent === me;
    document.getElementById("take").hidden = h.status !== "waiting";
    document.getElementById("release").hidden = !(mine || h.status === "waiting");
    document.getElementById("reply-form").hidden = !mine;

    const ctx = document.getElementById("context");
    ctx.replaceChildren();
    const c = data.context;
    const rows = [["关注商品", c.product_name ? c.product_name + "（" + c.product_in_focus + "）" : c.product_in_focus],
                  ["订单", c.order_id || (h.context && h.context.order_id)],
                  ["进行中的业务", c.order_task], ["机器人状态", data.paused ? "已暂停（人工）" : "自动应答"]];
    for (const [k, v] of rows) {
      if (!v) continue;
      ctx.append(el("dt", {}, k));
      ctx.append(el("dd", { "data-testid": "context-" + k }, v));
    }

    for (const t of data.tickets || []) {
      ctx.append(el("dt", {}, "投诉工单"));
      const dd = el("dd", { "data-testid": "ticket" });
      dd.append(el("span", {}, t.ticket_no + " · " + t.category_label + (t.order_no ? " · 订单 " + t.order_no : "") +
                                (t.flagged ? " · 优先" : "")));
      if (t.photo_evidence) dd.append(el("span", { class: "note", "data-testid": "photo-evidence" }, "照片比对：" + t.photo_evidence));
      if (t.has_photo) {
        dd.append(el("img", { class: "evidence", alt: "顾客照片", src: BASE + "api/handoffs/" + h.id + "/tickets/" + t.id + "/photo" }));
      }
      ctx.append(dd);
    }

    const turns = document.getElementById("turns");
    turns.replaceChildren();
    for (const t of data.turns) {
      const li = el("li", { class: "turn " + t.who, "data-testid": "turn-" + t.who });
      const who = { shopper: "顾客", bot: "机器人", agent: "客服 " + (t.agent || ""), system: "系统" }[t.who];
      li.append(el("span", { class: "meta" }, who + (t.time ? " · " + t.time : "") + (t.intent ? " · " + t.intent : "")));
      li.append(el("span", { class: "text" }, t.text));
      if (t.transcript) li.append(el("span", { class: "note" }, "语音转写：" + t.transcript));
      if (t.attachments && t.attachments.length) li.append(el("span", { class: "note" }, "附件：" + t.attachments.join("、")));
      if (t.delivery && t.delivery !== "delivered") li.append(el("span", { class: "note warn" }, "送达状态：" + t.delivery));
      if (t.who === "shopper" && t.message_id) {
        // The bot misread this? Into the review queue (masked) for the model's next training.
        const flag = el("button", { type: "button", class: "flag", "data-testid": "flag" }, "标记待审");
        flag.addEventListener("click", () => flagMessage(t.message_id, flag));
        li.append(flag);
      }
      turns.append(li);
    }
    turns.scrollTop = turns.scrollHeight;

    const quick = document.getElementById("quick");
    if (quick.options.length <= 1) {
      for (const q of data.quick_replies) quick.append(el("option", { value: q.text }, q.text));
    }
  }

  async function flagMessage(messageId, button) {
    try {
      await call("api/handoffs/" + openId + "/flag", { method: "POST", body: JSON.stringify({ message_id: messageId }) });
      button.textContent = "已加入审核队列";
      button.disabled = true;
    } catch (e) {
      button.textContent = "标记失败：" + e.message;
    }
  }

  async function openConversation(id) {
    openId = id;
    try {
      renderConversation(await call("api/handoffs/" + id));
    } catch (e) {
      document.getElementById("queue-status").textContent = "打开会话失败：" + e.message;
    }
    refreshQueue();
  }

  async function act(action) {
    if (openId === null) return;
    try {
      await call("api/handoffs/" + openId + "/" + action, { method: "POST", body: "{}" });
    } catch (e) {
      document.getElementById("reply-status").textContent = e.message;
    }
    openConversation(openId);
  }

  async function send(event) {
    event.preventDefault();
    const box = document.getElementById("reply-text");
    const status = document.getElementById("reply-status");
    const text = box.value.trim();
    if (!text) { status.textContent = "回复内容不能为空"; return; }
    try {
      const result = await call("api/handoffs/" + openId + "/reply", { method: "POST", body: JSON.stringify({ text }) });
      const d = result.delivery;
      status.textContent = d.status === "delivered" ? "已发送到" + (CHANNELS[d.channel] || d.channel)
                                                    : "已记录，送达状态：" + d.status + (d.detail ? "（" + d.detail + "）" : "");
      box.value = "";
    } catch (e) {
      status.textContent = "发送失败：" + e.message;
    }
    openConversation(openId);
  }

  async function start() {
    const who = await window.workbench.me();
    me = who.username;
    document.querySelector("[data-testid=me]").textContent = who.display_name + "（" + who.username + "）";
    document.getElementById("review-link").hidden = !(who.roles || []).includes("reviewer");
    document.getElementById("take").addEventListener("click", () => act("take"));
    document.getElementById("release").addEventListener("click", () => act("release"));
    document.getElementById("reply-form").addEventListener("submit", send);
    document.getElementById("quick").addEventListener("change", e => {
      if (e.target.value) document.getElementById("reply-text").value = e.target.value;
      e.target.value = "";
    });
    document.getElementById("logout").addEventListener("click", async () => {
      await call("logout", { method: "POST", body: "{}" });
      window.location.href = BASE + "login";
    });
    refreshQueue();
    setInterval(refreshQueue, 3000);
    setInterval(() => { if (openId !== null) call("api/handoffs/" + openId).then(renderConversation).catch(() => {}); }, 3000);
  }

  document.addEventListener("DOMContentLoaded", start);
})();
