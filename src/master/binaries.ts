import { execFile } from "node:child_process";
import { access, constants } from "node:fs/promises";
import path from "node:path";
import { promisify } from "node:util";
import {
  cacheRoot,
  ETCD_VERSION,
  kubernetesVersion,
  MASTER_BINARIES,
  type MasterBinary,
} from "./versions.js";

const run = promisify(execFile);

export type BinaryPaths = Record<MasterBinary, string>;

export class BinaryError extends Error {}

export function kubernetesBinDir(version = kubernetesVersion()): string {
  return path.join(cacheRoot(), "bin", `kubernetes-${version}`);
}

export function etcdBinDir(version = ETCD_VERSION): string {
  return path.join(cacheRoot(), "bin", `etcd-${version}`);
}

/**
 * Where the control-plane binaries are: all four in --bin-dir / KUBEMARK_BIN_DIR when given, else the
 * version-keyed build cache.
 */
export function binaryPaths(binDir = process.env.KUBEMARK_BIN_DIR): BinaryPaths {
  const k8s = binDir || kubernetesBinDir();
  const etcd = binDir || etcdBinDir();
  const paths = Object.fromEntries(MASTER_BINARIES.map((b) => [b, path.join(k8s, b)])) as BinaryPaths;
  paths.etcd = path.join(etcd, "etcd");
  return paths;
}

/** Checks that each binary exists, runs, and reports the pinned version (a wrong binary fails loudly). */
export async function verifyBinaries(
  paths: BinaryPaths,
  expectKubernetes = kubernetesVersion(),
): Promise<void> {
  const missing: string[] = [];
  for (const p of Object.values(paths)) {
    try {
      await access(p, constants.X_OK);
    } catch {
      missing.push(p);
    }
  }
  if (missing.length > 0) {
    throw new BinaryError(
      `control-plane binaries not found: ${missing.join(", ")}\n` +
        `build them with 'npx kubemark build' (needs Go), or point --bin-dir / KUBEMARK_BIN_DIR at a directory holding ` +
        `etcd, kube-apiserver, kube-controller-manager and kube-scheduler`,
    );
  }
  await Promise.all(
    Object.entries(paths).map(async ([name, p]) => {
      const reported = await reportedVersion(p);
      const want = name === "etcd" ? null : expectKubernetes;
      if (want && !reported.includes(want)) {
        throw new BinaryError(`${p} reports '${reported.trim()}', expected Kubernetes ${want}`);
      }
    }),
  );
}

async function reportedVersion(binary: string): Promise<string> {
  try {
    const { stdout } = await run(binary, ["--version"], { timeout: 15_000 });
    return stdout;
  } catch (err) {
    throw new BinaryError(`${binary} --version failed: ${(err as Error).message}`);
  }
}
