import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { Informer } from "../../src/client/informer.js";
import { ApiError, type KubeClient } from "../../src/client/kube-client.js";
import { node as nodeSchema, pod as podSchema } from "../../src/client/protobuf/core-v1.js";
import type { MessageSchema } from "../../src/client/protobuf/schema.js";
import { protobufCodec } from "../../src/client/watch-codec.js";
import type { KubeObject, Node, Pod } from "../../src/client/types.js";
import type { ClusterDescription } from "../../src/master/cluster-state.js";
import { restartHollowProcess } from "../../src/master/local-hollow-nodes.js";
import { restartComponent } from "../../src/master/local-master.js";
import { readNodeIdentity } from "../../src/master/node-identities.js";
import { parsePrometheusText } from "../../src/measurements/prometheus-text.js";
import { eventually, kubectl, kubemark, removeTempDir, testHome } from "../support/cli.js";
import {
  adminClient,
  deployment,
  inCIDR,
  isReady,
  listNodes,
  listPods,
  readCluster,
} from "../support/cluster.js";

const NODES = 20;

/** Every hollow process's /metrics, summed over processes for samples whose labels include `labels`. */
async function hollowMetrics(desc: ClusterDescription) {
  const families = await Promise.all(
    desc.hollowNodes!.processes.map(async (p) =>
      parsePrometheusText(await (await fetch(`http://127.0.0.1:${p.metricsPort}/metrics`)).text()),
    ),
  );
  return {
    sum: (name: string, labels: Record<string, string>) =>
      families
        .flatMap((f) => f.get(name)?.samples ?? [])
        .filter((s) => Object.entries(labels).every(([k, v]) => s.labels[k] === v))
        .reduce((total, s) => total + s.value, 0),
  };
}
/** API requests the hollow processes sent, summed over those whose labels include `labels`. */
async function hollowRequests(desc: ClusterDescription, labels: Record<string, string>) {
  return (await hollowMetrics(desc)).sum("kubemark_hollow_api_requests_total", labels);
}
const NS = "/api/v1/namespaces/default";

/** A JSON object cut down to the fields a protobuf schema reads, as its decoder should produce it. */
function project(value: unknown, schema: MessageSchema): Record<string, unknown> {
  const from = value as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const field of schema.fields) {
    if (!field) continue;
    if (field.kind === "inline") {
      Object.assign(out, project(from, field.schema));
      continue;
    }
    const v = from[field.name];
    if (v === undefined) continue;
    if (field.kind !== "message") out[field.name] = v;
    else
      out[field.name] = field.repeated
        ? (v as unknown[]).map((item) => project(item, field.schema))
        : project(v, field.schema);
  }
  return out;
}

