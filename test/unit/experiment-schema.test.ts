import { after, test } from "node:test";
import assert from "node:assert/strict";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import {
  ExperimentError,
  loadExperiment,
  type Experiment,
  type PhaseStep,
  type Problem,
  type WaitStep,
} from "../../src/experiments/schema.js";
import { renderTemplate } from "../../src/experiments/templates.js";

const shipped = (name: string) => path.join(process.cwd(), "experiments", name);

const tempRoot = await mkdtemp(path.join(tmpdir(), "kubemark-experiment-"));
after(() => rm(tempRoot, { recursive: true, force: true }));
let tempCount = 0;

/** Writes the files into a fresh directory and returns the path of exp.yaml there. */
async function writeExperiment(files: Record<string, string>): Promise<string> {
  const dir = path.join(tempRoot, String(tempCount++));
  for (const [name, text] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(dir, name)), { recursive: true });
    await writeFile(path.join(dir, name), text);
  }
  return path.join(dir, "exp.yaml");
}

async function problemsOf(
  files: Record<string, string>,
  overrides: Record<string, string> = {},
): Promise<readonly Problem[]> {
  const file = await writeExperiment(files);
  const error = await loadExperiment(file, overrides, { NODES: 20 }).then(
    () => assert.fail("loaded without error"),
    (e: unknown) => e,
  );
  assert.ok(error instanceof ExperimentError, String(error));
  return error.problems;
}

function phaseSteps(experiment: Experiment): Record<string, PhaseStep> {
  const steps = experiment.steps.filter((s): s is PhaseStep => s.type === "phases");
  return Object.fromEntries(steps.map((s) => [s.name, s]));
}

const DEPLOYMENT = [
  "apiVersion: apps/v1",
  "kind: Deployment",
  "metadata:",
  "  name: ${Name}",
  "spec:",
  "  replicas: ${replicas}",
  "",
].join("\n");

/** A valid experiment whose one phase creates `deploy` Deployments; tests replace parts of it. */
const VALID = [
  "name: exp",
  "parameters:",
  "  podsPerNode: 30",
  "namespaces:",
  "  count: ${ceil(NODES / 10)}",
  "tuningSets:",
  "  - { name: Saturation, qps: 5 }",
  "  - { name: Parallel, parallelism: 10 }",
  "steps:",
  "  - name: create",
  "    phases:",
  "      - replicasPerNamespace: 2",
  "        tuningSet: Saturation",
  "        objects:",
  "          - { basename: deploy, template: templates/deploy.yaml, params: { replicas: '${podsPerNode}' } }",
  "",
].join("\n");

function variant(replacements: [string, string][]): string {
  return replacements.reduce((text, [from, to]) => {
    assert.ok(text.includes(from), `VALID has no ${from}`);
    return text.replace(from, to);
  }, VALID);
}

test("density for 20 nodes: one namespace, 600 saturation pods, 500 latency deployments", async () => {
  const density = await loadExperiment(shipped("density.yaml"), {}, { NODES: 20 });
  assert.equal(density.name, "density");
  assert.deepEqual(density.namespaces, { prefix: "density", count: 1 });
  assert.deepEqual(density.tuningSets, [{ name: "Uniform5qps", type: "qps", qps: 5 }]);
  const phases = phaseSteps(density);
  const saturation = phases["Create saturation deployments"]!.phases[0]!;
  assert.deepEqual(saturation.namespaces, { from: 1, to: 1 });
  assert.equal(saturation.replicasPerNamespace, 1);
  assert.deepEqual(saturation.objects[0]!.params, {
    replicas: 600,
    group: "saturation",
    cpu: "1m",
    memory: "10M",
  });
  const latency = phases["Create latency deployments"]!.phases[0]!;
  assert.equal(latency.replicasPerNamespace, 500);
  // 25 latency pods per 1-CPU hollow node: requests shrink so they fit.
  assert.deepEqual(latency.objects[0]!.params, { replicas: 1, group: "latency", cpu: "36m", memory: "120M" });
  assert.equal(density.parameters.saturationTimeoutSeconds, 1200);
});

