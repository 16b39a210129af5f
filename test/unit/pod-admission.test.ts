import assert from "node:assert/strict";
import { describe, it } from "node:test";

import type { Container, Pod } from "../../src/client/types.js";
import {
  admitPod,
  admittedPod,
  NodeAllocation,
  type AdmittedPod,
  type NodeAdmissionContext,
} from "../../src/hollow/pods/admission.js";
import { podQOSClass } from "../../src/hollow/pods/qos.js";
import { milliValue, resourceAmount, value } from "../../src/hollow/pods/quantity.js";
import { heldRequests, podRequests } from "../../src/hollow/pods/resources.js";

function container(
  name: string,
  requests?: Record<string, string>,
  limits?: Record<string, string>,
): Container {
  return {
    name,
    image: "nginx",
    resources: { ...(requests ? { requests } : {}), ...(limits ? { limits } : {}) },
  };
}

/** A node's allocation holding these pods. */
const holding = (...admitted: AdmittedPod[]) => new NodeAllocation(admitted);

function pod(name: string, containers: Container[], extra: Partial<Pod["spec"]> = {}): Pod {
  return { metadata: { name, namespace: "default", uid: `uid-${name}` }, spec: { containers, ...extra } };
}

const node: NodeAdmissionContext = {
  name: "hollow-node-1",
  labels: { "kubernetes.io/hostname": "hollow-node-1", zone: "a", generation: "5" },
  taints: [],
  allocatable: { cpu: "2", memory: "4Gi", "ephemeral-storage": "10Gi", pods: "3", "example.com/gpu": "1" },
};

describe("quantity", () => {
  it("parses cpu to millicores, rounding up", () => {
    assert.equal(milliValue("100m"), 100);
    assert.equal(milliValue("1"), 1000);
    assert.equal(milliValue("1.5"), 1500);
    assert.equal(milliValue("0.1"), 100);
    assert.equal(milliValue("1e3"), 1_000_000);
    assert.equal(milliValue("500n"), 1);
    assert.equal(milliValue(".5"), 500);
  });

  it("parses binary, decimal and exponent suffixes to whole units", () => {
    assert.equal(value("128Mi"), 134_217_728);
    assert.equal(value("1Ki"), 1024);
    assert.equal(value("1.5Gi"), 1_610_612_736);
    assert.equal(value("1G"), 1_000_000_000);
    assert.equal(value("10M"), 10_000_000);
    assert.equal(value("1e3"), 1000);
    assert.equal(value("2k"), 2000);
    assert.equal(value("1500m"), 2);
    assert.equal(resourceAmount("cpu", "250m"), 250);
    assert.equal(resourceAmount("memory", "1Mi"), 1_048_576);
  });

  it("rejects text that is not a quantity", () => {
    for (const bad of ["", "abc", "1KiB", "1K", "--1", "1e", "Mi"]) {
      assert.throws(() => value(bad), /invalid quantity/, bad);
      assert.throws(() => resourceAmount("memory", bad), /invalid quantity/, bad);
    }
  });

  it("gives the same text its cpu and its other amounts, asked in any order and again", () => {
    for (let round = 0; round < 2; round++) {
      assert.equal(resourceAmount("cpu", "2"), 2000);
      assert.equal(resourceAmount("pods", "2"), 2);
      assert.equal(resourceAmount("memory", "1500m"), 2);
      assert.equal(resourceAmount("cpu", "1500m"), 1500);
    }
  });
});