describe("hollow nodes against the real master", () => {
  let home: string;
  let desc: ClusterDescription;
  let admin: KubeClient;

  before(async () => {
    home = await testHome();
    const res = await kubemark(home, "start", "--name", "hollow", "--nodes", String(NODES));
    assert.equal(res.code, 0, res.stderr);
    desc = await readCluster(home, "hollow");
    admin = await adminClient(desc);
  });

  after(async () => {
    admin?.close();
    await kubemark(home, "stop", "--name", "hollow");
    await removeTempDir(home);
  });

  it("registers 20 Ready nodes as a kubelet would, with leases renewing", async () => {
    const nodes = await listNodes(admin);
    assert.equal(nodes.length, NODES);
    for (const n of nodes) {
      assert.equal(n.status?.conditions?.find((c) => c.type === "Ready")?.status, "True", n.metadata.name);
      assert.equal(n.metadata.labels?.["kubernetes.io/hostname"], n.metadata.name);
      assert.equal(n.spec?.providerID, `kubemark://${n.metadata.name}`);
      assert.equal(n.status?.nodeInfo?.kubeletVersion, desc.kubernetesVersion);
      assert.ok(n.spec?.podCIDR, `${n.metadata.name} has a podCIDR`);
    }
    const leasePath = "/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/hollow-node-0";
    const first = (await admin.get<{ spec: { renewTime: string; leaseDurationSeconds: number } }>(leasePath))
      .spec;
    assert.equal(first.leaseDurationSeconds, 40);
    await eventually(
      "a lease renewal",
      async () => {
        const now = (await admin.get<{ spec: { renewTime: string } }>(leasePath)).spec.renewTime;
        return now !== first.renewTime ? now : undefined;
      },
      30_000,
      500,
    );
    // Each renewal updates the lease last written, at the resourceVersion the previous renewal returned:
    // none conflicts, and a node reads its lease only once, when it starts.
    const leaseRequests = (verb: string, code?: string) =>
      hollowRequests(desc, { verb, resource: "leases", ...(code && { code }) });
    await eventually(
      "two lease renewals a node",
      async () => (await leaseRequests("PUT", "200")) >= 2 * NODES || undefined,
      60_000,
      500,
    );
    assert.equal(await leaseRequests("PUT", "409"), 0, "no lease renewal conflicts");
    assert.equal(await leaseRequests("GET"), NODES, "one lease read a node");
    const wide = await kubectl(desc.kubeconfig, "get", "nodes", "-o", "wide");
    assert.match(wide.stdout, /hollow-node-0\s+Ready\s+<none>\s+\S+\s+v1\.\d+\.\d+\s+127\.1\.0\.0/);
  });

  it("runs a 600-pod Deployment to Running and Ready with unique IPs inside each node's podCIDR, and deletes it", async () => {
    await admin.create("/apis/apps/v1/namespaces/default/deployments", deployment("big", 600));
    const pods = await eventually(
      "600 ready pods",
      async () => {
        const items = await listPods(admin, "default", "app=big");
        return items.length === 600 && items.every(isReady) ? items : undefined;
      },
      180_000,
      1_000,
    );
    const cidrs = new Map((await listNodes(admin)).map((n) => [n.metadata.name, n.spec!.podCIDR!]));
    const ips = new Set(pods.map((p) => p.status!.podIP!));
    assert.equal(ips.size, 600, "pod IPs are unique");
    for (const p of pods) {
      assert.ok(
        inCIDR(p.status!.podIP!, cidrs.get(p.spec.nodeName!)!),
        `${p.status!.podIP} in ${cidrs.get(p.spec.nodeName!)}`,
      );
      const cs = p.status!.containerStatuses![0];
      assert.match(cs.containerID ?? "", /^containerd:\/\/[0-9a-f]{64}$/);
      assert.equal(cs.restartCount, 0);
    }
    const wide = await kubectl(desc.kubeconfig, "get", "pods", "-o", "wide", "-l", "app=big");
    assert.match(wide.stdout, /big-\S+\s+1\/1\s+Running\s+0\s+\S+\s+10\.\d+\.\d+\.\d+\s+hollow-node-\d+/);
    // The hollow processes' own metrics count the same nodes and pods, and the writes that ran them.
    const metrics = await hollowMetrics(desc);
    assert.equal(metrics.sum("kubemark_hollow_nodes", { state: "ready" }), NODES);
    assert.equal(metrics.sum("kubemark_hollow_pods", { phase: "Running" }), 600);
    assert.ok(
      metrics.sum("kubemark_hollow_api_requests_total", { verb: "PATCH", resource: "pods", code: "200" }) >=
        600,
    );
    // Ten per node (kubelet and kube-proxy), plus one per namespace whose ConfigMaps the pods reference.
    assert.ok(metrics.sum("kubemark_hollow_watches", {}) >= NODES * 10);

    await admin.delete("/apis/apps/v1/namespaces/default/deployments/big", {
      body: { propagationPolicy: "Foreground" },
    });
    await eventually(
      "no pods left",
      async () => ((await listPods(admin, "default", "app=big")).length === 0 ? true : undefined),
      180_000,
      1_000,
    );
  });

  it("completes a Job", async () => {
    await admin.create("/apis/batch/v1/namespaces/default/jobs", {
      apiVersion: "batch/v1",
      kind: "Job",
      metadata: { name: "done", namespace: "default" },
      spec: {
        completions: 3,
        parallelism: 3,
        template: {
          metadata: { annotations: { "kubemark.io/run-time": "2s" } },
          spec: { restartPolicy: "Never", containers: [{ name: "work", image: "busybox" }] },
        },
      },
    });
    const job = await eventually(
      "job complete",
      async () => {
        const j = await admin.get<
          KubeObject & { status?: { succeeded?: number; conditions?: { type: string; status: string }[] } }
        >("/apis/batch/v1/namespaces/default/jobs/done");
        return j.status?.conditions?.some((c) => c.type === "Complete" && c.status === "True")
          ? j
          : undefined;
      },
      60_000,
      500,
    );
    assert.equal(job.status?.succeeded, 3);
  });

  it("runs exactly one DaemonSet pod per node", async () => {
    await admin.create("/apis/apps/v1/namespaces/default/daemonsets", {
      apiVersion: "apps/v1",
      kind: "DaemonSet",
      metadata: { name: "agent", namespace: "default" },
      spec: {
        selector: { matchLabels: { app: "agent" } },
        template: {
          metadata: { labels: { app: "agent" } },
          spec: { containers: [{ name: "agent", image: "agent" }] },
        },
      },
    });
    const pods = await eventually(
      "a ready agent per node",
      async () => {
        const items = await listPods(admin, "default", "app=agent");
        return items.length === NODES && items.every(isReady) ? items : undefined;
      },
      60_000,
      500,
    );
    assert.equal(new Set(pods.map((p) => p.spec.nodeName)).size, NODES);
    await admin.delete("/apis/apps/v1/namespaces/default/daemonsets/agent");
  });

  it("leaves a pod too big for any node Pending, and fails one forced onto a node with OutOfcpu", async () => {
    const big = (name: string, extra: Record<string, unknown>) => ({
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name, namespace: "default" },
      spec: { containers: [{ name: "c", image: "x", resources: { requests: { cpu: "64" } } }], ...extra },
    });
    await admin.create(`${NS}/pods`, big("too-big", {}));
    await admin.create(`${NS}/pods`, big("forced", { nodeName: "hollow-node-1" }));
    const forced = await eventually(
      "forced pod Failed",
      async () => {
        const p = await admin.get<Pod>(`${NS}/pods/forced`);
        return p.status?.phase === "Failed" ? p : undefined;
      },
      30_000,
      300,
    );
    assert.equal(forced.status?.reason, "OutOfcpu");
    const pending = await eventually(
      "too-big Unschedulable",
      async () => {
        const p = await admin.get<Pod>(`${NS}/pods/too-big`);
        return p.status?.conditions?.some((c) => c.reason === "Unschedulable") ? p : undefined;
      },
      30_000,
      300,
    );
    assert.equal(pending.status?.phase, "Pending");
    assert.equal(pending.spec.nodeName, undefined);
    await admin.delete(`${NS}/pods/too-big`);
    await admin.delete(`${NS}/pods/forced`);
  });

  it("decodes pods and nodes from the API server's protobuf exactly as its JSON reads, in lists and watches", async () => {
    const ref = (name: string) => ({ name, optional: true });
    await admin.create(`${NS}/pods`, {
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name: "rich", namespace: "default", labels: { app: "rich" }, annotations: { note: "é✓" } },
      spec: {
        nodeSelector: { "kubernetes.io/os": "linux" },
        affinity: {
          nodeAffinity: {
            requiredDuringSchedulingIgnoredDuringExecution: {
              nodeSelectorTerms: [
                {
                  matchExpressions: [
                    { key: "kubernetes.io/hostname", operator: "In", values: ["hollow-node-2"] },
                  ],
                },
              ],
            },
          },
        },
        tolerations: [{ key: "k", operator: "Equal", value: "v", effect: "NoExecute", tolerationSeconds: 0 }],
        readinessGates: [{ conditionType: "example.com/gate" }],
        terminationGracePeriodSeconds: 0,
        initContainers: [
          { name: "setup", image: "busybox" },
          { name: "sidecar", image: "envoy", restartPolicy: "Always" },
        ],
        containers: [
          {
            name: "app",
            image: "nginx",
            ports: [{ containerPort: 80, hostPort: 8080, protocol: "TCP" }],
            env: [
              { name: "PLAIN", value: "" },
              { name: "S", valueFrom: { secretKeyRef: { ...ref("s1"), key: "k" } } },
              { name: "C", valueFrom: { configMapKeyRef: { ...ref("c1"), key: "k" } } },
            ],
            envFrom: [{ secretRef: ref("s2") }, { configMapRef: ref("c2"), prefix: "P_" }],
            resources: { requests: { cpu: "100m", memory: "64Mi" }, limits: { memory: "128Mi" } },
          },
        ],
        volumes: [
          { name: "sec", secret: { secretName: "s3", optional: true } },
          { name: "cm", configMap: { name: "c3", optional: true } },
          { name: "proj", projected: { sources: [{ secret: ref("s4") }, { configMap: ref("c4") }] } },
        ],
      },
    });
    await eventually(
      "rich pod Running",
      async () => ((await admin.get<Pod>(`${NS}/pods/rich`)).status?.phase === "Running" ? true : undefined),
      30_000,
      300,
    );
    // The Job's pods (terminated containers) and the default service-account token volumes are in the list too.
    const json = await admin.get<{ metadata: { resourceVersion: string }; items: Pod[] }>(`${NS}/pods`);
    const exact = { resourceVersion: json.metadata.resourceVersion, resourceVersionMatch: "Exact" };
    const protobuf = protobufCodec<Pod>(podSchema);
    const listed = protobuf.decodeList(
      await admin.getBytes(`${NS}/pods`, protobuf.mediaType, { query: exact }),
    );
    const expected = json.items.map((p) => project(p, podSchema));
    assert.ok(expected.some((p) => (p.spec as Pod["spec"]).initContainers?.length === 2));
    assert.deepEqual(listed.items, expected);
    assert.equal(listed.resourceVersion, json.metadata.resourceVersion);
    const jsonNodes = await admin.get<{ metadata: { resourceVersion: string }; items: Node[] }>(
      "/api/v1/nodes",
    );
    const nodes = protobufCodec<Node>(nodeSchema);
    const listedNodes = nodes.decodeList(
      await admin.getBytes("/api/v1/nodes", nodes.mediaType, {
        query: { resourceVersion: jsonNodes.metadata.resourceVersion, resourceVersionMatch: "Exact" },
      }),
    );
    assert.equal(listedNodes.items.length, NODES);
    assert.deepEqual(
      listedNodes.items,
      jsonNodes.items.map((n) => project(n, nodeSchema)),
    );

    // Watched as a hollow kubelet does (watch-list), compared with the same resourceVersion read as JSON.
    const [watchedPod, jsonPod] = await eventually("a watch and a GET of one resourceVersion", async () => {
      const watch = new Informer<Pod>({
        client: admin,
        path: `${NS}/pods`,
        fieldSelector: "metadata.name=rich",
        codec: protobuf,
      }).start();
      await watch.synced;
      watch.stop();
      const [fromWatch] = [...watch.list()];
      const fromGet = await admin.get<Pod>(`${NS}/pods/rich`);
      return fromWatch?.metadata.resourceVersion === fromGet.metadata.resourceVersion
        ? [fromWatch, fromGet]
        : undefined;
    });
    // A watch event's object carries the type its envelope names.
    assert.deepEqual(watchedPod, { apiVersion: "v1", kind: "Pod", ...project(jsonPod, podSchema) });
    await admin.delete(`${NS}/pods/rich`);
  });

  it("lets hollow node A's identity patch its own Node but not node B's", async () => {
    const { KubeClient } = await import("../../src/client/kube-client.js");
    const id = await readNodeIdentity(desc, "hollow-node-0");
    const nodeA = new KubeClient({
      server: desc.server,
      caPem: admin.identity.caPem,
      certPem: id.cert,
      keyPem: id.key,
    });
    try {
      await nodeA.patch(
        "/api/v1/nodes/hollow-node-0",
        { metadata: { annotations: { checked: "yes" } } },
        "merge",
      );
      await assert.rejects(
        nodeA.patch("/api/v1/nodes/hollow-node-1", { metadata: { annotations: { checked: "no" } } }, "merge"),
        (err: ApiError) =>
          err.status === 403 &&
          /node "hollow-node-0" is not allowed to modify node "hollow-node-1"/.test(err.message),
      );
    } finally {
      nodeA.close();
    }
  });

  it("rides out an API server restart during a rollout: every pod runs, none duplicated", async () => {
    await admin.create("/apis/apps/v1/namespaces/default/deployments", deployment("roll", 200));
    await eventually(
      "some pods running",
      async () =>
        (await listPods(admin, "default", "app=roll")).filter(isReady).length >= 20 ? true : undefined,
      60_000,
      200,
    );
    await restartComponent(desc, "kube-apiserver");
    const pods = await eventually(
      "200 ready pods after the restart",
      async () => {
        const items = await listPods(admin, "default", "app=roll");
        return items.length === 200 && items.every(isReady) ? items : undefined;
      },
      180_000,
      1_000,
    );
    assert.equal(new Set(pods.map((p) => p.status!.podIP)).size, 200);
    // The leases are renewed again once the API server is back.
    const since = Date.now();
    await eventually(
      "every lease renewed after the restart",
      async () => {
        const leases = await admin.get<{ items: { spec: { renewTime: string } }[] }>(
          "/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases",
        );
        return leases.items.length === NODES &&
          leases.items.every((l) => Date.parse(l.spec.renewTime) > since)
          ? true
          : undefined;
      },
      30_000,
      500,
    );
    assert.ok(
      (await listNodes(admin)).every(
        (n) => n.status?.conditions?.find((c) => c.type === "Ready")?.status === "True",
      ),
    );
  });

  it("adopts nodes and pods when the hollow process is killed and restarted", async () => {
    const before = new Map(
      (await listPods(admin, "default", "app=roll")).map((p) => [
        p.metadata.uid!,
        p.status!.containerStatuses![0].state!.running!.startedAt,
      ]),
    );
    await restartHollowProcess(desc, 0);
    await admin.patch(
      "/apis/apps/v1/namespaces/default/deployments/roll",
      { spec: { replicas: 220 } },
      "merge",
    );
    const pods = await eventually(
      "220 ready pods after the restart",
      async () => {
        const items = await listPods(admin, "default", "app=roll");
        return items.length === 220 && items.every(isReady) ? items : undefined;
      },
      120_000,
      1_000,
    );
    for (const p of pods) {
      const cs = p.status!.containerStatuses![0];
      assert.equal(cs.restartCount, 0);
      if (before.has(p.metadata.uid!))
        assert.equal(
          cs.state?.running?.startedAt,
          before.get(p.metadata.uid!),
          "an adopted pod keeps its start time",
        );
    }
    assert.equal(new Set(pods.map((p) => p.status!.podIP)).size, 220);
    assert.equal((await listNodes(admin)).length, NODES);
    await admin.delete("/apis/apps/v1/namespaces/default/deployments/roll");
  });

  it("restarted with its pods gone, a node keeps the images its Node lists and reports no change", async () => {
    await eventually(
      "the rollout's pods gone",
      async () => ((await listPods(admin, "default", "app=roll")).length === 0 ? true : undefined),
      120_000,
      500,
    );
    await restartHollowProcess(desc, 0);
    // Until the restarted process serves its metrics this throws, and `eventually` tries again.
    const count = (verb: string, resource: string, subresource: string) =>
      hollowRequests(desc, { verb, resource, subresource });
    // A restarted node PATCHes its status twice at its first check, the kubelet's report and the
    // node-problem-detector's; after that, only what changed (or every 5 minutes).
    const firstReports = 2 * NODES;
    await eventually(
      "every node's first status reports",
      async () => (await count("PATCH", "nodes", "status")) >= firstReports || undefined,
      60_000,
      200,
    );
    const renewed = await count("PUT", "leases", "");
    // Each node checks its status as often as it renews its lease: two renewals each are two checks.
    await eventually(
      "two lease renewals a node",
      async () => (await count("PUT", "leases", "")) >= renewed + 2 * NODES || undefined,
      60_000,
      500,
    );
    assert.equal(await count("PATCH", "nodes", "status"), firstReports, "no status PATCH after the first");
  });

  it("taints a node the master sees go NotReady after an injected heartbeat stop, and heals it", async () => {
    const res = await kubemark(home, "node-problem", "hollow-node-5", "--not-ready", "--name", "hollow");
    assert.equal(res.code, 0, res.stderr);
    const tainted = await eventually(
      "node-lifecycle taint",
      async () => {
        const n = (await listNodes(admin)).find((x) => x.metadata.name === "hollow-node-5")!;
        return n.spec?.taints?.some((t) => t.key === "node.kubernetes.io/unreachable") ? n : undefined;
      },
      120_000,
      1_000,
    );
    assert.equal(tainted.status?.conditions?.find((c) => c.type === "Ready")?.status, "Unknown");
    assert.equal(
      (await kubemark(home, "node-problem", "hollow-node-5", "--heal", "--name", "hollow")).code,
      0,
    );
    await eventually(
      "node Ready again",
      async () => {
        const n = (await listNodes(admin)).find((x) => x.metadata.name === "hollow-node-5")!;
        return n.status?.conditions?.find((c) => c.type === "Ready")?.status === "True" &&
          !n.spec?.taints?.length
          ? true
          : undefined;
      },
      60_000,
      500,
    );
  });

  it("sets an injected node-problem-detector condition", async () => {
    assert.equal(
      (
        await kubemark(
          home,
          "node-problem",
          "hollow-node-6",
          "--condition",
          "KernelDeadlock",
          "--name",
          "hollow",
        )
      ).code,
      0,
    );
    const cond = await eventually(
      "KernelDeadlock True",
      async () => {
        const n = (await listNodes(admin)).find((x) => x.metadata.name === "hollow-node-6")!;
        const c = n.status?.conditions?.find((x) => x.type === "KernelDeadlock");
        return c?.status === "True" ? c : undefined;
      },
      30_000,
      300,
    );
    assert.equal(cond.reason, "DockerHung");
    const bad = await kubemark(
      home,
      "node-problem",
      "hollow-node-6",
      "--condition",
      "Gremlins",
      "--name",
      "hollow",
    );
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /unknown condition "Gremlins"/);
  });

  it("stops every hollow process with the cluster", async () => {
    const res = await kubemark(home, "stop", "--name", "hollow", "--keep-state");
    assert.equal(res.code, 0, res.stderr);
    const { isRunning } = await import("../../src/master/process.js");
    for (const p of desc.hollowNodes!.processes) assert.equal(await isRunning(p.pid, p.binary), false);
  });
});