test("density for 5000 nodes: 50 namespaces of 3000 pods and 5000 latency pods at full size", async () => {
  const density = await loadExperiment(shipped("density.yaml"), {}, { NODES: 5000 });
  assert.equal(density.namespaces.count, 50);
  assert.equal(density.parameters.namespaceCount, 50);
  const phases = phaseSteps(density);
  const saturation = phases["Create saturation deployments"]!.phases[0]!;
  assert.deepEqual(saturation.namespaces, { from: 1, to: 50 });
  assert.equal(saturation.objects[0]!.params.replicas, 3000);
  const latency = phases["Create latency deployments"]!.phases[0]!;
  assert.equal(latency.replicasPerNamespace * density.namespaces.count, 5000);
  assert.deepEqual(latency.objects[0]!.params, {
    replicas: 1,
    group: "latency",
    cpu: "100m",
    memory: "350M",
  });
  const deletion = phases["Delete latency deployments"]!.phases[0]!;
  assert.equal(deletion.replicasPerNamespace, 0);
  assert.deepEqual(deletion.objects[0]!.params, latency.objects[0]!.params, "params carry over to deletion");
  const waits = density.steps.filter((s): s is WaitStep => s.type === "wait");
  assert.deepEqual(waits[0]!.wait, {
    for: "ControlledPodsRunning",
    kind: "Deployment",
    labelSelector: "group = saturation",
    timeoutMs: 7680_000,
  });
  assert.equal(waits[1]!.wait.timeoutMs, 15 * 60_000);
  const start = density.steps[0]!;
  assert.ok(start.type === "measurements");
  assert.deepEqual(
    start.measurements.map((m) => `${m.name}/${m.identifier}`),
    [
      "APIResponsiveness/APIResponsiveness",
      "SchedulerLatency/SchedulerLatency",
      "EtcdMetrics/EtcdMetrics",
      "ResourceUsageSummary/ResourceUsageSummary",
      "PodStartupLatency/SaturationPodStartupLatency",
      "SchedulingThroughput/SchedulingThroughput",
    ],
  );
});

test("--set overrides a default; numbers stay numbers and expressions are evaluated", async () => {
  const density = await loadExperiment(
    shipped("density.yaml"),
    { podsPerNode: "10", minLatencyPods: "100", latencyPods: "${minLatencyPods / 2}" },
    { NODES: 20 },
  );
  const phases = phaseSteps(density);
  assert.equal(phases["Create saturation deployments"]!.phases[0]!.objects[0]!.params.replicas, 200);
  assert.equal(phases["Create latency deployments"]!.phases[0]!.replicasPerNamespace, 50);
});

test("load for 20 nodes: the big objects drop out, one StatefulSet and Job of the other sizes", async () => {
  const load = await loadExperiment(shipped("load.yaml"), {}, { NODES: 20 });
  const p = load.parameters;
  assert.deepEqual(
    [
      p.bigDeployments,
      p.bigJobs,
      p.mediumDeployments,
      p.mediumStatefulSets,
      p.mediumJobs,
      p.smallDeployments,
    ],
    [0, 0, 3, 1, 1, 58],
  );
  assert.deepEqual(load.namespaces, { prefix: "load", count: 1 });
  const qps = Object.fromEntries(load.tuningSets.map((t) => [t.name, t.type === "qps" ? t.qps : t.type]));
  assert.deepEqual(qps, {
    Sequence: "parallelism",
    Big: 0.01,
    Medium: 10 / 4 / 30,
    Small: 1,
    BigScaling: 0.02,
    MediumScaling: 10 / 4 / 15,
    SmallScaling: 2,
  });
  const services = phaseSteps(load)["Create services"]!.phases.map((phase) => phase.replicasPerNamespace);
  assert.deepEqual(services, [0, 2, 29]);
});

