import { ApiError, type KubeClient } from "../../client/kube-client.js";
import { Informer } from "../../client/informer.js";
import { Reflector, type ReflectorStats } from "../../client/reflector.js";
import type { Node, Pod } from "../../client/types.js";
import type { Clock } from "../../util/clock.js";
import type { Random } from "../../util/random.js";
import type { TimerQueue } from "../../util/timer-queue.js";
import { node as nodeSchema, watchedPod } from "../../client/protobuf/core-v1.js";
import { requestCodec, watchCodec, watchOnlyCodec } from "../codecs.js";
import type { HollowMetrics } from "../metrics.js";
import { registrationObject, type HollowNodeConfig } from "../node-config.js";
import type { PodLifecycle } from "../pods/machine.js";
import { HollowProblemDetector, parseProblems, type NodeProblems } from "../problem-detector.js";
import { LEASE_RENEW_INTERVAL_MS, NodeLease } from "./node-lease.js";
import { NodeImages } from "./node-images.js";
import { NODE_STATUS_UPDATE_FREQUENCY_MS, NodeStatusReporter } from "./node-status.js";
import { Periodic } from "./periodic.js";
import { PodDriver } from "./pod-driver.js";
import { ReferencedObjectWatches } from "./referenced-objects.js";

/** The kubelet's JitterUntil factor for its status and lease loops. */
const LOOP_JITTER = 0.04;
/** Without a podCIDR from the master this long after registering, the node uses its fallback range. */
const POD_CIDR_WAIT_MS = 10_000;

export interface HollowKubeletDeps {
  cfg: HollowNodeConfig;
  /** Authenticated as system:node:<name>, rate-limited as the kubelet's main client. */
  client: KubeClient;
  lifecycle: PodLifecycle;
  timers: TimerQueue;
  clock: Clock;
  rand: Random;
  metrics: HollowMetrics;
  log: (message: string) => void;
  /** Shared-watch mode: the process's one pod watch feeds this node; otherwise it opens its own. */
  sharedPods?: { subscribe(nodeName: string, driver: PodDriver): void; unsubscribe(nodeName: string): void };
}

/**
 * One hollow kubelet: registers its Node, renews its Lease, reports node status, and runs the pods bound
 * to it, with the watches a real kubelet opens (its pods, its Node, Services, RuntimeClasses, CSIDrivers,
 * PodCertificateRequests, and each Secret/ConfigMap its pods reference).
 */
export class HollowKubelet {
  private node: Node | undefined;
  /** From the Node once the controller-manager has assigned one; the node's pod IPs come from it. */
  private podCIDR: string | undefined;
  private registeredAt = 0;
  private problems: NodeProblems = { notReady: false, conditions: new Set() };
  private readonly lease: NodeLease;
  private readonly status: NodeStatusReporter;
  private readonly npd: HollowProblemDetector;
  private readonly references: ReferencedObjectWatches;
  private readonly images = new NodeImages();
  readonly pods: PodDriver;
  private readonly leaseLoop: Periodic;
  private readonly statusLoop: Periodic;
  private readonly nodeInformer: Informer<Node>;
  private readonly podInformer: Informer<Pod> | undefined;
  private readonly backgroundWatches: Reflector<never>[];

  constructor(private readonly deps: HollowKubeletDeps) {
    const { cfg, client, timers, clock, rand } = deps;
    this.lease = new NodeLease(client, cfg.name, () => this.node?.metadata.uid);
    this.status = new NodeStatusReporter(
      client,
      cfg,
      () => this.networkReady(),
      () => this.images.list(),
      (node) => this.learnPodCIDR(node),
    );
    this.npd = new HollowProblemDetector(client, cfg.name);
    this.references = new ReferencedObjectWatches(client);
    this.pods = new PodDriver({
      client,
      lifecycle: deps.lifecycle,
      timers,
      clock,
      cfg,
      podCIDR: () => this.podCIDR,
      references: this.references,
      images: this.images,
      log: deps.log,
    });
    this.leaseLoop = new Periodic(timers, clock, rand, LEASE_RENEW_INTERVAL_MS, LOOP_JITTER, (late) =>
      this.renewLease(late),
    );
    this.statusLoop = new Periodic(timers, clock, rand, NODE_STATUS_UPDATE_FREQUENCY_MS, LOOP_JITTER, () =>
      this.syncStatus(),
    );
    this.nodeInformer = new Informer<Node>({
      client,
      path: "/api/v1/nodes",
      fieldSelector: `metadata.name=${cfg.name}`,
      codec: watchCodec<Node>(client, nodeSchema),
      clock,
      rand,
      onError: (e) => deps.log(`node watch: ${e.message}`),
    }).on({
      add: (n) => this.onNode(n),
      update: (n) => this.onNode(n),
    });
    if (!deps.sharedPods) {
      this.podInformer = new Informer<Pod>({
        client,
        path: "/api/v1/pods",
        fieldSelector: `spec.nodeName=${cfg.name}`,
        codec: watchCodec<Pod>(client, watchedPod),
        clock,
        rand,
        onError: (e) => deps.log(`pod watch: ${e.message}`),
      }).on({
        add: (p) => this.pods.upsert(p),
        update: (p) => this.pods.upsert(p),
        delete: (p) => this.pods.remove(p),
      });
    }
    const watchOnly = (path: string, fieldSelector?: string) =>
      new Reflector<never>({
        client,
        path,
        fieldSelector,
        codec: watchOnlyCodec(client),
        clock,
        rand,
        onList: () => {},
        onEvent: () => {},
      });
    this.backgroundWatches = [
      watchOnly("/api/v1/services", "spec.clusterIP!=None"),
      watchOnly("/apis/node.k8s.io/v1/runtimeclasses"),
      watchOnly("/apis/storage.k8s.io/v1/csidrivers"),
      // The podCertificate projected-volume source's requests for this node's pods.
      watchOnly("/apis/certificates.k8s.io/v1/podcertificaterequests", `spec.nodeName=${cfg.name}`),
    ];
  }

