import { COMPONENTS, readDescription } from "../../master/cluster-state.js";
import { checkHealth } from "../../master/local-master.js";
import { isRunning } from "../../master/process.js";
import { EXIT, NAME_FLAG, OUTPUT_FLAG, type Command } from "../command.js";

export const statusCommand: Command = {
  usage: "kubemark status [--name NAME] [-o json]",
  flags: [NAME_FLAG, OUTPUT_FLAG],
  async run({ flags, out, err }) {
    const name = flags.name as string;
    const desc = await readDescription(name);
    if (!desc) {
      err(`no cluster named '${name}'`);
      return EXIT.failed;
    }
    const components = await Promise.all(
      COMPONENTS.filter((c) => desc.components[c]).map(async (c) => {
        const s = desc.components[c];
        const running = await isRunning(s.pid, s.binary);
        return {
          name: c,
          pid: s.pid,
          running,
          ports: s.ports,
          health: running ? await checkHealth(desc, c) : "not running",
          log: s.log,
        };
      }),
    );
    const hollow = await Promise.all(
      (desc.hollowNodes?.processes ?? []).map(async (p, i) => ({
        name: `hollow-nodes-${i}`,
        pid: p.pid,
        running: await isRunning(p.pid, p.binary),
        nodes: `${p.firstIndex}..${p.firstIndex + p.count - 1}`,
        metrics: `http://127.0.0.1:${p.metricsPort}/metrics`,
        log: p.log,
      })),
    );
    const healthy =
      components.length === COMPONENTS.length &&
      components.every((c) => c.health === "ok") &&
      hollow.every((h) => h.running);
    if (flags.output === "json") {
      out(
        JSON.stringify(
          {
            name: desc.name,
            kubernetesVersion: desc.kubernetesVersion,
            etcdVersion: desc.etcdVersion,
            server: desc.server,
            kubeconfig: desc.kubeconfig,
            healthy,
            components,
          },
          null,
          2,
        ),
      );
    } else {
      out(
        `Cluster '${desc.name}' (Kubernetes ${desc.kubernetesVersion}, etcd ${desc.etcdVersion}) at ${desc.server}`,
      );
      out(`${"COMPONENT".padEnd(26)}${"PID".padEnd(9)}${"PORTS".padEnd(30)}HEALTH`);
      for (const c of components) {
        const ports = Object.entries(c.ports)
          .map(([k, v]) => `${k}=${v}`)
          .join(",");
        out(`${c.name.padEnd(26)}${String(c.pid).padEnd(9)}${ports.padEnd(30)}${c.health}`);
      }
      for (const h of hollow) {
        out(
          `${h.name.padEnd(26)}${String(h.pid).padEnd(9)}${`nodes ${h.nodes}`.padEnd(30)}${h.running ? `running, metrics ${h.metrics}` : "not running"}`,
        );
      }
    }
    return healthy ? EXIT.ok : EXIT.failed;
  },
};