test("load for 5000 nodes: ClusterLoader2's counts per namespace", async () => {
  const load = await loadExperiment(shipped("load.yaml"), {}, { NODES: 5000 });
  const p = load.parameters;
  assert.equal(load.namespaces.count, 50);
  assert.deepEqual([p.bigDeployments, p.mediumDeployments, p.smallDeployments], [2, 23, 298]);
  const create = phaseSteps(load)["Create objects"]!.phases;
  const kinds = create.map((phase) => phase.objects.map((o) => `${o.basename}:${o.kind.kind}`).join(" "));
  assert.deepEqual(kinds, [
    "daemonset:DaemonSet",
    "big-deployment:ConfigMap big-deployment:Secret big-deployment:Deployment",
    "medium-deployment:ConfigMap medium-deployment:Secret medium-deployment:Deployment",
    "small-deployment:ConfigMap small-deployment:Secret small-deployment:Deployment",
    "medium-statefulset:Service medium-statefulset:StatefulSet",
    "small-statefulset:Service small-statefulset:StatefulSet",
    "big-job:Job",
    "medium-job:Job",
    "small-job:Job",
  ]);
  assert.deepEqual(create[0]!.namespaces, { from: 1, to: 1 });
  assert.equal(
    create[0]!.objects[0]!.kind.collectionPath("load-1"),
    "/apis/apps/v1/namespaces/load-1/daemonsets",
  );
});

test("load scaling: even-indexed objects go to 50 %, odd-indexed to 150 %, the rest of the params kept", async () => {
  const load = await loadExperiment(shipped("load.yaml"), {}, { NODES: 20 });
  const scaling = phaseSteps(load)["Scale and update objects"]!.phases;
  const medium = scaling.find((phase) => phase.objects[0]!.basename === "medium-deployment")!.objects[0]!;
  assert.deepEqual(medium.params, {
    replicas: 30,
    scale: 0.5,
    svc: "medium-service",
    cpu: "1m",
    memory: "4M",
  });
  const render = (index: number) =>
    renderTemplate(medium.template, {
      ...medium.params,
      Name: `medium-deployment-${index}`,
      Namespace: "load-1",
      Index: index,
    });
  assert.deepEqual(
    [render(0).spec, render(1).spec].map((spec) => (spec as { replicas: number }).replicas),
    [15, 45],
  );
  assert.deepEqual(render(3).metadata.labels, { group: "load", svc: "medium-service-3" });
});

test("every problem of a file is reported at once, with its field path", async () => {
  const file = await writeExperiment({
    "exp.yaml": [
      "name: bad",
      "parameters:",
      "  podsPerNode: 30",
      '  perNamespace: "${podsPerNode * }"',
      '  latency: "${perNamespace * 2}"',
      "namespaces:",
      '  count: "${ceil(NODES / 100)}"',
      "tuningSets:",
      "  - { name: Saturation, qps: 5 }",
      "  - { name: Parallel, parallelism: 10 }",
      "steps:",
      "  - name: create",
      "    phases:",
      '      - replicasPerNamespace: "${latency}"',
      "        tuningSet: Fast",
      "        objects:",
      "          - { basename: missing, template: templates/missing.yaml }",
      "          - { basename: pdb, template: templates/pdb.yaml }",
      "",
    ].join("\n"),
    "templates/pdb.yaml": "apiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata: { name: '${Name}' }\n",
  });
  const error = await loadExperiment(file, { podsPerNod: "5" }, { NODES: 20 }).catch((e: unknown) => e);
  assert.ok(error instanceof ExperimentError);
  const supported =
    "v1 Namespace, apps/v1 Deployment, apps/v1 ReplicaSet, apps/v1 StatefulSet, apps/v1 DaemonSet, " +
    "batch/v1 Job, v1 Service, v1 ConfigMap, v1 Secret, v1 Pod";
  // latency and replicasPerNamespace fail only because perNamespace does: they are not reported again.
  assert.deepEqual(error.problems, [
    { path: "--set podsPerNod", message: "no such parameter (defined: podsPerNode, perNamespace, latency)" },
    {
      path: "parameters.perNamespace",
      message: 'expected a number, name or "(" but found the end in ${podsPerNode * }',
    },
    {
      path: "steps[0].phases[0].tuningSet",
      message: 'unknown tuning set "Fast"; defined: Saturation, Parallel',
    },
    {
      path: "steps[0].phases[0].objects[0].template",
      message: 'cannot read "templates/missing.yaml": no such file',
    },
    {
      path: "steps[0].phases[0].objects[1].template",
      message: `templates/pdb.yaml: unsupported object "policy/v1 PodDisruptionBudget" (supported: ${supported})`,
    },
  ]);
  assert.equal(
    error.message.split("\n").slice(0, 3).join("\n"),
    `${file}:\n` +
      "  --set podsPerNod: no such parameter (defined: podsPerNode, perNamespace, latency)\n" +
      '  parameters.perNamespace: expected a number, name or "(" but found the end in ${podsPerNode * }',
  );
});

