import { clusterLayout, readDescription } from "../../master/cluster-state.js";
import { stopProviders } from "../../providers/stop-cluster.js";
import { EXIT, NAME_FLAG, type Command } from "../command.js";

export const stopCommand: Command = {
  usage: "kubemark stop [--name NAME] [--keep-state]",
  flags: [
    NAME_FLAG,
    { name: "keep-state", type: "bool", help: "keep the state dir (logs, etcd data, PKI) for inspection" },
  ],
  async run({ flags, out, err }) {
    const name = flags.name as string;
    const desc = await readDescription(name);
    if (!desc) {
      err(`no cluster named '${name}' (looked in ${clusterLayout(name).dir})`);
      return EXIT.failed;
    }
    await stopProviders(desc, flags["keep-state"] === true, err);
    out(`Cluster '${desc.name}' stopped${flags["keep-state"] ? `; state kept in ${desc.stateDir}` : ""}.`);
    return EXIT.ok;
  },
};
