import { stopProviders } from "../../providers/stop-cluster.js";
import { describedCluster } from "../cluster-client.js";
import { EXIT, NAME_FLAG, type Command } from "../command.js";

export const stopCommand: Command = {
  usage: "kubemark stop [--name NAME] [--keep-state]",
  flags: [
    NAME_FLAG,
    { name: "keep-state", type: "bool", help: "keep the state dir (logs, etcd data, PKI) for inspection" },
  ],
  async run({ flags, out, err }) {
    const desc = await describedCluster(flags.name as string);
    await stopProviders(desc, flags["keep-state"] === true, err);
    out(`Cluster '${desc.name}' stopped${flags["keep-state"] ? `; state kept in ${desc.stateDir}` : ""}.`);
    return EXIT.ok;
  },
};