test("a bad expression names the column", async () => {
  const problems = await problemsOf({
    "exp.yaml": variant([["count: ${ceil(NODES / 10)}", "count: ${ceil(NODES / )}"]]),
    "templates/deploy.yaml": DEPLOYMENT,
  });
  assert.deepEqual(problems, [
    {
      path: "namespaces.count",
      message: 'expected a number, name or "(" but found ")" at column 14 in ${ceil(NODES / )}',
    },
  ]);
});

test("template problems: an unknown parameter, a fixed name, a namespace of its own", async () => {
  const files = (template: string) => ({ "exp.yaml": VALID, "templates/deploy.yaml": template });
  assert.deepEqual(await problemsOf(files(DEPLOYMENT.replace("${replicas}", "${replica}"))), [
    {
      path: "steps[0].phases[0].objects[0].template",
      message:
        'templates/deploy.yaml: spec.replicas: unknown parameter "replica" (known: replicas, Name, Namespace, Index) in ${replica}',
    },
  ]);
  assert.deepEqual(await problemsOf(files(DEPLOYMENT.replace("${Name}", "web"))), [
    {
      path: "steps[0].phases[0].objects[0].template",
      message: 'templates/deploy.yaml: metadata.name must be ${Name}, got "web"',
    },
  ]);
  assert.deepEqual(
    await problemsOf(files(DEPLOYMENT.replace("metadata:", "metadata:\n  namespace: other"))),
    [
      {
        path: "steps[0].phases[0].objects[0].template",
        message: 'templates/deploy.yaml: metadata.namespace must be ${Namespace} or absent, got "other"',
      },
    ],
  );
  assert.deepEqual(await problemsOf(files(DEPLOYMENT.replace("apps/v1", "extensions/v1beta1"))), [
    {
      path: "steps[0].phases[0].objects[0].template",
      message: "templates/deploy.yaml: Deployment has apiVersion apps/v1, not extensions/v1beta1",
    },
  ]);
});

test("misspelt and missing fields, bad values and ranges", async () => {
  const problems = await problemsOf({
    "exp.yaml": variant([
      ["  - { name: Parallel, parallelism: 10 }", "  - { name: Parallel, parallelism: 10, qps: 3 }"],
      [
        "      - replicasPerNamespace: 2",
        "      - replicasPerNamspace: 2\n        namespaces: { from: 2, to: 3 }",
      ],
    ]),
    "templates/deploy.yaml": DEPLOYMENT,
  });
  assert.deepEqual(problems, [
    {
      path: "tuningSets[1]",
      message: "needs exactly one of qps, parallelism, poisson (found qps, parallelism)",
    },
    { path: "steps[0].phases[0].replicasPerNamespace", message: "is required" },
    {
      path: "steps[0].phases[0].replicasPerNamspace",
      message: "unknown field (expected: replicasPerNamespace, tuningSet, objects, namespaces)",
    },
    {
      path: "steps[0].phases[0].namespaces",
      message: "needs 1 <= from <= to <= namespaceCount (2), got from 2 to 3",
    },
  ]);
});

