import { buildControlPlane } from "../../master/build.js";
import { EXIT, type Command } from "../command.js";

export const buildCommand: Command = {
  usage: "kubemark build [--force]",
  flags: [{ name: "force", type: "bool", help: "rebuild even when the cache holds the pinned versions" }],
  async run({ flags, err }) {
    await buildControlPlane({ force: flags.force === true, log: err });
    return EXIT.ok;
  },
};