describe("podRequests", () => {
  it("takes the larger of the containers' sum and the biggest init container, plus overhead", () => {
    const p = pod("p", [container("a", { cpu: "100m", memory: "100Mi" }), container("b", { cpu: "200m" })], {
      initContainers: [container("init", { cpu: "500m", memory: "50Mi" })],
      overhead: { cpu: "10m" },
    });
    const requests = podRequests(p);
    assert.equal(requests.get("cpu"), 510);
    assert.equal(requests.get("memory"), 100 * 1024 * 1024);
  });

  it("adds sidecars to the sum and to every init container started after them", () => {
    const sidecar = { ...container("proxy", { cpu: "100m" }), restartPolicy: "Always" };
    const p = pod("p", [container("app", { cpu: "200m" })], {
      initContainers: [sidecar, container("migrate", { cpu: "350m" })],
    });
    // init phase peak: proxy + migrate = 450m; running: app + proxy = 300m
    assert.equal(podRequests(p).get("cpu"), 450);
  });

  it("uses limits as requests when requests are missing", () => {
    const p = pod("p", [container("a", undefined, { cpu: "1", memory: "1Gi" })]);
    assert.equal(podRequests(p).get("cpu"), 1000);
  });

  it("holds one map for pods asking the same, and each pod's own amounts otherwise", () => {
    const a = heldRequests(pod("a", [container("app", { cpu: "100m", memory: "10M" })]));
    const b = heldRequests(pod("b", [container("app", { cpu: "0.1", memory: "10M" })]));
    const c = heldRequests(pod("c", [container("app", { cpu: "200m", memory: "10M" })]));
    assert.equal(a, b);
    assert.deepEqual(
      [...a],
      [
        ["cpu", 100],
        ["memory", 10_000_000],
      ],
    );
    assert.notEqual(a, c);
    assert.equal(c.get("cpu"), 200);
  });
});

describe("podQOSClass", () => {
  it("computes Guaranteed, Burstable and BestEffort", () => {
    assert.equal(
      podQOSClass(pod("g", [container("a", { cpu: "1", memory: "1Gi" }, { cpu: "1", memory: "1Gi" })])),
      "Guaranteed",
    );
    assert.equal(
      podQOSClass(pod("g2", [container("a", undefined, { cpu: "1000m", memory: "1024Mi" })])),
      "Guaranteed",
    );
    assert.equal(
      podQOSClass(pod("b", [container("a", { cpu: "1" }, { cpu: "2", memory: "1Gi" })])),
      "Burstable",
    );
    assert.equal(
      podQOSClass(
        pod("b2", [container("a", { cpu: "1", memory: "1Gi" }, { cpu: "1", memory: "1Gi" }), container("c")]),
      ),
      "Burstable",
    );
    assert.equal(podQOSClass(pod("e", [container("a")])), "BestEffort");
  });
});

