import { hollowNodeProvider } from "../../providers/hollow-node-provider.js";
import { describedCluster } from "../cluster-client.js";
import { EXIT, NAME_FLAG, OUTPUT_FLAG, type Command } from "../command.js";
import { UsageError } from "../flags.js";

export const locateCommand: Command = {
  usage: "kubemark locate NODE [--name NAME] [-o json]",
  flags: [NAME_FLAG, OUTPUT_FLAG],
  async run({ flags, positional, out }) {
    const [node, ...rest] = positional;
    if (!node || rest.length > 0) throw new UsageError("name exactly one hollow node");
    const desc = await describedCluster(flags.name as string);
    const location = await (await hollowNodeProvider(desc.hollowNodeProvider)).locate(desc, node);
    if (flags.output === "json") out(JSON.stringify(location, null, 2));
    else if (location.kind === "pod")
      out(`${node}: pod ${location.where} on node ${location.host ?? "(not scheduled)"}`);
    else out(`${node}: process ${location.where} on ${location.host}, log ${location.log}`);
    return EXIT.ok;
  },
};