  get name(): string {
    return this.deps.cfg.name;
  }

  get ready(): boolean {
    return this.node !== undefined && this.networkReady() && !this.problems.notReady;
  }

  /** Every watch this kubelet holds open: its own, its pods' Secrets and ConfigMaps. */
  watchStats(): ReflectorStats[] {
    return [
      this.nodeInformer.stats,
      ...(this.podInformer ? [this.podInformer.stats] : []),
      ...this.backgroundWatches.map((w) => w.stats),
      ...this.references.stats(),
    ];
  }

  async start(): Promise<void> {
    this.node = await this.register();
    this.learnPodCIDR(this.node);
    this.registeredAt = this.deps.clock.now();
    this.images.adopt(this.node.status?.images ?? []);
    this.problems = parseProblems(this.node);
    this.leaseLoop.start();
    this.statusLoop.start();
    this.nodeInformer.start();
    if (this.deps.sharedPods) this.deps.sharedPods.subscribe(this.name, this.pods);
    else this.podInformer!.start();
    for (const w of this.backgroundWatches) w.start();
    // Once the podCIDR wait is over the node is Ready even without one; report that promptly.
    this.deps.timers.schedule(this.registeredAt + POD_CIDR_WAIT_MS, () => this.statusLoop.kick());
  }

  /** Stops every loop and watch, after the writes in flight have finished. */
  async stop(): Promise<void> {
    this.nodeInformer.stop();
    this.podInformer?.stop();
    this.deps.sharedPods?.unsubscribe(this.name);
    for (const w of this.backgroundWatches) w.stop();
    this.references.stop();
    await Promise.all([this.leaseLoop.stop(), this.statusLoop.stop(), this.pods.drain()]);
  }

  /** Creates the Node, or adopts the one a previous run of this node registered. */
  private async register(): Promise<Node> {
    const { client, cfg } = this.deps;
    const codec = requestCodec<Node>(client, nodeSchema);
    try {
      return await client.requestObject(
        "POST",
        "/api/v1/nodes",
        codec,
        registrationObject(cfg, this.deps.clock.now()),
      );
    } catch (err) {
      if (err instanceof ApiError && err.status === 409)
        return client.requestObject("GET", `/api/v1/nodes/${this.name}`, codec, undefined);
      throw err;
    }
  }

  private networkReady(): boolean {
    return this.podCIDR !== undefined || this.deps.clock.now() - this.registeredAt >= POD_CIDR_WAIT_MS;
  }

  /**
   * Keeps the Node's podCIDR once one is seen, from the node watch or the status loop's read, as the kubelet
   * keeps it in its runtime state: an older Node delivered later does not take it away. Whether it is new.
   */
  private learnPodCIDR(node: Node): boolean {
    if (this.podCIDR !== undefined || !node.spec?.podCIDR) return false;
    this.podCIDR = node.spec.podCIDR;
    return true;
  }

  private onNode(node: Node): void {
    const before = this.problems;
    this.node = node;
    this.problems = parseProblems(node);
    const problemsChanged =
      before.notReady !== this.problems.notReady ||
      [...before.conditions].sort().join() !== [...this.problems.conditions].sort().join();
    if (problemsChanged)
      this.deps.log(`node problems now: ${node.metadata.annotations?.["kubemark.io/problem"] || "none"}`);
    if (this.learnPodCIDR(node) || problemsChanged) this.statusLoop.kick();
  }

  private async renewLease(lateMs: number): Promise<void> {
    if (this.problems.notReady) return;
    this.deps.metrics.leaseLateness.observe(lateMs / 1000);
    try {
      await this.lease.renew(this.deps.clock.now());
    } catch (err) {
      this.deps.metrics.leaseFailures.inc();
      this.deps.log(`lease renewal failed: ${(err as Error).message}`);
    }
  }

  private async syncStatus(): Promise<void> {
    if (this.problems.notReady || !this.node) return;
    try {
      await this.status.sync(this.nodeInformer.get(this.name), () => this.deps.clock.now());
      await this.npd.sync(this.node, this.problems, this.deps.clock.now());
    } catch (err) {
      this.deps.log(`node status update failed: ${(err as Error).message}`);
    }
  }
}
