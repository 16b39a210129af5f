import { startDashboard } from "../../dashboard/server.js";
import { isDirectory, loadRuns } from "../../dashboard/run-store.js";
import { EXIT, type Command } from "../command.js";
import { UsageError } from "../flags.js";

/** Where `kubemark run` writes by default. */
const DEFAULT_REPORT_DIR = "reports";

export const dashboardCommand: Command = {
  usage: "kubemark dashboard [--report-dir DIR ...] [--port P]",
  flags: [
    {
      name: "report-dir",
      type: "list",
      help: `a directory of runs, searched recursively (repeatable; default ./${DEFAULT_REPORT_DIR})`,
    },
    { name: "port", type: "int", help: "port on 127.0.0.1; 0 picks a free one", default: 0 },
  ],
  async run({ flags, positional, out, err, signal }) {
    if (positional.length > 0) throw new UsageError(`unexpected argument ${positional[0]}`);
    const port = flags.port as number;
    if (port < 0 || port > 65535) throw new UsageError(`invalid value "${port}" for --port: want 0..65535`);
    const given = flags["report-dir"] as string[];
    const dirs = given.length > 0 ? given : [DEFAULT_REPORT_DIR];
    for (const dir of dirs) {
      if (!(await isDirectory(dir))) {
        err(
          `no report directory ${dir}${given.length === 0 ? " (run 'kubemark run' first, or pass --report-dir)" : ""}`,
        );
        return EXIT.usage;
      }
    }
    const dashboard = await startDashboard(dirs, port);
    const { runs, unreadable } = await loadRuns(dirs);
    out(`Dashboard of ${runs.length} runs (${unreadable.length} unreadable files) in ${dirs.join(", ")}`);
    out(`Dashboard at ${dashboard.url} (Ctrl-C stops it)`);
    await new Promise((resolve) => signal.addEventListener("abort", resolve, { once: true }));
    await dashboard.close();
    return EXIT.ok;
  },
};
