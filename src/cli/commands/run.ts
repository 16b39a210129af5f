import path from "node:path";
import { fileURLToPath } from "node:url";
import type { KubeClient } from "../../client/kube-client.js";
import type { KubeList, Node } from "../../client/types.js";
import { formatRunSummary, writeRunArtifacts } from "../../experiments/artifacts.js";
import { runExperiment } from "../../experiments/runner.js";
import { loadExperiment } from "../../experiments/schema.js";
import { readDescription } from "../../master/cluster-state.js";
import { clusterClient, KUBECONFIG_FLAG } from "../cluster-client.js";
import { EXIT, NAME_FLAG, type Command } from "../command.js";
import { UsageError } from "../flags.js";
import { isConditionTrue } from "../../client/conditions.js";

const EXPERIMENTS_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../../../experiments");
const BUILT_IN = ["density", "load"];

export const runCommand: Command = {
  usage:
    "kubemark run [density|load|FILE] [--name NAME | --kubeconfig PATH] [--report-dir DIR] [--delete-namespace=false] [--set KEY=VALUE ...]",
  flags: [
    NAME_FLAG,
    KUBECONFIG_FLAG,
    {
      name: "report-dir",
      type: "string",
      help: "where the artifacts go (default ./reports/<experiment>-<UTC time>)",
    },
    {
      name: "delete-namespace",
      type: "bool",
      help: "delete the experiment's namespaces at the end",
      default: true,
    },
    { name: "set", type: "list", help: "override an experiment parameter, KEY=VALUE (repeatable)" },
  ],
  async run({ flags, positional, out, err, signal }) {
    if (positional.length > 1) throw new UsageError(`one experiment at most, got ${positional.join(" ")}`);
    const overrides = parseOverrides(flags.set as string[]);
    const target = positional[0] ?? "density";
    const file = BUILT_IN.includes(target) ? path.join(EXPERIMENTS_DIR, `${target}.yaml`) : target;
    try {
      const local = flags.kubeconfig === undefined ? await readDescription(flags.name as string) : undefined;
      if (flags.kubeconfig === undefined && !local) {
        err(
          `no cluster named '${flags.name as string}'; start one with 'kubemark start' or pass --kubeconfig`,
        );
        return EXIT.usage;
      }
      const client = await clusterClient(flags);
      try {
        const nodes = await readyNodeCount(client);
        const version = await client.get<{ gitVersion: string }>("/version");
        const experiment = await loadExperiment(file, overrides, { NODES: nodes });
        const reportDir = (flags["report-dir"] as string | undefined) ?? defaultReportDir(experiment.name);
        const report = await runExperiment({
          experiment,
          client,
          ...(local ? { local } : {}),
          reportDir,
          deleteNamespaces: flags["delete-namespace"] as boolean,
          signal,
          log: err,
        });
        const context = { experiment, nodes, kubernetesVersion: version.gitVersion };
        await writeRunArtifacts(reportDir, report, context);
        for (const line of formatRunSummary(reportDir, report, context)) out(line);
        if (report.interrupted) return EXIT.interrupted;
        if (report.error !== undefined) return EXIT.usage;
        return report.verdicts.every((v) => v.pass) ? EXIT.ok : EXIT.failed;
      } finally {
        client.close();
      }
    } catch (error) {
      err(`error: ${(error as Error).message}`);
      return EXIT.usage;
    }
  },
};

function parseOverrides(pairs: string[]): Record<string, string> {
  const overrides: Record<string, string> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf("=");
    if (eq <= 0) throw new UsageError(`--set wants KEY=VALUE, got "${pair}"`);
    overrides[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  return overrides;
}

async function readyNodeCount(client: KubeClient): Promise<number> {
  const nodes = await client.get<KubeList<Node>>("/api/v1/nodes");
  return nodes.items.filter((n) => isConditionTrue(n, "Ready")).length;
}

function defaultReportDir(experiment: string): string {
  const stamp = new Date()
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.\d{3}/, "");
  return path.join("reports", `${experiment}-${stamp}`);
}
