import assert from "node:assert/strict";
import { describe, it } from "node:test";

import type { Container, ContainerStatus, Pod, PodCondition, PodStatus } from "../../src/client/types.js";
import {
  admitPod,
  admittedPod,
  NodeAllocation,
  type NodeAdmissionContext,
} from "../../src/hollow/pods/admission.js";
import { formatGoSeconds, parseGoDuration } from "../../src/hollow/pods/duration.js";
import { PodIPAllocator } from "../../src/hollow/pods/ip-allocator.js";
import {
  occupiesNode,
  PodLifecycle,
  type PodLifecycleOptions,
  type PodNodeContext,
  type PodRuntime,
  type Step,
} from "../../src/hollow/pods/machine.js";
import { DEFAULT_STAGES, sampleDelay, validateStages, type Stage } from "../../src/hollow/pods/stages.js";

const T0 = Date.UTC(2026, 0, 2, 3, 4, 5);
const NODE_IP = "10.0.0.5";
const RFC3339 = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/;

/** mulberry32: a small deterministic generator for [0, 1). */
function seededRand(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const nodeAdmission: NodeAdmissionContext = {
  name: "hollow-node-1",
  labels: {},
  taints: [],
  allocatable: { cpu: "4", memory: "8Gi", pods: "110" },
};

interface Write {
  at: number;
  status: PodStatus;
}

/** Plays the node driver: stores runtimes, echoes written statuses onto the pods, keeps one wake time per pod. */
class Harness {
  readonly ips = new PodIPAllocator("10.64.3.0/24");
  readonly lifecycle: PodLifecycle;
  readonly pods = new Map<string, Pod>();
  readonly runtimes = new Map<string, PodRuntime>();
  readonly wakes = new Map<string, number>();
  readonly writes = new Map<string, Write[]>();
  readonly deleted: string[] = [];
  admissions = 0;
  readonly ctx: PodNodeContext = {
    nodeIP: NODE_IP,
    ips: this.ips,
    admit: (pod) => {
      this.admissions++;
      const admitted = [...this.runtimes]
        .filter(([, runtime]) => occupiesNode(runtime))
        .map(([uid]) => admittedPod(this.pods.get(uid)!));
      return admitPod(pod, nodeAdmission, new NodeAllocation(admitted));
    },
  };

  constructor(options: Partial<PodLifecycleOptions> = {}) {
    this.lifecycle = new PodLifecycle({ rand: seededRand(7), ...options });
  }

  add(pod: Pod, now: number): Step {
    this.pods.set(pod.metadata.uid!, pod);
    return this.apply(pod.metadata.uid!, this.lifecycle.observe(pod, undefined, now, this.ctx), now);
  }

  update(uid: string, change: (pod: Pod) => Pod, now: number): Step {
    const pod = change(structuredClone(this.pods.get(uid)!));
    this.pods.set(uid, pod);
    return this.apply(uid, this.lifecycle.observe(pod, this.runtimes.get(uid), now, this.ctx), now);
  }

  /** Fires due wakes in time order up to `until`; returns the steps taken. */
  runUntil(until: number): Array<{ uid: string; at: number; step: Step }> {
    const fired: Array<{ uid: string; at: number; step: Step }> = [];
    for (;;) {
      const due = [...this.wakes].filter(([, at]) => at <= until).sort((a, b) => a[1] - b[1])[0];
      if (!due) return fired;
      const [uid, at] = due;
      const step = this.lifecycle.wake(this.pods.get(uid)!, this.runtimes.get(uid)!, at, this.ctx);
      fired.push({ uid, at, step });
      this.apply(uid, step, at);
    }
  }

  status(uid: string): PodStatus {
    return this.pods.get(uid)!.status!;
  }

  private apply(uid: string, step: Step, now: number): Step {
    this.runtimes.set(uid, step.runtime);
    if (step.status) {
      this.pods.set(uid, { ...this.pods.get(uid)!, status: step.status });
      this.writes.set(uid, [...(this.writes.get(uid) ?? []), { at: now, status: step.status }]);
    }
    if (step.deletePod) this.deleted.push(uid);
    if (step.wakeAt === undefined) this.wakes.delete(uid);
    else this.wakes.set(uid, step.wakeAt);
    return step;
  }
}

function app(name = "app", image = "nginx"): Container {
  return { name, image };
}

function makePod(name: string, spec: Partial<Pod["spec"]> = {}, annotations?: Record<string, string>): Pod {
  return {
    metadata: { name, namespace: "default", uid: `uid-${name}`, ...(annotations ? { annotations } : {}) },
    spec: { nodeName: "hollow-node-1", containers: [app()], ...spec },
    status: {
      phase: "Pending",
      conditions: [
        {
          type: "PodScheduled",
          status: "True",
          lastTransitionTime: "2026-01-02T03:04:04Z",
          lastProbeTime: null,
        },
      ],
    },
  };
}

function condition(status: PodStatus, type: string): PodCondition {
  const found = status.conditions?.find((c) => c.type === type);
  assert.ok(found, `condition ${type}`);
  return found;
}

function container(status: PodStatus, name: string): ContainerStatus {
  const found = [...(status.initContainerStatuses ?? []), ...(status.containerStatuses ?? [])].find(
    (c) => c.name === name,
  );
  assert.ok(found, `container ${name}`);
  return found;
}

function firstWrite(harness: Harness, uid: string, test: (status: PodStatus) => boolean): Write {
  const found = (harness.writes.get(uid) ?? []).find((write) => test(write.status));
  assert.ok(found, "expected status was written");
  return found;
}

const fixedStages = (sandboxMs: number, startMs: number): Stage[] =>
  DEFAULT_STAGES.map((stage) => {
    if (stage.from === "Admitted") return { ...stage, delay: { fixedMs: sandboxMs } };
    if (stage.name === "start-containers") return { ...stage, delay: { fixedMs: startMs } };
    return stage;
  });

describe("pod startup", () => {
  it("writes Pending at once, then Running with kubelet-style statuses", () => {
    const h = new Harness();
    const first = h.add(makePod("web"), T0);
    assert.ok(first.status);
    assert.equal(first.status.phase, "Pending");
    assert.deepEqual(
      first.status.conditions!.map((c) => [c.type, c.status, c.reason ?? null]),
      [
        ["PodReadyToStartContainers", "False", null],
        ["Initialized", "True", null],
        ["Ready", "False", "ContainersNotReady"],
        ["ContainersReady", "False", "ContainersNotReady"],
        ["PodScheduled", "True", null],
      ],
    );
    assert.equal(condition(first.status, "Ready").message, "containers with unready status: [app]");
    assert.equal(condition(first.status, "PodScheduled").lastTransitionTime, "2026-01-02T03:04:04Z");
    assert.equal(first.status.startTime, "2026-01-02T03:04:05Z");
    assert.equal(first.status.hostIP, NODE_IP);
    assert.deepEqual(first.status.hostIPs, [{ ip: NODE_IP }]);
    assert.equal(first.status.podIP, undefined);
    assert.equal(first.status.qosClass, "BestEffort");
    assert.deepEqual(first.status.containerStatuses, [
      {
        name: "app",
        state: { waiting: { reason: "ContainerCreating" } },
        lastState: {},
        ready: false,
        restartCount: 0,
        image: "nginx",
        imageID: "",
        started: false,
      },
    ]);
    assert.ok(first.wakeAt! > T0);

    h.runUntil(T0 + 60_000);
    const status = h.status("uid-web");
    assert.equal(status.phase, "Running");
    assert.match(status.podIP!, /^10\.64\.3\.(\d+)$/);
    assert.deepEqual(status.podIPs, [{ ip: status.podIP }]);
    for (const c of status.conditions!) {
      assert.equal(c.status, "True", c.type);
      assert.match(c.lastTransitionTime!, RFC3339);
    }
    const running = container(status, "app");
    assert.match(running.containerID!, /^containerd:\/\/[0-9a-f]{64}$/);
    assert.equal(running.image, "docker.io/library/nginx:latest");
    assert.match(running.imageID, /^docker\.io\/library\/nginx@sha256:[0-9a-f]{64}$/);
    assert.equal(running.started, true);
    assert.equal(running.ready, true);
    assert.equal(running.restartCount, 0);
    assert.match(running.state!.running!.startedAt!, RFC3339);
    assert.equal(h.wakes.has("uid-web"), false, "an Always pod without kubemark.io/fail runs forever");
    assert.deepEqual(
      h.writes.get("uid-web")!.map((w) => w.status.phase),
      ["Pending", "Running"],
      "Pending, then Running with the IP: the sandbox is not reported on its own",
    );
    assert.equal(condition(h.writes.get("uid-web")![1]!.status, "PodReadyToStartContainers").status, "True");
    assert.deepEqual(
      first.status.containerStatuses![0]!.state,
      { waiting: { reason: "ContainerCreating" } },
      "a status once written does not change as the pod moves on",
    );
  });

  it("is Running 0.5-1.5 s after binding with the default stages", () => {
    const startups: number[] = [];
    for (let seed = 1; seed <= 200; seed++) {
      const h = new Harness({ rand: seededRand(seed) });
      h.add(makePod("web"), T0);
      h.runUntil(T0 + 60_000);
      startups.push(firstWrite(h, "uid-web", (s) => s.phase === "Running").at - T0);
    }
    startups.sort((a, b) => a - b);
    assert.ok(startups[0]! >= 300, `fastest ${startups[0]}`);
    assert.ok(startups.at(-1)! <= 1500, `slowest ${startups.at(-1)}`);
    const median = startups[100]!;
    assert.ok(median >= 550 && median <= 800, `median ${median}`);
  });

  it("follows a custom stage table exactly", () => {
    const h = new Harness({ stages: fixedStages(100, 200) });
    h.add(makePod("web"), T0);
    h.runUntil(T0 + 60_000);
    assert.equal(h.runtimes.get("uid-web")!.enteredAt, T0 + 300);
    // The sandbox (at +100) moves on to its containers, so the IP is first written with Running.
    assert.equal(firstWrite(h, "uid-web", (s) => s.podIP !== undefined).at, T0 + 300);
    assert.equal(firstWrite(h, "uid-web", (s) => s.phase === "Running").at, T0 + 300);
  });

  it("writes the sandbox's status when the stage table leaves the pod there", () => {
    const stages = DEFAULT_STAGES.filter((stage) => stage.from !== "SandboxReady");
    const h = new Harness({ stages });
    h.add(makePod("web"), T0);
    h.runUntil(T0 + 60_000);
    const status = h.status("uid-web");
    assert.equal(status.phase, "Pending");
    assert.match(status.podIP!, /^10\.64\.3\.\d+$/);
    assert.equal(condition(status, "PodReadyToStartContainers").status, "True");
  });

  it("does not write again when the watch echoes the status", () => {
    const h = new Harness();
    h.add(makePod("web"), T0);
    const wakeAt = h.wakes.get("uid-web");
    const echo = h.update("uid-web", (pod) => pod, T0 + 10);
    assert.equal(echo.status, undefined);
    assert.equal(echo.wakeAt, wakeAt);
    h.runUntil(T0 + 60_000);
    assert.equal(h.update("uid-web", (pod) => pod, T0 + 70_000).status, undefined);
  });

  it("ignores an early wake", () => {
    const h = new Harness();
    const first = h.add(makePod("web"), T0);
    const early = h.lifecycle.wake(
      h.pods.get("uid-web")!,
      h.runtimes.get("uid-web")!,
      first.wakeAt! - 1,
      h.ctx,
    );
    assert.equal(early.status, undefined);
    assert.equal(early.wakeAt, first.wakeAt);
    assert.equal(early.runtime.state, "Admitted");
  });

  it("gives hostNetwork pods the node IP from the first status, without using the pool", () => {
    const h = new Harness();
    const first = h.add(makePod("host", { hostNetwork: true }), T0);
    assert.equal(first.status!.podIP, NODE_IP);
    h.runUntil(T0 + 60_000);
    assert.equal(h.status("uid-host").podIP, NODE_IP);
    assert.equal(h.status("uid-host").phase, "Running");
    assert.equal(h.ips.allocate("someone"), "10.64.3.2");
  });

  it("reports the QoS class and keeps regular container statuses sorted by name", () => {
    const h = new Harness();
    const resources = {
      requests: { cpu: "500m", memory: "256Mi" },
      limits: { cpu: "500m", memory: "256Mi" },
    };
    h.add(
      makePod("qos", {
        containers: [
          { ...app("zeta"), resources },
          { ...app("alpha"), resources },
        ],
      }),
      T0,
    );
    h.runUntil(T0 + 60_000);
    assert.equal(h.status("uid-qos").qosClass, "Guaranteed");
    assert.deepEqual(
      h.status("uid-qos").containerStatuses!.map((c) => c.name),
      ["alpha", "zeta"],
    );
  });

  it("gives every pod on the node its own IP", () => {
    const h = new Harness();
    for (let i = 0; i < 50; i++) h.add(makePod(`p${i}`), T0 + i);
    h.runUntil(T0 + 60_000);
    const ips = [...h.pods.values()].map((pod) => pod.status!.podIP);
    assert.equal(new Set(ips).size, 50);
  });
});

describe("admission failure", () => {
  it("fails the pod with the kubelet's reason and starts nothing", () => {
    const h = new Harness();
    const hog = makePod("hog", { containers: [{ ...app(), resources: { requests: { cpu: "3" } } }] });
    h.add(hog, T0);
    const greedy = makePod("greedy", { containers: [{ ...app(), resources: { requests: { cpu: "2" } } }] });
    const step = h.add(greedy, T0 + 1);
    assert.deepEqual(step.status, {
      phase: "Failed",
      reason: "OutOfcpu",
      message:
        "Pod was rejected: Node didn't have enough resource: cpu, requested: 2000, used: 3000, capacity: 4000",
      startTime: "2026-01-02T03:04:05Z",
      qosClass: "Burstable",
    });
    assert.equal(step.wakeAt, undefined);
    assert.equal(occupiesNode(step.runtime), false);
    assert.equal(h.update("uid-greedy", (pod) => pod, T0 + 2).status, undefined);

    const deletion = h.update(
      "uid-greedy",
      (pod) => ({ ...pod, metadata: { ...pod.metadata, deletionTimestamp: "x" } }),
      T0 + 5,
    );
    assert.equal(deletion.deletePod, true);
    assert.equal(deletion.status, undefined);
  });

  it("does not count rejected or finished pods against the node", () => {
    const h = new Harness();
    h.add(makePod("big", { containers: [{ ...app(), resources: { requests: { cpu: "5" } } }] }), T0);
    const step = h.add(
      makePod("fits", { containers: [{ ...app(), resources: { requests: { cpu: "4" } } }] }),
      T0 + 1,
    );
    assert.equal(step.status!.phase, "Pending");
  });
});

describe("init containers", () => {
  it("runs init containers one at a time, in order, before the containers", () => {
    const h = new Harness();
    const pod = makePod("init", { initContainers: [app("init-a", "busybox"), app("init-b", "busybox")] });
    const first = h.add(pod, T0);
    assert.equal(container(first.status!, "init-a").state!.waiting!.reason, "PodInitializing");
    assert.equal(container(first.status!, "app").state!.waiting!.reason, "PodInitializing");
    assert.equal(condition(first.status!, "Initialized").status, "False");
    assert.equal(condition(first.status!, "Initialized").reason, "ContainersNotInitialized");
    assert.equal(
      condition(first.status!, "Initialized").message,
      "containers with incomplete status: [init-a init-b]",
    );

    h.runUntil(T0 + 60_000);
    const writes = h.writes.get("uid-init")!;
    const state = (w: Write, name: string) => Object.keys(container(w.status, name).state!)[0];
    const aRunning = writes.find((w) => state(w, "init-a") === "running")!;
    assert.equal(state(aRunning, "init-b"), "waiting");
    assert.equal(aRunning.status.phase, "Pending");
    assert.equal(container(aRunning.status, "init-a").ready, false);
    assert.equal(container(aRunning.status, "init-a").started, true);
    const aDone = writes.find((w) => state(w, "init-a") === "terminated")!;
    assert.deepEqual(
      { ...container(aDone.status, "init-a").state!.terminated, startedAt: undefined, finishedAt: undefined },
      {
        exitCode: 0,
        reason: "Completed",
        startedAt: undefined,
        finishedAt: undefined,
        containerID: container(aRunning.status, "init-a").containerID,
      },
    );
    assert.equal(container(aDone.status, "init-a").ready, true);
    assert.equal(state(aDone, "init-b"), "waiting");
    const bRunning = writes.find((w) => state(w, "init-b") === "running")!;
    assert.ok(bRunning.at > aDone.at);
    assert.equal(state(bRunning, "app"), "waiting");
    const bDone = writes.find((w) => state(w, "init-b") === "terminated")!;
    const appRunning = writes.find((w) => state(w, "app") === "running")!;
    assert.ok(appRunning.at > bDone.at);
    for (const [start, end] of [
      [aRunning.at, aDone.at],
      [bRunning.at, bDone.at],
    ] as const) {
      assert.ok(end - start >= 100 && end - start <= 200, `init container ran ${end - start} ms`);
    }
    const final = h.status("uid-init");
    assert.equal(final.phase, "Running");
    assert.equal(condition(final, "Initialized").status, "True");
    assert.equal(condition(final, "Ready").status, "True");
  });

  it("keeps sidecars running next to the containers", () => {
    const h = new Harness();
    const sidecar = { ...app("proxy", "envoyproxy/envoy:v1.30"), restartPolicy: "Always" };
    h.add(makePod("mesh", { initContainers: [sidecar, app("setup", "busybox")] }), T0);
    h.runUntil(T0 + 60_000);
    const status = h.status("uid-mesh");
    assert.equal(status.phase, "Running");
    const proxy = container(status, "proxy");
    assert.ok(proxy.state!.running);
    assert.equal(proxy.started, true);
    assert.equal(proxy.ready, true);
    assert.equal(proxy.image, "docker.io/envoyproxy/envoy:v1.30");
    assert.equal(container(status, "setup").state!.terminated!.reason, "Completed");
    assert.ok(container(status, "app").state!.running);
    const writes = h.writes.get("uid-mesh")!;
    const setupRunning = writes.find((w) => container(w.status, "setup").state!.running)!;
    assert.ok(
      container(setupRunning.status, "proxy").state!.running,
      "the sidecar starts before the next init container",
    );
  });

  it("fails a Never pod whose init container fails, and crash-loops it otherwise", () => {
    const never = new Harness();
    never.add(
      makePod(
        "j",
        { restartPolicy: "Never", initContainers: [app("migrate")] },
        { "kubemark.io/fail": "migrate" },
      ),
      T0,
    );
    never.runUntil(T0 + 600_000);
    const failed = never.status("uid-j");
    assert.equal(failed.phase, "Failed");
    assert.equal(container(failed, "migrate").state!.terminated!.exitCode, 1);
    assert.equal(container(failed, "migrate").state!.terminated!.reason, "Error");
    assert.equal(container(failed, "app").state!.waiting!.reason, "PodInitializing");

    const always = new Harness();
    always.add(makePod("d", { initContainers: [app("migrate")] }, { "kubemark.io/fail": "migrate" }), T0);
    always.runUntil(T0 + 60_000);
    const looping = always.status("uid-d");
    assert.equal(looping.phase, "Pending");
    assert.ok(container(looping, "migrate").restartCount >= 2);
    assert.ok(
      always.writes
        .get("uid-d")!
        .some((w) => container(w.status, "migrate").state!.waiting?.reason === "CrashLoopBackOff"),
    );
  });
});

describe("run-to-completion pods", () => {
  function startedAt(h: Harness, uid: string): number {
    return firstWrite(h, uid, (s) => s.phase === "Running").at;
  }

  it("completes a Never pod after the default run time and frees its IP", () => {
    const h = new Harness();
    h.add(makePod("job", { restartPolicy: "Never" }), T0);
    h.runUntil(T0 + 3000);
    const started = startedAt(h, "uid-job");
    assert.equal(h.wakes.get("uid-job"), started + 5000);
    const podIP = h.status("uid-job").podIP!;
    h.runUntil(T0 + 600_000);
    const status = h.status("uid-job");
    assert.equal(status.phase, "Succeeded");
    assert.equal(firstWrite(h, "uid-job", (s) => s.phase === "Succeeded").at, started + 5000);
    const terminated = container(status, "app").state!.terminated!;
    assert.equal(terminated.exitCode, 0);
    assert.equal(terminated.reason, "Completed");
    assert.match(terminated.finishedAt!, RFC3339);
    assert.equal(container(status, "app").ready, false);
    assert.equal(container(status, "app").started, false);
    assert.deepEqual(
      status.conditions!.map((c) => [c.type, c.status, c.reason ?? null]),
      [
        ["PodReadyToStartContainers", "False", null],
        ["Initialized", "True", "PodCompleted"],
        ["Ready", "False", "PodCompleted"],
        ["ContainersReady", "False", "PodCompleted"],
        ["PodScheduled", "True", null],
      ],
    );
    assert.equal(status.podIP, podIP, "the status keeps the IP the pod had");
    assert.equal(h.wakes.has("uid-job"), false);
    assert.equal(occupiesNode(h.runtimes.get("uid-job")!), false);
    h.ips.reserve("next-pod", podIP);
  });

  it("honours kubemark.io/run-time", () => {
    const h = new Harness();
    h.add(makePod("job", { restartPolicy: "OnFailure" }, { "kubemark.io/run-time": "30s" }), T0);
    h.runUntil(T0 + 600_000);
    assert.equal(
      firstWrite(h, "uid-job", (s) => s.phase === "Succeeded").at,
      startedAt(h, "uid-job") + 30_000,
    );
  });

  it("stops sidecars when the job's containers are done", () => {
    const h = new Harness();
    const sidecar = { ...app("logs"), restartPolicy: "Always" };
    h.add(makePod("job", { restartPolicy: "Never", initContainers: [sidecar] }), T0);
    h.runUntil(T0 + 600_000);
    const status = h.status("uid-job");
    assert.equal(status.phase, "Succeeded");
    assert.equal(container(status, "logs").state!.terminated!.reason, "Completed");
  });

  it("fails a Never pod whose container kubemark.io/fail names", () => {
    const h = new Harness();
    h.add(
      makePod(
        "job",
        { restartPolicy: "Never", containers: [app("main"), app("helper")] },
        { "kubemark.io/fail": "main" },
      ),
      T0,
    );
    h.runUntil(T0 + 600_000);
    const status = h.status("uid-job");
    assert.equal(status.phase, "Failed");
    assert.deepEqual(
      [
        container(status, "main").state!.terminated!.exitCode,
        container(status, "main").state!.terminated!.reason,
      ],
      [1, "Error"],
    );
    assert.deepEqual(
      [
        container(status, "helper").state!.terminated!.exitCode,
        container(status, "helper").state!.terminated!.reason,
      ],
      [0, "Completed"],
    );
    assert.equal(condition(status, "Ready").reason, "PodFailed");
  });
});

describe("crash-loop back-off", () => {
  it("restarts at once, then waits 10s, 20s, 40s ... up to 5 minutes", () => {
    const h = new Harness({ stages: fixedStages(100, 200) });
    const pod = makePod(
      "crash",
      { restartPolicy: "OnFailure" },
      { "kubemark.io/fail": "app", "kubemark.io/run-time": "1s" },
    );
    h.add(pod, T0);
    h.runUntil(T0 + 300);
    const started = firstWrite(h, "uid-crash", (s) => s.phase === "Running").at;
    assert.equal(started, T0 + 300);

    const firstExit = h.runUntil(started + 1000);
    assert.equal(firstExit.length, 1);
    const restarted = container(firstExit[0]!.step.status!, "app");
    assert.equal(restarted.restartCount, 1, "the first restart does not wait");
    assert.ok(restarted.state!.running);
    assert.equal(restarted.lastState!.terminated!.exitCode, 1);
    assert.equal(restarted.lastState!.terminated!.reason, "Error");
    assert.notEqual(restarted.containerID, restarted.lastState!.terminated!.containerID);

    const waits: number[] = [];
    const messages: string[] = [];
    let now = started + 1000;
    for (let restart = 2; restart <= 9; restart++) {
      const [exit] = h.runUntil(now + 1000);
      assert.ok(exit);
      const waiting = container(exit.step.status!, "app");
      assert.equal(waiting.state!.waiting!.reason, "CrashLoopBackOff");
      assert.equal(waiting.restartCount, restart - 1);
      assert.equal(waiting.lastState!.terminated!.exitCode, 1);
      assert.equal(waiting.ready, false);
      assert.equal(exit.step.status!.phase, "Running");
      assert.equal(condition(exit.step.status!, "ContainersReady").status, "False");
      messages.push(waiting.state!.waiting!.message!);
      waits.push(exit.step.wakeAt! - exit.at);
      const [restartStep] = h.runUntil(exit.step.wakeAt!);
      assert.equal(container(restartStep!.step.status!, "app").restartCount, restart);
      now = restartStep!.at;
    }
    assert.deepEqual(waits, [10_000, 20_000, 40_000, 80_000, 160_000, 300_000, 300_000, 300_000]);
    assert.equal(messages[0], "back-off 10s restarting failed container=app pod=crash_default(uid-crash)");
    assert.equal(messages[3], "back-off 1m20s restarting failed container=app pod=crash_default(uid-crash)");
    assert.equal(messages[5], "back-off 5m0s restarting failed container=app pod=crash_default(uid-crash)");
  });

  it("restarts only the failing container of an Always pod", () => {
    const h = new Harness();
    const pod = makePod(
      "mixed",
      { containers: [app("web"), app("worker")] },
      { "kubemark.io/fail": "worker", "kubemark.io/run-time": "2s" },
    );
    h.add(pod, T0);
    h.runUntil(T0 + 120_000);
    const status = h.status("uid-mixed");
    assert.equal(status.phase, "Running");
    const web = container(status, "web");
    assert.equal(web.restartCount, 0);
    assert.ok(web.state!.running);
    assert.equal(
      web.state!.running!.startedAt,
      container(firstWrite(h, "uid-mixed", (s) => s.phase === "Running").status, "web").state!.running!
        .startedAt,
    );
    assert.ok(container(status, "worker").restartCount >= 3);
  });

  it("forgets the back-off once a container ran longer than twice the cap", () => {
    const h = new Harness();
    h.add(
      makePod(
        "slow",
        { restartPolicy: "OnFailure" },
        { "kubemark.io/fail": "app", "kubemark.io/run-time": "11m" },
      ),
      T0,
    );
    h.runUntil(T0 + 3 * 11 * 60_000 + 10_000);
    const writes = h.writes.get("uid-slow")!;
    assert.equal(container(h.status("uid-slow"), "app").restartCount, 3);
    assert.ok(writes.every((w) => container(w.status, "app").state!.waiting?.reason !== "CrashLoopBackOff"));
  });
});

describe("deletion", () => {
  const deleting =
    (graceSeconds: number) =>
    (pod: Pod): Pod => ({
      ...pod,
      metadata: {
        ...pod.metadata,
        deletionTimestamp: "2026-01-02T03:10:00Z",
        deletionGracePeriodSeconds: graceSeconds,
      },
    });

  it("stops containers after min(grace period, stop time), writes the status, then deletes", () => {
    const h = new Harness();
    h.add(makePod("web"), T0);
    h.runUntil(T0 + 60_000);
    const podIP = h.status("uid-web").podIP!;
    const request = h.update("uid-web", deleting(30), T0 + 100_000);
    assert.equal(request.status, undefined);
    assert.equal(request.deletePod, undefined);
    assert.equal(request.wakeAt, T0 + 101_000);
    assert.equal(
      h.update("uid-web", (pod) => pod, T0 + 100_500).wakeAt,
      T0 + 101_000,
      "repeated updates keep the stop time",
    );

    const [stop] = h.runUntil(T0 + 200_000);
    assert.equal(stop!.at, T0 + 101_000);
    assert.equal(stop!.step.deletePod, true);
    const status = stop!.step.status!;
    assert.equal(status.phase, "Succeeded");
    const terminated = container(status, "app").state!.terminated!;
    assert.deepEqual([terminated.exitCode, terminated.reason], [0, "Completed"]);
    assert.equal(condition(status, "Ready").status, "False");
    assert.equal(stop!.step.wakeAt, undefined);
    h.ips.reserve("next", podIP);
  });

  it("uses a shorter grace period when the deletion asks for one", () => {
    const h = new Harness({ stopTimeMs: 60_000 });
    h.add(makePod("web"), T0);
    h.runUntil(T0 + 60_000);
    assert.equal(h.update("uid-web", deleting(2), T0 + 100_000).wakeAt, T0 + 102_000);
    const now = h.update("uid-web", (pod) => pod, T0 + 100_001);
    assert.equal(now.deletePod, undefined);
  });

  it("stops and deletes in one step for a zero grace period", () => {
    const h = new Harness();
    h.add(makePod("web"), T0);
    h.runUntil(T0 + 60_000);
    const step = h.update("uid-web", deleting(0), T0 + 100_000);
    assert.equal(step.deletePod, true);
    assert.equal(step.status!.phase, "Succeeded");
    assert.equal(step.wakeAt, undefined);
  });

  it("deletes at once a pod whose containers never started, and frees its IP", () => {
    const h = new Harness({ stages: fixedStages(100, 5000) });
    h.add(makePod("web"), T0);
    h.runUntil(T0 + 200);
    const podIP = h.runtimes.get("uid-web")!.podIP!;
    assert.ok(podIP);
    const step = h.update("uid-web", deleting(30), T0 + 300);
    assert.equal(step.deletePod, true);
    assert.equal(step.status, undefined);
    assert.equal(step.wakeAt, undefined);
    h.ips.reserve("next", podIP);
  });

  it("deletes at once a pod first seen already deleted, without admitting it", () => {
    const h = new Harness();
    const step = h.add(deleting(30)(makePod("gone")), T0);
    assert.equal(step.deletePod, true);
    assert.equal(step.status, undefined);
    assert.equal(h.admissions, 0);
    const later = h.update("uid-gone", (pod) => pod, T0 + 10);
    assert.deepEqual([later.status, later.deletePod, later.wakeAt], [undefined, undefined, undefined]);
  });

  it("deletes at once a pod that already finished", () => {
    const h = new Harness();
    h.add(makePod("job", { restartPolicy: "Never" }), T0);
    h.runUntil(T0 + 600_000);
    assert.equal(h.status("uid-job").phase, "Succeeded");
    const step = h.update("uid-job", deleting(30), T0 + 700_000);
    assert.equal(step.deletePod, true);
    assert.equal(step.status, undefined);
  });

  it("records a crash-looping container that is not running at stop as the kubelet does", () => {
    const h = new Harness();
    h.add(makePod("crash", {}, { "kubemark.io/fail": "app", "kubemark.io/run-time": "1s" }), T0);
    h.runUntil(T0 + 4000);
    assert.equal(container(h.status("uid-crash"), "app").state!.waiting!.reason, "CrashLoopBackOff");
    const step = h.update("uid-crash", deleting(0), T0 + 4500);
    const terminated = container(step.status!, "app").state!.terminated!;
    assert.deepEqual([terminated.exitCode, terminated.reason], [137, "ContainerStatusUnknown"]);
    assert.equal(step.status!.phase, "Failed");
    assert.equal(step.deletePod, true);
  });

  it("releases the IP when the driver forgets the pod", () => {
    const h = new Harness();
    h.add(makePod("web"), T0);
    h.runUntil(T0 + 60_000);
    const podIP = h.status("uid-web").podIP!;
    assert.throws(() => h.ips.reserve("next", podIP));
    h.lifecycle.forget("uid-web", h.ctx);
    h.ips.reserve("next", podIP);
  });
});

describe("adoption after a hollow kubelet restart", () => {
  it("keeps a running pod as it is: no restart, no write, same IP", () => {
    const before = new Harness();
    before.add(makePod("web"), T0);
    before.runUntil(T0 + 60_000);
    const pod = before.pods.get("uid-web")!;

    const after = new Harness({ rand: seededRand(99) });
    const step = after.add(structuredClone(pod), T0 + 120_000);
    assert.equal(step.status, undefined);
    assert.equal(step.wakeAt, undefined);
    assert.equal(step.runtime.state, "ContainersRunning");
    assert.equal(after.admissions, 0);
    assert.notEqual(after.ips.allocate("new-pod"), pod.status!.podIP);
    assert.throws(() => after.ips.reserve("new-pod-2", pod.status!.podIP!), /already held by pod uid-web/);
    assert.equal(after.update("uid-web", (p) => p, T0 + 130_000).status, undefined);
  });

  it("keeps restart counts and finishes what is left of a Job's run time", () => {
    const before = new Harness();
    before.add(makePod("job", { restartPolicy: "Never" }, { "kubemark.io/run-time": "10s" }), T0);
    before.runUntil(T0 + 4000);
    const pod = before.pods.get("uid-job")!;
    const startedAt = Date.parse(container(pod.status!, "app").state!.running!.startedAt!);

    const after = new Harness();
    const step = after.add(structuredClone(pod), T0 + 6000);
    assert.equal(step.status, undefined);
    assert.equal(step.wakeAt, startedAt + 10_000);
    after.runUntil(T0 + 60_000);
    assert.equal(after.status("uid-job").phase, "Succeeded");
    assert.equal(container(after.status("uid-job"), "app").restartCount, 0);
  });

  it("continues a crash loop from the restart count it finds", () => {
    // Running at 0.3 s; exits every second; restarts at 1.3 s, 12.3 s (10 s back-off), 33.3 s (20 s).
    const before = new Harness({ stages: fixedStages(100, 200) });
    before.add(
      makePod(
        "crash",
        { restartPolicy: "OnFailure" },
        { "kubemark.io/fail": "app", "kubemark.io/run-time": "1s" },
      ),
      T0,
    );
    before.runUntil(T0 + 33_800);
    const pod = before.pods.get("uid-crash")!;
    const found = container(pod.status!, "app");
    assert.equal(found.restartCount, 3);
    assert.ok(found.state!.running);

    const after = new Harness();
    const step = after.add(structuredClone(pod), T0 + 33_900);
    assert.equal(step.status, undefined, "the status is already right");
    assert.equal(step.wakeAt, Date.parse(found.state!.running!.startedAt!) + 1000);
    const [exit] = after.runUntil(T0 + 35_000);
    const next = container(exit!.step.status!, "app");
    assert.equal(
      next.restartCount,
      4,
      "the back-off was lost with the old kubelet, so the restart is immediate",
    );
    assert.ok(next.state!.running);
    assert.equal(next.lastState!.terminated!.startedAt, found.state!.running!.startedAt);
  });

  it("leaves a finished pod alone until it is deleted", () => {
    const before = new Harness();
    before.add(makePod("job", { restartPolicy: "Never" }), T0);
    before.runUntil(T0 + 60_000);
    const pod = before.pods.get("uid-job")!;

    const after = new Harness();
    const step = after.add(structuredClone(pod), T0 + 120_000);
    assert.equal(step.status, undefined);
    assert.equal(step.wakeAt, undefined);
    assert.equal(occupiesNode(step.runtime), false);
    assert.equal(after.ips.allocate("x"), "10.64.3.2", "a finished pod holds no IP");
    const deletion = after.update(
      "uid-job",
      (p) => ({ ...p, metadata: { ...p.metadata, deletionTimestamp: "x" } }),
      T0 + 130_000,
    );
    assert.equal(deletion.deletePod, true);
  });
});

describe("readiness gates", () => {
  it("keeps Ready False until every gate's condition is True, and keeps others' conditions", () => {
    const h = new Harness();
    h.add(makePod("gated", { readinessGates: [{ conditionType: "example.com/lb" }] }), T0);
    h.runUntil(T0 + 60_000);
    let status = h.status("uid-gated");
    assert.equal(condition(status, "ContainersReady").status, "True");
    assert.deepEqual(
      [
        condition(status, "Ready").status,
        condition(status, "Ready").reason,
        condition(status, "Ready").message,
      ],
      [
        "False",
        "ReadinessGatesNotReady",
        'corresponding condition of pod readiness gate "example.com/lb" does not exist.',
      ],
    );

    const setGate =
      (value: "True" | "False") =>
      (pod: Pod): Pod => {
        const others = pod.status!.conditions!.filter((c) => c.type !== "example.com/lb");
        return {
          ...pod,
          status: { ...pod.status, conditions: [{ type: "example.com/lb", status: value }, ...others] },
        };
      };
    const gateFalse = h.update("uid-gated", setGate("False"), T0 + 61_000);
    assert.equal(
      condition(gateFalse.status!, "Ready").message,
      'the status of pod readiness gate "example.com/lb" is not "True", but False',
    );
    const gateTrue = h.update("uid-gated", setGate("True"), T0 + 62_000);
    status = gateTrue.status!;
    assert.equal(condition(status, "Ready").status, "True");
    assert.equal(condition(status, "Ready").lastTransitionTime, "2026-01-02T03:05:07Z");
    assert.equal(condition(status, "example.com/lb").status, "True");
    assert.equal(
      status.conditions![0]!.type,
      "example.com/lb",
      "others' conditions come first, as the kubelet writes them",
    );
  });
});

describe("stage tables", () => {
  it("accepts the default table", () => {
    assert.equal(validateStages(structuredClone(DEFAULT_STAGES)).length, DEFAULT_STAGES.length);
  });

  it("names the stage and the field that is wrong", () => {
    const stage = (override: object) => ({
      name: "boot",
      from: "Admitted",
      to: "SandboxReady",
      delay: { fixedMs: 1 },
      ...override,
    });
    const cases: Array<[unknown, RegExp]> = [
      [[], /stage table must be a non-empty array/],
      [
        [stage({ from: "Nowhere" })],
        /^Error: stage "boot": from must be one of Admitted, .* \(got "Nowhere"\)$/,
      ],
      [[stage({ to: "Admitted" })], /stage "boot": to must be one of SandboxReady/],
      [
        [stage({ delay: { distribution: "lognormal", medianMs: -1, sigma: 0.3 } })],
        /stage "boot": delay\.medianMs must be a positive number \(got -1\)/,
      ],
      [
        [stage({ delay: { distribution: "uniform", minMs: 5, maxMs: 1 } })],
        /stage "boot": delay\.maxMs must not be below delay\.minMs/,
      ],
      [
        [stage({ delay: { distribution: "gamma" } })],
        /stage "boot": delay needs fixedMs, use, or distribution/,
      ],
      [
        [stage({ delay: { use: "forever" } })],
        /stage "boot": delay\.use must be runTime, backOff or gracePeriod/,
      ],
      [[stage({ delay: { fixedMs: 1, meanMs: 2 } })], /stage "boot": delay\.meanMs is not allowed here/],
      [[stage({ when: { colour: true } })], /stage "boot": when\.colour is not a known fact/],
      [[stage({ when: { failed: "yes" } })], /stage "boot": when\.failed must be true or false/],
      [
        [stage({ when: { restartPolicy: ["Sometimes"] } })],
        /stage "boot": when\.restartPolicy must be a list/,
      ],
      [[stage({}), stage({})], /stage "boot": name is used by an earlier stage/],
      [[stage({}), { from: "Admitted" }], /stage #2: name must be a non-empty string/],
      [[stage({ after: 3 })], /stage "boot": after is not a stage field/],
    ];
    for (const [input, expected] of cases) assert.throws(() => validateStages(input), expected);
    assert.throws(
      () => new PodLifecycle({ rand: Math.random, stages: [stage({ to: "Nowhere" })] as never }),
      /stage "boot": to/,
    );
  });

  it("reports a table that loops without delay", () => {
    const looping: Stage[] = [
      { name: "boot", from: "Admitted", delay: { fixedMs: 0 }, to: "SandboxReady" },
      { name: "start", from: "SandboxReady", delay: { fixedMs: 0 }, to: "ContainersRunning" },
      { name: "again", from: "ContainersRunning", delay: { fixedMs: 0 }, to: "ContainersRunning" },
    ];
    const h = new Harness({ stages: looping });
    assert.throws(() => h.add(makePod("web"), T0), /stage "again" keeps firing without delay/);
  });

  it("samples delays from their distributions", () => {
    const sequence =
      (...values: number[]) =>
      () =>
        values.shift()!;
    const named = { runTime: 5000, backOff: 10_000, gracePeriod: 1000 };
    assert.equal(sampleDelay({ fixedMs: 100, jitterMs: 50 }, sequence(0.5), named), 125);
    assert.equal(
      sampleDelay({ distribution: "uniform", minMs: 100, maxMs: 300 }, sequence(0.25), named),
      150,
    );
    assert.equal(
      sampleDelay({ distribution: "lognormal", medianMs: 400, sigma: 0.3 }, sequence(0.3, 0.25), named),
      400,
    );
    assert.equal(
      sampleDelay({ distribution: "exponential", meanMs: 1000 }, sequence(1 - Math.exp(-2)), named),
      2000,
    );
    assert.equal(
      sampleDelay({ distribution: "exponential", meanMs: 1000, maxMs: 1500 }, sequence(0.99), named),
      1500,
    );
    assert.equal(sampleDelay({ use: "backOff" }, sequence(), named), 10_000);
  });
});

describe("durations", () => {
  it("parses Go durations and prints whole seconds like Go", () => {
    assert.equal(parseGoDuration("30s"), 30_000);
    assert.equal(parseGoDuration("1m30s"), 90_000);
    assert.equal(parseGoDuration("1.5h"), 5_400_000);
    assert.equal(parseGoDuration("250ms"), 250);
    assert.equal(parseGoDuration("0"), 0);
    assert.equal(parseGoDuration("30"), undefined);
    assert.equal(parseGoDuration("soon"), undefined);
    assert.deepEqual(
      [10, 80, 160, 300, 3600].map((s) => formatGoSeconds(s * 1000)),
      ["10s", "1m20s", "2m40s", "5m0s", "1h0m0s"],
    );
  });

  it("falls back to the default run time when the annotation is not a duration", () => {
    const h = new Harness();
    h.add(makePod("job", { restartPolicy: "Never" }, { "kubemark.io/run-time": "a while" }), T0);
    h.runUntil(T0 + 600_000);
    const started = firstWrite(h, "uid-job", (s) => s.phase === "Running").at;
    assert.equal(firstWrite(h, "uid-job", (s) => s.phase === "Succeeded").at, started + 5000);
  });
});
