import { ApiError, type KubeClient } from "../client/kube-client.js";
import type { KubeList } from "../client/types.js";
import { realClock } from "../util/clock.js";
import type { Scope } from "./expression.js";
import type { Phase, PhaseObject } from "./schema.js";
import { renderTemplate } from "./templates.js";
import { eta } from "./eta.js";
import { runTuned, timerFromClock } from "./tuning.js";

const PROGRESS_EVERY_MS = 10_000;

/** The params each object was last created or updated with, by `<kind>/<namespace>/<name>`, across phases. */
export type AppliedParams = Map<string, string>;

export interface PhaseOptions {
  client: KubeClient;
  /** The experiment's namespaces in order: namespace i of a phase is namespaces[i - 1]. */
  namespaces: readonly string[];
  applied: AppliedParams;
  signal: AbortSignal;
  progress: (line: string) => void;
}

export interface PhaseCounts {
  created: number;
  updated: number;
  deleted: number;
}

type Operation = () => Promise<keyof PhaseCounts>;

/**
 * Brings each namespace of the phase to replicasPerNamespace of every object: creates missing indexes,
 * updates existing ones whose params changed, deletes indexes at or above the target. One action is one
 * index of the whole object list in one namespace, paced by the tuning set.
 */
export async function runPhase(phase: Phase, options: PhaseOptions): Promise<PhaseCounts> {
  const namespaces = options.namespaces.slice(phase.namespaces.from - 1, phase.namespaces.to);
  const actions: (() => Promise<void>)[] = [];
  const counts: PhaseCounts = { created: 0, updated: 0, deleted: 0 };
  for (const namespace of namespaces) {
    const existing = await Promise.all(
      phase.objects.map((object) => existingIndexes(options.client, object, namespace)),
    );
    const end = Math.max(
      phase.replicasPerNamespace,
      ...existing.map((indexes) => Math.max(-1, ...indexes) + 1),
    );
    for (let index = 0; index < end; index++) {
      const operations = phase.objects.flatMap((object, i) =>
        operationsFor(object, namespace, index, existing[i]!.has(index), phase.replicasPerNamespace, options),
      );
      if (operations.length === 0) continue;
      actions.push(async () => {
        for (const run of operations) counts[await run()]++;
      });
    }
  }
  const started = Date.now();
  const ticker = setInterval(() => {
    const elapsedMs = Date.now() - started;
    const done = counts.created + counts.updated + counts.deleted;
    options.progress(
      `${counts.created} created, ${counts.updated} updated, ${counts.deleted} deleted of ${actions.length} actions (${Math.round(elapsedMs / 1000)} s${eta(done, actions.length, elapsedMs)})`,
    );
  }, PROGRESS_EVERY_MS);
  try {
    await runTuned(phase.tuningSet, actions, {
      timer: timerFromClock(realClock),
      rand: Math.random,
      signal: options.signal,
    });
  } finally {
    clearInterval(ticker);
  }
  return counts;
}

function operationsFor(
  object: PhaseObject,
  namespace: string,
  index: number,
  exists: boolean,
  target: number,
  { client, applied }: PhaseOptions,
): Operation[] {
  const name = `${object.basename}-${index}`;
  const collection = object.kind.collectionPath(namespace);
  const key = `${object.kind.kind}/${namespace}/${name}`;
  const params: Scope = { ...object.params, Name: name, Namespace: namespace, Index: index };
  const paramsText = JSON.stringify(object.params);
  if (index >= target) {
    if (!exists) return [];
    return [
      async () => {
        await ignoreNotFound(
          client.delete(`${collection}/${name}`, { query: { propagationPolicy: "Background" } }),
        );
        applied.delete(key);
        return "deleted";
      },
    ];
  }
  if (exists && applied.get(key) === paramsText) return [];
  return [
    async () => {
      const rendered = renderTemplate(object.template, params);
      if (exists) await client.patch(`${collection}/${name}`, rendered, "merge", { discardBody: true });
      else await client.create(collection, rendered, { discardBody: true });
      applied.set(key, paramsText);
      return exists ? "updated" : "created";
    },
  ];
}

async function existingIndexes(
  client: KubeClient,
  object: PhaseObject,
  namespace: string,
): Promise<Set<number>> {
  const list = await client.get<KubeList>(object.kind.collectionPath(namespace));
  const pattern = new RegExp(`^${object.basename}-(\\d+)$`);
  const indexes = new Set<number>();
  for (const item of list.items) {
    const match = pattern.exec(item.metadata.name ?? "");
    if (match && !item.metadata.deletionTimestamp) indexes.add(Number(match[1]));
  }
  return indexes;
}

async function ignoreNotFound(request: Promise<unknown>): Promise<void> {
  try {
    await request;
  } catch (error) {
    if (!(error instanceof ApiError && error.status === 404)) throw error;
  }
}
