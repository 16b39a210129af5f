import type { KubeClient } from "../../client/kube-client.js";
import { Reflector, type ReflectorStats } from "../../client/reflector.js";
import type { Pod } from "../../client/types.js";
import { watchOnlyCodec } from "../codecs.js";

type Kind = "secrets" | "configmaps";

/** The Secrets and ConfigMaps a pod references, through volumes, projected volumes, env and envFrom. */
export function referencedObjects(pod: Pod): { kind: Kind; name: string }[] {
  const out = new Map<string, { kind: Kind; name: string }>();
  const add = (kind: Kind, name: string | undefined) => {
    if (name) out.set(`${kind}/${name}`, { kind, name });
  };
  for (const v of pod.spec.volumes ?? []) {
    add("secrets", v.secret?.secretName);
    add("configmaps", v.configMap?.name);
    for (const s of v.projected?.sources ?? []) {
      add("secrets", s.secret?.name);
      add("configmaps", s.configMap?.name);
    }
  }
  for (const c of [...(pod.spec.initContainers ?? []), ...pod.spec.containers]) {
    for (const e of c.env ?? []) {
      add("secrets", e.valueFrom?.secretKeyRef?.name);
      add("configmaps", e.valueFrom?.configMapKeyRef?.name);
    }
    for (const e of c.envFrom ?? []) {
      add("secrets", e.secretRef?.name);
      add("configmaps", e.configMapRef?.name);
    }
  }
  return [...out.values()];
}

/**
 * The kubelet's watch-based Secret/ConfigMap manager: one watch per referenced object (a metadata.name
 * field selector, as the Node authorizer permits), shared by the node's pods and closed with the last one.
 */
export class ReferencedObjectWatches {
  private readonly watches = new Map<string, { reflector: Reflector<never>; pods: Set<string> }>();

  constructor(private readonly client: KubeClient) {}

  get size(): number {
    return this.watches.size;
  }

  stats(): ReflectorStats[] {
    return [...this.watches.values()].map((w) => w.reflector.stats);
  }

  addPod(pod: Pod): void {
    const podKey = pod.metadata.uid ?? "";
    const ns = pod.metadata.namespace ?? "default";
    for (const ref of referencedObjects(pod)) {
      const key = `${ns}/${ref.kind}/${ref.name}`;
      let entry = this.watches.get(key);
      if (!entry) {
        const reflector = new Reflector<never>({
          client: this.client,
          path: `/api/v1/namespaces/${ns}/${ref.kind}`,
          fieldSelector: `metadata.name=${ref.name}`,
          codec: watchOnlyCodec(this.client),
          onList: () => {},
          onEvent: () => {},
        });
        entry = { reflector: reflector.start(), pods: new Set() };
        this.watches.set(key, entry);
      }
      entry.pods.add(podKey);
    }
  }

  removePod(pod: Pod): void {
    const podKey = pod.metadata.uid ?? "";
    for (const [key, entry] of this.watches) {
      if (entry.pods.delete(podKey) && entry.pods.size === 0) {
        entry.reflector.stop();
        this.watches.delete(key);
      }
    }
  }

  stop(): void {
    for (const entry of this.watches.values()) entry.reflector.stop();
    this.watches.clear();
  }
}
