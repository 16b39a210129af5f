import { hollowNodeProvider } from "../../providers/hollow-node-provider.js";
import { describedCluster } from "../cluster-client.js";
import { EXIT, NAME_FLAG, type Command } from "../command.js";
import { UsageError } from "../flags.js";

export const logsCommand: Command = {
  usage: "kubemark logs NODE [--name NAME] [-f]",
  flags: [
    NAME_FLAG,
    { name: "follow", short: "f", type: "bool", help: "keep printing new lines until interrupted" },
  ],
  async run({ flags, positional, out, signal }) {
    const [node, ...rest] = positional;
    if (!node || rest.length > 0) throw new UsageError("name exactly one hollow node");
    const desc = await describedCluster(flags.name as string);
    const provider = await hollowNodeProvider(desc.hollowNodeProvider);
    await provider.logs(desc, node, { follow: flags.follow === true, out, signal });
    // Ctrl-C is how a follow ends: that is success, not an interruption.
    return EXIT.ok;
  },
};
