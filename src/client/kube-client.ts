import { StringDecoder } from "node:string_decoder";
import { LineSplitter } from "../util/line-splitter.js";
import { Http2Connection, type H2Stream, type StreamHandlers } from "./http2-connection.js";
import type { ClientIdentity } from "./kubeconfig.js";
import type { KubeObject } from "./types.js";

/** Anything that can hold a request back to a rate (client-go's token bucket). */
export interface Throttle {
  wait(): Promise<void>;
}

export interface RequestOptions {
  query?: Record<string, string | number | boolean | undefined>;
  body?: unknown;
  /** Defaults to application/json; PATCH callers pass the patch type. */
  contentType?: string;
  /** Heartbeats bypass the client's rate limit, as the kubelet's separate lease client does. */
  unthrottled?: boolean;
  timeoutMs?: number;
  signal?: AbortSignal;
  /** Skip decoding a successful response nobody reads: a hot path's PATCH, DELETE or GET-before-write. */
  discardBody?: boolean;
}

export interface RequestRecord {
  method: string;
  path: string;
  status: number;
  durationMs: number;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly reason: string,
    message: string,
  ) {
    super(message);
  }
}

export interface KubeClientOptions {
  throttle?: Throttle;
  userAgent?: string;
  /** Called after every response, for metrics. */
  onResponse?: (record: RequestRecord) => void;
  requestTimeoutMs?: number;
  /** A connection shared with other clients of the same identity; by default the client opens its own. */
  connection?: Http2Connection;
}

const JSON_TYPE = "application/json";

/**
 * A Kubernetes API client over one HTTP/2 connection, as a kubelet multiplexes its requests and watches:
 * its own rate limit, user agent and metrics hook over a connection it owns or shares.
 */
export class KubeClient {
  private readonly connection: Http2Connection;
  /** Whether close() ends the connection: a shared one belongs to whoever made it. */
  private readonly ownsConnection: boolean;

  constructor(
    readonly identity: ClientIdentity,
    private readonly options: KubeClientOptions = {},
  ) {
    this.ownsConnection = options.connection === undefined;
    this.connection = options.connection ?? new Http2Connection(identity);
  }

  get server(): string {
    return this.identity.server;
  }

  async get<T = unknown>(path: string, opts: RequestOptions = {}): Promise<T> {
    return this.request<T>("GET", path, opts);
  }

  async create<T extends KubeObject>(path: string, body: T, opts: RequestOptions = {}): Promise<T> {
    return this.request<T>("POST", path, { ...opts, body });
  }

  async delete<T = unknown>(path: string, opts: RequestOptions = {}): Promise<T> {
    return this.request<T>("DELETE", path, opts);
  }

  async patch<T = unknown>(
    path: string,
    body: unknown,
    patchType: "merge" | "strategic" | "json" | "apply",
    opts: RequestOptions = {},
  ): Promise<T> {
    const contentType = {
      merge: "application/merge-patch+json",
      strategic: "application/strategic-merge-patch+json",
      json: "application/json-patch+json",
      apply: "application/apply-patch+yaml",
    }[patchType];
    return this.request<T>("PATCH", path, { ...opts, body, contentType });
  }

  async request<T = unknown>(method: string, path: string, opts: RequestOptions = {}): Promise<T> {
    const body = await this.send(method, path, opts);
    if (opts.discardBody || body.length === 0) return undefined as T;
    return safeJson(body) as T;
  }

  /** A GET whose body is returned unparsed, for callers that scan it faster than JSON.parse. */
  getText(path: string, opts: RequestOptions = {}): Promise<string> {
    return this.send("GET", path, opts);
  }

  /** Throttle, exchange, record, and turn an error status into an ApiError; returns the raw body. */
  private async send(method: string, path: string, opts: RequestOptions): Promise<string> {
    if (!opts.unthrottled) await this.options.throttle?.wait();
    const started = performance.now();
    const { status, body } = await this.exchange(method, withQuery(path, opts.query), opts);
    this.options.onResponse?.({ method, path, status, durationMs: performance.now() - started });
    if (status >= 400) throw apiError(status, safeJson(body), `${method} ${path}`);
    return body;
  }

  /**
   * Opens a watch and calls onLine with each event's raw JSON line until the server ends it, the signal
   * aborts, or the connection drops. Resolves when the stream ends; rejects on an HTTP error.
   */
  watchLines(
    path: string,
    query: RequestOptions["query"],
    onLine: (line: string) => void,
    signal?: AbortSignal,
  ): Promise<void> {
    return this.streamLines(path, { ...query, watch: "true" }, onLine, signal, "WATCH");
  }