describe("admitPod resources", () => {
  it("rejects with OutOfcpu and the kubelet's numbers", () => {
    const running = pod("running", [container("a", { cpu: "1" })]);
    const result = admitPod(pod("big", [container("a", { cpu: "4" })]), node, holding(admittedPod(running)));
    assert.deepEqual(result, {
      admitted: false,
      reason: "OutOfcpu",
      message: "Node didn't have enough resource: cpu, requested: 4000, used: 1000, capacity: 2000",
    });
  });

  it("admits a pod that fits exactly", () => {
    const running = pod("running", [container("a", { cpu: "1500m" })]);
    assert.deepEqual(
      admitPod(pod("fits", [container("a", { cpu: "500m" })]), node, holding(admittedPod(running))),
      {
        admitted: true,
      },
    );
  });

  it("counts the others by the requests they were admitted with, not by their specs now", () => {
    const resized = {
      pod: pod("resized", [container("a", { cpu: "100m" })]),
      requests: new Map([["cpu", 1500]]),
    };
    const result = admitPod(pod("new", [container("a", { cpu: "1" })]), node, holding(resized));
    assert.equal(!result.admitted && result.message.includes("used: 1500"), true);
  });

  it("rejects with OutOfmemory in bytes", () => {
    const result = admitPod(pod("mem", [container("a", { memory: "5Gi" })]), node, holding());
    assert.equal(result.admitted, false);
    assert.equal(!result.admitted && result.reason, "OutOfmemory");
    assert.equal(
      !result.admitted && result.message,
      "Node didn't have enough resource: memory, requested: 5368709120, used: 0, capacity: 4294967296",
    );
  });

  it("rejects with OutOfephemeral-storage", () => {
    const result = admitPod(pod("disk", [container("a", { "ephemeral-storage": "11Gi" })]), node, holding());
    assert.equal(!result.admitted && result.reason, "OutOfephemeral-storage");
  });

  it("rejects with OutOfpods when the node is full, even for a pod without requests", () => {
    const others = [pod("a", [container("a")]), pod("b", [container("b")]), pod("c", [container("c")])];
    const result = admitPod(pod("d", [container("d")]), node, holding(...others.map(admittedPod)));
    assert.deepEqual(result, {
      admitted: false,
      reason: "OutOfpods",
      message: "Node didn't have enough resource: pods, requested: 1, used: 3, capacity: 3",
    });
  });

  it("ignores the pod itself when counting", () => {
    const self = pod("self", [container("a", { cpu: "2" })]);
    assert.deepEqual(
      admitPod(
        self,
        node,
        holding(...[self, pod("x", [container("x")]), pod("y", [container("y")])].map(admittedPod)),
      ),
      {
        admitted: true,
      },
    );
  });

  it("checks extended resources the node has and skips those it does not know", () => {
    const twoGpus = pod("gpu", [container("a", { "example.com/gpu": "2" })]);
    const result = admitPod(twoGpus, node, holding());
    assert.equal(!result.admitted && result.reason, "OutOfexample.com/gpu");
    assert.equal(
      !result.admitted && result.message,
      "Node didn't have enough resource: example.com/gpu, requested: 2, used: 0, capacity: 1",
    );
    const unknown = pod("fpga", [container("a", { "vendor.io/fpga": "4" })]);
    assert.deepEqual(admitPod(unknown, node, holding()), { admitted: true });
  });

  it("keeps the node's allocation as pods come and go, each counted once", () => {
    const a = admittedPod(pod("a", [container("a", { cpu: "1500m", memory: "1Gi" })]));
    const b = admittedPod(pod("b", [container("b", { cpu: "250m" })]));
    const allocation = holding(a, b);
    allocation.hold(a);
    assert.equal(allocation.podCount, 2);
    assert.equal(allocation.usedOf("cpu"), 1750);
    assert.equal(allocation.usedOf("memory"), 1 << 30);
    const asksHalf = pod("new", [container("c", { cpu: "500m" })]);
    assert.equal(admitPod(asksHalf, node, allocation).admitted, false);
    allocation.release("uid-a");
    allocation.release("uid-a");
    allocation.release("uid-unknown");
    assert.equal(allocation.podCount, 1);
    assert.equal(allocation.usedOf("cpu"), 250);
    assert.equal(allocation.usedOf("memory"), 0);
    assert.deepEqual(admitPod(asksHalf, node, allocation), { admitted: true });
  });

  it("counts the effective request of init containers and overhead", () => {
    const p = pod("p", [container("a", { cpu: "100m" })], {
      initContainers: [container("init", { cpu: "1900m" })],
      overhead: { cpu: "200m" },
    });
    const result = admitPod(p, node, holding());
    assert.equal(
      !result.admitted && result.message,
      "Node didn't have enough resource: cpu, requested: 2100, used: 0, capacity: 2000",
    );
  });
});

describe("admitPod node affinity", () => {
  const affinity = (terms: NonNullable<Pod["spec"]["affinity"]>) =>
    pod("p", [container("a")], { affinity: terms });
  const required = (...nodeSelectorTerms: object[]) =>
    affinity({
      nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms } },
    } as never);

  it("rejects a nodeSelector mismatch with the NodeAffinity predicate message", () => {
    const result = admitPod(pod("p", [container("a")], { nodeSelector: { zone: "b" } }), node, holding());
    assert.deepEqual(result, {
      admitted: false,
      reason: "NodeAffinity",
      message: "Predicate NodeAffinity failed: node(s) didn't match Pod's node affinity/selector",
    });
    assert.deepEqual(admitPod(pod("p", [container("a")], { nodeSelector: { zone: "a" } }), node, holding()), {
      admitted: true,
    });
  });

  it("evaluates matchExpressions operators", () => {
    const admits = (operator: string, key: string, values?: string[]) =>
      admitPod(required({ matchExpressions: [{ key, operator, values }] }), node, holding()).admitted;
    assert.equal(admits("In", "zone", ["a", "b"]), true);
    assert.equal(admits("In", "zone", ["b"]), false);
    assert.equal(admits("NotIn", "zone", ["b"]), true);
    assert.equal(admits("NotIn", "zone", ["a"]), false);
    assert.equal(admits("NotIn", "missing", ["a"]), true);
    assert.equal(admits("Exists", "zone"), true);
    assert.equal(admits("Exists", "missing"), false);
    assert.equal(admits("DoesNotExist", "missing"), true);
    assert.equal(admits("DoesNotExist", "zone"), false);
    assert.equal(admits("Gt", "generation", ["4"]), true);
    assert.equal(admits("Gt", "generation", ["5"]), false);
    assert.equal(admits("Lt", "generation", ["6"]), true);
    assert.equal(admits("Lt", "zone", ["6"]), false);
  });

  it("ORs terms, ANDs requirements, matches metadata.name fields, and an empty term matches nothing", () => {
    const wrongZone = { matchExpressions: [{ key: "zone", operator: "In", values: ["b"] }] };
    const byName = { matchFields: [{ key: "metadata.name", operator: "In", values: ["hollow-node-1"] }] };
    assert.equal(admitPod(required(wrongZone, byName), node, holding()).admitted, true);
    assert.equal(admitPod(required(wrongZone), node, holding()).admitted, false);
    const both = {
      matchExpressions: [{ key: "zone", operator: "In", values: ["a"] }],
      matchFields: [{ key: "metadata.name", operator: "NotIn", values: ["hollow-node-1"] }],
    };
    assert.equal(admitPod(required(both), node, holding()).admitted, false);
    assert.equal(admitPod(required({}), node, holding()).admitted, false);
  });

  it("reports resources before affinity, as the kubelet checks them first", () => {
    const p = pod("p", [container("a", { cpu: "3" })], { nodeSelector: { zone: "b" } });
    assert.equal(
      !admitPod(p, node, holding()).admitted && (admitPod(p, node, holding()) as { reason: string }).reason,
      "OutOfcpu",
    );
  });
});

