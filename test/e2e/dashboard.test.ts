import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { mkdir, readdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { after, before, describe, it } from "node:test";
import { chromium, type BrowserContext, type Page } from "playwright-core";
import type { PerfData } from "../../src/reports/perfdata.js";
import { eventually, KUBEMARK_BIN, kubemark, removeTempDir, run, tempDir, testHome } from "../support/cli.js";

const NODES = 3;
const REPO = path.resolve(path.dirname(KUBEMARK_BIN), "..");
const SCREENSHOTS = path.join(REPO, "reports", "test-artifacts", "dashboard");
const CORRUPT = "PodStartupLatency_Broken_density_2026-01-01T00:00:00Z.json";
const FOREIGN = "notes.txt";

// Without the background-networking flags chromium calls home, and this closed network refuses it loudly.
const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

/** A page that records its console errors, uncaught exceptions and failed requests. */
async function watchedPage(context: BrowserContext): Promise<{ page: Page; errors: string[] }> {
  const page = await context.newPage();
  const errors: string[] = [];
  page.on("console", (message) => {
    if (message.type() === "error") errors.push(`console: ${message.text()}`);
  });
  page.on("pageerror", (error) => errors.push(`page error: ${error.message}`));
  page.on("requestfailed", (request) => errors.push(`request failed: ${request.url()}`));
  return { page, errors };
}

/** The values drawn by each uPlot chart of the selector's figures; 0 means an empty chart. */
async function chartPoints(page: Page, figures: string): Promise<number[]> {
  return page.$$eval(`${figures} figure.chart`, (nodes) =>
    nodes.map((figure) => {
      // Test code compiles without the DOM library, hence the structural casts.
      const canvas = figure.querySelector(".uplot canvas") as unknown as { width: number } | null;
      const points = figure.getAttribute("data-points");
      return canvas && canvas.width > 0 ? Number(points) : 0;
    }),
  );
}

describe("kubemark dashboard and report", () => {
  let home: string;
  let reports: string;
  let runDirs: string[];
  let dashboard: ChildProcess | undefined;
  let url: string;
  let context: BrowserContext;
  let profile: string | undefined;

  const shot = (page: Page, name: string) =>
    page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage: true });

  before(async () => {
    home = await testHome();
    reports = await tempDir("kubemark-dashboard-");
    await mkdir(SCREENSHOTS, { recursive: true });
    console.log(`screenshots in ${SCREENSHOTS}, runs in ${reports}`);
    const started = await kubemark(home, "start", "--name", "dash", "--nodes", String(NODES));
    assert.equal(started.code, 0, started.stderr);
    runDirs = [path.join(reports, "density-1"), path.join(reports, "density-2")];
    for (const dir of runDirs) {
      const res = await run(
        process.execPath,
        [
          KUBEMARK_BIN,
          "run",
          "density",
          "--name",
          "dash",
          "--set",
          "podsPerNode=15",
          "--set",
          "minLatencyPods=12",
          "--report-dir",
          dir,
        ],
        { KUBEMARK_HOME: home },
        300_000,
      );
      assert.equal(res.code, 0, `${res.stdout}\n${res.stderr}`);
    }
    await writeFile(path.join(runDirs[1]!, CORRUPT), '{"version": "v1", "dataItems": [');
    await writeFile(path.join(reports, FOREIGN), "shopping list");

    dashboard = spawn(process.execPath, [KUBEMARK_BIN, "dashboard", "--report-dir", reports, "--port", "0"], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    dashboard.stdout!.on("data", (d) => (stdout += d));
    dashboard.stderr!.resume();
    url = await eventually(
      "the dashboard's URL",
      async () => /Dashboard at (http:\/\/127\.0\.0\.1:\d+\/)/.exec(stdout)?.[1],
    );
    profile = await tempDir("chromium-profile-");
    context = await chromium.launchPersistentContext(profile, {
      executablePath: "/usr/bin/chromium",
      args: CHROMIUM_ARGS,
      viewport: { width: 1280, height: 900 },
    });
  });

  after(async () => {
    await context?.close();
    dashboard?.kill("SIGINT");
    await kubemark(home, "stop", "--name", "dash");
    await removeTempDir(home);
    for (const dir of [reports, profile]) await removeTempDir(dir);
  });

  it("lists both runs with their facts, and the corrupt and foreign files with the reason", async () => {
    const { page, errors } = await watchedPage(context);
    await page.goto(url);
    await page.waitForSelector("#runs");
    const rows = await page.$$eval("#runs tbody tr", (trs) =>
      trs.map((tr) => [...tr.querySelectorAll("td")].map((td) => td.textContent)),
    );
    assert.equal(rows.length, 2);
    for (const [test, , nodes, version, verdict, dir] of rows) {
      assert.equal(test, "density");
      assert.equal(nodes, String(NODES));
      assert.match(version!, /^v1\.\d+\.\d+/);
      assert.equal(verdict, "pass");
      assert.ok(runDirs.includes(dir!), dir!);
    }
    assert.equal(rows[0]![5], runDirs[1], "newest first");
    const unreadable = await page.$$eval("#unreadable tbody tr", (trs) =>
      trs.map((tr) => [...tr.querySelectorAll("td")].map((td) => td.textContent!)),
    );
    assert.deepEqual(
      unreadable.map(([file, reason]) => [path.basename(file!), reason!.replace(/:.*/s, "")]).sort(),
      [
        [CORRUPT, "invalid JSON"],
        [FOREIGN, "not a kubemark or ClusterLoader2 artifact"],
      ],
    );
    await shot(page, "overview");
    assert.deepEqual(errors, []);
  });

  it("charts each metric over the runs, and the label filter narrows the charts", async () => {
    const { page, errors } = await watchedPage(context);
    await page.goto(`${url}metrics`);
    await page.selectOption("#metric-test", "density");
    await page.selectOption("#metric-name", "PodStartupLatency_PodStartupLatency");
    const phases = await chartPoints(page, "#charts");
    assert.equal(phases.length, 5, "one chart per pod startup phase");
    // Two runs, three percentiles each.
    assert.deepEqual(phases, [6, 6, 6, 6, 6]);
    await page.selectOption("#label-Metric", "pod_startup");
    assert.deepEqual(await chartPoints(page, "#charts"), [6]);
    assert.equal(await page.textContent("#chart-count"), "1 of 5 charts");
    assert.match((await page.textContent("#charts .u-title"))!, /Metric=pod_startup/);
    await shot(page, "metrics");
    assert.deepEqual(errors, []);
  });

  it("compares the two runs value by value, with B − A from their PerfData", async () => {
    const { page, errors } = await watchedPage(context);
    await page.goto(`${url}compare`);
    await page.waitForSelector("#compare-table");
    const [older, newer] = await Promise.all(runDirs.map((dir) => podStartupPerc99(dir)));
    const row = await page.$$eval("#compare-table tbody tr", (trs) =>
      trs
        .map((tr) => [...tr.querySelectorAll("td")].map((td) => td.textContent!))
        .find(
          ([metric, labels, stat]) =>
            metric === "PodStartupLatency_PodStartupLatency" &&
            labels === "Metric=pod_startup" &&
            stat === "Perc99",
        ),
    );
    assert.ok(row, "pod_startup Perc99 is compared");
    const [, , , a, b, delta] = row;
    assert.equal(Number(a), older, "A is the older run");
    assert.equal(Number(b), newer);
    assert.equal(Number(/^([+-][\d.]+)/.exec(delta!)![1]), newer! - older!);
    const summary = (await page.textContent("#compare-summary"))!;
    const regressions = Number(/^(\d+) regressions among (\d+) values/.exec(summary)![1]);
    await page.check("#only-regressions");
    await page.waitForFunction(
      `document.querySelectorAll("#compare-table tbody tr").length === ${regressions}`,
    );
    assert.equal(await page.$$eval("#compare-table tbody tr:not(.regression)", (trs) => trs.length), 0);
    await page.uncheck("#only-regressions");
    await shot(page, "compare");
    assert.deepEqual(errors, []);
  });

  it("shows a run: pod startup per phase, API calls against their SLO, throughput, CPU and memory", async () => {
    const { page, errors } = await watchedPage(context);
    await page.goto(url);
    await page.click(`#runs tbody tr:first-child a`);
    await page.waitForSelector("#api-calls");
    assert.deepEqual(
      await chartPoints(page, "#pod-startup"),
      [15, 15],
      "saturation and latency pods, 5 phases x 3",
    );
    const sloCells = await page.$$eval("#api-calls tbody td.num:nth-child(8)", (tds) =>
      tds.map((td) => td.className),
    );
    assert.ok(sloCells.length > 0, "API calls listed");
    for (const cell of sloCells) assert.match(cell, /slo-(ok|near|over)/);
    const overTime = await chartPoints(page, "#time-charts");
    assert.equal(overTime.length, 3, "scheduling throughput, master CPU, master memory");
    for (const points of overTime) assert.ok(points > 0, `time chart drawn with ${points} values`);
    assert.match((await page.textContent("#unreadable"))!, new RegExp(CORRUPT));
    await shot(page, "run");
    assert.deepEqual(errors, []);
  });

  it("writes a report that renders from a file with every network request blocked", async () => {
    const file = path.join(reports, "x.html");
    const res = await kubemark(home, "report", runDirs[0]!, "-o", file);
    assert.equal(res.code, 0, res.stderr);
    const blocked: string[] = [];
    await context.route("**/*", (route) => {
      if (route.request().url().startsWith("file:")) return route.continue();
      blocked.push(route.request().url());
      return route.abort();
    });
    await context.setOffline(true);
    try {
      const { page, errors } = await watchedPage(context);
      await page.goto(pathToFileURL(file).href);
      await page.waitForSelector("#api-calls");
      assert.deepEqual(await chartPoints(page, "#pod-startup"), [15, 15]);
      assert.equal((await chartPoints(page, "#time-charts")).length, 3);
      await shot(page, "report");
      assert.deepEqual(errors, []);
      assert.deepEqual(blocked, [], "the report asks for nothing outside its file");
    } finally {
      await context.setOffline(false);
      await context.unrouteAll();
    }
  });

  it("exits 2 naming a missing report dir", async () => {
    const res = await kubemark(home, "dashboard", "--report-dir", path.join(reports, "nowhere"));
    assert.equal(res.code, 2);
    assert.match(res.stderr, /no report directory .*nowhere/);
  });
});

async function podStartupPerc99(dir: string): Promise<number> {
  const file = (await readdir(dir)).find((f) =>
    f.startsWith("PodStartupLatency_PodStartupLatency_density_"),
  )!;
  const data = JSON.parse(await readFile(path.join(dir, file), "utf8")) as PerfData;
  return data.dataItems.find((item) => item.labels?.Metric === "pod_startup")!.data.Perc99!;
}