test("measurements: gathered without start, started without gather, params with gather, unknown names", async () => {
  const steps = [
    "  - name: measure",
    "    measurements:",
    "      - { name: PodStartupLatency, action: gather }",
    "      - { name: SchedulingThroughput, action: start, params: { labelSelector: 'group in (a, b)', threshold: 3 } }",
    "      - { name: APIResponsiveness, action: start }",
    "      - { name: APIResponsiveness, action: gather, params: { allowedSlowCalls: 1 } }",
    "      - { name: PodStartupLatncy, action: start }",
    "      - { name: WaitForControlledPodsRunning, identifier: w, action: start, params: { kind: Pod, timeout: 15 minutes } }",
    "      - { name: EtcdMetrics, identifier: w, action: gather }",
    "",
  ].join("\n");
  const problems = await problemsOf({
    "exp.yaml": VALID.slice(0, VALID.indexOf("  - name: create")) + steps,
    "templates/deploy.yaml": DEPLOYMENT,
  });
  assert.deepEqual(problems, [
    { path: "steps[0].measurements[0]", message: '"PodStartupLatency" is gathered but not started before' },
    {
      path: "steps[0].measurements[1].params.threshold",
      message: "unknown field (expected: labelSelector, minPodsPerSecond)",
    },
    { path: "steps[0].measurements[3].params", message: "params are given with action start" },
    {
      path: "steps[0].measurements[4].name",
      message:
        'must be one of PodStartupLatency, APIResponsiveness, SchedulingThroughput, SchedulerLatency, EtcdMetrics, ResourceUsageSummary, WaitForControlledPodsRunning, got "PodStartupLatncy"',
    },
    {
      path: "steps[0].measurements[5].params.kind",
      message: 'must be one of Deployment, ReplicaSet, StatefulSet, Job, DaemonSet, got "Pod"',
    },
    {
      path: "steps[0].measurements[5].params.timeout",
      message: 'must be a duration such as 30s or 15m, got "15 minutes"',
    },
    { path: "steps[0].measurements[6]", message: '"w" was started as WaitForControlledPodsRunning' },
    { path: "steps[0].measurements[1]", message: '"SchedulingThroughput" is started but never gathered' },
  ]);
});

test("waits: kind, label selector and duration are checked; so is the name", async () => {
  const problems = await problemsOf({
    "exp.yaml":
      VALID.replace("name: exp", "name: Exp") +
      "  - name: wait\n    wait: { for: ControlledPodsRunning, kind: Service, labelSelector: 'group = = x', timeout: 5 }\n",
    "templates/deploy.yaml": DEPLOYMENT,
  });
  assert.deepEqual(problems, [
    { path: "name", message: `must be lowercase letters, digits and '-', got "Exp"` },
    {
      path: "steps[1].wait.kind",
      message: 'must be one of Deployment, ReplicaSet, StatefulSet, Job, DaemonSet, got "Service"',
    },
    {
      path: "steps[1].wait.labelSelector",
      message: 'must be a label selector such as "group = load", got "group = = x"',
    },
    { path: "steps[1].wait.timeout", message: "must be a duration such as 30s or 15m, got 5" },
  ]);
});

test("reserved parameter names, and a parameter used before it is defined", async () => {
  const problems = await problemsOf({
    "exp.yaml": variant([
      ["  podsPerNode: 30", "  NODES: 3\n  early: ${late}\n  late: 1\n  podsPerNode: 30"],
    ]),
    "templates/deploy.yaml": DEPLOYMENT,
  });
  assert.deepEqual(problems, [
    { path: "parameters.NODES", message: "is a reserved name" },
    { path: "parameters.early", message: 'unknown parameter "late" (known: NODES) in ${late}' },
  ]);
});

test("an unreadable or malformed experiment file fails with the reason", async () => {
  const missing = path.join(tempRoot, "nope.yaml");
  await assert.rejects(loadExperiment(missing, {}, { NODES: 20 }), (error: unknown) => {
    assert.ok(error instanceof ExperimentError);
    assert.match(error.message, /^.*nope\.yaml:\n {2}cannot read: ENOENT/);
    return true;
  });
  const problems = await problemsOf({ "exp.yaml": "name: [unclosed\n" });
  assert.equal(problems.length, 1);
  assert.match(problems[0]!.message, /^YAML: /);
});
