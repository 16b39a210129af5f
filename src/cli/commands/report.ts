import { writeRunReport } from "../../dashboard/report.js";
import { isDirectory } from "../../dashboard/run-store.js";
import { EXIT, type Command } from "../command.js";
import { UsageError } from "../flags.js";

export const reportCommand: Command = {
  usage: "kubemark report RUN_DIR [-o FILE.html]",
  flags: [
    {
      name: "output",
      short: "o",
      type: "string",
      help: "the HTML file to write (default RUN_DIR/report.html)",
    },
  ],
  async run({ flags, positional, out, err }) {
    if (positional.length !== 1) throw new UsageError(`want one RUN_DIR, got ${positional.length}`);
    if (!(await isDirectory(positional[0]!))) {
      err(`no run directory ${positional[0]!}`);
      return EXIT.usage;
    }
    try {
      const { file, view } = await writeRunReport(positional[0]!, flags.output as string | undefined);
      out(`Report of the ${view.run.test} run of ${view.run.start} written to ${file}`);
      return EXIT.ok;
    } catch (error) {
      err(`error: ${(error as Error).message}`);
      return EXIT.failed;
    }
  },
};
