// The dashboard's pages, drawn in the browser from the JSON API (or, in a self-contained report, from the
// run data inlined in the page). Plain script, no build step; charts are uPlot's.
"use strict";

const COLOURS = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#17becf"];
const PERCENTILES = ["Perc50", "Perc90", "Perc99"];

/** Creates an element; attributes starting with "on" become listeners, children may be strings. */
function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attributes)) {
    if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else if (value !== undefined && value !== false) node.setAttribute(key, value === true ? "" : value);
  }
  node.append(...children.flat().filter((c) => c !== undefined && c !== null));
  return node;
}

async function getJson(url) {
  const res = await fetch(url);
  const body = await res.json();
  if (!res.ok) throw new Error(body.error || `${url}: HTTP ${res.status}`);
  return body;
}

function number(value) {
  if (value === undefined || value === null) return "–";
  return Math.abs(value) >= 100 ? value.toFixed(0) : String(Number(value.toPrecision(3)));
}

function when(iso) {
  return iso.replace("T", " ").replace(/\.\d+Z$|Z$/, " UTC");
}

function table(id, headers, rows) {
  return el(
    "table",
    { id },
    el(
      "thead",
      {},
      el(
        "tr",
        {},
        headers.map((h) => el("th", {}, h)),
      ),
    ),
    el("tbody", {}, rows),
  );
}

function select(id, label, options, value, onchange) {
  const node = el(
    "select",
    { id, onchange },
    options.map(([v, text]) => el("option", { value: v, selected: v === value }, text)),
  );
  return el("label", {}, `${label} `, node);
}

/**
 * One uPlot chart in a figure. xs are shared by every series; a series value may be null (a gap). The figure
 * carries data-points, the number of values drawn, so a reader (or a test) can tell an empty chart.
 */
function chart(title, { xs, series, time = true, xLabel, yLabel, reference }) {
  const figure = el("figure", { class: "chart" });
  const lines = series.map((s, i) => ({
    label: s.label,
    stroke: COLOURS[i % COLOURS.length],
    width: 2,
    spanGaps: true,
    points: { show: true, size: 6 },
  }));
  const data = [xs, ...series.map((s) => s.values)];
  if (reference) {
    lines.push({ label: reference.label, stroke: "#c00", dash: [6, 4], width: 1, points: { show: false } });
    data.push(xs.map(() => reference.value));
  }
  const points = series.reduce((n, s) => n + s.values.filter((v) => v !== null).length, 0);
  figure.dataset.points = String(points);
  const pad = time ? 60 : 1;
  const width = Math.max(320, Math.min(960, (document.getElementById("main").clientWidth || 960) - 16));
  new uPlot(
    {
      title,
      width,
      height: 240,
      // uPlot stretches a lone x value over years; give it a minute (or one unit) either side instead.
      scales: { x: { time, range: new Set(xs).size === 1 ? [xs[0] - pad, xs[0] + pad] : undefined } },
      series: [{ label: xLabel || (time ? "time" : "x") }, ...lines],
      axes: [{ label: xLabel }, { label: yLabel, size: 60 }],
    },
    data,
    figure,
  );
  return figure;
}

/** Series sampled at different times on one x axis: the union of times, null where a series has no sample. */
function alignTimes(series) {
  const times = [...new Set(series.flatMap((s) => s.points.map((p) => p.time)))].sort();
  return {
    xs: times.map((t) => Date.parse(t) / 1000),
    series: series.map((s) => {
      const byTime = new Map(s.points.map((p) => [p.time, p.value]));
      return { label: s.name, values: times.map((t) => (byTime.has(t) ? byTime.get(t) : null)) };
    }),
  };
}

function verdictBadge(verdict) {
  return el("span", { class: `verdict ${verdict}` }, verdict);
}

/** The files that could not be read, as a list of nodes: none, or one section. */
function unreadableSection(unreadable) {
  if (unreadable.length === 0) return [];
  return [
    el(
      "section",
      {},
      el("h2", {}, `Unreadable files (${unreadable.length})`),
      table(
        "unreadable",
        ["file", "reason"],
        unreadable.map((u) => el("tr", {}, el("td", { class: "path" }, u.file), el("td", {}, u.reason))),
      ),
    ),
  ];
}

