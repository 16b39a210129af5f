import { KubeClient } from "../../client/kube-client.js";
import { loadKubeconfig } from "../../client/kubeconfig.js";
import type { KubeList, Pod } from "../../client/types.js";
import { COMPONENTS, type ClusterDescription } from "../../master/cluster-state.js";
import { podSelector } from "../../providers/external/objects.js";
import { checkHealth } from "../../master/local-master.js";
import { isRunning } from "../../master/process.js";
import { describedCluster } from "../cluster-client.js";
import { EXIT, NAME_FLAG, OUTPUT_FLAG, type Command } from "../command.js";

export const statusCommand: Command = {
  usage: "kubemark status [--name NAME] [-o json]",
  flags: [NAME_FLAG, OUTPUT_FLAG],
  async run({ flags, out }) {
    const desc = await describedCluster(flags.name as string);
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
    const existing = desc.masterProvider === "existing" ? await existingMasterHealth(desc) : undefined;
    const pods = desc.external ? await externalPodsStatus(desc) : undefined;
    const healthy =
      (existing ? existing === "ok" : components.length === COMPONENTS.length) &&
      components.every((c) => c.health === "ok") &&
      hollow.every((h) => h.running) &&
      (pods === undefined || pods.running === pods.wanted);
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
            ...(existing ? { existingMaster: existing } : {}),
            ...(pods ? { externalPods: pods } : {}),
          },
          null,
          2,
        ),
      );
    } else {
      out(
        `Cluster '${desc.name}' (Kubernetes ${desc.kubernetesVersion}, etcd ${desc.etcdVersion}) at ${desc.server}`,
      );
      if (existing) out(`existing master (not started by kubemark): ${existing}`);
      if (pods)
        out(
          `hollow-node pods in ${pods.namespace} of ${pods.cluster}: ${pods.running}/${pods.wanted} Running${pods.problems.length ? `; ${pods.problems.join(", ")}` : ""}`,
        );
      if (components.length > 0)
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

/** An existing master's /readyz, through its kubeconfig: "ok" or why not. */
async function existingMasterHealth(desc: ClusterDescription): Promise<string> {
  const client = new KubeClient(await loadKubeconfig(desc.kubeconfig), { userAgent: "kubemark" });
  try {
    const body = await client.get<unknown>("/readyz", { timeoutMs: 3_000 });
    return typeof body === "string" ? body.trim() || "ok" : "ok";
  } catch (err) {
    return `unhealthy: ${(err as Error).message}`;
  } finally {
    client.close();
  }
}

/** The external provider's pods: how many Running of how many wanted, and those that are not, with why. */
async function externalPodsStatus(desc: ClusterDescription) {
  const ext = desc.external!;
  const client = new KubeClient(await loadKubeconfig(ext.kubeconfig), { userAgent: "kubemark" });
  try {
    const pods = (
      await client.get<KubeList<Pod>>(`/api/v1/namespaces/${ext.namespace}/pods`, {
        query: { labelSelector: podSelector(desc.name) },
        timeoutMs: 5_000,
      })
    ).items;
    const running = pods.filter((p) => p.status?.phase === "Running");
    return {
      cluster: client.server,
      namespace: ext.namespace,
      wanted: ext.replicas,
      running: running.length,
      problems: pods
        .filter((p) => p.status?.phase !== "Running")
        .map(
          (p) =>
            `${p.metadata.name}: ${p.status?.containerStatuses?.[0]?.state?.waiting?.reason ?? p.status?.phase ?? "Pending"}`,
        ),
    };
  } catch (err) {
    return {
      cluster: client.server,
      namespace: ext.namespace,
      wanted: ext.replicas,
      running: 0,
      problems: [`unreachable: ${(err as Error).message}`],
    };
  } finally {
    client.close();
  }
}
