import { ApiError, type KubeClient } from "../../client/kube-client.js";
import type { Pod, PodStatus } from "../../client/types.js";
import type { Clock } from "../../util/clock.js";
import type { TimerId, TimerQueue } from "../../util/timer-queue.js";
import { admitPod, NodeAllocation, type AdmittedPod } from "../pods/admission.js";
import { PodIPAllocator } from "../pods/ip-allocator.js";
import { heldRequests } from "../pods/resources.js";
import {
  occupiesNode,
  type PodLifecycle,
  type PodNodeContext,
  type PodRuntime,
  type Step,
} from "../pods/machine.js";
import type { HollowNodeConfig } from "../node-config.js";
import type { NodeImages } from "./node-images.js";
import type { ReferencedObjectWatches } from "./referenced-objects.js";
import { mergePodStatus, podStatusPatch } from "./status-patch.js";

interface TrackedPod extends AdmittedPod {
  pod: Pod;
  runtime: PodRuntime;
  timer?: TimerId;
  /** This pod's API writes, in order: a status must land before the DELETE that follows it. */
  writes: Promise<void>;
  /** The newest status wanted; a retried write sends this, never an older one. */
  latestStatus?: PodStatus;
  /** The status last written: the server holds it even while the watch has not yet delivered its echo. */
  acked?: PodStatus;
  /** The status manager's next attempt after a failed status write, unless the node syncs statuses first. */
  resync?: TimerId;
}

/**
 * The kubelet's status manager resyncs a status it failed to write this often (syncPeriod), or sooner: at the
 * node's next status change, of this pod or any other. Under load the first write often meets a 403: the
 * Node authorizer has not yet seen the pod bound to this node.
 */
const STATUS_RESYNC_MS = 10_000;
/** Other failed writes (DELETE, token requests) are retried with back-off, up to this delay. */
const RETRY_INITIAL_MS = 500;
const RETRY_MAX_MS = 10_000;

export interface PodDriverDeps {
  client: KubeClient;
  lifecycle: PodLifecycle;
  timers: TimerQueue;
  clock: Clock;
  cfg: HollowNodeConfig;
  /** The node's spec.podCIDR once the controller-manager has assigned it. */
  podCIDR: () => string | undefined;
  references: ReferencedObjectWatches;
  /** The node's image store: an admitted pod's images are pulled onto it. */
  images: NodeImages;
  log: (message: string) => void;
}

/**
 * Runs the pods bound to one hollow node: feeds watch events and due timers to the lifecycle state
 * machine and carries out each step's writes as the kubelet's status manager does (GET the pod, PATCH
 * its status with the UID as precondition; DELETE with gracePeriodSeconds=0 once stopped).
 */
export class PodDriver {
  private readonly pods = new Map<string, TrackedPod>();
  /** Pods whose newest status failed to write, tried again at the node's next status change. */
  private readonly unsynced = new Set<TrackedPod>();
  /** The pods that count against the node's resources (occupiesNode), for admitting the next one. */
  private readonly allocation = new NodeAllocation();
  private allocator: PodIPAllocator | undefined;
  private readonly ctx: PodNodeContext;

  constructor(private readonly deps: PodDriverDeps) {
    const { cfg } = deps;
    this.ctx = {
      nodeIP: cfg.nodeIP,
      admit: (pod) =>
        admitPod(
          pod,
          { name: cfg.name, labels: cfg.labels, taints: cfg.taints, allocatable: cfg.capacity },
          this.allocation,
        ),
      ips: {
        allocate: (uid) => this.ips().allocate(uid),
        reserve: (uid, ip) => this.ips().reserve(uid, ip),
        release: (uid) => this.ips().release(uid),
      },
    };
  }

  get count(): number {
    return this.pods.size;
  }

  /** Pods by phase as last written, for metrics. */
  phases(): Map<string, number> {
    const out = new Map<string, number>();
    for (const t of this.pods.values()) {
      const phase = t.runtime.written?.phase ?? t.pod.status?.phase ?? "Pending";
      out.set(phase, (out.get(phase) ?? 0) + 1);
    }
    return out;
  }

