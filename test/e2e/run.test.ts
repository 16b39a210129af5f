import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { copyFile, mkdir, readdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { ApiError, type KubeClient } from "../../src/client/kube-client.js";
import { nearestRankPercentile } from "../../src/measurements/percentile.js";
import { podStartupTimes } from "../../src/measurements/pod-startup-measurement.js";
import type { PerfData } from "../../src/reports/perfdata.js";
import {
  eventually,
  KUBEMARK_BIN,
  kubemark,
  removeTempDir,
  tempDir,
  run,
  testHome,
  type RunResult,
} from "../support/cli.js";
import { adminClient, listPods, readCluster } from "../support/cluster.js";

const NODES = 20;
const REPO = path.resolve(path.dirname(KUBEMARK_BIN), "..");
const PERF_DATA_NAME = /^([A-Za-z]+)_([A-Za-z]+)_(\w+)_(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ)\.json$/;

/** One deployment of `pods` pods with PodStartupLatency on them; thresholdMs is a parameter to --set. */
const SMALL_EXPERIMENT = `
name: small
parameters: { pods: 10, thresholdMs: 5000 }
namespaces: { prefix: small, count: 1 }
tuningSets: [{ name: Fast, qps: 10 }]
steps:
  - name: Start
    measurements:
      - { name: PodStartupLatency, action: start, params: { labelSelector: "group = small", thresholdMs: "\${thresholdMs}" } }
  - name: Create
    phases:
      - replicasPerNamespace: 1
        tuningSet: Fast
        objects:
          - basename: small
            template: deployment.yaml
            params: { replicas: "\${pods}", group: small, cpu: 1m, memory: 10M }
  - name: Wait
    wait: { for: ControlledPodsRunning, kind: Deployment, labelSelector: group = small, timeout: 2m }
  - name: Gather
    measurements: [{ name: PodStartupLatency, action: gather }]
`;

describe("kubemark run", () => {
  let home: string;
  let admin: KubeClient;
  let work: string;

  const runExperiment = (...args: string[]): Promise<RunResult> =>
    run(process.execPath, [KUBEMARK_BIN, "run", "--name", "run", ...args], { KUBEMARK_HOME: home }, 300_000);

  const namespaceExists = async (name: string): Promise<boolean> => {
    try {
      await admin.get(`/api/v1/namespaces/${name}`);
      return true;
    } catch (error) {
      if (error instanceof ApiError && error.status === 404) return false;
      throw error;
    }
  };

  const readPerfData = async (dir: string): Promise<Map<string, PerfData>> => {
    const byName = new Map<string, PerfData>();
    for (const file of await readdir(dir)) {
      if (!file.endsWith(".json") || file === "summary.json") continue;
      const match = PERF_DATA_NAME.exec(file);
      assert.ok(match, `${file} follows <Summary>_<Identifier>_<test>_<RFC3339>.json`);
      byName.set(
        `${match[1]}_${match[2]}_${match[3]}`,
        JSON.parse(await readFile(path.join(dir, file), "utf8")),
      );
    }
    return byName;
  };

  const item = (data: PerfData, metric: string): Record<string, number> =>
    data.dataItems.find((i) => i.labels?.Metric === metric)!.data;

  before(async () => {
    home = await testHome();
    work = await tempDir("kubemark-run-");
    const res = await kubemark(home, "start", "--name", "run", "--nodes", String(NODES));
    assert.equal(res.code, 0, res.stderr);
    admin = await adminClient(await readCluster(home, "run"));
    await mkdir(path.join(work, "small"));
    await writeFile(path.join(work, "small", "small.yaml"), SMALL_EXPERIMENT);
    await copyFile(
      path.join(REPO, "experiments", "templates", "density", "deployment.yaml"),
      path.join(work, "small", "deployment.yaml"),
    );
  });

  after(async () => {
    admin?.close();
    await kubemark(home, "stop", "--name", "run");
    await removeTempDir(home);
    await removeTempDir(work);
  });

  it("runs density, writes parseable artifacts, and deletes its namespaces", async () => {
    const dir = path.join(work, "density");
    const res = await runExperiment(
      "density",
      "--set",
      "podsPerNode=5",
      "--set",
      "minLatencyPods=40",
      "--report-dir",
      dir,
    );
    assert.equal(res.code, 0, `${res.stdout}\n${res.stderr}`);
    const perfData = await readPerfData(dir);
    for (const name of [
      "PodStartupLatency_PodStartupLatency_density",
      "PodStartupLatency_SaturationPodStartupLatency_density",
      "APIResponsiveness_APIResponsiveness_density",
    ])
      assert.ok(perfData.has(name), `${name} written (have ${[...perfData.keys()].join(", ")})`);
    const startup = item(perfData.get("PodStartupLatency_PodStartupLatency_density")!, "pod_startup");
    assert.ok(startup.Perc50! > 0, `pod_startup p50 ${startup.Perc50} > 0`);
    assert.ok(
      startup.Perc50! <= startup.Perc90! && startup.Perc90! <= startup.Perc99!,
      JSON.stringify(startup),
    );

    const junit = await readFile(path.join(dir, "junit.xml"), "utf8");
    assert.match(junit, /^<\?xml version="1.0" encoding="UTF-8"\?>\n<testsuites tests="\d+" failures="0"/);
    assert.match(junit, /<testcase name="PodStartupLatency" classname="density"/);
    assert.equal((junit.match(/<testcase /g) ?? []).length, Number(/tests="(\d+)"/.exec(junit)![1]));

    const summary = JSON.parse(await readFile(path.join(dir, "summary.json"), "utf8")) as {
      experiment: string;
      nodes: number;
      kubernetesVersion: string;
      verdicts: { name: string; pass: boolean; message: string }[];
    };
    assert.equal(summary.experiment, "density");
    assert.equal(summary.nodes, NODES);
    assert.match(summary.kubernetesVersion, /^v1\./);
    assert.match(summary.verdicts.find((v) => v.name === "PodStartupLatency")!.message, /over 40 pods/);
    assert.match(res.stdout, /PASS {2}PodStartupLatency: pod_startup p99/);
    assert.equal(await namespaceExists("density-1"), false, "density-1 deleted");
  });

  it("runs load (Deployments, StatefulSets, Jobs, a DaemonSet, Services, ConfigMaps, Secrets) and cleans up", async () => {
    const dir = path.join(work, "load");
    const res = await runExperiment(
      "load",
      "--set",
      "podsPerNode=10",
      "--set",
      "podsPerSecond=20",
      "--report-dir",
      dir,
    );
    assert.equal(res.code, 0, `${res.stdout}\n${res.stderr}`);
    for (const kind of ["Deployments", "StatefulSets", "DaemonSets"]) {
      assert.match(
        res.stdout,
        new RegExp(`PASS {2}Wait for \\S+: \\d+/\\d+ ${kind} done, (\\d+)/\\1 pods running`),
      );
    }
    assert.match(res.stdout, /PASS {2}Wait for deployments to be deleted: 0 pods left to delete/);
    assert.ok((await readPerfData(dir)).has("PodStartupLatency_PodStartupLatency_load"));
    assert.equal(await namespaceExists("load-1"), false, "load-1 deleted");
  });

  it("on Ctrl-C stops creating, still writes what was measured, cleans up and exits 130", async () => {
    const dir = path.join(work, "interrupted");
    const child = spawn(
      process.execPath,
      [
        KUBEMARK_BIN,
        "run",
        "density",
        "--name",
        "run",
        "--set",
        "podsPerNode=5",
        "--set",
        "minLatencyPods=200",
        "--report-dir",
        dir,
      ],
      { env: { ...process.env, KUBEMARK_HOME: home }, stdio: ["ignore", "pipe", "pipe"] },
    );
    let stderr = "";
    child.stderr.on("data", (d) => (stderr += d));
    child.stdout.resume();
    const exited = new Promise<number | null>((resolve) => child.on("close", resolve));
    await eventually(
      "the latency deployments to be under way",
      async () => (/Create latency deployments/.test(stderr) ? true : undefined),
      120_000,
      100,
    );
    child.kill("SIGINT");
    assert.equal(await exited, 130, stderr);
    const perfData = await readPerfData(dir);
    assert.ok(
      perfData.has("PodStartupLatency_SaturationPodStartupLatency_density"),
      [...perfData.keys()].join(", "),
    );
    assert.ok(
      perfData.has("PodStartupLatency_PodStartupLatency_density"),
      "the interrupted measurement is gathered too",
    );
    const summary = JSON.parse(await readFile(path.join(dir, "summary.json"), "utf8")) as {
      interrupted: boolean;
    };
    assert.equal(summary.interrupted, true);
    assert.equal(await namespaceExists("density-1"), false, "density-1 deleted");
  });

  it("exits 2 naming the file and field of a bad experiment", async () => {
    const file = path.join(work, "small", "bad.yaml");
    await writeFile(file, SMALL_EXPERIMENT.replace("qps: 10", "qps: fast"));
    const res = await runExperiment(file);
    assert.equal(res.code, 2, res.stderr);
    assert.match(res.stderr, /bad\.yaml/);
    assert.match(res.stderr, /tuningSets\[0\]\.qps/);
  });

  it("exits 1 with a junit failure when --set makes the SLO impossible", async () => {
    const dir = path.join(work, "impossible");
    const res = await runExperiment(
      path.join(work, "small", "small.yaml"),
      "--set",
      "thresholdMs=1",
      "--report-dir",
      dir,
    );
    assert.equal(res.code, 1, `${res.stdout}\n${res.stderr}`);
    const junit = await readFile(path.join(dir, "junit.xml"), "utf8");
    assert.match(junit, /failures="1"/);
    assert.match(
      junit,
      /<testcase name="PodStartupLatency"[^>]*>\n\s*<failure message="pod_startup p99 \d+ ms &gt; 1 ms/,
    );
    await eventually("small-1 deleted", async () => ((await namespaceExists("small-1")) ? undefined : true));
  });

  it("keeps the namespaces with --delete-namespace=false, with percentiles matching the pods", async () => {
    const dir = path.join(work, "kept");
    const res = await runExperiment(
      path.join(work, "small", "small.yaml"),
      "--delete-namespace=false",
      "--report-dir",
      dir,
    );
    assert.equal(res.code, 0, `${res.stdout}\n${res.stderr}`);
    assert.match(res.stderr, /Found DeleteNamespace=false, skipping namespace deletion!/);
    assert.equal(await namespaceExists("small-1"), true);
    const perfData = (await readPerfData(dir)).get("PodStartupLatency_PodStartupLatency_small")!;
    const pods = await listPods(admin, "small-1", "group=small");
    assert.equal(pods.length, 10);
    const times = pods.map((pod) => podStartupTimes(pod, 0));
    for (const [metric, from, to] of [
      ["create_to_schedule", "created", "scheduled"],
      ["schedule_to_run", "scheduled", "running"],
    ] as const) {
      const samples = times.map((t) => t[to]! - t[from]!).sort((a, b) => a - b);
      const expected = Object.fromEntries(
        [50, 90, 99].map((p) => [`Perc${p}`, nearestRankPercentile(samples, p)]),
      );
      assert.deepEqual(item(perfData, metric), expected, metric);
    }
    await admin.delete("/api/v1/namespaces/small-1");
  });
});
