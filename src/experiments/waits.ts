import { Informer } from "../client/informer.js";
import type { KubeClient } from "../client/kube-client.js";
import type { KubeObject } from "../client/types.js";
import { objectCodec } from "../client/watch-codec.js";
import { realClock } from "../util/clock.js";
import { isPodReady, isPodStarted, podInformer } from "../measurements/pod-informer.js";
import { expectedPods, isControllerDone, podProblem } from "./controlled-pods.js";
import type { WaitSpec } from "./schema.js";
import { OBJECT_KINDS } from "./templates.js";
import { eta } from "./eta.js";
import { timerFromClock } from "./tuning.js";

const CHECK_EVERY_MS = 1_000;
const PROGRESS_EVERY_MS = 10_000;
const PROBLEM_PODS_LISTED = 20;
const timer = timerFromClock(realClock);

export interface WaitOutcome {
  pass: boolean;
  message: string;
}

export interface WaitOptions {
  client: KubeClient;
  namespaces: ReadonlySet<string>;
  signal: AbortSignal;
  progress: (line: string) => void;
}

/**
 * ControlledPodsRunning: every controller of the kind and selector in the namespaces is done (its pods
 * running and ready, counts matching its spec); with none left, until their pods are gone. An abort ends
 * the wait early, as a failure.
 */
export async function waitForControlledPods(spec: WaitSpec, options: WaitOptions): Promise<WaitOutcome> {
  const { client, namespaces, signal } = options;
  const selector = spec.labelSelector ? { labelSelector: spec.labelSelector } : {};
  const controllers = new Informer<KubeObject>({
    client,
    path: OBJECT_KINDS[spec.kind].collectionPath(),
    ...selector,
    codec: objectCodec<KubeObject>({ dropManagedFields: true }),
  }).start();
  const pods = podInformer(client, spec.labelSelector).start();
  // Only this kind's pods count, when experiments label several kinds alike (a Deployment's are its ReplicaSets').
  const podOwnerKind = spec.kind === "Deployment" ? "ReplicaSet" : spec.kind;
  const started = Date.now();
  let lastProgress = started;
  try {
    await Promise.all([controllers.synced, pods.synced]);
    for (;;) {
      const ours = <T extends KubeObject>(objects: Iterable<T>): T[] =>
        [...objects].filter((o) => namespaces.has(o.metadata.namespace!));
      const live = ours(controllers.list()).filter((c) => !c.metadata.deletionTimestamp);
      const podList = ours(pods.list()).filter((p) =>
        p.metadata.ownerReferences?.some((o) => o.kind === podOwnerKind),
      );
      const running = podList.filter(
        (p) => !p.metadata.deletionTimestamp && isPodStarted(p) && isPodReady(p),
      );
      const doneCount = live.filter((c) => isControllerDone(spec.kind, c)).length;
      const expected = live.reduce((sum, c) => sum + expectedPods(spec.kind, c), 0);
      const done = live.length === 0 ? podList.length === 0 : doneCount === live.length;
      const elapsedS = Math.round((Date.now() - started) / 1000);
      const state =
        live.length === 0
          ? `${podList.length} pods left to delete`
          : `${doneCount}/${live.length} ${spec.kind}s done, ${running.length}/${expected} pods running`;
      if (done) return { pass: true, message: `${state} after ${elapsedS} s` };
      if (signal.aborted) return { pass: false, message: `interrupted: ${state}` };
      if (Date.now() - started >= spec.timeoutMs) {
        const stuck = podList.filter((p) => !running.includes(p));
        const listed = stuck.slice(0, PROBLEM_PODS_LISTED).map(podProblem);
        const more = stuck.length > listed.length ? `, and ${stuck.length - listed.length} more` : "";
        return {
          pass: false,
          message: `timed out after ${elapsedS} s: ${state}; pods not running: ${listed.join(", ") || "none"}${more}`,
        };
      }
      if (Date.now() - lastProgress >= PROGRESS_EVERY_MS) {
        options.progress(
          `${state} (${elapsedS} s${live.length ? eta(running.length, expected, Date.now() - started) : ""})`,
        );
        lastProgress = Date.now();
      }
      await timer.sleep(CHECK_EVERY_MS, signal);
    }
  } finally {
    controllers.stop();
    pods.stop();
  }
}
