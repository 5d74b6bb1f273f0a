// lstmlab serve: draws the charts of each page from the JSON API with dygraphs (Debian's libjs-dygraphs).
// Labels from the archive only ever reach the page as text (textContent, or escaped for dygraphs's legend).
"use strict";

const palette = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f",
                 "#bcbd22", "#17becf"];

function escapeHTML(text) {
  return String(text).replace(/[&<>"']/g, c => ({"&": "&amp;", "<": "&lt;", ">": "&gt;", "\"": "&quot;", "'": "&#39;"})[c]);
}

function rgba(hex, alpha) {
  const n = parseInt(hex.slice(1), 16);
  return `rgba(${(n >> 16) & 255},${(n >> 8) & 255},${n & 255},${alpha})`;
}

async function getJSON(url) {
  const response = await fetch(url);
  const body = await response.json();
  if (!response.ok) throw new Error(body.error || `${response.status} ${url}`);
  return body;
}

function showError(element, message) {
  const p = document.createElement("p");
  p.className = "error";
  p.textContent = message;
  element.replaceChildren(p);
}

function chartsAvailable(element) {
  if (typeof Dygraph !== "undefined") return true;
  showError(element, "Charts need Debian's libjs-dygraphs: install it (apt-get install libjs-dygraphs) and reload.");
  return false;
}

function format(value) {
  return value === null || value === undefined || Number.isNaN(value) ? "–" : Number(value).toFixed(3);
}

// A legend listing every visible series at the hovered epoch (at most `limit`), its labels escaped.
function legendFormatter(limit) {
  return function (data) {
    const hovering = data.x !== null && data.x !== undefined;
    const shown = data.series.filter(s => s.isVisible && (!hovering || (s.y !== undefined && s.y !== null)));
    const lines = shown.slice(0, limit).map(s =>
      `<span class="entry"><span class="swatch" style="background:${escapeHTML(s.color)}"></span>`
      + escapeHTML(s.label) + (hovering ? `: <b>${format(s.y)}</b>` : "") + "</span>");
    if (shown.length > limit) lines.push(`<span class="entry">… and ${shown.length - limit} more</span>`);
    return (hovering ? `<b>epoch ${escapeHTML(data.xHTML)}</b> ` : "") + lines.join(" ");
  };
}

// Rows for dygraphs from series of (epochs, values); values are numbers or [low, mid, high] triples.
function rowsFrom(series) {
  const byEpoch = new Map();
  series.forEach((s, index) => {
    s.epochs.forEach((epoch, i) => {
      let row = byEpoch.get(epoch);
      if (!row) { row = new Array(series.length + 1).fill(null); row[0] = epoch; byEpoch.set(epoch, row); }
      row[index + 1] = s.values[i];
    });
  });
  return Array.from(byEpoch.values()).sort((a, b) => a[0] - b[0]);
}

// Draws `series` ({label, epochs, values, color, width, dash, faint}) into `element`; after the first drawing
// the element carries data-series (the number of series drawn) and data-drawn-ms (time since navigation).
function draw(element, legend, series, options) {
  if (!series.length) { showError(element, "Nothing to draw: no finished runs selected."); return null; }
  // A run that failed at its first epoch has no finite epoch to show.
  if (!series.some(s => s.epochs.length)) { showError(element, "Nothing to draw: no epoch with finite values."); return null; }
  const seriesOptions = {};
  series.forEach(s => {
    seriesOptions[s.label] = {color: s.color, strokeWidth: s.width || 1.5,
                              strokePattern: s.dash ? [6, 3] : null, highlightCircleSize: s.faint ? 0 : 3};
  });
  element.dataset.series = "0";
  const graph = new Dygraph(element, rowsFrom(series), Object.assign({
    labels: ["epoch"].concat(series.map(s => s.label)),
    series: seriesOptions,
    xlabel: "epoch", ylabel: "RMSE (monthly sales)",
    labelsDiv: legend, legend: "always", legendFormatter: legendFormatter(options.legendLimit || 24),
    connectSeparatedPoints: true, fillAlpha: 0.18, animatedZooms: false,
    drawCallback: (g, initial) => {
      if (initial) {
        element.dataset.series = String(g.getLabels().length - 1);
        element.dataset.drawnMs = String(Math.round(performance.now()));
        document.body.dataset.charts = String(Number(document.body.dataset.charts || 0) + 1);
      }
    },
  }, options.dygraph || {}));
  element.__graph = graph;
  return graph;
}

function bandSeries(curve, label, color, which) {
  const key = which === "train" ? "train" : "test";
  return {label: `${label} ${which}`, epochs: curve.epoch, color, dash: which === "train", width: 2,
          values: curve.epoch.map((_, i) => [curve[`${key}_q25`][i], curve[`${key}_mean`][i], curve[`${key}_q75`][i]])};
}

