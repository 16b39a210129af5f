import assert from "node:assert/strict";
import { describe, it } from "node:test";

import type { ContainerStatus, PodCondition, PodStatus } from "../../src/client/types.js";
import { mergePodStatus, podStatusPatch } from "../../src/hollow/kubelet/status-patch.js";

const T0 = "2026-01-02T03:04:05Z";
const T1 = "2026-01-02T03:04:07Z";

function condition(type: string, status: "True" | "False", at: string, reason?: string): PodCondition {
  return { type, status, lastProbeTime: null, lastTransitionTime: at, ...(reason ? { reason } : {}) };
}

const waiting: ContainerStatus = {
  name: "app",
  state: { waiting: { reason: "ContainerCreating" } },
  lastState: {},
  ready: false,
  restartCount: 0,
  image: "registry.k8s.io/pause:3.10",
  imageID: "",
  started: false,
};

const running: ContainerStatus = {
  ...waiting,
  state: { running: { startedAt: T1 } },
  ready: true,
  imageID: "registry.k8s.io/pause@sha256:ee6521f290b2168b6e0935a181d4cff9be1ac3f505666ef0e3c98fae8199917a",
  containerID: "containerd://0f4c",
  started: true,
};

/** As the API server returns a pod the kubelet has written Pending: omitted fields absent, zero times null. */
const pending: PodStatus = {
  phase: "Pending",
  conditions: [
    condition("PodReadyToStartContainers", "False", T0),
    condition("Initialized", "True", T0),
    condition("Ready", "False", T0, "ContainersNotReady"),
    condition("ContainersReady", "False", T0, "ContainersNotReady"),
    condition("PodScheduled", "True", T0),
  ],
  hostIP: "10.0.0.1",
  hostIPs: [{ ip: "10.0.0.1" }],
  startTime: T0,
  containerStatuses: [waiting],
  qosClass: "Burstable",
};

const runningStatus: PodStatus = {
  ...pending,
  phase: "Running",
  conditions: [
    condition("PodReadyToStartContainers", "True", T1),
    condition("Initialized", "True", T0),
    condition("Ready", "True", T1),
    condition("ContainersReady", "True", T1),
    condition("PodScheduled", "True", T0),
  ],
  podIP: "10.64.1.2",
  podIPs: [{ ip: "10.64.1.2" }],
  containerStatuses: [running],
};

describe("pod status patch (the kubelet's two-way strategic merge patch)", () => {
  it("sends only what changed: changed fields of changed conditions, new lists whole, container statuses whole", () => {
    assert.deepEqual(podStatusPatch([pending], runningStatus), {
      phase: "Running",
      "$setElementOrder/conditions": [
        { type: "PodReadyToStartContainers" },
        { type: "Initialized" },
        { type: "Ready" },
        { type: "ContainersReady" },
        { type: "PodScheduled" },
      ],
      conditions: [
        { status: "True", lastTransitionTime: T1, type: "PodReadyToStartContainers" },
        { status: "True", lastTransitionTime: T1, reason: null, type: "Ready" },
        { status: "True", lastTransitionTime: T1, reason: null, type: "ContainersReady" },
      ],
      podIP: "10.64.1.2",
      podIPs: [{ ip: "10.64.1.2" }],
      containerStatuses: [running],
    });
  });

  it("leaves out the scheduler's condition from the first write, before anything was written", () => {
    const bound: PodStatus = { phase: "Pending", conditions: [condition("PodScheduled", "True", T0)] };
    const patch = podStatusPatch([bound, undefined], pending)!;
    assert.equal(patch.phase, undefined);
    assert.deepEqual(
      (patch.conditions as PodCondition[]).map((c) => c.type),
      ["PodReadyToStartContainers", "Initialized", "Ready", "ContainersReady"],
    );
    assert.deepEqual(patch.containerStatuses, [waiting]);
  });

  it("sends nothing when the server holds the status already, whatever the encoding left out", () => {
    const asDecoded = {
      ...runningStatus,
      containerStatuses: [{ ...running, lastState: undefined }],
      message: "",
    };
    assert.equal(podStatusPatch([asDecoded], runningStatus), undefined);
  });

  it("nulls a field that went away and deletes a kubelet condition no longer written", () => {
    const held: PodStatus = { ...pending, message: "Pod was rejected: too big" };
    const wanted: PodStatus = { ...pending, conditions: pending.conditions!.slice(1) };
    assert.deepEqual(podStatusPatch([held], wanted), {
      message: null,
      "$setElementOrder/conditions": wanted.conditions!.map(({ type }) => ({ type })),
      conditions: [{ $patch: "delete", type: "PodReadyToStartContainers" }],
    });
  });

  it("merges nothing, and copies nothing, when no other writer's condition is held or wanted", () => {
    assert.equal(mergePodStatus(pending, runningStatus), runningStatus);
    const foreign: PodStatus = { ...runningStatus, conditions: [condition("example.com/old", "False", T0)] };
    assert.deepEqual(mergePodStatus(pending, foreign).conditions, []);
  });

  it("keeps another writer's condition, first, as mergePodStatus does", () => {
    const gate = condition("example.com/gate", "True", T0);
    const held: PodStatus = { ...pending, conditions: [...pending.conditions!, gate] };
    // Computed before the gate's condition was seen, and it carries an old copy of a foreign one.
    const wanted: PodStatus = {
      ...runningStatus,
      conditions: [condition("example.com/old", "False", T0), ...runningStatus.conditions!],
    };
    const merged = mergePodStatus(held, wanted);
    assert.deepEqual(
      merged.conditions!.map((c) => c.type),
      [
        "example.com/gate",
        "PodReadyToStartContainers",
        "Initialized",
        "Ready",
        "ContainersReady",
        "PodScheduled",
      ],
    );
    const patch = podStatusPatch([held], merged)!;
    assert.deepEqual(
      patch["$setElementOrder/conditions"],
      merged.conditions!.map(({ type }) => ({ type })),
    );
    assert.ok(
      !(patch.conditions as PodCondition[]).some((c) => c.type === "example.com/gate"),
      "the unchanged foreign condition is neither sent nor deleted",
    );
  });

  it("sends a field that differs from either status the server may hold", () => {
    // The watch still shows Pending; the Running write landed; the container is waiting again.
    const restarting: PodStatus = { ...runningStatus, containerStatuses: [waiting] };
    const patch = podStatusPatch([pending, runningStatus], restarting)!;
    assert.deepEqual(patch.containerStatuses, [waiting], "differs from the acknowledged write only");
    assert.equal(patch.phase, "Running", "differs from the watch's status only");
  });

  it("sends a merge list's order alone when only its order changed", () => {
    const reordered: PodStatus = { ...pending, conditions: [...pending.conditions!].reverse() };
    assert.deepEqual(podStatusPatch([pending], reordered), {
      "$setElementOrder/conditions": reordered.conditions!.map(({ type }) => ({ type })),
    });
  });

  it("sends an item whole when either status the server may hold lacks it, and deletes one either holds", () => {
    const gate = condition("example.com/gate", "True", T0);
    const watched: PodStatus = { ...pending, conditions: pending.conditions!.slice(1) };
    const written: PodStatus = { ...pending, conditions: [...pending.conditions!, gate] };
    const patch = podStatusPatch([watched, written], pending)!;
    assert.deepEqual(patch.conditions, [
      pending.conditions![0],
      { $patch: "delete", type: "example.com/gate" },
    ]);
  });
});
