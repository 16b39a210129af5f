import http from "node:http";
import {
  addProcessMetrics,
  Counter,
  Gauge,
  Histogram,
  PROMETHEUS_CONTENT_TYPE,
  Registry,
} from "../util/prometheus-registry.js";
import type { RequestRecord } from "../client/kube-client.js";
import { resourceOf } from "../client/request-path.js";

interface RequestSeries {
  count: { inc(): void };
  /** Latency, for every verb but WATCH, which stays open. */
  seconds?: { observe(value: number): void };
}

/** The hollow process's own metrics, in Prometheus format. */
export class HollowMetrics {
  private readonly registry = new Registry();
  readonly nodes = this.registry.add(
    new Gauge({ name: "kubemark_hollow_nodes", help: "Hollow nodes by state", labelNames: ["state"] }),
  );
  readonly pods = this.registry.add(
    new Gauge({
      name: "kubemark_hollow_pods",
      help: "Pods on this process's nodes by phase",
      labelNames: ["phase"],
    }),
  );
  readonly requests = this.registry.add(
    new Counter({
      name: "kubemark_hollow_api_requests_total",
      help: "API requests sent, by verb, resource, subresource and HTTP code",
      labelNames: ["verb", "resource", "subresource", "code"],
    }),
  );
  readonly requestSeconds = this.registry.add(
    new Histogram({
      name: "kubemark_hollow_api_request_duration_seconds",
      help: "API request latency as seen by the hollow nodes",
      labelNames: ["verb", "resource"],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    }),
  );
  readonly watchRestarts = this.registry.add(
    new Gauge({ name: "kubemark_hollow_watch_relists", help: "Relists forced by 410 Gone, all watches" }),
  );
  readonly watchErrors = this.registry.add(
    new Gauge({ name: "kubemark_hollow_watch_errors", help: "List/watch errors, all watches" }),
  );
  readonly watches = this.registry.add(
    new Gauge({ name: "kubemark_hollow_watches", help: "Watches held open" }),
  );
  readonly leaseLateness = this.registry.add(
    new Histogram({
      name: "kubemark_hollow_lease_renewal_lateness_seconds",
      help: "How late lease renewals started against their schedule",
      buckets: [0.001, 0.01, 0.05, 0.1, 0.5, 1, 5, 10],
    }),
  );
  readonly leaseFailures = this.registry.add(
    new Counter({ name: "kubemark_hollow_lease_renewal_failures_total", help: "Failed lease renewals" }),
  );

  /** `refresh` updates the gauges read from the nodes, just before each scrape. */
  constructor(refresh: () => void) {
    this.registry.beforeRender(refresh);
    addProcessMetrics(this.registry);
  }

  /** Each request kind's series, by verb, resource, subresource and code: labelled once, not per request. */
  private readonly requestSeries = new Map<string, RequestSeries>();

  /** The KubeClient onResponse hook. */
  readonly observe = (r: RequestRecord): void => {
    const { resource, subresource } = resourceOf(r.path);
    const key = `${r.method} ${resource} ${subresource} ${r.status}`;
    let series = this.requestSeries.get(key);
    if (!series) {
      const verb = r.method;
      series = {
        count: this.requests.labels({ verb, resource, subresource, code: String(r.status) }),
        seconds: verb === "WATCH" ? undefined : this.requestSeconds.labels({ verb, resource }),
      };
      this.requestSeries.set(key, series);
    }
    series.count.inc();
    series.seconds?.observe(r.durationMs / 1000);
  };

  /** Serves /metrics on 127.0.0.1:port (0 picks a free port); resolves with the port. */
  serve(port: number): Promise<{ port: number; close: () => void }> {
    const server = http.createServer((req, res) => {
      if (req.url !== "/metrics") {
        res.writeHead(404).end();
        return;
      }
      res.writeHead(200, { "content-type": PROMETHEUS_CONTENT_TYPE });
      res.end(this.registry.render());
    });
    return new Promise((resolve, reject) => {
      server.once("error", reject);
      server.listen(port, "127.0.0.1", () => {
        server.unref();
        resolve({ port: (server.address() as { port: number }).port, close: () => server.close() });
      });
    });
  }
}
