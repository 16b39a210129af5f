import { test } from "node:test";
import assert from "node:assert/strict";
import {
  histogramBuckets,
  parsePrometheusText,
  PrometheusParseError,
  type MetricFamily,
} from "../../src/measurements/prometheus-text.js";

const SLI = `component="apiserver",group="",resource="pods",scope="resource",subresource="",verb`;

const APISERVER_FIXTURE = `# HELP apiserver_request_sli_duration_seconds [ALPHA] Response latency distribution (not counting webhook duration and priority & fairness queue wait times) in seconds for each verb, group, version, resource, subresource, scope and component.
# TYPE apiserver_request_sli_duration_seconds histogram
apiserver_request_sli_duration_seconds_bucket{${SLI}="GET",version="v1",le="0.05"} 1523
apiserver_request_sli_duration_seconds_bucket{${SLI}="GET",version="v1",le="0.1"} 1601
apiserver_request_sli_duration_seconds_bucket{${SLI}="GET",version="v1",le="1"} 1610
apiserver_request_sli_duration_seconds_bucket{${SLI}="GET",version="v1",le="+Inf"} 1612
apiserver_request_sli_duration_seconds_sum{${SLI}="GET",version="v1"} 31.907
apiserver_request_sli_duration_seconds_count{${SLI}="GET",version="v1"} 1612
apiserver_request_sli_duration_seconds_bucket{${SLI}="PATCH",version="v1",le="0.05"} 40
apiserver_request_sli_duration_seconds_bucket{${SLI}="PATCH",version="v1",le="0.1"} 52
apiserver_request_sli_duration_seconds_bucket{${SLI}="PATCH",version="v1",le="1"} 60
apiserver_request_sli_duration_seconds_bucket{${SLI}="PATCH",version="v1",le="+Inf"} 61
apiserver_request_sli_duration_seconds_sum{${SLI}="PATCH",version="v1"} 4.25
apiserver_request_sli_duration_seconds_count{${SLI}="PATCH",version="v1"} 61
# HELP apiserver_storage_objects [STABLE] Number of stored objects at the time of last check split by kind.
# TYPE apiserver_storage_objects gauge
apiserver_storage_objects{resource="nodes"} 5000
apiserver_storage_objects{resource="pods"} 150023
# HELP go_gc_duration_seconds A summary of the wall-time pause (stop-the-world) duration in garbage collection cycles.
# TYPE go_gc_duration_seconds summary
go_gc_duration_seconds{quantile="0"} 2.8721e-05
go_gc_duration_seconds{quantile="0.5"} 6.1204e-05
go_gc_duration_seconds{quantile="1"} 0.001843271
go_gc_duration_seconds_sum 0.093771
go_gc_duration_seconds_count 1021
`;

const ETCD_FIXTURE = `# HELP etcd_disk_wal_fsync_duration_seconds The latency distributions of fsync called by WAL.
# TYPE etcd_disk_wal_fsync_duration_seconds histogram
etcd_disk_wal_fsync_duration_seconds_bucket{le="0.004"} 9120
etcd_disk_wal_fsync_duration_seconds_bucket{le="0.001"} 3072
etcd_disk_wal_fsync_duration_seconds_bucket{le="+Inf"} 9266
etcd_disk_wal_fsync_duration_seconds_bucket{le="0.008"} 9251
etcd_disk_wal_fsync_duration_seconds_sum 12.345
# HELP etcd_server_has_leader Whether or not a leader exists. 1 is existence, 0 is not.
# TYPE etcd_server_has_leader gauge
etcd_server_has_leader 1
# HELP etcd_debugging_mvcc_db_compaction_keys_total [ALPHA] Total number of db keys compacted.
# TYPE etcd_debugging_mvcc_db_compaction_keys_total counter
etcd_debugging_mvcc_db_compaction_keys_total 48213
`;

function family(families: Map<string, MetricFamily>, name: string): MetricFamily {
  const found = families.get(name);
  assert.ok(found, `no family ${name}; have ${[...families.keys()].join(", ")}`);
  return found;
}