  /** The pod watch delivered an add or update. */
  upsert(pod: Pod): void {
    const uid = pod.metadata.uid ?? "";
    const tracked = this.pods.get(uid);
    if (tracked) {
      tracked.pod = pod;
      this.apply(tracked, this.deps.lifecycle.observe(pod, tracked.runtime, this.deps.clock.now(), this.ctx));
      return;
    }
    const step = this.deps.lifecycle.observe(pod, undefined, this.deps.clock.now(), this.ctx);
    // Every field from the start: one shape for all tracked pods, and no out-of-object property store each.
    const fresh: TrackedPod = {
      pod,
      requests: heldRequests(pod),
      runtime: step.runtime,
      timer: undefined,
      writes: Promise.resolve(),
      latestStatus: undefined,
      acked: undefined,
      resync: undefined,
    };
    this.pods.set(uid, fresh);
    this.deps.references.addPod(pod);
    if (fresh.runtime.state !== "Rejected") this.deps.images.pull(pod);
    this.apply(fresh, step);
    // After the first status write, as the kubelet mounts volumes once the pod is admitted; by then the
    // Node authorizer has seen the pod bound to this node.
    if (!pod.status?.phase || pod.status.phase === "Pending") this.requestTokens(fresh);
  }

  /** The pod is gone from the API server. */
  remove(pod: Pod): void {
    const uid = pod.metadata.uid ?? "";
    const tracked = this.pods.get(uid);
    if (!tracked) return;
    if (tracked.timer) this.deps.timers.cancel(tracked.timer);
    this.cancelResync(tracked);
    this.unsynced.delete(tracked);
    this.pods.delete(uid);
    this.allocation.release(uid);
    this.deps.lifecycle.forget(uid, this.ctx);
    this.deps.references.removePod(pod);
  }

  /** Waits for every write in flight (a clean stop loses none). */
  async drain(): Promise<void> {
    for (const t of this.pods.values()) {
      if (t.timer) this.deps.timers.cancel(t.timer);
      this.cancelResync(t);
    }
    this.unsynced.clear();
    await Promise.all([...this.pods.values()].map((t) => t.writes));
  }

  /** Made at the first pod, which normally waits for the node's podCIDR (the node is not Ready before). */
  private ips(): PodIPAllocator {
    this.allocator ??= new PodIPAllocator(this.deps.podCIDR() ?? this.deps.cfg.fallbackPodCIDR);
    return this.allocator;
  }

  private apply(tracked: TrackedPod, step: Step): void {
    tracked.runtime = step.runtime;
    // A pod stops counting against the node once terminal or deleted, and never counts again.
    if (occupiesNode(step.runtime)) this.allocation.hold(tracked);
    else this.allocation.release(step.runtime.uid);
    this.arm(tracked, step.wakeAt);
    if (step.status) {
      tracked.latestStatus = step.status;
      this.syncStatuses(tracked);
    }
    if (step.deletePod) this.chain(tracked, () => this.deletePod(tracked.pod));
  }

  /** The pod's one timer, for `wakeAt`. Most steps keep the time already armed, and so the timer. */
  private arm(tracked: TrackedPod, wakeAt: number | undefined): void {
    if (tracked.timer?.atMs === wakeAt) return;
    if (tracked.timer) this.deps.timers.cancel(tracked.timer);
    const uid = tracked.runtime.uid;
    tracked.timer =
      wakeAt === undefined ? undefined : this.deps.timers.schedule(wakeAt, () => this.wake(uid, wakeAt));
  }

  /** The queue may fire a timer a little early (batched passes); the lifecycle then sees its due time. */
  private wake(uid: string, dueMs: number): void {
    const tracked = this.pods.get(uid);
    if (!tracked) return;
    tracked.timer = undefined;
    const now = Math.max(this.deps.clock.now(), dueMs);
    this.apply(tracked, this.deps.lifecycle.wake(tracked.pod, tracked.runtime, now, this.ctx));
  }

  /**
   * A pod's status changed: as the status manager's batch sync, its write is queued and so is every write
   * that failed before on this node.
   */
  private syncStatuses(changed: TrackedPod): void {
    this.queueStatusWrite(changed);
    for (const tracked of this.unsynced) this.queueStatusWrite(tracked);
  }

  /**
   * Queues a write of the newest status behind the pod's earlier writes. It supersedes a pending resync; if
   * it fails (other than the pod being gone or replaced), the status is written again at the node's next
   * status change or after STATUS_RESYNC_MS, as the kubelet's status manager does.
   */
  private queueStatusWrite(tracked: TrackedPod): void {
    this.cancelResync(tracked);
    this.unsynced.delete(tracked);
    tracked.writes = tracked.writes
      .then(() => this.writeStatus(tracked))
      .then(
        () => this.cancelResync(tracked),
        (err: Error) => {
          if (!this.stillWanted(tracked, err) || tracked.resync) return;
          this.deps.log(
            `pod ${podName(tracked.pod)}: ${err.message}; writing it again within ${STATUS_RESYNC_MS / 1000}s`,
          );
          this.unsynced.add(tracked);
          tracked.resync = this.deps.timers.schedule(this.deps.clock.now() + STATUS_RESYNC_MS, () => {
            tracked.resync = undefined;
            if (this.isTracked(tracked)) this.queueStatusWrite(tracked);
          });
        },
      );
  }

