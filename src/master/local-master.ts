import { mkdir, rm } from "node:fs/promises";
import path from "node:path";
import { KubeClient } from "../client/kube-client.js";
import { readKeyPair } from "./pki.js";
import { binaryPaths, verifyBinaries } from "./binaries.js";
import {
  COMPONENTS,
  clusterLayout,
  describedLayout,
  readDescription,
  validateClusterName,
  writeDescription,
  type ClusterDescription,
  type ComponentName,
} from "./cluster-state.js";
import { componentSpecs, NETWORK, type ExtraArgs, type MasterPorts } from "./components.js";
import { createMasterPki } from "./master-pki.js";
import { stopHollowNodes } from "./local-hollow-nodes.js";
import { freePort, isPortFree } from "./ports.js";
import { isRunning, logTail, spawnDetached, terminate, type Spawned } from "./process.js";
import { ETCD_VERSION, kubernetesVersion } from "./versions.js";

export class MasterError extends Error {}

export interface StartMasterOptions {
  name: string;
  binDir?: string;
  /** The API server's port; a free one is chosen when absent. */
  apiserverPort?: number;
  extraArgs?: ExtraArgs;
  timeoutMs?: number;
  log?: (line: string) => void;
  /** Ctrl-C: stop starting, stop what was started, reject. */
  signal?: AbortSignal;
}

/**
 * Starts etcd, kube-apiserver, kube-controller-manager and kube-scheduler as detached processes and returns
 * once all report healthy. A failure part-way stops whatever was started and explains why.
 */
export async function startLocalMaster(opts: StartMasterOptions): Promise<ClusterDescription> {
  const log = opts.log ?? (() => {});
  const nameProblem = validateClusterName(opts.name);
  if (nameProblem) throw new MasterError(nameProblem);
  if (await isClusterRunning(opts.name)) {
    throw new MasterError(
      `cluster '${opts.name}' is already running; stop it with 'kubemark stop --name ${opts.name}' or pick another --name`,
    );
  }
  const binaries = binaryPaths(opts.binDir);
  await verifyBinaries(binaries);
  if (opts.apiserverPort !== undefined && !(await isPortFree(opts.apiserverPort))) {
    throw new MasterError(
      `port ${opts.apiserverPort} on 127.0.0.1 is in use; choose another --port or leave it out to pick a free one`,
    );
  }

  const layout = clusterLayout(opts.name);
  await rm(layout.dir, { recursive: true, force: true });
  await mkdir(layout.logs, { recursive: true, mode: 0o700 });
  await mkdir(layout.etcdData, { recursive: true, mode: 0o700 });

  const ports = await choosePorts(opts.apiserverPort);
  const server = `https://127.0.0.1:${ports.apiserver}`;
  log(`generating PKI in ${layout.pki}`);
  const pki = await createMasterPki(layout, opts.name, server, NETWORK.firstServiceIP);
  const specs = componentSpecs(layout, pki, ports, opts.extraArgs);

  const desc: ClusterDescription = {
    name: opts.name,
    kubernetesVersion: kubernetesVersion(),
    etcdVersion: ETCD_VERSION,
    createdAt: new Date().toISOString(),
    stateDir: layout.dir,
    kubeconfig: layout.kubeconfig,
    server,
    serviceCIDR: NETWORK.serviceCIDR,
    clusterCIDR: NETWORK.clusterCIDR,
    nodeCIDRMaskSize: NETWORK.nodeCIDRMaskSize,
    components: {} as ClusterDescription["components"],
  };
  const deadline = Date.now() + (opts.timeoutMs ?? 120_000);
  const started: Partial<Record<ComponentName, Spawned>> = {};
  const launch = async (name: ComponentName) => {
    opts.signal?.throwIfAborted();
    const spec = specs.find((s) => s.name === name)!;
    const logFile = path.join(layout.logs, `${name}.log`);
    started[name] = spawnDetached(binaries[name], spec.args, logFile);
    desc.components[name] = {
      pid: started[name]!.pid,
      binary: binaries[name],
      args: spec.args,
      log: logFile,
      ports: spec.ports,
      healthUrl: spec.healthUrl,
      metricsUrl: spec.metricsUrl,
    };
    // Written at each step so that 'kubemark stop' finds every process even if this one is killed mid-start.
    await writeDescription(desc);
    log(`started ${name} (pid ${started[name]!.pid})`);
  };
  try {
    await launch("etcd");
    await waitHealthy(desc, "etcd", started.etcd!, deadline, opts.signal);
    await launch("kube-apiserver");
    await waitHealthy(desc, "kube-apiserver", started["kube-apiserver"]!, deadline, opts.signal);
    // Only once RBAC is bootstrapped: the controllers read their delegated-auth config at start and exit if refused.
    const controllers = ["kube-controller-manager", "kube-scheduler"] as const;
    for (const name of controllers) await launch(name);
    await Promise.all(
      controllers.map((name) => waitHealthy(desc, name, started[name]!, deadline, opts.signal)),
    );
    return desc;
  } catch (err) {
    log(`start failed; stopping what was started`);
    await stopComponents(desc);
    throw err;
  }
}

