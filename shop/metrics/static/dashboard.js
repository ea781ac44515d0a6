// The service dashboard: polls the JSON API and writes every value with textContent
// (shopper-controlled strings such as channel names never reach innerHTML).
(function () {
  "use strict";
  var body = document.body;
  var api = body.getAttribute("data-api");
  var pollMs = Math.max(1, Number(body.getAttribute("data-poll-seconds")) || 5) * 1000;
  var charts = {};

  function text(el, value) { if (el) { el.textContent = value; } }
  function byTestId(id) { return document.querySelector('[data-testid="' + id + '"]'); }

  function fmt(fig, unit) {
    if (!fig || fig.value === null || fig.value === undefined) { return "–"; }
    if (unit === "s") { return fig.value.toFixed(1) + " s"; }
    if (unit === "ratio") { return (fig.value * 100).toFixed(1) + "%"; }
    return fig.value.toFixed(2) + " ★";
  }

  function showFigure(id, fig, unit) {
    var box = document.getElementById(id);
    if (!box) { return; }
    var state = !fig || fig.breached === null || fig.breached === undefined ? "nodata" : (fig.breached ? "breached" : "ok");
    box.setAttribute("data-state", state);
    box.classList.toggle("breached", state === "breached");
    box.classList.toggle("ok", state === "ok");
    box.classList.toggle("nodata", state === "nodata");
    text(byTestId(id + "-value"), fmt(fig, unit));
    text(byTestId(id + "-status"), state === "breached" ? "⚠ 未达标 target breached" : state === "ok" ? "✓ 达标 on target" : "无数据 no data");
    text(byTestId(id + "-samples"), fig ? "样本 samples: " + fig.samples : "");
  }

  function hourLabel(t) {
    var d = new Date(t * 1000);
    return (d.getMonth() + 1) + "/" + d.getDate() + " " + String(d.getHours()).padStart(2, "0") + ":00";
  }

  function values(points) { return points.map(function (p) { return p.value; }); }
  function flat(labels, value) { return labels.map(function () { return value; }); }
  function targetLine(label, data, axis) {
    return { label: label, data: data, borderColor: "#6b7280", borderDash: [2, 4], pointRadius: 0, borderWidth: 1, yAxisID: axis };
  }

  function upsertChart(key, canvasId, config) {
    if (typeof window.Chart === "undefined") { return; }
    var chart = charts[key];
    if (!chart) {
      charts[key] = new window.Chart(document.getElementById(canvasId), config);
      return;
    }
    chart.data.labels = config.data.labels;
    config.data.datasets.forEach(function (ds, i) { chart.data.datasets[i].data = ds.data; });
    chart.update("none");
  }

  function drawCharts(data) {
    var s = data.series, labels = s.t.map(hourLabel);
    var common = { responsive: true, animation: false, spanGaps: false, maintainAspectRatio: false };
    upsertChart("response", "chart-response", {
      type: "line",
      data: { labels: labels, datasets: [
        { label: "机器人 bot (s)", data: values(s.response_time_bot), borderColor: "#2563eb", pointStyle: "circle" },
        { label: "人工 human (s)", data: values(s.response_time_human), borderColor: "#c2410c", pointStyle: "rect", borderDash: [6, 3] },
        targetLine("目标 target 30 s", flat(labels, data.figures.response_time.bot.target), "y")
      ] },
      options: common
    });
    upsertChart("quality", "chart-quality", {
      type: "line",
      data: { labels: labels, datasets: [
        { label: "首次解决率 FCR (%)", data: values(s.first_contact_resolution).map(function (v) { return v === null ? null : v * 100; }), borderColor: "#15803d", yAxisID: "y" },
        { label: "满意度 satisfaction (★)", data: values(s.satisfaction), borderColor: "#7c3aed", borderDash: [6, 3], yAxisID: "y1" },
        targetLine("目标 FCR 85%", flat(labels, data.figures.first_contact_resolution.target * 100), "y"),
        targetLine("目标 ★ 4.5", flat(labels, data.figures.satisfaction.target), "y1")
      ] },
      options: Object.assign({}, common, { scales: { y: { min: 0, max: 100, position: "left" }, y1: { min: 1, max: 5, position: "right", grid: { drawOnChartArea: false } } } })
    });
    var names = Object.keys(data.channels);
    upsertChart("channels", "chart-channels", {
      type: "bar",
      data: { labels: names, datasets: [
        { label: "机器人 bot (s)", data: names.map(function (n) { return data.channels[n].response_time.bot.value; }), backgroundColor: "#93c5fd" },
        { label: "人工 human (s)", data: names.map(function (n) { return data.channels[n].response_time.human.value; }), backgroundColor: "#fdba74" }
      ] },
      options: common
    });
  }

  function cell(row, value, fig) {
    var td = document.createElement("td");
    td.textContent = value;
    if (fig && fig.breached) { td.className = "breached"; td.textContent = value + " ⚠"; }
    row.appendChild(td);
  }

  function drawTable(data) {
    var tbody = document.querySelector("#channels-table tbody");
    var rows = document.createDocumentFragment();
    Object.keys(data.channels).forEach(function (name) {
      var ch = data.channels[name], tr = document.createElement("tr");
      tr.setAttribute("data-channel", name);
      cell(tr, name);
      cell(tr, fmt(ch.response_time.bot, "s"), ch.response_time.bot);
      cell(tr, fmt(ch.response_time.human, "s"), ch.response_time.human);
      cell(tr, fmt(ch.first_contact_resolution, "ratio"), ch.first_contact_resolution);
      cell(tr, fmt(ch.satisfaction, "stars"), ch.satisfaction);
      rows.appendChild(tr);
    });
    tbody.replaceChildren(rows);
  }

  function render(data) {
    var f = data.figures;
    showFigure("avg-response-bot", f.response_time.bot, "s");
    showFigure("avg-response-human", f.response_time.human, "s");
    showFigure("first-contact-resolution", f.first_contact_resolution, "ratio");
    showFigure("satisfaction", f.satisfaction, "stars");
    drawTable(data);
    drawCharts(data);
    text(document.getElementById("updated-at"), new Date(data.generated_at * 1000).toLocaleString());
    body.setAttribute("data-loaded", "true");
  }

  function refresh() {
    var hours = document.getElementById("range-hours").value;
    var err = document.getElementById("load-error");
    fetch(api + "?hours=" + encodeURIComponent(hours), { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (r) {
        if (!r.ok) { throw new Error("HTTP " + r.status); }
        return r.json();
      })
      .then(function (data) { err.hidden = true; render(data); })
      .catch(function (e) { err.hidden = false; text(err, "更新失败 update failed: " + e.message); });
  }

  document.getElementById("range-hours").addEventListener("change", refresh);
  refresh();
  window.setInterval(refresh, pollMs);
})();
