import type { Clock } from "../util/clock.js";
import type { Random } from "../util/random.js";
import type { KubeClient } from "./kube-client.js";
import { Reflector, type ReflectorStats } from "./reflector.js";
import type { KubeObject } from "./types.js";
import { objectCodec, type WatchCodec } from "./watch-codec.js";

export interface InformerHandlers<T extends KubeObject> {
  add?(obj: T): void;
  update?(obj: T, old: T): void;
  delete?(obj: T): void;
}

export interface InformerOptions<T extends KubeObject> {
  client: KubeClient;
  path: string;
  fieldSelector?: string;
  labelSelector?: string;
  initialState?: "watch-list" | "list";
  /** How objects are asked for and decoded; by default whole, as JSON. */
  codec?: WatchCodec<T>;
  clock?: Clock;
  rand?: Random;
  onError?(err: Error): void;
}

export function objectKey(obj: KubeObject): string {
  return keyOf(obj.metadata);
}

function keyOf({ namespace, name }: { namespace?: string; name?: string }): string {
  return namespace ? `${namespace}/${name}` : (name ?? "");
}

/**
 * client-go's informer: a reflector feeding a local cache keyed by namespace/name, calling handlers on
 * adds, updates and deletes (a relist is delivered as the differences it reveals).
 */
export class Informer<T extends KubeObject> {
  private readonly cache = new Map<string, T>();
  private readonly handlers: InformerHandlers<T>[] = [];
  private readonly reflector: Reflector<T>;

  constructor(opts: InformerOptions<T>) {
    this.reflector = new Reflector<T>({
      ...opts,
      codec: opts.codec ?? objectCodec<T>(),
      previous: (metadata) => this.cache.get(keyOf(metadata)),
      onList: (items) => this.replace(items),
      onEvent: (event) => {
        if (event.type === "DELETED") this.remove(event.object!);
        else this.upsert(event.object!);
      },
    });
  }

  on(handlers: InformerHandlers<T>): this {
    this.handlers.push(handlers);
    return this;
  }

  get synced(): Promise<void> {
    return this.reflector.synced;
  }

  get stats(): ReflectorStats {
    return this.reflector.stats;
  }

  get(key: string): T | undefined {
    return this.cache.get(key);
  }

  list(): IterableIterator<T> {
    return this.cache.values();
  }

  get size(): number {
    return this.cache.size;
  }

  start(): this {
    this.reflector.start();
    return this;
  }

  stop(): void {
    this.reflector.stop();
  }

  private upsert(obj: T): void {
    const key = objectKey(obj);
    const old = this.cache.get(key);
    this.cache.set(key, obj);
    if (!old) for (const h of this.handlers) h.add?.(obj);
    else if (old.metadata.resourceVersion !== obj.metadata.resourceVersion)
      for (const h of this.handlers) h.update?.(obj, old);
  }

  private remove(obj: T): void {
    this.cache.delete(objectKey(obj));
    for (const h of this.handlers) h.delete?.(obj);
  }

  private replace(items: T[]): void {
    const seen = new Set<string>();
    for (const obj of items) {
      seen.add(objectKey(obj));
      this.upsert(obj);
    }
    for (const [key, old] of this.cache) if (!seen.has(key)) this.remove(old);
  }
}
