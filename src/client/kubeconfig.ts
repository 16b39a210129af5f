import { readFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import YAML from "yaml";

/** What a client needs to reach and authenticate to one API server. */
export interface ClientIdentity {
  server: string;
  caPem?: string;
  certPem?: string;
  keyPem?: string;
  token?: string;
  /** Skips server verification (kubeconfig insecure-skip-tls-verify). */
  insecure?: boolean;
}

export class KubeconfigError extends Error {}

interface KubeconfigFile {
  clusters?: { name: string; cluster: Record<string, string | boolean> }[];
  users?: { name: string; user: Record<string, unknown> }[];
  contexts?: { name: string; context: { cluster: string; user: string; namespace?: string } }[];
  "current-context"?: string;
}

/** The kubeconfig a user means: the flag, else $KUBECONFIG's first file, else ~/.kube/config. */
export function defaultKubeconfigPath(): string {
  const env = process.env.KUBECONFIG?.split(path.delimiter).find(Boolean);
  return env ?? path.join(os.homedir(), ".kube", "config");
}

/** Loads a kubeconfig's identity for a context (default: current-context), resolving file references. */
export async function loadKubeconfig(file: string, contextName?: string): Promise<ClientIdentity> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (err) {
    throw new KubeconfigError(
      `cannot read kubeconfig ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
    );
  }
  let cfg: KubeconfigFile;
  try {
    cfg = YAML.parse(text) as KubeconfigFile;
  } catch (err) {
    throw new KubeconfigError(`kubeconfig ${file} is not valid YAML: ${(err as Error).message}`);
  }
  const name = contextName ?? cfg?.["current-context"];
  if (!name) throw new KubeconfigError(`kubeconfig ${file} has no current-context`);
  const context = cfg.contexts?.find((c) => c.name === name)?.context;
  if (!context) throw new KubeconfigError(`kubeconfig ${file} has no context '${name}'`);
  const cluster = cfg.clusters?.find((c) => c.name === context.cluster)?.cluster;
  if (!cluster)
    throw new KubeconfigError(
      `kubeconfig ${file}: context '${name}' names cluster '${context.cluster}', which is not defined`,
    );
  const user = cfg.users?.find((u) => u.name === context.user)?.user ?? {};
  if (user.exec || user["auth-provider"]) {
    throw new KubeconfigError(
      `kubeconfig ${file}: user '${context.user}' uses an exec/auth-provider plugin, which kubemark does not run; use a certificate or token`,
    );
  }
  const dir = path.dirname(file);
  const material = async (data: unknown, ref: unknown): Promise<string | undefined> => {
    if (typeof data === "string") return Buffer.from(data, "base64").toString("utf8");
    if (typeof ref === "string") return readFile(path.resolve(dir, ref), "utf8");
    return undefined;
  };
  const server = cluster.server;
  if (typeof server !== "string" || !server)
    throw new KubeconfigError(`kubeconfig ${file}: cluster '${context.cluster}' has no server`);
  const tokenFromFile =
    typeof user.tokenFile === "string"
      ? (await readFile(path.resolve(dir, user.tokenFile), "utf8")).trim()
      : undefined;
  return {
    server: server.replace(/\/$/, ""),
    caPem: await material(cluster["certificate-authority-data"], cluster["certificate-authority"]),
    certPem: await material(user["client-certificate-data"], user["client-certificate"]),
    keyPem: await material(user["client-key-data"], user["client-key"]),
    token: typeof user.token === "string" ? user.token : tokenFromFile,
    insecure: cluster["insecure-skip-tls-verify"] === true,
  };
}
