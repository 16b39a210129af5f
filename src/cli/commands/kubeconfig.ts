import { access } from "node:fs/promises";
import { clusterLayout } from "../../master/cluster-state.js";
import { EXIT, NAME_FLAG, type Command } from "../command.js";

export const kubeconfigCommand: Command = {
  usage: "kubemark kubeconfig [--name NAME]",
  flags: [NAME_FLAG],
  async run({ flags, out, err }) {
    const file = clusterLayout(flags.name as string).kubeconfig;
    try {
      await access(file);
    } catch {
      err(
        `no cluster named '${flags.name}': ${file} does not exist (start one with 'kubemark start --name ${flags.name}')`,
      );
      return EXIT.failed;
    }
    out(file);
    return EXIT.ok;
  },
};
