import { ApiError, type KubeClient } from "../client/kube-client.js";
import type { KubeObject } from "../client/types.js";

/** Creates an object; one that already exists is replaced by this spec (a second start after a failed one). */
export async function createOrReplace(
  client: KubeClient,
  collection: string,
  obj: KubeObject,
): Promise<void> {
  try {
    await client.create(collection, obj);
  } catch (err) {
    if (!(err instanceof ApiError) || err.status !== 409) throw err;
    const current = await client.get<KubeObject>(`${collection}/${obj.metadata.name}`);
    await client.request("PUT", `${collection}/${obj.metadata.name}`, {
      body: { ...obj, metadata: { ...obj.metadata, resourceVersion: current.metadata.resourceVersion } },
    });
  }
}

/** Deletes an object; one already gone is fine. Resolves to whether it existed. */
export async function deleteIfPresent(
  client: KubeClient,
  objectPath: string,
  propagationPolicy: "Background" | "Foreground" = "Background",
): Promise<boolean> {
  try {
    await client.delete(objectPath, { body: { propagationPolicy } });
    return true;
  } catch (err) {
    if (err instanceof ApiError && err.status === 404) return false;
    throw err;
  }
}

/** Whether an object exists (404: no; other errors are thrown). */
export async function exists(client: KubeClient, objectPath: string): Promise<boolean> {
  try {
    await client.get(objectPath);
    return true;
  } catch (err) {
    if (err instanceof ApiError && err.status === 404) return false;
    throw err;
  }
}

/** Polls until check returns true or the deadline passes; returns whether it did. */
export async function pollUntil(
  check: () => Promise<boolean>,
  timeoutMs: number,
  everyMs = 500,
  signal?: AbortSignal,
): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    signal?.throwIfAborted();
    if (await check()) return true;
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** A cluster's version; an unreachable or refusing one is an error that says which (what) and why. */
export async function reachCluster(client: KubeClient, what: string): Promise<string> {
  try {
    return (await client.get<{ gitVersion: string }>("/version")).gitVersion;
  } catch (err) {
    throw new Error(`cannot reach ${what}: ${(err as Error).message}`);
  }
}