  /** A long-running GET (a watch, a followed log) read line by line, as watchLines describes. */
  async streamLines(
    path: string,
    query: RequestOptions["query"],
    onLine: (line: string) => void,
    signal?: AbortSignal,
    verb = "GET",
  ): Promise<void> {
    await this.options.throttle?.wait();
    // Aborted while waiting for the rate limiter (or before): a listener added now would never fire.
    if (signal?.aborted) return;
    const started = performance.now();
    return new Promise<void>((resolve, reject) => {
      const lines = new LineSplitter(onLine);
      const decoder = new StringDecoder("utf8");
      let errorBody = "";
      let status = 0;
      let settled = false;
      const finish = (err?: Error) => {
        if (settled) return;
        settled = true;
        signal?.removeEventListener("abort", onAbort);
        if (err) reject(err);
        else resolve();
      };
      const stream = this.open("GET", withQuery(path, query), undefined, undefined, {
        onResponse: (code) => {
          status = code;
          this.options.onResponse?.({ method: verb, path, status, durationMs: performance.now() - started });
        },
        onData: (chunk) => {
          const text = decoder.write(chunk);
          if (status >= 400) errorBody += text;
          else {
            try {
              lines.push(text);
            } catch (err) {
              // A handler's failure ends this stream only, not the connection it shares.
              stream.cancel();
              finish(err as Error);
            }
          }
        },
        onEnd: () => {
          if (status >= 400) return finish(apiError(status, safeJson(errorBody), `${verb} ${path}`));
          lines.push(decoder.end());
          lines.flush();
          finish();
        },
        onError: (err) => finish(signal?.aborted ? undefined : err),
      });
      const onAbort = () => {
        stream.cancel();
        finish();
      };
      signal?.addEventListener("abort", onAbort, { once: true });
    });
  }

  close(): void {
    if (this.ownsConnection) this.connection.close();
  }

  private exchange(
    method: string,
    path: string,
    opts: RequestOptions,
  ): Promise<{ status: number; body: string }> {
    opts.signal?.throwIfAborted();
    const payload =
      opts.body === undefined
        ? undefined
        : Buffer.from(typeof opts.body === "string" ? opts.body : JSON.stringify(opts.body), "utf8");
    const timeoutMs = opts.timeoutMs ?? this.options.requestTimeoutMs ?? 60_000;
    return new Promise((resolve, reject) => {
      let status = 0;
      const chunks: Buffer[] = [];
      const settle = () => {
        clearTimeout(timer);
        opts.signal?.removeEventListener("abort", onAbort);
      };
      const stream = this.open(method, path, opts.contentType ?? JSON_TYPE, payload, {
        onResponse: (code) => (status = code),
        // A body nobody reads is not kept, unless it is an error's Status.
        onData: (chunk) => {
          if (!opts.discardBody || status >= 400) chunks.push(chunk);
        },
        onEnd: () => {
          settle();
          resolve({ status, body: chunks.length === 0 ? "" : Buffer.concat(chunks).toString("utf8") });
        },
        onError: (err) => {
          settle();
          reject(err);
        },
      });
      const timer = setTimeout(() => {
        stream.cancel();
        settle();
        reject(new Error(`${method} ${path}: no response from ${this.server} within ${timeoutMs} ms`));
      }, timeoutMs);
      const onAbort = () => {
        stream.cancel();
        settle();
        reject(opts.signal?.reason as Error);
      };
      opts.signal?.addEventListener("abort", onAbort, { once: true });
    });
  }

  private open(
    method: string,
    path: string,
    contentType: string | undefined,
    payload: Buffer | undefined,
    handlers: StreamHandlers,
  ): H2Stream {
    const headers: [string, string][] = [
      ["accept", JSON_TYPE],
      ["user-agent", this.options.userAgent ?? "kubemark"],
    ];
    if (contentType) headers.push(["content-type", contentType]);
    return this.connection.open(method, path, headers, payload, handlers);
  }
}

function withQuery(path: string, query?: RequestOptions["query"]): string {
  if (!query) return path;
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined) params.set(k, String(v));
  const qs = params.toString();
  return qs ? `${path}${path.includes("?") ? "&" : "?"}${qs}` : path;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function apiError(status: number, body: unknown, what: string): ApiError {
  const s = body as { reason?: string; message?: string } | string | undefined;
  const reason = typeof s === "object" && s?.reason ? s.reason : String(status);
  const message = typeof s === "object" && s?.message ? s.message : typeof s === "string" ? s.trim() : "";
  return new ApiError(status, reason, `${what}: ${status} ${reason}${message ? `: ${message}` : ""}`);
}