async function overviewPage(main) {
  const { runs, unreadable } = await getJson("/api/runs");
  const tests = [...new Set(runs.map((r) => r.test))].sort();
  const rows = runs.map((run) =>
    el(
      "tr",
      { "data-run-id": run.id, "data-test": run.test },
      el("td", {}, el("a", { href: `/run?id=${run.id}` }, run.test)),
      el("td", {}, when(run.start)),
      el("td", {}, run.nodes === undefined ? "–" : String(run.nodes)),
      el("td", {}, run.kubernetesVersion || "–"),
      el("td", { title: run.error || "" }, verdictBadge(run.verdict)),
      el("td", { class: "path" }, run.dir),
    ),
  );
  const filter = (event) => {
    for (const row of rows) row.hidden = event.target.value !== "" && row.dataset.test !== event.target.value;
  };
  main.replaceChildren(
    el("h1", {}, `Runs (${runs.length})`),
    el(
      "p",
      { class: "controls" },
      select("test-filter", "Test", [["", "all tests"], ...tests.map((t) => [t, t])], "", filter),
    ),
    runs.length === 0
      ? el("p", {}, "No runs found.")
      : table("runs", ["test", "started", "nodes", "Kubernetes", "verdict", "directory"], rows),
    ...unreadableSection(unreadable),
  );
}

async function metricsPage(main) {
  const { series } = await getJson("/api/metrics");
  const state = { test: "", metric: "", labels: {} };
  const controls = el("p", { class: "controls" });
  const charts = el("div", { id: "charts" });
  main.replaceChildren(el("h1", {}, "Metrics over runs"), controls, charts);

  const distinct = (values) => [...new Set(values)].sort();
  const render = () => {
    const ofTest = series.filter((s) => s.test === state.test);
    const ofMetric = ofTest.filter((s) => s.metric === state.metric);
    const labelKeys = distinct(ofMetric.flatMap((s) => Object.keys(s.labels)));
    const labelSelects = labelKeys.map((key) =>
      select(
        `label-${key}`,
        key,
        // An empty label value cannot be told from "all" in a select; only set values are offered.
        [
          ["", "all"],
          ...distinct(ofMetric.map((s) => s.labels[key] ?? ""))
            .filter(Boolean)
            .map((v) => [v, v]),
        ],
        state.labels[key] ?? "",
        (e) => {
          state.labels[key] = e.target.value;
          render();
        },
      ),
    );
    controls.replaceChildren(
      select(
        "metric-test",
        "Test",
        distinct(series.map((s) => s.test)).map((t) => [t, t]),
        state.test,
        (e) => {
          Object.assign(state, { test: e.target.value, metric: "", labels: {} });
          render();
        },
      ),
      select(
        "metric-name",
        "Measurement",
        distinct(ofTest.map((s) => s.metric)).map((m) => [m, m]),
        state.metric,
        (e) => {
          Object.assign(state, { metric: e.target.value, labels: {} });
          render();
        },
      ),
      ...labelSelects,
    );
    const shown = ofMetric.filter((s) =>
      Object.entries(state.labels).every(([key, value]) => value === "" || (s.labels[key] ?? "") === value),
    );
    charts.replaceChildren(
      el("p", { id: "chart-count" }, `${shown.length} of ${ofMetric.length} charts`),
      ...shown.map((s) => {
        const stats = PERCENTILES.some((p) => p in s.points[0].data)
          ? PERCENTILES
          : Object.keys(s.points[0].data);
        const title =
          Object.entries(s.labels)
            .map(([k, v]) => `${k}=${v}`)
            .join(" ") || s.metric;
        return chart(title, {
          xs: s.points.map((p) => Date.parse(p.start) / 1000),
          series: stats.map((stat) => ({ label: stat, values: s.points.map((p) => p.data[stat] ?? null) })),
          yLabel: s.unit,
        });
      }),
    );
  };
  state.test = series[0]?.test ?? "";
  state.metric = series.find((s) => s.test === state.test)?.metric ?? "";
  render();
}

async function comparePage(main) {
  const { runs } = await getJson("/api/runs");
  const params = new URLSearchParams(location.search);
  // Newest first: by default the newest run (b) against the one before it (a).
  const state = {
    a: params.get("a") || runs[1]?.id,
    b: params.get("b") || runs[0]?.id,
    onlyRegressions: false,
  };
  const options = runs.map((r) => [r.id, `${r.test} ${when(r.start)} (${r.dir.split("/").pop()})`]);
  const result = el("div", { id: "comparison" });
  const rerun = () => {
    history.replaceState(null, "", `/compare?a=${state.a}&b=${state.b}`);
    show().catch(showError);
  };
  main.replaceChildren(
    el("h1", {}, "Compare two runs"),
    el(
      "p",
      { class: "controls" },
      select("run-a", "A", options, state.a, (e) => ((state.a = e.target.value), rerun())),
      select("run-b", "B", options, state.b, (e) => ((state.b = e.target.value), rerun())),
      el(
        "label",
        {},
        el("input", {
          type: "checkbox",
          id: "only-regressions",
          onchange: (e) => ((state.onlyRegressions = e.target.checked), rerun()),
        }),
        " only regressions",
      ),
    ),
    result,
  );
  async function show() {
    if (!state.a || !state.b) return result.replaceChildren(el("p", {}, "Two runs are needed to compare."));
    const { rows, regressionFraction } = await getJson(`/api/compare?a=${state.a}&b=${state.b}`);
    const shown = state.onlyRegressions ? rows.filter((r) => r.regression) : rows;
    const percent = (r) =>
      r.delta === undefined || r.a === 0
        ? ""
        : ` (${r.delta >= 0 ? "+" : ""}${number((100 * r.delta) / r.a)} %)`;
    result.replaceChildren(
      el(
        "p",
        { id: "compare-summary" },
        `${rows.filter((r) => r.regression).length} regressions among ${rows.length} values ` +
          `(B worse than A by more than ${regressionFraction * 100} % of A).`,
      ),
      table(
        "compare-table",
        ["metric", "labels", "stat", "A", "B", "B − A", "unit"],
        shown.map((r) =>
          el(
            "tr",
            { class: r.regression ? "regression" : "" },
            el("td", {}, r.metric),
            el("td", {}, r.labels),
            el("td", {}, r.stat),
            el("td", { class: "num" }, number(r.a)),
            el("td", { class: "num" }, number(r.b)),
            el(
              "td",
              { class: "num delta" },
              r.delta === undefined ? "–" : `${r.delta >= 0 ? "+" : ""}${number(r.delta)}${percent(r)}`,
            ),
            el("td", {}, r.unit),
          ),
        ),
      ),
    );
  }
  await show();
}

