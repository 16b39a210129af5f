import { stopLocalMaster } from "../../master/local-master.js";
import { EXIT, NAME_FLAG, type Command } from "../command.js";

export const stopCommand: Command = {
  usage: "kubemark stop [--name NAME] [--keep-state]",
  flags: [
    NAME_FLAG,
    { name: "keep-state", type: "bool", help: "keep the state dir (logs, etcd data, PKI) for inspection" },
  ],
  async run({ flags, out }) {
    const desc = await stopLocalMaster(flags.name as string, flags["keep-state"] === true);
    out(`Cluster '${desc.name}' stopped${flags["keep-state"] ? `; state kept in ${desc.stateDir}` : ""}.`);
    return EXIT.ok;
  },
};
