import { FIDELITY_BAND, fidelityRows, type FidelityRow } from "./fidelity.js";
import type { PeerName } from "./peer.js";
import type { PeerResult } from "./result.js";

export interface PeersReport {
  benchmark: "peers";
  date: string;
  machine: string;
  versions: Record<string, string>;
  settings: Record<string, number>;
  results: PeerResult[];
  fidelity: { nodes: number; rows: FidelityRow[] }[];
}

const COLUMNS: PeerName[] = ["kubemark", "kwok", "ours-fidelity", "ours-shared"];
const TITLES: Record<PeerName, string> = {
  kubemark: "upstream kubemark",
  kwok: "KWOK",
  "ours-fidelity": "ours, fidelity",
  "ours-shared": "ours, shared",
};
const RATIOS: [PeerName, PeerName][] = [
  ["ours-fidelity", "kubemark"],
  ["ours-shared", "kwok"],
  ["ours-fidelity", "kwok"],
];

type Row = [string, (r: PeerResult) => number | undefined];
const ROWS: Row[] = [
  ["time to all nodes Ready (s)", (r) => r.secondsToAllReady],
  ["CPU per node, steady (millicores)", (r) => r.millicoresPerNode],
  ["RSS per node (KiB)", (r) => r.rssKiBPerNode],
  ["API requests per node per minute (all but WATCH)", (r) => r.requestsPerNodePerMinute],
  ["watches per node", (r) => r.load.watchesPerNodeTotal],
  ["response KiB per node per minute", (r) => r.load.responseKiBPerNodePerMinute],
  ["API server CPU, steady (millicores)", (r) => r.apiserver.millicores],
  ["API server RSS (MiB)", (r) => r.apiserver.rssMiB],
  ["pod startup p50 (ms)", (r) => r.pods?.podStartupMs.p50],
  ["pod startup p90 (ms)", (r) => r.pods?.podStartupMs.p90],
  ["pod startup p99 (ms)", (r) => r.pods?.podStartupMs.p99],
  ["node side CPU per pod lifecycle (ms)", (r) => r.pods?.peerCpuMsPerPod],
  ["of which in the kernel (ms)", (r) => r.pods?.peerSystemCpuMsPerPod],
];

export function fidelityBySize(results: PeerResult[]): PeersReport["fidelity"] {
  const out: PeersReport["fidelity"] = [];
  for (const nodes of sizesOf(results)) {
    const ours = find(results, "ours-fidelity", nodes);
    const kubemark = find(results, "kubemark", nodes);
    if (ours && kubemark) out.push({ nodes, rows: fidelityRows(ours, kubemark) });
  }
  return out;
}

export function markdownReport(report: PeersReport, worstFidelityRows = 12): string {
  const s = report.settings;
  const lines = [
    `Measured ${report.date} on ${report.machine}, the master on the same cores. Versions: ` +
      Object.entries(report.versions)
        .map(([k, v]) => `${k} ${v}`)
        .join(", ") +
      `. Each peer on a fresh master, one after the other; steady state over ${s.steadySeconds} s, ` +
      `per-node load is what the nodes add to the idle master (${s.idleSeconds} s before they start); ` +
      `pods: ${s.podsPerNode} per node in one Deployment.`,
    "",
  ];
  for (const nodes of sizesOf(report.results)) {
    const present = COLUMNS.filter((p) => find(report.results, p, nodes));
    const ratios = RATIOS.filter(([a, b]) => present.includes(a) && present.includes(b));
    lines.push(
      `| ${nodes.toLocaleString("en")} nodes | ${present.map((p) => TITLES[p]).join(" | ")} | ${ratios
        .map(([a, b]) => `${TITLES[a]} / ${TITLES[b]}`)
        .join(" | ")} |`,
      `| --- | ${[...present, ...ratios].map(() => "---").join(" | ")} |`,
    );
    for (const [label, value] of ROWS) {
      const values = present.map((p) => value(find(report.results, p, nodes)!));
      if (values.every((v) => v === undefined)) continue;
      const cells = values.map(formatNumber);
      const ratioCells = ratios.map(([a, b]) =>
        ratio(value(find(report.results, a, nodes)!), value(find(report.results, b, nodes)!)),
      );
      lines.push(`| ${label} | ${[...cells, ...ratioCells].join(" | ")} |`);
    }
    lines.push("");
  }
  lines.push(...goals(report.results), "");
  for (const { nodes, rows } of report.fidelity) {
    const outside = rows.filter((r) => !r.inBand).length;
    lines.push(
      `Fidelity at ${nodes} nodes, ours (fidelity mode) / upstream kubemark, per node: ${rows.length - outside} of ` +
        `${rows.length} within ${FIDELITY_BAND.low} to ${FIDELITY_BAND.high}; the ${Math.min(worstFidelityRows, rows.length)} furthest:`,
      "",
      "| request per node per minute, open watch per node, or request per pod | kubemark | ours | ours / kubemark |",
      "| --- | --- | --- | --- |",
      ...rows
        .slice(0, worstFidelityRows)
        .map(
          (r) =>
            `| ${r.kind === "watches per node" ? `open ${r.key}` : r.kind === "requests per pod" ? `${r.key}, per pod` : r.key} | ${formatNumber(r.kubemark)} | ${formatNumber(r.ours)} | ${r.ratio === Infinity ? "only ours" : formatNumber(r.ratio)}${r.inBand ? "" : " ✗"} |`,
        ),
      "",
    );
  }
  return lines.join("\n");
}

