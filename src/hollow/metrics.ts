import http from "node:http";
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";
import type { RequestRecord } from "../client/kube-client.js";
import { resourceOf } from "../client/request-path.js";

/** The hollow process's own metrics, in Prometheus format. */
export class HollowMetrics {
  readonly registry = new Registry();
  readonly nodes = new Gauge({
    name: "kubemark_hollow_nodes",
    help: "Hollow nodes by state",
    labelNames: ["state"],
    registers: [this.registry],
  });
  readonly pods = new Gauge({
    name: "kubemark_hollow_pods",
    help: "Pods on this process's nodes by phase",
    labelNames: ["phase"],
    registers: [this.registry],
  });
  readonly requests = new Counter({
    name: "kubemark_hollow_api_requests_total",
    help: "API requests sent, by verb, resource, subresource and HTTP code",
    labelNames: ["verb", "resource", "subresource", "code"],
    registers: [this.registry],
  });
  readonly requestSeconds = new Histogram({
    name: "kubemark_hollow_api_request_duration_seconds",
    help: "API request latency as seen by the hollow nodes",
    labelNames: ["verb", "resource"],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });
  readonly watchRestarts = new Gauge({
    name: "kubemark_hollow_watch_relists",
    help: "Relists forced by 410 Gone, all watches",
    registers: [this.registry],
  });
  readonly watchErrors = new Gauge({
    name: "kubemark_hollow_watch_errors",
    help: "List/watch errors, all watches",
    registers: [this.registry],
  });
  readonly watches = new Gauge({
    name: "kubemark_hollow_watches",
    help: "Watches held open",
    registers: [this.registry],
  });
  readonly leaseLateness = new Histogram({
    name: "kubemark_hollow_lease_renewal_lateness_seconds",
    help: "How late lease renewals started against their schedule",
    buckets: [0.001, 0.01, 0.05, 0.1, 0.5, 1, 5, 10],
    registers: [this.registry],
  });
  readonly leaseFailures = new Counter({
    name: "kubemark_hollow_lease_renewal_failures_total",
    help: "Failed lease renewals",
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry, eventLoopMonitoringPrecision: 20 });
  }

  /** The KubeClient onResponse hook. */
  readonly observe = (r: RequestRecord): void => {
    const { resource, subresource } = resourceOf(r.path);
    this.requests.inc({ verb: r.method, resource, subresource, code: String(r.status) });
    if (r.method !== "WATCH") this.requestSeconds.observe({ verb: r.method, resource }, r.durationMs / 1000);
  };

  /** Serves /metrics on 127.0.0.1:port (0 picks a free port); resolves with the port. */
  serve(port: number): Promise<{ port: number; close: () => void }> {
    const server = http.createServer(async (req, res) => {
      if (req.url !== "/metrics") {
        res.writeHead(404).end();
        return;
      }
      res.writeHead(200, { "content-type": this.registry.contentType });
      res.end(await this.registry.metrics());
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
