// The review page. Shopper text (masked, still untrusted) goes in through textContent only.
"use strict";
(function () {
  const REASONS = { low_confidence: "置信度低", fallback: "兜底回复", repeated: "顾客重复提问", handoff: "随后转人工",
                    low_rating: "差评", flagged: "客服标记" };
  const STATUS = { open: "待标注", labelled: "待确认", confirmed: "已确认", ignored: "无意义" };
  let me = "", status = "open", intents = [], entityNames = [], current = null;

  const { el, call } = window.workbench;

  function tops(list) {
    return (list || []).map(([name, p]) => name + " " + Math.round(p * 100) + "%").join(" · ");
  }

  async function refresh() {
    try {
      const data = await call("api/review/groups?status=" + status);
      intents = data.intents; entityNames = data.entities;
      for (const [k, v] of Object.entries(data.counts)) {
        const span = document.querySelector("[data-count=" + k + "]");
        if (span) span.textContent = "(" + v.groups + ")";
      }
      for (const b of document.querySelectorAll("#tabs button")) b.classList.toggle("selected", b.dataset.status === status);
      const list = document.getElementById("groups");
      list.replaceChildren();
      for (const g of data.groups) {
        const li = el("li", { class: "item" + (current && current.id === g.id ? " selected" : ""), "data-testid": "group-item" });
        li.append(el("span", { class: "badge" }, "×" + g.count));
        li.append(el("strong", { "data-testid": "group-item-text" }, g.text));
        li.append(el("span", {}, g.intent ? g.intent : ""));
        li.append(el("span", { class: "reason" }, "模型：" + tops(g.top_intents) + "　原因：" +
                                                  g.reasons.map((r) => REASONS[r] || r).join("、")));
        li.addEventListener("click", () => openGroup(g.id));
        list.append(li);
      }
      document.getElementById("list-status").textContent = data.groups.length ? "" : "这里没有消息";
    } catch (e) {
      document.getElementById("list-status").textContent = "刷新失败：" + e.message;
    }
  }

  function entityRow(entity, value) {
    const li = el("li", { "data-testid": "entity-row" });
    const sel = el("select", { "data-testid": "entity-name" });
    for (const n of entityNames) {
      const o = el("option", { value: n }, n);
      if (n === entity) o.selected = true;
      sel.append(o);
    }
    const input = el("input", { type: "text", value: value || "", "data-testid": "entity-value", maxlength: "100" });
    const remove = el("button", { type: "button", "data-testid": "entity-remove" }, "删除");
    remove.addEventListener("click", () => li.remove());
    li.append(sel, input, remove);
    return li;
  }

  function render(g) {
    current = g;
    document.getElementById("group").hidden = false;
    document.getElementById("group-text").textContent = g.text;
    document.getElementById("group-meta").textContent = STATUS[g.status] + " · 出现 " + g.count + " 次" +
      (g.labelled_by ? " · 标注：" + g.labelled_by + "（" + g.intent + "）" : "") +
      (g.confirmed_by ? " · 确认：" + g.confirmed_by : "") + (g.exported_in ? " · 已写入 " + g.exported_in : "");
    const sel = document.getElementById("intent");
    sel.replaceChildren();
    const suggested = g.intent || (g.top_intents[0] && g.top_intents[0][0]);
    for (const name of intents) {
      const o = el("option", { value: name }, name === "noise" ? "noise（无意义，不训练）" : name);
      if (name === suggested) o.selected = true;
      sel.append(o);
    }
    const rows = document.getElementById("entities");
    rows.replaceChildren();
    for (const e of g.entities || []) rows.append(entityRow(e.entity, e.value));
    const confirm = document.getElementById("confirm");
    confirm.hidden = !(g.status === "labelled" && g.labelled_by !== me);
    const items = document.getElementById("items");
    items.replaceChildren();
    for (const item of g.items) {
      const li = el("li", { class: "turn shopper", "data-testid": "item" });
      li.append(el("span", { class: "meta" }, item.occurred_at.slice(0, 19).replace("T", " ") + " · " + item.channel + " · " +
                                               (item.reasons || []).map((r) => REASONS[r] || r).join("、") + " · 模型：" + tops(item.top_intents)));
      for (const c of item.context) {
        li.append(el("span", { class: "text" + (c.this ? " this" : "") }, (c.who === "bot" ? "机器人：" : "顾客：") + c.text));
      }
      items.append(li);
    }
    const history = document.getElementById("history");
    history.replaceChildren();
    const ACT = { label: "标注", confirm: "确认", override: "改标" };
    for (const h of g.history) history.append(el("li", { "data-testid": "history-row" },
      h.at.slice(0, 19).replace("T", " ") + " " + h.reviewer + " " + (ACT[h.action] || h.action) + " " + h.intent));
  }

  async function openGroup(id) {
    document.getElementById("label-status").textContent = "";
    try { render(await call("api/review/groups/" + id)); } catch (e) {
      document.getElementById("list-status").textContent = "打开失败：" + e.message;
    }
    refresh();
  }

  async function save(event) {
    event.preventDefault();
    if (!current) return;
    const entities = [];
    for (const row of document.querySelectorAll("#entities li")) {
      const value = row.querySelector("input").value.trim();
      if (value) entities.push({ entity: row.querySelector("select").value, value });
    }
    const intent = document.getElementById("intent").value;
    try {
      await call("api/review/groups/" + current.id + "/label", { method: "POST", body: JSON.stringify({ intent, entities }) });
      document.getElementById("label-status").textContent = "已保存：" + intent;
      await openGroup(current.id);
      document.getElementById("label-status").textContent = "已保存：" + intent;
    } catch (e) {
      document.getElementById("label-status").textContent = "保存失败：" + e.message;
    }
  }

  async function confirm() {
    if (!current) return;
    try {
      await call("api/review/groups/" + current.id + "/confirm", { method: "POST", body: "{}" });
      await openGroup(current.id);
      document.getElementById("label-status").textContent = "已确认";
    } catch (e) {
      document.getElementById("label-status").textContent = "确认失败：" + e.message;
    }
  }

  async function start() {
    const who = await window.workbench.me();
    me = who.username;
    document.querySelector("[data-testid=me]").textContent = who.display_name + "（" + who.username + "）";
    for (const b of document.querySelectorAll("#tabs button")) {
      b.addEventListener("click", () => { status = b.dataset.status; refresh(); });
    }
    document.getElementById("label-form").addEventListener("submit", save);
    document.getElementById("confirm").addEventListener("click", confirm);
    document.getElementById("add-entity").addEventListener("click", () =>
      document.getElementById("entities").append(entityRow(entityNames[0], "")));
    await refresh();
    setInterval(refresh, 15000);
  }
  start();
})();
