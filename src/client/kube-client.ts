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

/** Hears a streamed response body line by line. */
export interface LineSink {
  onLine(line: string): void;
  /** The stream is over: err is undefined when the server ended it, an ApiError for an HTTP error status. */
  onClose(err?: Error): void;
}

export interface LineStreamHandle {
  /** Ends the stream; its sink hears nothing more. */
  cancel(): void;
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

  /** Opens a watch: its events' raw JSON lines go to the sink until the server ends it or it is cancelled. */
  watchLines(path: string, query: RequestOptions["query"], sink: LineSink): LineStreamHandle {
    return this.streamLines(path, { ...query, watch: "true" }, sink, "WATCH");
  }

  /**
   * A long-running GET (a watch, a followed log) read line by line. It opens once the rate limiter lets it;
   * the sink hears each line, then onClose once; after cancel() it hears nothing more.
   */
  streamLines(path: string, query: RequestOptions["query"], sink: LineSink, verb = "GET"): LineStreamHandle {
    const lines = new LineStream(sink, verb, path, this.options.onResponse);
    const open = () =>
      lines.attach(() => this.open("GET", withQuery(path, query), undefined, undefined, lines));
    if (this.options.throttle) void this.options.throttle.wait().then(open);
    else open();
    return lines;
  }

  /** streamLines as a promise: resolves when the server ends the stream or the signal aborts. */
  followLines(
    path: string,
    query: RequestOptions["query"],
    onLine: (line: string) => void,
    signal: AbortSignal,
  ): Promise<void> {
    return new Promise((resolve, reject) => {
      if (signal.aborted) return resolve();
      const onAbort = () => {
        stream.cancel();
        resolve();
      };
      const stream = this.streamLines(path, query, {
        onLine,
        onClose: (err) => {
          signal.removeEventListener("abort", onAbort);
          if (err) reject(err);
          else resolve();
        },
      });
      signal.addEventListener("abort", onAbort, { once: true });
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

const NEWLINE = 0x0a;

/**
 * One streamed response split into lines. An object per stream rather than closures, because a thousand
 * hollow nodes hold ten thousand watches open. Lines are cut at newline bytes, which never occur inside a
 * UTF-8 sequence, so no string decoder is kept per stream.
 */
class LineStream implements StreamHandlers, LineStreamHandle {
  /** Cancelled, or closed with the sink told: either way the sink hears nothing more. */
  private done = false;
  private stream: H2Stream | undefined;
  private started = 0;
  private status = 0;
  /** The bytes after the last newline, until the rest of their line arrives. */
  private partial: Buffer | undefined;
  private errorBody: Buffer[] | undefined;

  constructor(
    private readonly sink: LineSink,
    private readonly verb: string,
    private readonly path: string,
    private readonly onRecord: ((record: RequestRecord) => void) | undefined,
  ) {}

  /** Opens the stream, unless it was cancelled while waiting for the rate limiter. */
  attach(open: () => H2Stream): void {
    if (this.done) return;
    this.started = performance.now();
    try {
      this.stream = open();
    } catch (err) {
      this.close(err as Error);
    }
  }

  cancel(): void {
    if (this.done) return;
    this.done = true;
    this.stream?.cancel();
  }

  onResponse(status: number): void {
    this.status = status;
    this.onRecord?.({
      method: this.verb,
      path: this.path,
      status,
      durationMs: performance.now() - this.started,
    });
  }

  onData(chunk: Buffer): void {
    if (this.status >= 400) {
      (this.errorBody ??= []).push(chunk);
      return;
    }
    const bytes = this.partial ? Buffer.concat([this.partial, chunk]) : chunk;
    this.partial = undefined;
    let start = 0;
    for (let newline; (newline = bytes.indexOf(NEWLINE, start)) >= 0; start = newline + 1) {
      if (newline > start && !this.deliver(bytes.toString("utf8", start, newline))) return;
    }
    // A copy, so a long-quiet watch does not keep the whole received chunk alive.
    if (start < bytes.length) this.partial = Buffer.copyBytesFrom(bytes, start);
  }

  onEnd(): void {
    if (this.status >= 400) {
      const body = this.errorBody ? Buffer.concat(this.errorBody).toString("utf8") : "";
      return this.close(apiError(this.status, safeJson(body), `${this.verb} ${this.path}`));
    }
    const last = this.partial;
    this.partial = undefined;
    if (!last || this.deliver(last.toString("utf8"))) this.close();
  }

  onError(err: Error): void {
    this.close(err);
  }

  /** Hands a line to the sink; false once the stream is over (the sink cancelled it, or failed). */
  private deliver(line: string): boolean {
    try {
      this.sink.onLine(line);
    } catch (err) {
      // A sink's failure ends this stream only, not the connection it shares.
      this.stream?.cancel();
      this.close(err as Error);
    }
    return !this.done;
  }

  private close(err?: Error): void {
    if (this.done) return;
    this.done = true;
    this.sink.onClose(err);
  }
}