  private cancelResync(tracked: TrackedPod): void {
    if (tracked.resync) this.deps.timers.cancel(tracked.resync);
    tracked.resync = undefined;
  }

  /** Whether a failed write is worth another go: the pod is not gone or replaced, and still tracked. */
  private stillWanted(tracked: TrackedPod, err: Error): boolean {
    if (err instanceof ApiError && (err.status === 404 || err.status === 409)) return false;
    return this.isTracked(tracked);
  }

  /** The pod is still on this node, as this very record (not removed, not replaced under its uid). */
  private isTracked(tracked: TrackedPod): boolean {
    return this.pods.get(tracked.runtime.uid) === tracked;
  }

  /**
   * Queues a write behind the pod's earlier ones. A failure other than the pod being gone or replaced
   * (404, 409) is retried with back-off while the pod is still tracked: an API server restart loses nothing.
   */
  private chain(tracked: TrackedPod, write: () => Promise<void>, attempt = 0): void {
    tracked.writes = tracked.writes.then(write).catch((err: Error) => {
      if (!this.stillWanted(tracked, err)) return;
      const delay = Math.min(RETRY_INITIAL_MS * 2 ** attempt, RETRY_MAX_MS);
      if (attempt === 0) this.deps.log(`pod ${podName(tracked.pod)}: ${err.message}; retrying`);
      this.deps.timers.schedule(this.deps.clock.now() + delay, () => {
        if (this.isTracked(tracked)) this.chain(tracked, write, attempt + 1);
      });
    });
  }

  /**
   * As the kubelet's status manager: GET the pod, then PATCH a strategic merge patch from the status the
   * server holds to the one wanted, with the UID as precondition; no PATCH when nothing differs.
   */
  private async writeStatus(tracked: TrackedPod): Promise<void> {
    const pod = tracked.pod;
    const path = podPath(pod);
    // The GET is sent for the master's sake: the watch and our last write already say what the server holds.
    await this.deps.client.get(path, { discardBody: true });
    const wanted = mergePodStatus(tracked.pod.status, tracked.latestStatus!);
    const patch = podStatusPatch([tracked.pod.status, tracked.acked], wanted);
    if (patch)
      await this.deps.client.patch(
        `${path}/status`,
        { metadata: { uid: pod.metadata.uid }, status: patch },
        "strategic",
        { discardBody: true },
      );
    tracked.acked = wanted;
  }

  private async deletePod(pod: Pod): Promise<void> {
    await this.deps.client.delete(podPath(pod), {
      discardBody: true,
      body: {
        apiVersion: "v1",
        kind: "DeleteOptions",
        gracePeriodSeconds: 0,
        preconditions: { uid: pod.metadata.uid },
      },
    });
  }

  /** Projected service-account tokens: the kubelet asks for one per pod before starting it. */
  private requestTokens(tracked: TrackedPod): void {
    const pod = tracked.pod;
    const sources = (pod.spec.volumes ?? [])
      .flatMap((v) => v.projected?.sources ?? [])
      .filter((s) => "serviceAccountToken" in s);
    if (sources.length === 0) return;
    const sa = (pod.spec.serviceAccountName as string | undefined) ?? "default";
    for (const source of sources) {
      const token = (source as { serviceAccountToken: { audience?: string; expirationSeconds?: number } })
        .serviceAccountToken;
      this.chain(tracked, async () => {
        await this.deps.client.create(
          `/api/v1/namespaces/${pod.metadata.namespace}/serviceaccounts/${sa}/token`,
          {
            apiVersion: "authentication.k8s.io/v1",
            kind: "TokenRequest",
            metadata: {},
            spec: {
              audiences: token.audience ? [token.audience] : [],
              expirationSeconds: token.expirationSeconds ?? 3607,
              boundObjectRef: {
                apiVersion: "v1",
                kind: "Pod",
                name: pod.metadata.name,
                uid: pod.metadata.uid,
              },
            },
          },
          { discardBody: true },
        );
      });
    }
  }
}

function podPath(pod: Pod): string {
  return `/api/v1/namespaces/${pod.metadata.namespace}/pods/${pod.metadata.name}`;
}

function podName(pod: Pod): string {
  return `${pod.metadata.namespace}/${pod.metadata.name}`;
}
