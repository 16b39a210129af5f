import { spawn, type ChildProcess } from "node:child_process";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { openSync, closeSync } from "node:fs";
import path from "node:path";
import type { KubeClient } from "../../src/client/kube-client.js";
import type { KubeList, KubeObject, Pod } from "../../src/client/types.js";
import { KUBEMARK_BIN } from "./cli.js";

const REPO = path.resolve(path.dirname(KUBEMARK_BIN), "..");

interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: { fieldRef?: { fieldPath: string } };
}
interface PodContainer {
  args?: string[];
  env?: EnvVar[];
  volumeMounts?: { name: string; mountPath: string }[];
}
interface PodVolume {
  name: string;
  secret?: { secretName: string };
  configMap?: { name: string };
  emptyDir?: object;
}

/**
 * The image's entrypoint from the Dockerfile, with the image's paths mapped onto this checkout: the node
 * binary is ours, /app is the repository (what the image copies there).
 */
export async function imageEntrypoint(): Promise<string[]> {
  const dockerfile = await readFile(path.join(REPO, "Dockerfile"), "utf8");
  const line = dockerfile.split("\n").find((l) => l.startsWith("ENTRYPOINT "));
  if (!line) throw new Error("the Dockerfile has no ENTRYPOINT");
  const entry = JSON.parse(line.slice("ENTRYPOINT ".length)) as string[];
  return entry.map((part) =>
    part.endsWith("/node") ? process.execPath : part.replace(/^\/app\//, `${REPO}/`),
  );
}

/**
 * Stands in for the kubelets of an "external" cluster whose nodes are hollow (they run pods as no
 * process): each of its Running hollow-node pods is run here as a local process, with the pod's own
 * arguments and environment and its Secret, ConfigMap and emptyDir volumes materialised as directories;
 * a pod being deleted gets its process stopped, as a kubelet would.
 */
export class PodsAsProcesses {
  readonly processes = new Map<string, ChildProcess>();
  private timer: NodeJS.Timeout | undefined;
  private busy = false;
  readonly errors: string[] = [];

  constructor(
    private readonly external: KubeClient,
    private readonly namespace: string,
    private readonly labelSelector: string,
    private readonly workDir: string,
  ) {}

  start(): void {
    this.timer = setInterval(() => void this.sync(), 300);
  }

  /** Stops polling and every process (SIGTERM), resolving once all have exited. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    await Promise.all([...this.processes.keys()].map((name) => this.kill(name)));
  }

  running(): string[] {
    return [...this.processes]
      .filter(([, c]) => c.exitCode === null && c.signalCode === null)
      .map(([n]) => n);
  }

  private async sync(): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    try {
      const pods = (
        await this.external.get<KubeList<Pod>>(`/api/v1/namespaces/${this.namespace}/pods`, {
          query: { labelSelector: this.labelSelector },
        })
      ).items;
      const live = new Set(pods.filter((p) => !p.metadata.deletionTimestamp).map((p) => p.metadata.name!));
      for (const name of this.processes.keys()) if (!live.has(name)) await this.kill(name);
      for (const pod of pods) {
        const name = pod.metadata.name!;
        if (live.has(name) && pod.status?.phase === "Running" && !this.processes.has(name))
          this.processes.set(name, await this.run(pod));
      }
    } catch (err) {
      this.errors.push((err as Error).message);
    } finally {
      this.busy = false;
    }
  }

  private async run(pod: Pod): Promise<ChildProcess> {
    const name = pod.metadata.name!;
    const container = (pod.spec.containers as PodContainer[])[0];
    const volumes = (pod.spec as unknown as { volumes: PodVolume[] }).volumes;
    const podDir = path.join(this.workDir, name);
    const mounts = new Map<string, string>();
    for (const m of container.volumeMounts ?? []) {
      const volume = volumes.find((v) => v.name === m.name)!;
      const dir = path.join(podDir, m.name);
      await mkdir(dir, { recursive: true, mode: 0o700 });
      await this.materialise(volume, dir);
      mounts.set(m.mountPath, dir);
    }
    const env: Record<string, string> = {};
    for (const e of container.env ?? []) {
      if (e.valueFrom?.fieldRef?.fieldPath === "metadata.name") env[e.name] = name;
      else if (e.value !== undefined) env[e.name] = e.value;
    }
    // The kubelet's $(VAR) expansion, then the mount paths as this machine's directories.
    const args = (container.args ?? []).map((arg) => {
      let a = arg.replace(/\$\(([A-Za-z_][A-Za-z0-9_]*)\)/g, (whole, v: string) => env[v] ?? whole);
      for (const [mountPath, dir] of mounts) a = a.split(mountPath).join(dir);
      return a;
    });
    const [command, ...entryArgs] = await imageEntrypoint();
    const log = openSync(path.join(this.workDir, `${name}.log`), "a");
    try {
      return spawn(command, [...entryArgs, ...args], {
        env: { ...process.env, ...env },
        stdio: ["ignore", log, log],
      });
    } finally {
      closeSync(log);
    }
  }

  private async materialise(volume: PodVolume, dir: string): Promise<void> {
    const source = volume.secret
      ? `/api/v1/namespaces/${this.namespace}/secrets/${volume.secret.secretName}`
      : volume.configMap
        ? `/api/v1/namespaces/${this.namespace}/configmaps/${volume.configMap.name}`
        : undefined;
    if (!source) return;
    const obj = await this.external.get<KubeObject & { data?: Record<string, string> }>(source);
    for (const [key, value] of Object.entries(obj.data ?? {})) {
      const text = volume.secret ? Buffer.from(value, "base64").toString("utf8") : value;
      await writeFile(path.join(dir, key), text, { mode: 0o600 });
    }
  }

  private async kill(name: string): Promise<void> {
    const child = this.processes.get(name);
    if (!child) return;
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((r) => child.once("exit", r));
      child.kill("SIGTERM");
      await exited;
    }
  }
}
