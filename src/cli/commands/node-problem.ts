import { NOT_READY, NPD_CONDITIONS, PROBLEM_ANNOTATION } from "../../hollow/problem-detector.js";
import { clusterClient, KUBECONFIG_FLAG } from "../cluster-client.js";
import { EXIT, NAME_FLAG, type Command } from "../command.js";
import { UsageError } from "../flags.js";

export const nodeProblemCommand: Command = {
  usage:
    "kubemark node-problem NODE (--condition TYPE ... | --not-ready | --heal) [--name NAME | --kubeconfig K]",
  flags: [
    NAME_FLAG,
    KUBECONFIG_FLAG,
    {
      name: "condition",
      type: "list",
      help: `set this condition True, repeatable: ${Object.keys(NPD_CONDITIONS).join(", ")}`,
    },
    {
      name: "not-ready",
      type: "bool",
      help: "stop the node's lease and status heartbeats, so the master marks it NotReady",
    },
    { name: "heal", type: "bool", help: "remove every injected problem" },
  ],
  async run({ flags, positional, out }) {
    const [node, ...rest] = positional;
    if (!node || rest.length > 0) throw new UsageError("name exactly one node");
    const conditions = flags.condition as string[];
    for (const c of conditions) {
      if (!(c in NPD_CONDITIONS))
        throw new UsageError(
          `unknown condition "${c}": want one of ${Object.keys(NPD_CONDITIONS).join(", ")}`,
        );
    }
    const heal = flags.heal === true;
    if (heal === (conditions.length > 0 || flags["not-ready"] === true))
      throw new UsageError("give --condition and/or --not-ready, or --heal");
    const value = heal ? null : [...(flags["not-ready"] ? [NOT_READY] : []), ...conditions].join(",");
    const client = await clusterClient(flags);
    try {
      await client.patch(
        `/api/v1/nodes/${node}`,
        { metadata: { annotations: { [PROBLEM_ANNOTATION]: value } } },
        "merge",
      );
    } finally {
      client.close();
    }
    out(heal ? `node/${node} healed` : `node/${node}: injected ${value}`);
    return EXIT.ok;
  },
};