async function runPage(main) {
  const inline = document.getElementById("run-view");
  const view = inline
    ? JSON.parse(inline.textContent)
    : await getJson(`/api/run?id=${new URLSearchParams(location.search).get("id")}`);
  const { run } = view;
  document.title = `kubemark: ${run.test} run of ${when(run.start)}`;
  main.replaceChildren(
    el("h1", {}, `${run.test} `, verdictBadge(run.verdict)),
    el(
      "p",
      { class: "facts" },
      `Started ${when(run.start)} · ${run.nodes === undefined ? "cluster size unknown" : `${run.nodes} nodes`} · ` +
        `Kubernetes ${run.kubernetesVersion || "unknown"} · ${run.dir}` +
        (run.error ? ` · stopped early: ${run.error}` : ""),
    ),
    el(
      "section",
      {},
      el("h2", {}, "Verdicts"),
      table(
        "verdicts",
        ["measurement", "verdict", "message"],
        run.verdicts.map((v) =>
          el(
            "tr",
            {},
            el("td", {}, v.name),
            el("td", {}, verdictBadge(v.pass ? "pass" : "fail")),
            el("td", {}, v.message),
          ),
        ),
      ),
    ),
    el(
      "section",
      { id: "pod-startup" },
      el("h2", {}, "Pod startup latency per phase"),
      el("p", { class: "note" }, "Latency at each percentile (an inverse CDF), from the run's PerfData."),
      view.podStartup.map((p) =>
        chart(p.name, {
          xs: [50, 90, 99],
          series: p.phases.map((phase) => ({
            label: phase.phase,
            values: PERCENTILES.map((k) => phase.data[k] ?? null),
          })),
          time: false,
          xLabel: "percentile",
          yLabel: "ms",
          reference: { label: `SLO p99 ${view.podStartupSloMs / 1000} s`, value: view.podStartupSloMs },
        }),
      ),
    ),
    el(
      "section",
      {},
      el("h2", {}, "API call latency"),
      el(
        "p",
        { class: "note" },
        "p99 against the SLO: 1 s single object, 5 s LIST in a namespace, 30 s LIST of the cluster; amber from half of it.",
      ),
      table(
        "api-calls",
        ["verb", "resource", "subresource", "scope", "count", "p50 ms", "p90 ms", "p99 ms", "SLO ms"],
        view.apiCalls.map((c) =>
          el(
            "tr",
            {},
            el("td", {}, c.verb),
            el("td", {}, c.resource),
            el("td", {}, c.subresource),
            el("td", {}, c.scope),
            el("td", { class: "num" }, c.count === undefined ? "–" : String(c.count)),
            el("td", { class: "num" }, number(c.data.Perc50)),
            el("td", { class: "num" }, number(c.data.Perc90)),
            el("td", { class: `num slo-${c.status}` }, number(c.data.Perc99)),
            el("td", { class: "num" }, String(c.sloMs)),
          ),
        ),
      ),
    ),
    el(
      "section",
      { id: "time-charts" },
      el("h2", {}, "Over the run"),
      view.timeCharts.length === 0
        ? el("p", {}, "This run has no sampled series (ClusterLoader2 writes none).")
        : view.timeCharts.map((c) => chart(c.title, { ...alignTimes(c.series), yLabel: c.unit })),
    ),
    ...unreadableSection(view.unreadable),
  );
}

function showError(error) {
  document
    .getElementById("main")
    .replaceChildren(el("p", { class: "error" }, `Cannot show this page: ${error.message}`));
}

const PAGES = { overview: overviewPage, metrics: metricsPage, compare: comparePage, run: runPage };
PAGES[document.body.dataset.page](document.getElementById("main")).catch(showError);
