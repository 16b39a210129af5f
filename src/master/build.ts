import { spawn } from "node:child_process";
import { access, copyFile, mkdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { BinaryError, etcdBinDir, kubernetesBinDir, verifyBinaries, binaryPaths } from "./binaries.js";
import { cacheRoot, ETCD_VERSION, KWOK_VERSION, kubernetesVersion, MASTER_BINARIES } from "./versions.js";

/**
 * Builds the real control plane from the Go module proxy into the version-keyed cache. Each program is
 * built from a wrapper module of our own, because k8s.io/kubernetes' go.mod points its staging modules at
 * ./staging (a consumer must replace them with the published v0.x releases) and etcd's server module has
 * relative replaces too. Kubernetes and etcd get separate wrapper modules so shared dependencies are not
 * unified across them.
 */
export interface GoProgram {
  /** Directory name in the cache, e.g. "kubernetes-v1.37.2". */
  id: string;
  module: string;
  version: string;
  packages: string[];
  ldflags: string[];
  /** The binary's name when it is not the package's last path element (etcd's is "server"). */
  binaryName?: string;
  /** Derives replace directives from the target module's own go.mod. */
  replaces?: (goMod: string) => string[];
  /** Files of the module's source copied next to the binary, keeping their paths (e.g. KWOK's stages). */
  assets?: string[];
}

export interface BuildOptions {
  log?: (line: string) => void;
  force?: boolean;
}

export function kubernetesProgram(
  version = kubernetesVersion(),
  commands: readonly string[] = MASTER_BINARIES,
): GoProgram {
  const match = /^v1\.(\d+)\.(\d+)(.*)$/.exec(version);
  if (!match) throw new BinaryError(`Kubernetes version '${version}' is not of the form v1.<minor>.<patch>`);
  const [, minor, patch, suffix] = match;
  const stagingVersion = `v0.${minor}.${patch}${suffix}`;
  const v = "k8s.io/component-base/version";
  return {
    id: `kubernetes-${version}`,
    module: "k8s.io/kubernetes",
    version,
    packages: commands.map((c) => `k8s.io/kubernetes/cmd/${c}`),
    ldflags: [
      `-X ${v}.gitVersion=${version}`,
      `-X ${v}.gitMajor=1`,
      `-X ${v}.gitMinor=${minor}`,
      `-X ${v}.gitTreeState=clean`,
      `-X ${v}.buildDate=1970-01-01T00:00:00Z`,
    ],
    replaces: (goMod) => stagingReplaces(goMod, stagingVersion),
  };
}

export function etcdProgram(version = ETCD_VERSION): GoProgram {
  return {
    id: `etcd-${version}`,
    module: "go.etcd.io/etcd/server/v3",
    version,
    packages: ["go.etcd.io/etcd/server/v3"],
    ldflags: [],
    binaryName: "etcd",
  };
}

/**
 * Upstream's Go hollow node (`kubemark --morph=kubelet|proxy`), the same Kubernetes version as the master.
 * Its own cache directory, so that building it never replaces the master's binaries.
 */
export function upstreamKubemarkProgram(version = kubernetesVersion()): GoProgram {
  return { ...kubernetesProgram(version, ["kubemark"]), id: `kubemark-${version}` };
}

/**
 * KWOK's controller; its version is compiled into its source, so no ldflags. `kwok` refuses to run without
 * stages, and its defaults (what kwokctl gives it) live in the module's kustomize/stage/, so they come along.
 */
export function kwokProgram(version = KWOK_VERSION): GoProgram {
  return {
    id: `kwok-${version}`,
    module: "sigs.k8s.io/kwok",
    version,
    packages: ["sigs.k8s.io/kwok/cmd/kwok"],
    ldflags: [],
    assets: KWOK_DEFAULT_STAGES,
  };
}

/** kwokctl's default stages with node leases: node initialise and heartbeat, pod ready, complete, delete. */
export const KWOK_DEFAULT_STAGES = [
  "kustomize/stage/node/fast/node-initialize.yaml",
  "kustomize/stage/node/heartbeat-with-lease/node-heartbeat-with-lease.yaml",
  "kustomize/stage/pod/fast/pod-ready.yaml",
  "kustomize/stage/pod/fast/pod-complete.yaml",
  "kustomize/stage/pod/fast/pod-delete.yaml",
];

/** Where a program's binaries live in the cache, e.g. ~/.cache/kubemark/bin/kwok-v0.8.0/. */
export function programBinDir(program: GoProgram): string {
  return path.join(cacheRoot(), "bin", program.id);
}

/** `k8s.io/x => ./staging/src/k8s.io/x` becomes `k8s.io/x => k8s.io/x v0.<minor>.<patch>`. */
export function stagingReplaces(goMod: string, stagingVersion: string): string[] {
  const out: string[] = [];
  for (const m of goMod.matchAll(/^\s*(k8s\.io\/[\w.-]+)\s+=>\s+\.\/staging\/\S+/gm)) {
    // The sample-* modules are examples upstream does not publish; no command we build imports them.
    if (m[1].startsWith("k8s.io/sample-")) continue;
    out.push(`${m[1]} => ${m[1]} ${stagingVersion}`);
  }
  return out;
}

/** Builds the master's four binaries unless the cache already holds working ones. */
export async function buildControlPlane(opts: BuildOptions = {}): Promise<void> {
  const log = opts.log ?? ((l) => process.stderr.write(l + "\n"));
  await requireGo();
  const k8s = kubernetesProgram();
  const etcd = etcdProgram();
  for (const [program, dir] of [
    [etcd, etcdBinDir()],
    [k8s, kubernetesBinDir()],
  ] as const) {
    if (!opts.force && (await cached(dir, program))) {
      log(`${program.id}: cached in ${dir}`);
      continue;
    }
    await buildProgram(program, dir, log);
  }
  await verifyBinaries(binaryPaths(""));
  log(`control plane ready: ${kubernetesBinDir()} and ${etcdBinDir()}`);
}

/** Builds each program into programBinDir unless the cache already holds it; returns the binaries' dirs. */
export async function buildPrograms(programs: GoProgram[], opts: BuildOptions = {}): Promise<string[]> {
  const log = opts.log ?? ((l) => process.stderr.write(l + "\n"));
  await requireGo();
  const dirs: string[] = [];
  for (const program of programs) {
    const dir = programBinDir(program);
    if (!opts.force && (await cached(dir, program))) log(`${program.id}: cached in ${dir}`);
    else await buildProgram(program, dir, log);
    dirs.push(dir);
  }
  return dirs;
}

async function cached(dir: string, program: GoProgram): Promise<boolean> {
  try {
    const stamp = JSON.parse(await readFile(path.join(dir, ".build.json"), "utf8")) as { version?: string };
    if (stamp.version !== program.version) return false;
    await Promise.all((program.assets ?? []).map((a) => access(path.join(dir, a))));
    return true;
  } catch {
    return false;
  }
}

export async function buildProgram(
  program: GoProgram,
  outDir: string,
  log: (line: string) => void,
): Promise<void> {
  const started = Date.now();
  const workDir = path.join(cacheRoot(), "build", program.id);
  await mkdir(workDir, { recursive: true });
  log(`${program.id}: resolving ${program.module}@${program.version} from the Go module proxy`);
  const info = JSON.parse(
    await go(["mod", "download", "-json", `${program.module}@${program.version}`], workDir),
  ) as {
    GoMod?: string;
    Dir?: string;
    Error?: string;
  };
  if (info.Error || !info.GoMod)
    throw new BinaryError(`cannot download ${program.module}@${program.version}: ${info.Error}`);
  const replaces = program.replaces?.(await readFile(info.GoMod, "utf8")) ?? [];
  const goMod = [
    `module kubemark.local/build/${program.id}`,
    "",
    "go 1.26.0",
    "",
    ...(replaces.length ? ["replace (", ...replaces.map((r) => `\t${r}`), ")"] : []),
    "",
  ].join("\n");
  await writeFile(path.join(workDir, "go.mod"), goMod);
  await rm(path.join(workDir, "go.sum"), { force: true });
  await go(["get", ...program.packages.map((p) => `${p}@${program.version}`)], workDir);

  const tmpOut = `${outDir}.tmp-${process.pid}`;
  await rm(tmpOut, { recursive: true, force: true });
  await mkdir(tmpOut, { recursive: true });
  log(`${program.id}: compiling ${program.packages.length} command(s); this takes minutes on a cold cache`);
  let compiled = 0;
  let lastReport = Date.now();
  await go(
    [
      "build",
      "-v",
      "-trimpath",
      "-o",
      program.binaryName ? path.join(tmpOut, program.binaryName) : tmpOut + path.sep,
      "-ldflags",
      ["-s", "-w", ...program.ldflags].join(" "),
      ...program.packages,
    ],
    workDir,
    (line) => {
      compiled++;
      if (Date.now() - lastReport > 5_000) {
        lastReport = Date.now();
        log(`${program.id}: ${compiled} packages compiled (${line})`);
      }
    },
  );
  for (const asset of program.assets ?? []) {
    await mkdir(path.dirname(path.join(tmpOut, asset)), { recursive: true });
    await copyFile(path.join(info.Dir!, asset), path.join(tmpOut, asset));
  }
  await writeFile(
    path.join(tmpOut, ".build.json"),
    JSON.stringify({ version: program.version, builtAt: new Date().toISOString() }),
  );
  await rm(outDir, { recursive: true, force: true });
  await mkdir(path.dirname(outDir), { recursive: true });
  await rename(tmpOut, outDir);
  log(`${program.id}: built in ${Math.round((Date.now() - started) / 1000)} s into ${outDir}`);
}

async function requireGo(): Promise<void> {
  try {
    await go(["version"], process.cwd());
  } catch {
    throw new BinaryError(
      "Go is needed to build the control plane (it is only a build tool here) and 'go' was not found on PATH; " +
        "install Go 1.26 or newer, or pass --bin-dir with prebuilt binaries",
    );
  }
}

/** Runs go, returning stdout; stderr lines go to onLine (build -v prints one per package) and into the error. */
function go(args: string[], cwd: string, onLine?: (line: string) => void): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn("go", args, {
      cwd,
      env: { ...process.env, CGO_ENABLED: "0" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    const stderrTail: string[] = [];
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    let partial = "";
    child.stderr.on("data", (d: Buffer) => {
      const lines = (partial + d.toString()).split("\n");
      partial = lines.pop() ?? "";
      for (const line of lines) {
        stderrTail.push(line);
        if (stderrTail.length > 40) stderrTail.shift();
        onLine?.(line);
      }
    });
    child.on("error", reject);
    child.on("close", (code) => {
      if (code === 0) resolve(stdout);
      else
        reject(
          new BinaryError(
            `go ${args.slice(0, 2).join(" ")} failed (exit ${code}):\n${stderrTail.join("\n")}`,
          ),
        );
    });
  });
}
