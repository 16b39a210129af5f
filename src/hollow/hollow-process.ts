import { readFile } from "node:fs/promises";
import path from "node:path";
import { Http2Connection } from "../client/http2-connection.js";
import { KubeClient } from "../client/kube-client.js";
import { sumStats } from "../client/reflector.js";
import type { ClientIdentity } from "../client/kubeconfig.js";
import { TokenBucketRateLimiter } from "../client/rate-limiter.js";
import type { ResourceList, Taint } from "../client/types.js";
import { realClock, type Clock } from "../util/clock.js";
import { createRandom } from "../util/random.js";
import { batchWakeups } from "../util/wakeup-batching.js";
import { TimerQueue } from "../util/timer-queue.js";
import { HollowKubelet } from "./kubelet/hollow-kubelet.js";
import { HollowMetrics } from "./metrics.js";
import { fallbackPodCIDRFor, kubeletLabels, nodeIPFor, type HollowNodeConfig } from "./node-config.js";
import { PodLifecycle } from "./pods/machine.js";
import type { Stage } from "./pods/stages.js";
import { HollowProxy } from "./proxy/hollow-proxy.js";
import { SharedPodWatch } from "./shared-pod-watch.js";

export interface HollowNodeSpec {
  name: string;
  /** Position in the cluster's node numbering; picks the node IP and fallback podCIDR. */
  index: number;
}

export interface HollowProcessOptions {
  nodes: HollowNodeSpec[];
  /** Server, CA, and the identity used where no per-node certificate exists. */
  identity: ClientIdentity;
  /** Directory of <node>.crt / <node>.key, one kubelet identity per node. */
  nodeCertDir?: string;
  /** kube-proxy's identity; the main identity when absent. */
  proxyIdentity?: ClientIdentity;
  morph: "all" | "kubelet" | "proxy";
  labels: Record<string, string>;
  taints: Taint[];
  capacity: ResourceList;
  instanceType: string;
  kubeletVersion: string;
  qps: number;
  burst: number;
  sharedWatch: boolean;
  /** --kube-api-content-type: what the components ask the API server to encode. */
  mediaType: string;
  stages?: Stage[];
  runTimeMs?: number;
  stopTimeMs?: number;
  seed: number;
  /** Nodes registering at once while starting. */
  startConcurrency?: number;
  /**
   * Handle network events and timers in passes at most this often while busy (batchWakeups); timers then
   * fire up to half of it early, so that on average they are on time. Off when absent.
   */
  batchIntervalMs?: number;
  log: (line: string) => void;
  clock?: Clock;
}

/**
 * kube-proxies per shared connection: their four watches each (80 streams) stay below the 100 concurrent
 * streams the API server allows on one HTTP/2 connection, with room for relists and events.
 */
const PROXIES_PER_CONNECTION = 20;

/**
 * Nodes registering at once. Each start is a few round trips and two TLS handshakes, so it is latency
 * that bounds a start, not this process: 1,000 nodes were Ready in 25-28 s at 100, 29-35 s at 25.
 */
const DEFAULT_START_CONCURRENCY = 100;

/**
 * Many hollow nodes in one process: each with its own client connection, identity, rate limit, watches
 * and loops (fidelity mode), sharing one timer queue, one clock and one metrics registry.
 */
export class HollowProcess {
  readonly metrics = new HollowMetrics(() => this.updateGauges());
  readonly kubelets: HollowKubelet[] = [];
  readonly proxies: HollowProxy[] = [];
  private readonly clients: KubeClient[] = [];
  private readonly sharedConnections: Http2Connection[] = [];
  private proxiesOnConnection = 0;
  private readonly timers: TimerQueue;
  private readonly clock: Clock;
  private shared: SharedPodWatch | undefined;
  private stopBatching: (() => void) | undefined;

  constructor(private readonly opts: HollowProcessOptions) {
    this.clock = opts.clock ?? realClock;
    this.timers = new TimerQueue({
      clock: this.clock,
      keepAlive: true,
      onError: (e) => opts.log(`timer callback failed: ${String(e)}`),
      earlyMs: (opts.batchIntervalMs ?? 0) / 2,
    });
  }

