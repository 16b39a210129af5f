import { Informer } from "../client/informer.js";
import type { KubeClient } from "../client/kube-client.js";
import type { Pod } from "../client/types.js";
import type { Clock } from "../util/clock.js";
import type { Random } from "../util/random.js";
import { watchedPod } from "../client/protobuf/core-v1.js";
import { watchCodec } from "./codecs.js";
import type { PodDriver } from "./kubelet/pod-driver.js";

/**
 * Shared-watch mode: one watch of every bound pod for the whole process (as KWOK does), dispatched to the
 * node that pod is bound to. Needs an identity that may list pods cluster-wide.
 */
export class SharedPodWatch {
  private readonly drivers = new Map<string, PodDriver>();
  private readonly informer: Informer<Pod>;

  constructor(client: KubeClient, clock: Clock, rand: Random, log: (m: string) => void) {
    const driverOf = (pod: Pod) => this.drivers.get(pod.spec.nodeName ?? "");
    this.informer = new Informer<Pod>({
      client,
      path: "/api/v1/pods",
      fieldSelector: "spec.nodeName!=",
      codec: watchCodec<Pod>(client, watchedPod),
      clock,
      rand,
      onError: (e) => log(`shared pod watch: ${e.message}`),
    }).on({
      add: (p) => driverOf(p)?.upsert(p),
      update: (p) => driverOf(p)?.upsert(p),
      delete: (p) => driverOf(p)?.remove(p),
    });
  }

  subscribe(nodeName: string, driver: PodDriver): void {
    this.drivers.set(nodeName, driver);
    // Pods that arrived before their node subscribed.
    for (const pod of this.informer.list()) if (pod.spec.nodeName === nodeName) driver.upsert(pod);
  }

  unsubscribe(nodeName: string): void {
    this.drivers.delete(nodeName);
  }

  start(): Promise<void> {
    this.informer.start();
    return this.informer.synced;
  }

  stop(): void {
    this.informer.stop();
  }

  get stats() {
    return this.informer.stats;
  }
}