test("groups histogram and summary samples under their family, with type and help", () => {
  const families = parsePrometheusText(APISERVER_FIXTURE);
  assert.deepEqual(
    [...families.keys()],
    ["apiserver_request_sli_duration_seconds", "apiserver_storage_objects", "go_gc_duration_seconds"],
  );

  const sli = family(families, "apiserver_request_sli_duration_seconds");
  assert.equal(sli.type, "histogram");
  assert.match(sli.help, /^\[ALPHA\] Response latency distribution \(not counting webhook/);
  assert.equal(sli.samples.length, 12);
  assert.deepEqual(sli.samples[3], {
    name: "apiserver_request_sli_duration_seconds_bucket",
    labels: {
      component: "apiserver",
      group: "",
      resource: "pods",
      scope: "resource",
      subresource: "",
      verb: "GET",
      version: "v1",
      le: "+Inf",
    },
    value: 1612,
  });

  const storage = family(families, "apiserver_storage_objects");
  assert.equal(storage.type, "gauge");
  assert.deepEqual(
    storage.samples.map((s) => [s.labels.resource, s.value]),
    [
      ["nodes", 5000],
      ["pods", 150023],
    ],
  );

  const gc = family(families, "go_gc_duration_seconds");
  assert.equal(gc.type, "summary");
  assert.deepEqual(
    gc.samples.map((s) => [s.name, s.labels.quantile, s.value]),
    [
      ["go_gc_duration_seconds", "0", 2.8721e-5],
      ["go_gc_duration_seconds", "0.5", 6.1204e-5],
      ["go_gc_duration_seconds", "1", 0.001843271],
      ["go_gc_duration_seconds_sum", undefined, 0.093771],
      ["go_gc_duration_seconds_count", undefined, 1021],
    ],
  );
});

test("parses etcd's exposition: counter, gauge and histogram", () => {
  const families = parsePrometheusText(ETCD_FIXTURE);
  assert.equal(family(families, "etcd_server_has_leader").samples[0].value, 1);
  const compacted = family(families, "etcd_debugging_mvcc_db_compaction_keys_total");
  assert.equal(compacted.type, "counter");
  assert.deepEqual(compacted.samples, [{ name: compacted.name, labels: {}, value: 48213 }]);
  assert.equal(family(families, "etcd_disk_wal_fsync_duration_seconds").samples.length, 5);
});

test("unescapes label values and help text", () => {
  const text = [
    "# HELP weird_total Counts \\\\ and\\nnewlines.",
    "# TYPE weird_total counter",
    'weird_total{path="C:\\\\temp",msg="say \\"hi\\"\\nbye",plain="a,b}c=d"} 3',
  ].join("\n");
  const weird = family(parsePrometheusText(text), "weird_total");
  assert.equal(weird.help, "Counts \\ and\nnewlines.");
  assert.deepEqual(weird.samples[0].labels, { path: "C:\\temp", msg: 'say "hi"\nbye', plain: "a,b}c=d" });
});

test("reads special values, timestamps, blanks, a trailing comma, CRLF and untyped samples", () => {
  const text = [
    "# a plain comment",
    "",
    "no_type_line 7 1700000000000",
    "# TYPE odd gauge",
    'odd{a="1",} +Inf',
    'odd{ b = "2" }\t-Inf\t-12',
    "odd NaN",
    "odd 1.5e-3\r",
    "odd{} -0.25",
  ].join("\n");
  const families = parsePrometheusText(text);

  const untyped = family(families, "no_type_line");
  assert.equal(untyped.type, "untyped");
  assert.deepEqual(untyped.samples, [
    { name: "no_type_line", labels: {}, value: 7, timestampMs: 1_700_000_000_000 },
  ]);

  const odd = family(families, "odd").samples;
  assert.deepEqual(odd[0], { name: "odd", labels: { a: "1" }, value: Infinity });
  assert.deepEqual(odd[1], { name: "odd", labels: { b: "2" }, value: -Infinity, timestampMs: -12 });
  assert.ok(Number.isNaN(odd[2].value));
  assert.equal(odd[3].value, 0.0015);
  assert.equal(odd[4].value, -0.25);
});

test("_count and _sum of an untyped or gauge family are families of their own", () => {
  const families = parsePrometheusText("# TYPE jobs gauge\njobs 3\njobs_count 4\nthings_sum 5\n");
  assert.deepEqual([...families.keys()], ["jobs", "jobs_count", "things_sum"]);
});

test("reports malformed input with its line number", () => {
  const cases: [string, RegExp][] = [
    ['ok 1\nbad{a="x} 1', /line 2: unterminated label value/],
    ["ok 1\n\nbad one", /line 3: invalid sample value "one"/],
    ["bad", /line 1: invalid sample value ""/],
    ['bad{a="\\t"} 1', /invalid escape sequence/],
    ['bad{a="1" b="2"} 1', /expected "," or "}"/],
    ['bad{="1"} 1', /expected a label name/],
    ["bad 1 12.5", /invalid timestamp "12.5"/],
    ["bad 1 2 3", /unexpected text after the timestamp/],
    ["# TYPE x counter\n# TYPE x gauge", /line 2: second TYPE line for x/],
    ["x 1\n# TYPE x counter", /TYPE after its samples/],
    ["# TYPE x gaugehistogram", /unknown metric type "gaugehistogram"/],
    ['{a="1"} 1', /expected a metric name/],
  ];
  for (const [text, message] of cases) {
    assert.throws(
      () => parsePrometheusText(text),
      (error: unknown) => {
        assert.ok(error instanceof PrometheusParseError, `not a parse error for ${JSON.stringify(text)}`);
        assert.match(error.message, message);
        return true;
      },
    );
  }
});

test("histogramBuckets groups buckets per label set, sorted by le, with sum and count", () => {
  const sli = family(parsePrometheusText(APISERVER_FIXTURE), "apiserver_request_sli_duration_seconds");
  const series = histogramBuckets(sli);
  assert.equal(series.length, 2);
  assert.deepEqual(series[0], {
    labels: {
      component: "apiserver",
      group: "",
      resource: "pods",
      scope: "resource",
      subresource: "",
      verb: "GET",
      version: "v1",
    },
    buckets: [
      { le: 0.05, count: 1523 },
      { le: 0.1, count: 1601 },
      { le: 1, count: 1610 },
      { le: Infinity, count: 1612 },
    ],
    sum: 31.907,
    count: 1612,
  });

  const patch = histogramBuckets(sli, { verb: "PATCH", resource: "pods" });
  assert.equal(patch.length, 1);
  assert.equal(patch[0].labels.verb, "PATCH");
  assert.equal(patch[0].count, 61);
  assert.equal(histogramBuckets(sli, { verb: "DELETE" }).length, 0);
});

test("histogramBuckets sorts out-of-order buckets and takes count from +Inf when _count is absent", () => {
  const fsync = family(parsePrometheusText(ETCD_FIXTURE), "etcd_disk_wal_fsync_duration_seconds");
  const [series] = histogramBuckets(fsync);
  assert.deepEqual(
    series.buckets.map((b) => b.le),
    [0.001, 0.004, 0.008, Infinity],
  );
  assert.equal(series.sum, 12.345);
  assert.equal(series.count, 9266);
  assert.throws(
    () => histogramBuckets(family(parsePrometheusText(ETCD_FIXTURE), "etcd_server_has_leader")),
    TypeError,
  );
});

test("parses a synthetic 5 MB apiserver exposition well under a second", (t) => {
  const verbs = ["GET", "LIST", "WATCH", "POST", "PUT", "PATCH", "DELETE"];
  const bounds = [
    "0.005",
    "0.025",
    "0.05",
    "0.1",
    "0.2",
    "0.4",
    "0.6",
    "0.8",
    "1",
    "1.25",
    "1.5",
    "2",
    "3",
    "4",
    "5",
  ];
  const lines: string[] = [];
  let bytes = 0;
  let expectedSamples = 0;
  for (let f = 0; bytes < 5_000_000; f++) {
    const name = `apiserver_synthetic_${f}_duration_seconds`;
    lines.push(
      `# HELP ${name} [STABLE] Response latency distribution in seconds for each verb and resource.`,
    );
    lines.push(`# TYPE ${name} histogram`);
    for (let r = 0; r < 40; r++) {
      for (const verb of verbs) {
        const labels = `component="apiserver",dry_run="",group="apps",resource="resource${r}",scope="namespace",subresource="",verb="${verb}",version="v1"`;
        for (const [i, le] of [...bounds, "+Inf"].entries())
          lines.push(`${name}_bucket{${labels},le="${le}"} ${i * r}`);
        lines.push(`${name}_sum{${labels}} ${r * 0.125}`, `${name}_count{${labels}} ${15 * r}`);
        expectedSamples += bounds.length + 3;
      }
    }
    bytes = lines.reduce((sum, line) => sum + line.length + 1, 0);
  }
  const text = lines.join("\n") + "\n";

  const started = performance.now();
  const families = parsePrometheusText(text);
  const elapsedMs = performance.now() - started;
  t.diagnostic(
    `parsed ${(text.length / 1e6).toFixed(1)} MB, ${expectedSamples} samples in ${elapsedMs.toFixed(0)} ms`,
  );

  let samples = 0;
  for (const f of families.values()) samples += f.samples.length;
  assert.equal(samples, expectedSamples);
  assert.ok(text.length >= 5_000_000);
  assert.ok(elapsedMs < 750, `took ${elapsedMs} ms`);
});