function runSeries(run, label, color, which, asTriples, alpha) {
  const values = run[`${which}_rmse`];
  return {label: `${label} ${which}`, epochs: run.epoch, color: rgba(color, alpha), width: 0.7, faint: true,
          dash: which === "train", values: asTriples ? values.map(v => [v, v, v]) : values};
}

// ---- experiments page: live table ----

function experimentsPage() {
  const body = document.querySelector("#experiments tbody");
  const updated = document.getElementById("updated");
  async function refresh() {
    try {
      const experiments = await getJSON("/api/experiments");
      const rows = experiments.map(e => {
        const tr = document.createElement("tr");
        const cells = [String(e.id), null, e.preset, e.profile, `${e.finished} / ${e.expected}`, String(e.failed),
                       String(e.running), e.created_at.slice(0, 19).replace("T", " "),
                       `lstmlab ${e.product_version} (${e.git_commit.slice(0, 12)}), ${e.host}, ${e.os}`];
        cells.forEach((text, index) => {
          const td = document.createElement("td");
          if (index === 1) {
            const a = document.createElement("a");
            a.href = `/experiments/${e.id}`;
            a.textContent = e.name;
            td.appendChild(a);
          } else td.textContent = text;
          if ([0, 4, 5, 6].includes(index)) td.className = "num";
          if (index === 8) td.className = "small";
          tr.appendChild(td);
        });
        return tr;
      });
      body.replaceChildren(...rows);
      const empty = document.getElementById("empty");
      if (empty && experiments.length) empty.remove();
      document.getElementById("experiments").dataset.rows = String(experiments.length);
      updated.textContent = `Updated ${new Date().toLocaleTimeString()}.`;
    } catch (error) {
      updated.textContent = `Could not refresh: ${error.message}`;
    }
  }
  refresh();
  setInterval(refresh, 2000);
}

// ---- experiment page ----

async function experimentPage() {
  const means = document.getElementById("chart-means");
  if (!means || !chartsAvailable(means)) return;
  const id = means.dataset.experiment;
  let meansGraph = null;
  try {
    const curves = await getJSON(`/api/experiments/${id}/curves`);
    const series = [];
    curves.forEach((curve, index) => {
      const color = palette[index % palette.length];
      series.push(bandSeries(curve, curve.configuration, color, "train"));
      series.push(bandSeries(curve, curve.configuration, color, "test"));
    });
    meansGraph = draw(means, document.getElementById("legend-means"), series, {dygraph: {customBars: true}});
  } catch (error) { showError(means, error.message); }
  const toggle = () => {
    if (!meansGraph) return;
    const train = document.getElementById("show-train").checked, test = document.getElementById("show-test").checked;
    meansGraph.getLabels().slice(1).forEach((label, index) => {
      meansGraph.setVisibility(index, label.endsWith(" train") ? train : test);
    });
  };
  document.getElementById("show-train").addEventListener("change", toggle);
  document.getElementById("show-test").addEventListener("change", toggle);
  document.getElementById("log-scale").addEventListener("change", event => {
    if (meansGraph) meansGraph.updateOptions({logscale: event.target.checked});
  });

  const runsChart = document.getElementById("chart-runs");
  const select = document.getElementById("configuration");
  let runsGraph = null;
  async function drawConfiguration() {
    const reference = `c=${encodeURIComponent(`${id}:${select.value}`)}`;
    try {
      const [curves, runs] = await Promise.all([getJSON(`/api/curves?${reference}`),
                                               getJSON(`/api/curves/runs?${reference}`)]);
      const series = [];
      runs.forEach(run => {
        series.push(runSeries(run, `run ${run.run_id}`, palette[0], "train", true, 0.35));
        series.push(runSeries(run, `run ${run.run_id}`, palette[1], "test", true, 0.35));
      });
      curves.forEach(curve => {
        series.push(bandSeries(curve, "mean", palette[0], "train"));
        series.push(bandSeries(curve, "mean", palette[1], "test"));
      });
      if (runsGraph) { runsGraph.destroy(); runsGraph = null; }
      runsGraph = draw(runsChart, document.getElementById("legend-runs"), series,
                       {legendLimit: 4, dygraph: {customBars: true}});
    } catch (error) { showError(runsChart, error.message); }
  }
  select.addEventListener("change", drawConfiguration);
  drawConfiguration();
}

// ---- compare page: the selection and the view live in the URL ----