/**
 * The issue's goals, each with the figures it is judged on. Upstream's cost per node does not fall with
 * the node count (a kubelet and a kube-proxy process each), so ours at the largest size is also set
 * against upstream's per-node cost at its own sizes.
 */
function goals(results: PeerResult[]): string[] {
  const lines = ["Goals:", ""];
  const kubemarkRuns = results.filter((r) => r.peer === "kubemark");
  const oursRuns = results.filter((r) => r.peer === "ours-fidelity");
  const comparisons = kubemarkRuns.flatMap((kubemark) => {
    const same = oursRuns.find((o) => o.nodes === kubemark.nodes);
    const largest = oursRuns.at(-1);
    return [same, largest !== same ? largest : undefined]
      .filter((o): o is PeerResult => o !== undefined)
      .map((o) => [o, kubemark] as const);
  });
  for (const [ours, kubemark] of comparisons) {
    const mem = kubemark.rssKiBPerNode / ours.rssKiBPerNode;
    const cpu = kubemark.millicoresPerNode / ours.millicoresPerNode;
    lines.push(
      `- ours (fidelity) at ${ours.nodes.toLocaleString("en")} nodes against upstream kubemark at ${kubemark.nodes}: ` +
        `memory per node 1/${Math.round(mem)} (goal 1/500: ${mem >= 500 ? "met" : "not met"}), ` +
        `CPU per node 1/${Math.round(cpu)} (goal 1/300: ${cpu >= 300 ? "met" : "not met"}).`,
    );
  }
  for (const nodes of sizesOf(results)) {
    const shared = find(results, "ours-shared", nodes);
    const fidelity = find(results, "ours-fidelity", nodes);
    const kwok = find(results, "kwok", nodes);
    if (!shared || !kwok || nodes < 1000) continue;
    const cpu = shared.millicoresPerNode / kwok.millicoresPerNode;
    const mem = shared.rssKiBPerNode / kwok.rssKiBPerNode;
    lines.push(
      `- ${nodes.toLocaleString("en")} nodes, shared mode at most 1.0x KWOK per node: CPU ${cpu.toFixed(2)}x ${cpu <= 1 ? "(met)" : "(not met)"}, ` +
        `memory ${mem.toFixed(2)}x ${mem <= 1 ? "(met)" : "(not met)"}` +
        (fidelity
          ? `; fidelity mode keeps per-node watches: ${fidelity.load.watchesPerNodeTotal} per node (KWOK ${kwok.load.watchesPerNodeTotal}).`
          : "."),
    );
  }
  return lines;
}

function ratio(a: number | undefined, b: number | undefined): string {
  if (a === undefined || b === undefined || b === 0) return "";
  const r = a / b;
  return r >= 0.01 || r === 0 ? `${formatNumber(r)}x` : `1/${Math.round(1 / r)}`;
}

function formatNumber(n: number | undefined): string {
  if (n === undefined) return "";
  if (n === 0) return "0";
  const abs = Math.abs(n);
  const digits = abs >= 100 ? 0 : abs >= 10 ? 1 : abs >= 1 ? 2 : 3;
  return n.toLocaleString("en", { maximumFractionDigits: digits, minimumFractionDigits: 0 });
}

function sizesOf(results: PeerResult[]): number[] {
  return [...new Set(results.map((r) => r.nodes))].sort((a, b) => a - b);
}

function find(results: PeerResult[], peer: PeerName, nodes: number): PeerResult | undefined {
  return results.find((r) => r.peer === peer && r.nodes === nodes);
}
