import type { KubeClient } from "../../src/client/kube-client.js";
import { parsePrometheusText, type MetricFamily } from "../../src/measurements/prometheus-text.js";
import { requestName } from "../support/request-name.js";

/** What the API server's /metrics says at one moment, reduced to what the peers bench compares. */
export interface ApiserverSnapshot {
  atMs: number;
  /** apiserver_request_total by "VERB resource/subresource", resource requests only. */
  requests: Map<string, number>;
  /** apiserver_longrunning_requests (open watches) by "WATCH resource". */
  watches: Map<string, number>;
  /** Bytes of responses (apiserver_response_sizes) plus watch events (apiserver_watch_events_sizes). */
  responseBytes: number;
}

export async function scrapeApiserver(admin: KubeClient): Promise<ApiserverSnapshot> {
  const families = parsePrometheusText(await admin.getText("/metrics"));
  const requests = new Map<string, number>();
  // Non-resource requests (/metrics, /healthz, /readyz) are this bench's own probes, not load.
  for (const s of samples(families, "apiserver_request_total"))
    if (s.labels.resource)
      add(requests, requestName(s.labels.verb, s.labels.resource, s.labels.subresource), s.value);
  const watches = new Map<string, number>();
  for (const s of samples(families, "apiserver_longrunning_requests"))
    if (s.labels.verb === "WATCH")
      add(watches, requestName("WATCH", s.labels.resource, s.labels.subresource), s.value);
  let responseBytes = 0;
  for (const name of ["apiserver_response_sizes", "apiserver_watch_events_sizes"])
    for (const s of samples(families, name)) if (s.name === `${name}_sum`) responseBytes += s.value;
  return { atMs: Date.now(), requests, watches, responseBytes };
}

/** The load between two snapshots, per minute. */
export interface ApiserverLoad {
  seconds: number;
  requestsPerMinute: Record<string, number>;
  /** Open watches at the end. */
  watches: Record<string, number>;
  responseBytesPerMinute: number;
}

export function loadBetween(before: ApiserverSnapshot, after: ApiserverSnapshot): ApiserverLoad {
  const seconds = (after.atMs - before.atMs) / 1000;
  const perMinute = 60 / seconds;
  const requestsPerMinute = Object.fromEntries(
    Object.entries(requestDeltas(before, after)).map(([key, delta]) => [key, delta * perMinute]),
  );
  return {
    seconds,
    requestsPerMinute,
    watches: Object.fromEntries([...after.watches].filter(([, v]) => v > 0)),
    responseBytesPerMinute: (after.responseBytes - before.responseBytes) * perMinute,
  };
}

/** Requests between two snapshots, by kind. */
export function requestDeltas(before: ApiserverSnapshot, after: ApiserverSnapshot): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [key, value] of after.requests) {
    const delta = value - (before.requests.get(key) ?? 0);
    if (delta > 0) out[key] = delta;
  }
  return out;
}

/**
 * What N nodes add to an idle master, per node: the load with them less the load the master makes on
 * itself (its own lease, the controllers' resyncs), so every peer is charged only for what it causes.
 */
export interface LoadPerNode {
  requestsPerNodePerMinute: Record<string, number>;
  watchesPerNode: Record<string, number>;
  watchesPerNodeTotal: number;
  responseKiBPerNodePerMinute: number;
}

export function loadPerNode(withNodes: ApiserverLoad, idle: ApiserverLoad, nodes: number): LoadPerNode {
  const requestsPerNodePerMinute = perNode(withNodes.requestsPerMinute, idle.requestsPerMinute, nodes);
  const watchesPerNode = perNode(withNodes.watches, idle.watches, nodes);
  return {
    requestsPerNodePerMinute,
    watchesPerNode,
    watchesPerNodeTotal: round(Object.values(watchesPerNode).reduce((a, b) => a + b, 0)),
    responseKiBPerNodePerMinute: round(
      Math.max(0, withNodes.responseBytesPerMinute - idle.responseBytesPerMinute) / 1024 / nodes,
    ),
  };
}

function perNode(load: Record<string, number>, idle: Record<string, number>, nodes: number) {
  const out: Record<string, number> = {};
  for (const [key, value] of Object.entries(load)) {
    const added = (value - (idle[key] ?? 0)) / nodes;
    // A key the idle master also sends and that the nodes did not raise is noise, not load.
    if (added > 0.0005) out[key] = round(added);
  }
  return Object.fromEntries(Object.entries(out).sort(([a], [b]) => a.localeCompare(b)));
}

function samples(families: Map<string, MetricFamily>, name: string) {
  return families.get(name)?.samples ?? [];
}

function add(map: Map<string, number>, key: string, value: number) {
  map.set(key, (map.get(key) ?? 0) + value);
}

const round = (n: number) => +n.toFixed(3);
