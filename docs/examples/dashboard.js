// A dashboard on another site, reading the portal's public API from the browser (CORS: docs/api.md).
// No build step and no library: the pillars' roll-ups (/api/v1/pillars/) and one target's history
// (/api/v1/targets/{id}/history/), drawn as tables and SVG. Every text goes in with textContent, never as HTML.
"use strict";

(() => {
  // The portal to read: ?portal=https://portal.example, or this one.
  const DEFAULT_PORTAL = "http://localhost:8000";
  const STATUSES = ["achieved", "on_track", "at_risk", "off_track", "missed", "no_data"];
  const STATUS_NAMES = {
    achieved: "Achieved",
    on_track: "On track",
    at_risk: "At risk",
    off_track: "Off track",
    missed: "Missed",
    no_data: "No data",
  };
  const SVG = "http://www.w3.org/2000/svg";

  const params = new URLSearchParams(window.location.search);
  const portal = (params.get("portal") || DEFAULT_PORTAL).replace(/\/+$/, "");
  const basis = params.get("basis") === "illustrative" ? "illustrative" : "";
  const numbers = new Intl.NumberFormat("en-GB", { maximumFractionDigits: 2 });
  const shares = new Intl.NumberFormat("en-GB", { style: "percent", maximumFractionDigits: 0 });

  const $ = (id) => document.getElementById(id);
  const number = (value) => (value === null || value === undefined ? "–" : numbers.format(value));
  const share = (value) => (value === null || value === undefined ? "–" : shares.format(value));
  const sum = (counts) => Object.values(counts).reduce((total, n) => total + n, 0);

  async function read(path, query = {}) {
    const url = new URL(`${portal}/api/v1/${path}`);
    for (const [name, value] of Object.entries(query)) url.searchParams.set(name, value);
    if (basis) url.searchParams.set("basis", basis);
    const response = await fetch(url, { headers: { Accept: "application/json" } });
    if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
    return response.json();
  }

  function cell(row, text, header = false) {
    const element = document.createElement(header ? "th" : "td");
    if (header) element.scope = "row";
    element.textContent = text;
    row.append(element);
  }

  function svgElement(name, attributes = {}, text = "") {
    const element = document.createElementNS(SVG, name);
    for (const [key, value] of Object.entries(attributes)) element.setAttribute(key, String(value));
    if (text) element.textContent = text;
    return element;
  }

  // --- Pillars ----------------------------------------------------------------------------------------

  function drawPillars(pillars) {
    const body = $("pillars").tBodies[0];
    body.replaceChildren();
    for (const pillar of pillars) {
      const rollup = pillar.rollup;
      const row = body.insertRow();
      row.dataset.pillar = pillar.slug;
      cell(row, `${pillar.number}. ${pillar.name}`, true);
      cell(row, number(sum(rollup.targets)));
      cell(row, number(rollup.targets.off_track + rollup.targets.missed));
      cell(row, number(sum(rollup.milestones)));
      cell(row, number(rollup.milestones.overdue));
      cell(row, number(rollup.median_slip_days));
      cell(row, share(rollup.on_schedule_share));
      cell(row, share(rollup.reporting_coverage));
    }

    // One bar per pillar: its targets by status, each segment as wide as its count.
    const chart = $("pillars-chart");
    const label = 40;
    const width = 600;
    const bar = 22;
    const most = Math.max(1, ...pillars.map((p) => sum(p.rollup.targets)));
    chart.replaceChildren();
    chart.setAttribute("height", String(pillars.length * (bar + 8)));
    chart.setAttribute("viewBox", `0 0 ${label + width} ${pillars.length * (bar + 8)}`);
    pillars.forEach((pillar, index) => {
      const y = index * (bar + 8);
      chart.append(svgElement("text", { x: 0, y: y + bar * 0.7 }, `P${pillar.number}`));
      let x = label;
      for (const status of STATUSES) {
        const count = pillar.rollup.targets[status] || 0;
        if (!count) continue;
        const segment = svgElement("rect", { x, y, height: bar, width: (count / most) * width, class: status });
        segment.append(svgElement("title", {}, `${pillar.name}: ${count} ${STATUS_NAMES[status].toLowerCase()}`));
        chart.append(segment);
        x += (count / most) * width;
      }
    });
    $("pillars-legend").replaceChildren(
      ...STATUSES.map((status) => {
        const item = document.createElement("li");
        const swatch = document.createElement("span");
        swatch.className = `swatch ${status}`;
        item.append(swatch, STATUS_NAMES[status]);
        return item;
      }),
    );
  }

  // --- One target ------------------------------------------------------------------------------------

  function drawHistory(target, history) {
    $("target-title").textContent = `${target.code}: ${target.title} (${history.unit})`;
    const figures = history.measurements.filter((figure) => !figure.withdrawn_on);
    for (const [id, rows, key] of [
      ["figures", figures, "value"],
      ["planned", history.planned, "value"],
    ]) {
      const body = $(id).tBodies[0];
      body.replaceChildren();
      for (const item of rows) {
        const row = body.insertRow();
        cell(row, item.date, true);
        cell(row, number(item[key]));
      }
    }

    // Dates along x, values along y, from zero to the largest value planned or reported.
    const chart = $("history-chart");
    const [left, right, top, bottom] = [70, 620, 10, 230];
    const points = [...history.planned, ...figures];
    const times = points.map((p) => Date.parse(p.date));
    const [first, last] = [Math.min(...times), Math.max(...times)];
    const most = Math.max(1, ...points.map((p) => p.value));
    const x = (date) => left + ((Date.parse(date) - first) / Math.max(1, last - first)) * (right - left);
    const y = (value) => bottom - (value / most) * (bottom - top);
    const path = (series) => series.map((p, i) => `${i ? "L" : "M"}${x(p.date)},${y(p.value)}`).join(" ");
    chart.replaceChildren(
      svgElement("line", { x1: left, y1: bottom, x2: right, y2: bottom, class: "axis" }),
      svgElement("line", { x1: left, y1: top, x2: left, y2: bottom, class: "axis" }),
      svgElement("text", { x: left - 6, y: top + 10, "text-anchor": "end" }, number(most)),
      svgElement("text", { x: left - 6, y: bottom, "text-anchor": "end" }, "0"),
      svgElement("text", { x: left, y: bottom + 20 }, new Date(first).toISOString().slice(0, 10)),
      svgElement("text", { x: right, y: bottom + 20, "text-anchor": "end" }, new Date(last).toISOString().slice(0, 10)),
      svgElement("path", { d: path(history.planned), class: "planned" }),
    );
    if (figures.length) chart.append(svgElement("path", { d: path(figures), class: "reported" }));
    for (const figure of figures) {
      const dot = svgElement("circle", { cx: x(figure.date), cy: y(figure.value), r: 4, class: "point" });
      dot.append(svgElement("title", {}, `${figure.date}: ${number(figure.value)}`));
      chart.append(dot);
    }
  }

  async function showTarget(targets, code) {
    const target = targets.find((t) => t.code === code);
    drawHistory(target, await read(`targets/${target.id}/history/`));
  }

  async function main() {
    const [pillars, targets] = await Promise.all([
      read("pillars/", { page_size: 500 }),
      read("targets/", { page_size: 500 }),
    ]);
    drawPillars(pillars.results);

    // ?target=CODE, else the first target with a reported figure, else the first.
    const list = targets.results;
    const asked = list.find((t) => t.code === params.get("target"));
    const target = asked || list.find((t) => t.indicators && t.indicators.last_reported_on) || list[0];
    const choice = $("target-choice");
    choice.replaceChildren(...list.map((t) => new Option(`${t.code}: ${t.title}`, t.code, false, t === target)));
    choice.addEventListener("change", () => showTarget(list, choice.value).catch(failed));
    if (target) await showTarget(list, target.code);

    const asOf = pillars.results.length ? pillars.results[0].rollup.as_of : "";
    $("status").textContent = `Read from ${portal}, as of ${asOf}.`;
    document.body.dataset.state = "ready";
  }

  function failed(error) {
    const status = $("status");
    status.textContent = `Could not read the portal at ${portal}: ${error.message}`;
    status.className = "error";
    document.body.dataset.state = "error";
  }

  main().catch(failed);
})();
