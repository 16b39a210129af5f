import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { histogramBuckets, parsePrometheusText } from "../../src/measurements/prometheus-text.js";
import {
  addProcessMetrics,
  Counter,
  Gauge,
  Histogram,
  Registry,
} from "../../src/util/prometheus-registry.js";

describe("Prometheus registry", () => {
  it("renders counters, gauges and histograms that a Prometheus text parser reads back", () => {
    const registry = new Registry();
    const requests = registry.add(
      new Counter({ name: "req_total", help: "Requests", labelNames: ["verb", "code"] }),
    );
    const nodes = registry.add(new Gauge({ name: "nodes", help: "Nodes by state", labelNames: ["state"] }));
    const latency = registry.add(
      new Histogram({ name: "lat_seconds", help: "Latency", labelNames: ["verb"], buckets: [0.1, 1] }),
    );
    let scrapes = 0;
    registry.beforeRender(() => nodes.set(++scrapes, { state: "ready" }));
    requests.inc({ verb: "GET", code: "200" });
    // A kept handle counts into the same series as labels passed each time.
    requests.labels({ verb: "GET", code: "200" }).inc(2);
    requests.inc({ verb: 'PA"TCH\\', code: "500" });
    const getLatency = latency.labels({ verb: "GET" });
    for (const v of [0.05, 0.5]) latency.observe(v, { verb: "GET" });
    for (const v of [0.7, 3]) getLatency.observe(v);

    const families = parsePrometheusText(registry.render());
    const req = families.get("req_total")!;
    assert.equal(req.type, "counter");
    assert.deepEqual(
      req.samples.map((s) => [s.labels.verb, s.labels.code, s.value]),
      [
        ["GET", "200", 3],
        ['PA"TCH\\', "500", 1],
      ],
    );
    assert.equal(families.get("nodes")!.samples[0].value, 1);
    const [series] = histogramBuckets(families.get("lat_seconds")!, { verb: "GET" });
    assert.equal(series.count, 4);
    assert.equal(series.sum, 0.05 + 0.5 + 0.7 + 3);
    assert.deepEqual(
      series.buckets.map((b) => [b.le, b.count]),
      [
        [0.1, 1],
        [1, 3],
        [Infinity, 4],
      ],
    );
    assert.equal(
      parsePrometheusText(registry.render()).get("nodes")!.samples[0].value,
      2,
      "refreshed per scrape",
    );
  });

  it("exports the process's CPU, memory, event-loop lag and GC pauses", () => {
    const registry = new Registry();
    addProcessMetrics(registry);
    const families = parsePrometheusText(registry.render());
    assert.ok(families.get("process_cpu_seconds_total")!.samples[0].value > 0);
    assert.ok(families.get("process_resident_memory_bytes")!.samples[0].value > 10 * 2 ** 20);
    assert.ok(families.get("nodejs_heap_size_used_bytes")!.samples[0].value > 0);
    const lag = families.get("nodejs_eventloop_lag_seconds")!.samples.map((s) => s.labels.quantile);
    assert.deepEqual(lag, ["0.5", "0.9", "0.99", "1"]);
    assert.equal(families.get("nodejs_gc_duration_seconds")!.type, "histogram");
  });
});
