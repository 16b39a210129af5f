import { ApiError, type KubeClient } from "../client/kube-client.js";
import type { KubeList } from "../client/types.js";
import type { Experiment } from "./schema.js";

export const EXPERIMENT_LABEL = "kubemark.io/experiment";
const DELETE_POLL_MS = 1_000;

/** `<prefix>-1 .. <prefix>-<count>`, in order. */
export function experimentNamespaces(experiment: Experiment): string[] {
  const { prefix, count } = experiment.namespaces;
  return Array.from({ length: count }, (_, i) => `${prefix}-${i + 1}`);
}

/** Creates the namespaces, labelled with the experiment; ones left by an earlier run are reused. */
export async function createNamespaces(client: KubeClient, experiment: Experiment): Promise<void> {
  await Promise.all(
    experimentNamespaces(experiment).map(async (name) => {
      try {
        await client.create(
          "/api/v1/namespaces",
          {
            apiVersion: "v1",
            kind: "Namespace",
            metadata: { name, labels: { [EXPERIMENT_LABEL]: experiment.name } },
          },
          { discardBody: true },
        );
      } catch (error) {
        if (!(error instanceof ApiError && error.status === 409)) throw error;
      }
    }),
  );
}

/** Deletes the namespaces and waits until the API no longer has them, or the timeout passes. */
export async function deleteNamespaces(
  client: KubeClient,
  names: readonly string[],
  timeoutMs: number,
): Promise<{ left: string[] }> {
  await Promise.all(
    names.map(async (name) => {
      try {
        await client.delete(`/api/v1/namespaces/${name}`, { discardBody: true });
      } catch (error) {
        if (!(error instanceof ApiError && error.status === 404)) throw error;
      }
    }),
  );
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const present = new Set(
      (await client.get<KubeList>("/api/v1/namespaces")).items.map((n) => n.metadata.name),
    );
    const left = names.filter((name) => present.has(name));
    if (left.length === 0 || Date.now() >= deadline) return { left };
    await new Promise((resolve) => setTimeout(resolve, DELETE_POLL_MS));
  }
}