async function choosePorts(apiserver?: number): Promise<MasterPorts> {
  const taken = new Set<number>(apiserver ? [apiserver] : []);
  const next = async () => {
    for (;;) {
      const p = await freePort();
      if (!taken.has(p)) {
        taken.add(p);
        return p;
      }
    }
  };
  return {
    apiserver: apiserver ?? (await next()),
    etcdClient: await next(),
    etcdPeer: await next(),
    controllerManager: await next(),
    scheduler: await next(),
  };
}

/** A client for a component's health and metrics endpoints, as the cluster admin (etcd: its client cert). */
export async function componentClient(desc: ClusterDescription, name: ComponentName): Promise<KubeClient> {
  const layout = describedLayout(desc);
  const ca = await readKeyPair(layout.pki, "ca");
  const pair = await readKeyPair(layout.pki, name === "etcd" ? "etcd-client" : "admin");
  const url = new URL(desc.components[name].healthUrl);
  return new KubeClient(
    { server: url.origin, caPem: ca.cert, certPem: pair.cert, keyPem: pair.key },
    { userAgent: "kubemark/health" },
  );
}

export async function checkHealth(
  desc: ClusterDescription,
  name: ComponentName,
  client?: KubeClient,
): Promise<string> {
  const own = client ?? (await componentClient(desc, name));
  try {
    const body = await own.get<unknown>(new URL(desc.components[name].healthUrl).pathname, {
      timeoutMs: 3_000,
    });
    if (name === "etcd") return (body as { health?: string }).health === "true" ? "ok" : JSON.stringify(body);
    return typeof body === "string" ? body.trim() || "ok" : "ok";
  } catch (err) {
    return `unhealthy: ${(err as Error).message}`;
  } finally {
    if (!client) own.close();
  }
}

async function waitHealthy(
  desc: ClusterDescription,
  name: ComponentName,
  proc: Spawned,
  deadline: number,
  signal?: AbortSignal,
): Promise<void> {
  const client = await componentClient(desc, name);
  let died: string | undefined;
  void proc.exited.then((how) => (died = how));
  try {
    let last = "";
    while (Date.now() < deadline) {
      signal?.throwIfAborted();
      if (died) break;
      last = await checkHealth(desc, name, client);
      if (last === "ok") return;
      await new Promise((r) => setTimeout(r, 100));
    }
    const logFile = desc.components[name].log;
    const why = died
      ? `${name} ${died} during start`
      : `${name} was not healthy in time (last check: ${last})`;
    throw new MasterError(`${why}; last lines of ${logFile}:\n${await logTail(logFile)}`);
  } finally {
    client.close();
  }
}

export async function isClusterRunning(name: string): Promise<boolean> {
  const desc = await readDescription(name);
  if (!desc) return false;
  const processes = [...Object.values(desc.components ?? {}), ...(desc.hollowNodes?.processes ?? [])];
  for (const c of processes) if (await isRunning(c.pid, c.binary)) return true;
  return false;
}

/** Hollow nodes first (they finish their writes while the master still answers), then the master. */
export async function stopCluster(desc: ClusterDescription): Promise<void> {
  await stopHollowNodes(desc);
  await stopComponents(desc);
}

/** Stops the components in reverse start order: the scheduler first, etcd last. */
export async function stopComponents(desc: ClusterDescription): Promise<void> {
  for (const name of [...COMPONENTS].reverse()) {
    const c = desc.components[name];
    if (c) await terminate(c.pid, c.binary);
  }
}

export async function stopLocalMaster(name: string, keepState: boolean): Promise<ClusterDescription> {
  const desc = await readDescription(name);
  if (!desc) throw new MasterError(`no cluster named '${name}' (looked in ${clusterLayout(name).dir})`);
  await stopCluster(desc);
  if (!keepState) await rm(desc.stateDir, { recursive: true, force: true });
  return desc;
}

/** Restarts one master component with its recorded command line (a chaos step: the API server going away). */
export async function restartComponent(
  desc: ClusterDescription,
  name: ComponentName,
  timeoutMs = 60_000,
): Promise<void> {
  const c = desc.components[name];
  await terminate(c.pid, c.binary);
  const spawned = spawnDetached(c.binary, c.args, c.log);
  c.pid = spawned.pid;
  await writeDescription(desc);
  await waitHealthy(desc, name, spawned, Date.now() + timeoutMs);
}