function comparePage() {
  const chart = document.getElementById("chart-compare");
  const status = document.getElementById("compare-status");
  const params = new URLSearchParams(location.search);
  const configurations = Array.from(new Set(params.getAll("c")));
  const runIDs = Array.from(new Set((params.get("r") || "").split(/[\s,]+/).filter(Boolean)));
  const state = {
    train: params.get("train") !== "0", test: params.get("test") !== "0",
    mode: params.get("mode") === "runs" ? "runs" : "band", log: params.get("log") === "1",
    smooth: Math.max(1, parseInt(params.get("smooth") || "1", 10) || 1),
    from: parseInt(params.get("from") || "", 10) || null, to: parseInt(params.get("to") || "", 10) || null,
  };
  const controls = {
    train: document.getElementById("show-train"), test: document.getElementById("show-test"),
    band: document.getElementById("mode-band"), runs: document.getElementById("mode-runs"),
    log: document.getElementById("log-scale"), smooth: document.getElementById("smoothing"),
    smoothValue: document.getElementById("smoothing-value"),
    from: document.getElementById("from"), to: document.getElementById("to"),
  };
  controls.train.checked = state.train;
  controls.test.checked = state.test;
  (state.mode === "runs" ? controls.runs : controls.band).checked = true;
  controls.log.checked = state.log;
  controls.smooth.value = String(state.smooth);
  controls.smoothValue.textContent = state.smooth > 1 ? `${state.smooth} epochs` : "off";
  if (state.from) controls.from.value = String(state.from);
  if (state.to) controls.to.value = String(state.to);

  // Form submissions carry the view settings along with the selection.
  document.getElementById("picker").addEventListener("submit", event => {
    event.preventDefault();
    const next = new URLSearchParams();
    document.querySelectorAll("#picker input[name=c]:checked").forEach(box => next.append("c", box.value));
    const runs = document.getElementById("run-ids").value.trim();
    if (runs) next.set("r", runs);
    location.search = withView(next).toString();
  });

  function withView(query) {
    if (!state.train) query.set("train", "0");
    if (!state.test) query.set("test", "0");
    if (state.mode === "runs") query.set("mode", "runs");
    if (state.log) query.set("log", "1");
    if (state.smooth > 1) query.set("smooth", String(state.smooth));
    if (state.from) query.set("from", String(state.from));
    if (state.to) query.set("to", String(state.to));
    return query;
  }
  function saveView() {
    const query = new URLSearchParams();
    configurations.forEach(c => query.append("c", c));
    if (runIDs.length) query.set("r", runIDs.join(" "));
    history.replaceState(null, "", `/compare?${withView(query).toString()}`);
  }

  if (!configurations.length && !runIDs.length) {
    status.textContent = "Pick configurations (or give run ids) above, then Show.";
    chart.dataset.series = "0";
    return;
  }
  if (!chartsAvailable(chart)) return;
  let graph = null;

  function applyVisibility() {
    if (!graph) return;
    graph.getLabels().slice(1).forEach((label, index) => {
      graph.setVisibility(index, label.endsWith(" train") ? state.train : state.test);
    });
  }

  async function load() {
    const selection = configurations.map(c => `c=${encodeURIComponent(c)}`)
      .concat(runIDs.map(r => `r=${encodeURIComponent(r)}`)).join("&");
    const configurationsOnly = configurations.map(c => `c=${encodeURIComponent(c)}`).join("&");
    status.textContent = "Loading…";
    try {
      const series = [];
      let colorIndex = 0;
      if (state.mode === "band") {
        const requests = [configurations.length ? getJSON(`/api/curves?${configurationsOnly}&max-points=0`) : Promise.resolve([]),
                          runIDs.length ? getJSON(`/api/curves/runs?${runIDs.map(r => `r=${encodeURIComponent(r)}`).join("&")}&max-points=0`) : Promise.resolve([])];
        const [curves, runs] = await Promise.all(requests);
        curves.forEach(curve => {
          const color = palette[colorIndex++ % palette.length];
          const label = `${curve.experiment}: ${curve.configuration}`;
          series.push(bandSeries(curve, label, color, "train"), bandSeries(curve, label, color, "test"));
        });
        runs.forEach(run => {
          const color = palette[colorIndex++ % palette.length];
          const label = `run ${run.run_id}`;
          series.push(runSeries(run, label, color, "train", true, 1), runSeries(run, label, color, "test", true, 1));
        });
      } else {
        const runs = await getJSON(`/api/curves/runs?${selection}&max-points=0`);
        const colors = new Map();
        runs.forEach(run => {
          const group = `${run.experiment_id}:${run.configuration}`;
          if (!colors.has(group)) colors.set(group, palette[colorIndex++ % palette.length]);
          const label = `run ${run.run_id} ${run.experiment}: ${run.configuration}`;
          series.push(runSeries(run, label, colors.get(group), "train", false, 0.45),
                      runSeries(run, label, colors.get(group), "test", false, 0.45));
        });
      }
      if (graph) graph.destroy();
      graph = draw(chart, document.getElementById("legend-compare"), series, {
        legendLimit: state.mode === "runs" ? 12 : 24,
        dygraph: {
          customBars: state.mode === "band", logscale: state.log, rollPeriod: state.smooth,
          dateWindow: state.from || state.to ? [state.from || 1, state.to || Math.max(...series.flatMap(s => s.epochs.slice(-1)))] : null,
          zoomCallback: (low, high) => {
            const [first, last] = graph.xAxisExtremes();
            const zoomed = graph.isZoomed("x");
            state.from = zoomed ? Math.max(first, Math.round(low)) : null;
            state.to = zoomed ? Math.min(last, Math.round(high)) : null;
            controls.from.value = state.from ? String(state.from) : "";
            controls.to.value = state.to ? String(state.to) : "";
            saveView();
          },
        },
      });
      applyVisibility();
      status.textContent = `${series.length} series.`;
    } catch (error) {
      showError(chart, error.message);
      status.textContent = "";
    }
  }

  controls.train.addEventListener("change", () => { state.train = controls.train.checked; applyVisibility(); saveView(); });
  controls.test.addEventListener("change", () => { state.test = controls.test.checked; applyVisibility(); saveView(); });
  [controls.band, controls.runs].forEach(radio => radio.addEventListener("change", () => {
    state.mode = controls.runs.checked ? "runs" : "band"; saveView(); load();
  }));
  controls.log.addEventListener("change", () => {
    state.log = controls.log.checked; if (graph) graph.updateOptions({logscale: state.log}); saveView();
  });
  controls.smooth.addEventListener("input", () => {
    state.smooth = parseInt(controls.smooth.value, 10) || 1;
    controls.smoothValue.textContent = state.smooth > 1 ? `${state.smooth} epochs` : "off";
    if (graph) graph.updateOptions({rollPeriod: state.smooth});
    saveView();
  });
  const zoom = () => {
    state.from = parseInt(controls.from.value, 10) || null;
    state.to = parseInt(controls.to.value, 10) || null;
    if (graph) {
      const [first, last] = graph.xAxisExtremes();
      graph.updateOptions({dateWindow: state.from || state.to ? [state.from || first, state.to || last] : null});
    }
    saveView();
  };
  controls.from.addEventListener("change", zoom);
  controls.to.addEventListener("change", zoom);
  document.getElementById("reset-zoom").addEventListener("click", () => {
    controls.from.value = ""; controls.to.value = ""; zoom();
    if (graph) graph.resetZoom();
  });
  load();
}

