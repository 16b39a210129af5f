import { realClock, type Clock } from "../util/clock.js";
import { Backoff, REFLECTOR_BACKOFF } from "../util/backoff.js";
import { createRandom, type Random } from "../util/random.js";
import { ApiError, type KubeClient } from "./kube-client.js";
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

/** The annotation of the bookmark that ends a watch-list's initial events. */
const INITIAL_EVENTS_END = '"k8s.io/initial-events-end":"true"';

/** The reflector's watch timeout: a random 5 to 10 minutes, so watches do not all end together. */
const MIN_WATCH_TIMEOUT_S = 300;

/**
 * client-go's reflector: get the initial state (watch-list, or list), then watch from its resourceVersion;
 * re-watch from the last seen resourceVersion when a watch ends; start over on 410 Gone; back off with
 * jitter on errors.
 */
export class Reflector<E> {
  readonly stats: ReflectorStats = { lists: 0, watches: 0, events: 0, relists: 0, errors: 0 };
  private readonly clock: Clock;
  private readonly rand: Random;
  private readonly backoff: Backoff;
  private abort: AbortController | undefined;
  private resourceVersion = "";
  private initialState: "watch-list" | "list";
  private needInitialState = true;
  private syncedResolve!: () => void;
  /** Resolves once the first list has been delivered. */
  readonly synced: Promise<void> = new Promise((resolve) => (this.syncedResolve = resolve));

  constructor(private readonly opts: ReflectorOptions<E>) {
    this.clock = opts.clock ?? realClock;
    this.rand = opts.rand ?? createRandom(Math.floor(Math.random() * 2 ** 32));
    this.backoff = new Backoff({ ...REFLECTOR_BACKOFF, clock: this.clock, rand: this.rand });
    this.initialState = opts.initialState ?? "watch-list";
  }

  start(): this {
    if (!this.abort) {
      this.abort = new AbortController();
      void this.run(this.abort.signal);
    }
    return this;
  }

  stop(): void {
    this.abort?.abort();
  }

  private async run(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      try {
        if (this.needInitialState && this.initialState === "list") await this.list(signal);
        await this.watch(signal);
      } catch (err) {
        if (signal.aborted) return;
        this.stats.errors++;
        if (err instanceof ApiError && err.status === 410) {
          this.stats.relists++;
          this.needInitialState = true;
          continue;
        }
        if (this.needInitialState && this.initialState === "watch-list" && isRefusal(err)) {
          // An API server without the WatchList feature rejects sendInitialEvents: list instead.
          this.initialState = "list";
          continue;
        }
        this.opts.onError?.(err as Error);
        await this.sleep(this.backoff.next(), signal);
      }
    }
  }

  private async list(signal: AbortSignal): Promise<void> {
    const body = await this.opts.client.getText(this.opts.path, {
      query: {
        fieldSelector: this.opts.fieldSelector,
        labelSelector: this.opts.labelSelector,
        resourceVersion: "0",
      },
      signal,
    });
    const list = this.opts.codec.decodeList(body);
    this.deliverState(list.resourceVersion, list.items);
  }

  private deliverState(resourceVersion: string, items: E[]): void {
    this.stats.lists++;
    this.needInitialState = false;
    this.resourceVersion = resourceVersion;
    this.opts.onList(items);
    this.syncedResolve();
  }

  /** Watches from the last resourceVersion, or, when the state is still to come, as a watch-list. */
  private async watch(signal: AbortSignal): Promise<void> {
    this.stats.watches++;
    // The initial events, collected until the bookmark that ends them; their order says nothing of
    // resourceVersions, so the watch resumes from the bookmark's.
    let initial: E[] | undefined = this.needInitialState ? [] : undefined;
    let failure: ApiError | undefined;
    await this.opts.client.watchLines(
      this.opts.path,
      {
        fieldSelector: this.opts.fieldSelector,
        labelSelector: this.opts.labelSelector,
        ...(initial
          ? { sendInitialEvents: true, resourceVersionMatch: "NotOlderThan" }
          : { resourceVersion: this.resourceVersion }),
        allowWatchBookmarks: true,
        timeoutSeconds: Math.floor(MIN_WATCH_TIMEOUT_S * (1 + this.rand())),
      },
      (line) => {
        const event = this.opts.codec.decodeEvent(line);
        if (event.type === "ERROR") {
          failure = new ApiError(event.errorCode ?? 500, "WatchError", event.errorMessage ?? "watch error");
          return;
        }
        this.stats.events++;
        if (initial) {
          if (event.type === "BOOKMARK" && line.includes(INITIAL_EVENTS_END)) {
            this.deliverState(event.resourceVersion ?? "", initial);
            initial = undefined;
          } else if (event.object !== undefined) initial.push(event.object);
          return;
        }
        if (event.resourceVersion) this.resourceVersion = event.resourceVersion;
        if (event.type !== "BOOKMARK") this.opts.onEvent(event);
      },
      signal,
    );
    if (failure) throw failure;
  }

  private sleep(ms: number, signal: AbortSignal): Promise<void> {
    const clock = this.clock;
    return new Promise((resolve) => {
      const done = () => {
        signal.removeEventListener("abort", cancel);
        resolve();
      };
      const handle = clock.setTimeout(done, ms);
      const cancel = () => {
        clock.clearTimeout(handle);
        resolve();
      };
      signal.addEventListener("abort", cancel, { once: true });
    });
  }
}

/** A request the server will never accept as sent (400 Bad Request, 422 Invalid), as opposed to a failure. */
function isRefusal(err: unknown): boolean {
  return err instanceof ApiError && (err.status === 400 || err.status === 422);
}
