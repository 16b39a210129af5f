import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { ApiError, type KubeClient } from "../../src/client/kube-client.js";
import type { Pod } from "../../src/client/types.js";
import { NodeImages } from "../../src/hollow/kubelet/node-images.js";
import { PodDriver } from "../../src/hollow/kubelet/pod-driver.js";
import { ReferencedObjectWatches } from "../../src/hollow/kubelet/referenced-objects.js";
import { PodLifecycle } from "../../src/hollow/pods/machine.js";
import { createRandom } from "../../src/util/random.js";
import { FakeClock } from "../../src/util/fake-clock.js";
import { TimerQueue } from "../../src/util/timer-queue.js";
import { hollowNodeConfig } from "../support/hollow-node.js";

const NODE = "hollow-node-1";

interface Sent {
  at: number;
  verb: string;
  phase?: string;
}

/**
 * The API calls a PodDriver makes, recorded on a fake clock. `forbidGets` GETs answer 403, as the Node
 * authorizer does before it has seen the pod bound to the node.
 */
class FakeApi {
  readonly sent: Sent[] = [];
  forbidGets = 0;

  /** The calls so far, a status PATCH with the phase it writes: "GET", "PATCH Running", ... */
  calls(): string[] {
    return this.sent.map((s) => `${s.verb}${s.phase ? ` ${s.phase}` : ""}`);
  }

  constructor(private readonly clock: FakeClock) {}

  readonly client = {
    get: async () => {
      this.sent.push({ at: this.clock.now(), verb: "GET" });
      if (this.forbidGets > 0) {
        this.forbidGets--;
        throw new ApiError(403, "Forbidden", "pods is forbidden: no relationship found");
      }
    },
    patch: async (_path: string, body: { status: { phase?: string } }) => {
      this.sent.push({ at: this.clock.now(), verb: "PATCH", phase: body.status.phase });
    },
    delete: async () => {
      this.sent.push({ at: this.clock.now(), verb: "DELETE" });
    },
  } as unknown as KubeClient;
}

function setup(cpu: string) {
  const clock = new FakeClock(Date.UTC(2026, 0, 2, 3, 4, 5));
  const api = new FakeApi(clock);
  const driver = new PodDriver({
    client: api.client,
    lifecycle: new PodLifecycle({ rand: createRandom(7) }),
    timers: new TimerQueue({ clock }),
    clock,
    cfg: hollowNodeConfig(NODE),
    podCIDR: () => "10.64.1.0/24",
    references: new ReferencedObjectWatches(api.client),
    images: new NodeImages(),
    log: () => {},
  });
  const pod: Pod = {
    metadata: { name: "p", namespace: "default", uid: "uid-1", resourceVersion: "1" },
    spec: {
      nodeName: NODE,
      containers: [{ name: "c", image: "pause", resources: { requests: { cpu } } }],
    },
  };
  return { clock, api, driver, pod };
}

/** Lets the driver's promise chains run, then moves the clock on by `ms`. */
async function elapse(clock: FakeClock, ms: number): Promise<void> {
  for (let step = 0; step < ms; step += 100) {
    await new Promise((resolve) => setImmediate(resolve));
    clock.advance(Math.min(100, ms - step));
  }
  await new Promise((resolve) => setImmediate(resolve));
}

describe("pod driver status writes", () => {
  it("sends the newer status after a forbidden GET instead of retrying the older one", async () => {
    const { clock, api, driver, pod } = setup("100m");
    api.forbidGets = 1;
    driver.upsert(pod);
    await elapse(clock, 9_000);
    // The Pending status is never sent: the Running one supersedes it, as in the kubelet's status manager.
    assert.deepEqual(api.calls(), ["GET", "GET", "PATCH Running"]);
    assert.ok(api.sent[1].at - api.sent[0].at > 500, "the first write is not retried at once");
  });

  it("writes a status again after 10 s when nothing newer comes", async () => {
    // Too big for the node: rejected, and then nothing changes.
    const { clock, api, driver, pod } = setup("2");
    api.forbidGets = 1;
    driver.upsert(pod);
    await elapse(clock, 9_900);
    assert.deepEqual(api.calls(), ["GET"]);
    await elapse(clock, 200);
    assert.deepEqual(api.calls(), ["GET", "GET", "PATCH Failed"]);
    assert.equal(api.sent[1].at - api.sent[0].at, 10_000);
    await elapse(clock, 30_000);
    assert.equal(api.sent.length, 3, "a written status is not written again");
  });

  it("writes a failed status again at the node's next status change, of any pod", async () => {
    const { clock, api, driver, pod } = setup("2");
    api.forbidGets = 1;
    driver.upsert(pod);
    await elapse(clock, 2_000);
    assert.deepEqual(api.calls(), ["GET"]);
    const other = structuredClone(pod);
    other.metadata = { ...other.metadata, name: "q", uid: "uid-2" };
    other.spec.containers[0].resources = { requests: { cpu: "100m" } };
    driver.upsert(other);
    await elapse(clock, 0);
    const rejected = api.sent.find((s) => s.phase === "Failed");
    assert.ok(rejected, `the rejected pod's status was written again: ${JSON.stringify(api.sent)}`);
    assert.equal(rejected.at, api.sent[0].at + 2_000, "with the other pod's first status, not 10 s later");
    assert.ok(api.sent.some((s) => s.phase === "Pending"));
  });
});

describe("pod driver admission", () => {
  it("counts a pod against the node while it runs, and not once it has finished", async () => {
    const { clock, api, driver, pod } = setup("1");
    const another = (name: string): Pod => ({
      ...pod,
      metadata: { ...pod.metadata, name, uid: `uid-${name}` },
    });
    driver.upsert({ ...pod, spec: { ...pod.spec, restartPolicy: "Never" } });
    await elapse(clock, 3_000);
    driver.upsert(another("q"));
    await elapse(clock, 1_000);
    assert.deepEqual(
      api.sent.filter((s) => s.phase === "Failed").length,
      1,
      "rejected: the node's one CPU is taken",
    );
    await elapse(clock, 10_000);
    assert.ok(
      api.sent.some((s) => s.phase === "Succeeded"),
      "the first pod ran to completion",
    );
    driver.upsert(another("r"));
    await elapse(clock, 10_000);
    assert.equal(api.sent.filter((s) => s.phase === "Running").length, 2, "admitted once the CPU is free");
  });
});
