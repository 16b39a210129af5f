import type { KubeClient } from "../../client/kube-client.js";
import { Reflector, type ReflectorStats } from "../../client/reflector.js";
import { watchOnlyCodec } from "../codecs.js";

/** kube-proxy ignores Services other proxies own, and headless ones. */
export const PROXY_LABEL_SELECTOR =
  "!service.kubernetes.io/service-proxy-name,!service.kubernetes.io/headless";

export interface ProxyCounts {
  services: number;
  endpointSlices: number;
  nodeEvents: number;
  serviceCIDRs: number;
}

/**
 * The hollow kube-proxy: kube-proxy's watches (Services, EndpointSlices, its own Node, ServiceCIDRs) and its "Starting"
 * event, with no data plane. It counts what it sees and never parses it.
 */
export class HollowProxy {
  readonly counts: ProxyCounts = { services: 0, endpointSlices: 0, nodeEvents: 0, serviceCIDRs: 0 };
  private readonly reflectors: Reflector<never>[];

  constructor(
    private readonly client: KubeClient,
    private readonly nodeName: string,
  ) {
    const watch = (
      path: string,
      selector: { labelSelector?: string; fieldSelector?: string },
      count: keyof ProxyCounts,
    ) =>
      new Reflector<never>({
        client,
        path,
        ...selector,
        codec: watchOnlyCodec(client),
        onList: () => {},
        onEvent: () => this.counts[count]++,
      });
    this.reflectors = [
      watch("/api/v1/services", { labelSelector: PROXY_LABEL_SELECTOR }, "services"),
      watch(
        "/apis/discovery.k8s.io/v1/endpointslices",
        { labelSelector: PROXY_LABEL_SELECTOR },
        "endpointSlices",
      ),
      watch("/api/v1/nodes", { fieldSelector: `metadata.name=${nodeName}` }, "nodeEvents"),
      watch("/apis/networking.k8s.io/v1/servicecidrs", {}, "serviceCIDRs"),
    ];
  }

  watchStats(): ReflectorStats[] {
    return this.reflectors.map((r) => r.stats);
  }

  async start(): Promise<void> {
    for (const r of this.reflectors) r.start();
    await this.postStartingEvent();
  }

  stop(): void {
    for (const r of this.reflectors) r.stop();
  }

  private async postStartingEvent(): Promise<void> {
    const now = new Date();
    await this.client.create("/apis/events.k8s.io/v1/namespaces/default/events", {
      apiVersion: "events.k8s.io/v1",
      kind: "Event",
      metadata: {
        name: `${this.nodeName}.${(BigInt(now.getTime()) * 1_000_000n).toString(16)}`,
        namespace: "default",
      },
      eventTime: now.toISOString().replace(/\.(\d{3})Z$/, ".$1000Z"),
      reportingController: "kube-proxy",
      reportingInstance: `kube-proxy-${this.nodeName}`,
      action: "StartKubeProxy",
      reason: "Starting",
      type: "Normal",
      note: "",
      regarding: { kind: "Node", name: this.nodeName, uid: this.nodeName },
    });
  }
}