// ---- run page ----

async function runPage() {
  const chart = document.getElementById("chart-run");
  if (!chart || !chartsAvailable(chart)) return;
  const id = chart.dataset.run;
  try {
    const epochs = await getJSON(`/api/runs/${id}/epochs`);
    draw(chart, document.getElementById("legend-run"), [
      {label: "train", epochs: epochs.epoch, values: epochs.train_rmse, color: palette[0], dash: true},
      {label: "test", epochs: epochs.epoch, values: epochs.test_rmse, color: palette[1]},
    ], {});
  } catch (error) { showError(chart, error.message); }

  const select = document.getElementById("snapshot");
  if (!select) return;
  const forecastChart = document.getElementById("chart-forecast");
  const table = document.querySelector("#forecast tbody");
  let graph = null;
  async function drawForecast() {
    try {
      const months = await getJSON(`/api/runs/${id}/forecast?epoch=${encodeURIComponent(select.value)}`);
      table.replaceChildren(...months.map(m => {
        const tr = document.createElement("tr");
        [m.month, format(m.forecast), format(m.observed)].forEach((text, index) => {
          const td = document.createElement("td");
          td.textContent = text;
          if (index > 0) td.className = "num";
          tr.appendChild(td);
        });
        return tr;
      }));
      const names = months.map(m => m.month);
      const steps = months.map((_, i) => i + 1);
      if (graph) graph.destroy();
      graph = draw(forecastChart, document.getElementById("legend-forecast"), [
        {label: "observed", epochs: steps, values: months.map(m => m.observed), color: "#333333"},
        {label: `forecast (weights after epoch ${months.length ? months[0].epoch : ""})`, epochs: steps,
         values: months.map(m => m.forecast), color: palette[3]},
      ], {dygraph: {xlabel: "month", ylabel: "sales", drawPoints: true, pointSize: 3,
                    axes: {x: {valueFormatter: x => escapeHTML(names[x - 1] || ""),
                               axisLabelFormatter: x => Number.isInteger(x) ? escapeHTML(names[x - 1] || "") : ""}}}});
      forecastChart.dataset.epoch = select.value;
    } catch (error) { showError(forecastChart, error.message); }
  }
  select.addEventListener("change", drawForecast);
  drawForecast();
}

const pages = {experiments: experimentsPage, experiment: experimentPage, compare: comparePage, run: runPage};
document.addEventListener("DOMContentLoaded", () => {
  const page = pages[document.body.dataset.page];
  if (page) page();
});