describe("admitPod taints, node name and ports", () => {
  const tainted: NodeAdmissionContext = {
    ...node,
    taints: [
      { key: "dedicated", value: "db", effect: "NoSchedule" },
      { key: "node.kubernetes.io/unreachable", effect: "NoExecute" },
    ],
  };

  it("rejects an untolerated NoExecute taint and ignores NoSchedule", () => {
    assert.deepEqual(admitPod(pod("p", [container("a")]), tainted, holding()), {
      admitted: false,
      reason: "TaintToleration",
      message: "Predicate TaintToleration failed: node(s) had taints that the pod didn't tolerate",
    });
    const tolerant = pod("p", [container("a")], {
      tolerations: [{ key: "node.kubernetes.io/unreachable", operator: "Exists", effect: "NoExecute" }],
    });
    assert.deepEqual(admitPod(tolerant, tainted, holding()), { admitted: true });
    const wrongEffect = pod("p", [container("a")], {
      tolerations: [{ key: "node.kubernetes.io/unreachable", operator: "Exists", effect: "NoSchedule" }],
    });
    assert.equal(admitPod(wrongEffect, tainted, holding()).admitted, false);
    const everything = pod("p", [container("a")], { tolerations: [{ operator: "Exists" }] });
    assert.deepEqual(admitPod(everything, tainted, holding()), { admitted: true });
  });

  it("rejects a pod bound to another node name", () => {
    const result = admitPod(pod("p", [container("a")], { nodeName: "other" }), node, holding());
    assert.equal(!result.admitted && result.reason, "NodeName");
  });

  it("rejects a host port already taken on the node", () => {
    const withPort = (name: string, hostPort: number, protocol?: string): Pod =>
      pod(name, [
        { ...container("a"), ports: [{ containerPort: 80, hostPort, ...(protocol ? { protocol } : {}) }] },
      ]);
    const result = admitPod(withPort("new", 8080), node, holding(admittedPod(withPort("old", 8080))));
    assert.deepEqual(result, {
      admitted: false,
      reason: "NodePorts",
      message: "Predicate NodePorts failed: node(s) didn't have free ports for the requested pod ports",
    });
    assert.equal(
      admitPod(withPort("udp", 8080, "UDP"), node, holding(admittedPod(withPort("old", 8080)))).admitted,
      true,
    );
    assert.equal(
      admitPod(withPort("other", 9090), node, holding(admittedPod(withPort("old", 8080)))).admitted,
      true,
    );
  });

  it("rejects a pod asking for another operating system", () => {
    const windows: Pod = {
      ...pod("w", [container("a")]),
      metadata: { name: "w", labels: { "kubernetes.io/os": "windows" } },
    };
    assert.equal(
      (admitPod(windows, node, holding()) as { reason: string }).reason,
      "PodOSSelectorNodeLabelDoesNotMatch",
    );
    assert.equal(
      (
        admitPod(pod("w", [container("a")], { os: { name: "windows" } }), node, holding()) as {
          reason: string;
        }
      ).reason,
      "PodOSNotSupported",
    );
  });
});