  async start(): Promise<void> {
    const { opts } = this;
    if (opts.batchIntervalMs) this.stopBatching = batchWakeups(opts.batchIntervalMs);
    const rand = createRandom(opts.seed);
    const lifecycle = new PodLifecycle({
      rand,
      stages: opts.stages,
      runTimeMs: opts.runTimeMs,
      stopTimeMs: opts.stopTimeMs,
    });
    if (opts.sharedWatch && opts.morph !== "proxy") {
      this.shared = new SharedPodWatch(
        this.client(opts.identity, "kubemark-shared-pods"),
        this.clock,
        rand,
        opts.log,
      );
      await this.shared.start();
    }
    const queue = [...opts.nodes];
    const startOne = async (spec: HollowNodeSpec) => {
      const log = (m: string) => opts.log(`${spec.name}: ${m}`);
      if (opts.morph !== "proxy") {
        const kubelet = new HollowKubelet({
          cfg: this.nodeConfig(spec),
          client: this.client(
            await this.nodeIdentity(spec.name),
            `kubelet/${opts.kubeletVersion} (linux/amd64) kubemark`,
          ),
          lifecycle,
          timers: this.timers,
          clock: this.clock,
          rand,
          metrics: this.metrics,
          log,
          sharedPods: this.shared,
        });
        this.kubelets.push(kubelet);
        await kubelet.start();
      }
      if (opts.morph !== "kubelet") {
        const proxy = new HollowProxy(
          this.client(
            opts.proxyIdentity ?? opts.identity,
            `kube-proxy/${opts.kubeletVersion} kubemark`,
            this.proxyConnection(),
          ),
          spec.name,
        );
        this.proxies.push(proxy);
        await proxy.start().catch((e: Error) => log(`kube-proxy start: ${e.message}`));
      }
    };
    const worker = async () => {
      for (let spec = queue.shift(); spec; spec = queue.shift()) await startOne(spec);
    };
    const concurrency = opts.startConcurrency ?? DEFAULT_START_CONCURRENCY;
    await Promise.all(Array.from({ length: Math.min(concurrency, queue.length) }, worker));
  }

  /** Stops every node after its writes in flight, then closes the connections. */
  async stop(): Promise<void> {
    this.shared?.stop();
    for (const p of this.proxies) p.stop();
    await Promise.all(this.kubelets.map((k) => k.stop()));
    this.timers.clear();
    this.stopBatching?.();
    for (const c of this.clients) c.close();
    for (const c of this.sharedConnections) c.close();
  }

  private client(identity: ClientIdentity, userAgent: string, connection?: Http2Connection): KubeClient {
    const throttle = new TokenBucketRateLimiter(this.opts.qps, this.opts.burst, this.clock);
    const client = new KubeClient(identity, {
      throttle,
      userAgent,
      onResponse: this.metrics.observe,
      connection,
      preferredMediaType: this.opts.mediaType,
    });
    this.clients.push(client);
    return client;
  }

  /**
   * The connection for the next kube-proxy. Proxies share one identity, so a connection can carry several
   * of them, each still with its own watches and rate limit; a connection per proxy would cost the
   * process about 100 KiB of TLS and HTTP/2 state per node.
   */
  private proxyConnection(): Http2Connection {
    if (this.proxiesOnConnection++ % PROXIES_PER_CONNECTION === 0)
      this.sharedConnections.push(new Http2Connection(this.opts.proxyIdentity ?? this.opts.identity));
    return this.sharedConnections[this.sharedConnections.length - 1];
  }

  private async nodeIdentity(name: string): Promise<ClientIdentity> {
    const dir = this.opts.nodeCertDir;
    if (!dir) return this.opts.identity;
    try {
      const [certPem, keyPem] = await Promise.all([
        readFile(path.join(dir, `${name}.crt`), "utf8"),
        readFile(path.join(dir, `${name}.key`), "utf8"),
      ]);
      return { server: this.opts.identity.server, caPem: this.opts.identity.caPem, certPem, keyPem };
    } catch (err) {
      throw new Error(`no identity for node ${name} in ${dir}: ${(err as Error).message}`);
    }
  }

  private nodeConfig(spec: HollowNodeSpec): HollowNodeConfig {
    const o = this.opts;
    return {
      name: spec.name,
      nodeIP: nodeIPFor(spec.index),
      fallbackPodCIDR: fallbackPodCIDRFor(spec.index),
      labels: kubeletLabels(spec.name, o.instanceType, o.labels),
      taints: o.taints,
      capacity: o.capacity,
      kubeletVersion: o.kubeletVersion,
      instanceType: o.instanceType,
    };
  }

  /** The gauges read from the nodes, refreshed at each scrape. */
  private updateGauges(): void {
    const m = this.metrics;
    m.nodes.set(this.kubelets.length, { state: "registered" });
    m.nodes.set(this.kubelets.filter((k) => k.ready).length, { state: "ready" });
    const phases = new Map<string, number>();
    for (const k of this.kubelets)
      for (const [phase, n] of k.pods.phases()) phases.set(phase, (phases.get(phase) ?? 0) + n);
    m.pods.reset();
    for (const [phase, n] of phases) m.pods.set(n, { phase });
    const watches = sumStats([
      ...(this.shared ? [this.shared.stats] : []),
      ...this.kubelets.flatMap((k) => k.watchStats()),
      ...this.proxies.flatMap((p) => p.watchStats()),
    ]);
    m.watches.set(watches.reflectors);
    m.watchRestarts.set(watches.relists);
    m.watchErrors.set(watches.errors);
  }
}
