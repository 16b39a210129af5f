import { realClock, type Clock, type TimerHandle } from "../util/clock.js";
import { Backoff, REFLECTOR_BACKOFF } from "../util/backoff.js";
import type { Random } from "../util/random.js";
import { ApiError, type FrameSink, type KubeClient, type StreamHandle } from "./kube-client.js";
import type { PreviousObject } from "./protobuf/schema.js";
import type { DecodedEvent, WatchCodec } from "./watch-codec.js";

export interface ReflectorOptions<E> {
  client: KubeClient;
  /** Collection path, e.g. /api/v1/pods or /api/v1/namespaces/x/secrets. */
  path: string;
  fieldSelector?: string;
  labelSelector?: string;
  /**
   * How the initial state arrives: "watch-list" streams it on the watch (sendInitialEvents, ended by a
   * bookmark), as client-go's reflectors do in Kubernetes 1.37; "list" LISTs from the watch cache
   * (resourceVersion=0) first. A server that refuses watch-list is listed from then on.
   */
  initialState?: "watch-list" | "list";
  codec: WatchCodec<E>;
  /** The object the watcher holds under a name, for codecs that reuse what did not change. */
  previous?: PreviousObject;
  /** The full state after each (re)list. */
  onList(items: E[]): void;
  onEvent(event: DecodedEvent<E>): void;
  onError?(err: Error): void;
  clock?: Clock;
  rand?: Random;
}

export interface ReflectorStats {
  /** Initial states received, by LIST or watch-list. */
  lists: number;
  watches: number;
  events: number;
  /** Relists forced by 410 Gone (resourceVersion too old). */
  relists: number;
  errors: number;
}

/** Sums many reflectors' stats, for a process-wide metric. */
export function sumStats(all: Iterable<ReflectorStats>): ReflectorStats & { reflectors: number } {
  const total = { lists: 0, watches: 0, events: 0, relists: 0, errors: 0, reflectors: 0 };
  for (const s of all) {
    total.lists += s.lists;
    total.watches += s.watches;
    total.events += s.events;
    total.relists += s.relists;
    total.errors += s.errors;
    total.reflectors++;
  }
  return total;
}

/** The reflector's watch timeout: a random 5 to 10 minutes, so watches do not all end together. */
const MIN_WATCH_TIMEOUT_S = 300;

/**
 * client-go's reflector: get the initial state (watch-list, or list), then watch from its resourceVersion;
 * re-watch from the last seen resourceVersion when a watch ends; start over on 410 Gone; back off with
 * jitter on errors. Written as callbacks on one object, not an async loop, because a thousand hollow
 * nodes hold ten thousand of these and a suspended loop costs kilobytes of promises and closures each.
 */
export class Reflector<E> implements FrameSink {
  readonly stats: ReflectorStats = { lists: 0, watches: 0, events: 0, relists: 0, errors: 0 };
  private readonly clock: Clock;
  private readonly rand: Random;
  private backoff: Backoff | undefined;
  private running = false;
  private stream: StreamHandle | undefined;
  /** The back-off before the next attempt, after an error. */
  private retryTimer: TimerHandle | undefined;
  private resourceVersion = "";
  private initialState: "watch-list" | "list";
  private needInitialState = true;
  /** A watch-list's initial events, collected until the bookmark that ends them. */
  private initial: E[] | undefined;
  /** An ERROR event on the open watch, which the server follows by ending it. */
  private failure: ApiError | undefined;
  private hasSynced = false;
  private syncedWaiters: (() => void)[] | undefined;

  constructor(private readonly opts: ReflectorOptions<E>) {
    this.clock = opts.clock ?? realClock;
    this.rand = opts.rand ?? Math.random;
    this.initialState = opts.initialState ?? "watch-list";
  }

  /** Resolves once the first initial state has been delivered. */
  get synced(): Promise<void> {
    if (this.hasSynced) return Promise.resolve();
    return new Promise((resolve) => (this.syncedWaiters ??= []).push(resolve));
  }

  start(): this {
    if (!this.running) {
      this.running = true;
      this.next();
    }
    return this;
  }

  stop(): void {
    this.running = false;
    this.stream?.cancel();
    this.stream = undefined;
    if (this.retryTimer !== undefined) this.clock.clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
  }

  private next(): void {
    if (!this.running) return;
    if (this.needInitialState && this.initialState === "list") this.list();
    else this.watch();
  }

  private list(): void {
    const { client, path, fieldSelector, labelSelector, codec } = this.opts;
    client
      .getBytes(path, codec.mediaType, { query: { fieldSelector, labelSelector, resourceVersion: "0" } })
      .then((body) => {
        if (!this.running) return;
        const list = codec.decodeList(body);
        this.deliverState(list.resourceVersion, list.items);
        this.watch();
      })
      .catch((err: Error) => this.failed(err));
  }

  private deliverState(resourceVersion: string, items: E[]): void {
    this.stats.lists++;
    this.needInitialState = false;
    this.resourceVersion = resourceVersion;
    this.opts.onList(items);
    if (!this.hasSynced) {
      this.hasSynced = true;
      for (const resolve of this.syncedWaiters ?? []) resolve();
      this.syncedWaiters = undefined;
    }
  }

  /** Watches from the last resourceVersion, or, when the state is still to come, as a watch-list. */
  private watch(): void {
    this.stats.watches++;
    // The initial events' order says nothing of resourceVersions, so the watch resumes from the bookmark's.
    this.initial = this.needInitialState ? [] : undefined;
    this.failure = undefined;
    this.stream = this.opts.client.watch(
      this.opts.path,
      {
        fieldSelector: this.opts.fieldSelector,
        labelSelector: this.opts.labelSelector,
        ...(this.initial
          ? { sendInitialEvents: true, resourceVersionMatch: "NotOlderThan" }
          : { resourceVersion: this.resourceVersion }),
        allowWatchBookmarks: true,
        timeoutSeconds: Math.floor(MIN_WATCH_TIMEOUT_S * (1 + this.rand())),
      },
      this.opts.codec.mediaType,
      this,
    );
  }

  /** Each frame of the open watch: one event. */
  onFrame(frame: Buffer): void {
    const event = this.opts.codec.decodeEvent(frame, this.opts.previous);
    if (event.type === "ERROR") {
      this.failure = new ApiError(event.errorCode ?? 500, "WatchError", event.errorMessage ?? "watch error");
      return;
    }
    this.stats.events++;
    if (this.initial) {
      if (event.initialEventsEnd) {
        const items = this.initial;
        this.initial = undefined;
        this.deliverState(event.resourceVersion ?? "", items);
      } else if (event.object !== undefined) this.initial.push(event.object);
      return;
    }
    if (event.resourceVersion) this.resourceVersion = event.resourceVersion;
    if (event.type !== "BOOKMARK") this.opts.onEvent(event);
  }

  /** The open watch ended: re-watch, or handle why it failed. */
  onClose(err?: Error): void {
    this.stream = undefined;
    this.initial = undefined;
    const failure = err ?? this.failure;
    if (failure) this.failed(failure);
    else this.next();
  }

  private failed(err: Error): void {
    if (!this.running) return;
    this.stats.errors++;
    if (err instanceof ApiError && err.status === 410) {
      this.stats.relists++;
      this.needInitialState = true;
      return this.next();
    }
    if (this.needInitialState && this.initialState === "watch-list" && isRefusal(err)) {
      // An API server without the WatchList feature rejects sendInitialEvents: list instead.
      this.initialState = "list";
      return this.next();
    }
    this.opts.onError?.(err);
    this.backoff ??= new Backoff({ ...REFLECTOR_BACKOFF, clock: this.clock, rand: this.rand });
    this.retryTimer = this.clock.setTimeout(() => {
      this.retryTimer = undefined;
      this.next();
    }, this.backoff.next());
  }
}

/** A request the server will never accept as sent (400 Bad Request, 422 Invalid), as opposed to a failure. */
function isRefusal(err: unknown): boolean {
  return err instanceof ApiError && (err.status === 400 || err.status === 422);
}
