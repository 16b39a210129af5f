import { setTimeout as sleep } from "node:timers/promises";
import { Http2Connection, type H2Stream, type StreamHandlers } from "./http2-connection.js";
import type { ClientIdentity } from "./kubeconfig.js";
import type { ObjectCodec } from "./object-codec.js";
import { status as statusSchema } from "./protobuf/meta-v1.js";
import { decodeObject, isProtobufBody, PROTOBUF_MEDIA_TYPE } from "./protobuf/envelope.js";
import type { KubeObject } from "./types.js";

/** Anything that can hold a request back to a rate (client-go's token bucket). */
export interface Throttle {
  /** Takes a token if one is free now: most requests then need no promise to wait on. */
  tryAccept(): boolean;
  wait(): Promise<void>;
}

export interface RequestOptions {
  query?: Record<string, string | number | boolean | undefined>;
  /** Sent as JSON, or as it is when a string or bytes. */
  body?: unknown;
  /** Defaults to application/json; PATCH callers pass the patch type. */
  contentType?: string;
  /** Heartbeats bypass the client's rate limit, as the kubelet's separate lease client does. */
  unthrottled?: boolean;
  timeoutMs?: number;
  signal?: AbortSignal;
  /**
   * Skip decoding a successful response nobody reads: a hot path's PATCH, DELETE or GET-before-write. The
   * client's preferred encoding is asked for, since no one reads it.
   */
  discardBody?: boolean;
  /** The Accept header; by default JSON, or the client's preferred encoding for a discarded body. */
  accept?: string;
}

/** Hears a streamed response body one frame at a time: a line of JSON, or one length-prefixed message. */
export interface FrameSink {
  /** The frame's bytes are valid only during the call (they lie in the connection's read buffer). */
  onFrame(frame: Buffer): void;
  /** The stream is over: err is undefined when the server ended it, an ApiError for an HTTP error status. */
  onClose(err?: Error): void;
}

export interface StreamHandle {
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
  /**
   * The encoding asked for where the body is not read, as the kubelet's --kube-api-content-type sets it for
   * all its requests: protobuf spares the API server the cost of JSON.
   */
  preferredMediaType?: string;
}

const JSON_TYPE = "application/json";
/** client-go's default for responses that ask to be retried (rest.Request's maxRetries). */
const MAX_RETRIES = 10;

/**
 * How long to wait before sending a request again (client-go's checkWait): a 429 or 5xx that carries
 * Retry-After, while fewer than MAX_RETRIES attempts have been retried; otherwise undefined.
 */
function retryDelayMs(
  status: number,
  retryAfterSeconds: number | undefined,
  retries: number,
): number | undefined {
  const retryable = retryAfterSeconds !== undefined && (status === 429 || status >= 500);
  return retryable && retries < MAX_RETRIES ? retryAfterSeconds * 1000 : undefined;
}

/** How a stream's body is cut into frames: JSON watches and logs by line, protobuf watches by length. */
export type Framing = "lines" | "length-prefixed";

/**
 * A Kubernetes API client over one HTTP/2 connection, as a kubelet multiplexes its requests and watches:
 * its own rate limit, user agent and metrics hook over a connection it owns or shares.
 */
export class KubeClient {
  private readonly connection: Http2Connection;
  /** Whether close() ends the connection: a shared one belongs to whoever made it. */
  private readonly ownsConnection: boolean;
  /** Request headers by Accept, then Content-Type. */
  private readonly headerSets = new Map<string, Map<string, ReadonlyArray<readonly [string, string]>>>();

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

  /** The encoding this client asks for where it may choose (see KubeClientOptions.preferredMediaType). */
  get preferredMediaType(): string {
    return this.options.preferredMediaType ?? JSON_TYPE;
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
    return safeJson(body.toString("utf8")) as T;
  }

  /** A GET whose body is returned unparsed, for callers that scan it faster than JSON.parse. */
  async getText(path: string, opts: RequestOptions = {}): Promise<string> {
    return (await this.send("GET", path, opts)).toString("utf8");
  }

  /**
   * A request whose body and response are one kind of object in the codec's encoding, as client-go's typed
   * clients send them in their configured content type.
   */
  async requestObject<T>(
    method: string,
    path: string,
    codec: ObjectCodec<T>,
    body: T | undefined,
    opts: RequestOptions = {},
  ): Promise<T> {
    const response = await this.send(method, path, {
      ...opts,
      body: body === undefined ? undefined : codec.encode(body),
      contentType: codec.mediaType,
      accept: codec.mediaType,
    });
    return codec.decode(response);
  }

  /** A GET whose body is returned as bytes, for a decoder of the media type it accepts. */
  getBytes(path: string, accept: string, opts: RequestOptions = {}): Promise<Buffer> {
    return this.send("GET", path, { ...opts, accept });
  }

  /**
   * Throttle, exchange, record, and turn an error status into an ApiError; returns the raw body. A 429 or
   * 5xx that carries Retry-After is sent again after that many seconds, up to MAX_RETRIES times, as
   * client-go does: the API server answers 429 when its in-flight limits are reached.
   */
  private async send(method: string, path: string, opts: RequestOptions): Promise<Buffer> {
    const target = withQuery(path, opts.query);
    const { throttle } = this.options;
    for (let retries = 0; ; retries++) {
      if (throttle && !opts.unthrottled && !throttle.tryAccept()) await throttle.wait();
      const started = performance.now();
      const { status, body, retryAfterSeconds } = await this.exchange(method, target, opts);
      this.options.onResponse?.({ method, path, status, durationMs: performance.now() - started });
      const delayMs = retryDelayMs(status, retryAfterSeconds, retries);
      if (delayMs !== undefined) {
        await sleep(delayMs, undefined, { signal: opts.signal });
        continue;
      }
      if (status >= 400) throw apiError(status, body, `${method} ${path}`);
      return body;
    }
  }

  /**
   * Opens a watch in the given media type: its events go to the sink, one frame each, until the server
   * ends it or it is cancelled.
   */
  watch(path: string, query: RequestOptions["query"], mediaType: string, sink: FrameSink): StreamHandle {
    const framing = mediaType === PROTOBUF_MEDIA_TYPE ? "length-prefixed" : "lines";
    return this.stream(path, { ...query, watch: "true" }, sink, {
      verb: "WATCH",
      accept: mediaType,
      framing,
    });
  }

  /**
   * A long-running GET (a watch, a followed log) read frame by frame; the sink hears each frame, then
   * onClose once; after cancel() it hears nothing more. As client-go's Request.Watch: a watch is sent
   * without waiting for the rate limiter, and a 429 or 5xx carrying Retry-After (an API server at its
   * in-flight limits) is sent again after that many seconds, through the rate limiter, up to MAX_RETRIES
   * times before the sink hears the error. Other streams (a followed log) wait for the rate limiter each
   * time.
   */
  stream(
    path: string,
    query: RequestOptions["query"],
    sink: FrameSink,
    how: { verb: string; accept: string; framing: Framing },
  ): StreamHandle {
    const target = withQuery(path, query);
    const frames = new FrameStream(sink, how.verb, path, how.framing, this.options.onResponse, (retry) => {
      const open = () =>
        frames.attach(() => this.open("GET", target, how.accept, undefined, undefined, frames));
      const { throttle } = this.options;
      if (throttle && (retry || how.verb !== "WATCH")) void throttle.wait().then(open);
      else open();
    });
    frames.connect(false);
    return frames;
  }

  /** A followed stream of lines (a log) as a promise: resolves when the server ends it or the signal aborts. */
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
      const stream = this.stream(
        path,
        query,
        {
          onFrame: (frame) => onLine(frame.toString("utf8")),
          onClose: (err) => {
            signal.removeEventListener("abort", onAbort);
            if (err) reject(err);
            else resolve();
          },
        },
        { verb: "GET", accept: JSON_TYPE, framing: "lines" },
      );
      signal.addEventListener("abort", onAbort, { once: true });
    });
  }

  close(): void {
    if (this.ownsConnection) this.connection.close();
  }

  private exchange(method: string, path: string, opts: RequestOptions): Promise<Response> {
    opts.signal?.throwIfAborted();
    const payload =
      opts.body === undefined || Buffer.isBuffer(opts.body)
        ? opts.body
        : Buffer.from(typeof opts.body === "string" ? opts.body : JSON.stringify(opts.body), "utf8");
    const timeoutMs = opts.timeoutMs ?? this.options.requestTimeoutMs ?? 60_000;
    const accept = opts.accept ?? (opts.discardBody ? this.preferredMediaType : JSON_TYPE);
    return new Promise((resolve, reject) => {
      const exchange = new Exchange(resolve, reject, opts.discardBody === true, opts.signal);
      const stream = this.open(method, path, accept, opts.contentType ?? JSON_TYPE, payload, exchange);
      // The message is only written if the deadline passes: no string built per request.
      exchange.begin(
        stream,
        timeoutMs,
        () => new Error(`${method} ${path}: no response from ${this.server} within ${timeoutMs} ms`),
      );
    });
  }

  private open(
    method: string,
    path: string,
    accept: string,
    contentType: string | undefined,
    payload: Buffer | undefined,
    handlers: StreamHandlers,
  ): H2Stream {
    return this.connection.open(method, path, this.headersFor(accept, contentType ?? ""), payload, handlers);
  }

  /** A request's headers besides the pseudo-headers: a few constant sets, made once each. */
  private headersFor(accept: string, contentType: string): ReadonlyArray<readonly [string, string]> {
    let byContentType = this.headerSets.get(accept);
    if (!byContentType) this.headerSets.set(accept, (byContentType = new Map()));
    let headers = byContentType.get(contentType);
    if (!headers) {
      headers = [
        ["accept", accept],
        ["user-agent", this.options.userAgent ?? "kubemark"],
        ...(contentType ? [["content-type", contentType] as const] : []),
      ];
      byContentType.set(contentType, headers);
    }
    return headers;
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

/** An error response's Status, in whichever encoding the server chose; text that is neither stays text. */
function errorStatus(body: Buffer): { reason?: string; message?: string } | string {
  if (isProtobufBody(body)) {
    try {
      return decodeObject(statusSchema, body) as { reason?: string; message?: string };
    } catch {
      return "";
    }
  }
  return safeJson(body.toString("utf8")) as { reason?: string; message?: string } | string;
}

function apiError(status: number, body: Buffer, what: string): ApiError {
  const s = errorStatus(body);
  const reason = typeof s === "object" && s?.reason ? s.reason : String(status);
  const message = typeof s === "object" && s?.message ? s.message : typeof s === "string" ? s.trim() : "";
  return new ApiError(status, reason, `${what}: ${status} ${reason}${message ? `: ${message}` : ""}`);
}

interface Response {
  status: number;
  body: Buffer;
  retryAfterSeconds?: number;
}

/** The body of a response nobody reads (zero bytes, so safe to share). */
const NO_BODY = Buffer.alloc(0);

/**
 * One request's response being received: an object with the stream's handlers rather than a set of
 * closures, as a hollow process has thousands in flight. It settles once, on the response's end, an
 * error, its deadline or its signal's abort.
 */
class Exchange implements StreamHandlers {
  private status = 0;
  private retryAfterSeconds: number | undefined;
  /** The body's bytes, when kept. */
  private chunks: Buffer[] | undefined;
  private stream: H2Stream | undefined;
  private timer: NodeJS.Timeout | undefined;
  private settled = false;

  constructor(
    private readonly resolve: (response: Response) => void,
    private readonly reject: (err: Error) => void,
    /** A body nobody reads is not kept, unless it is an error's Status. */
    private readonly discardBody: boolean,
    private readonly signal: AbortSignal | undefined,
  ) {}

  begin(stream: H2Stream, timeoutMs: number, timeoutError: () => Error): void {
    if (this.settled) return;
    this.stream = stream;
    this.timer = setTimeout(() => this.abandon(timeoutError()), timeoutMs);
    this.signal?.addEventListener("abort", this, { once: true });
  }

  onResponse(status: number, retryAfterSeconds?: number): void {
    this.status = status;
    this.retryAfterSeconds = retryAfterSeconds;
  }

  onData(chunk: Buffer): void {
    if (!this.discardBody || this.status >= 400) (this.chunks ??= []).push(Buffer.copyBytesFrom(chunk));
  }

  onEnd(): void {
    if (!this.settle()) return;
    const { chunks } = this;
    this.resolve({
      status: this.status,
      body: !chunks ? NO_BODY : chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks),
      retryAfterSeconds: this.retryAfterSeconds,
    });
  }

  onError(err: Error): void {
    if (this.settle()) this.reject(err);
  }

  /** The abort signal's listener. */
  handleEvent(): void {
    this.abandon(this.signal?.reason as Error);
  }

  private abandon(err: Error): void {
    this.stream?.cancel();
    this.onError(err);
  }

  /** Whether this call is the one that settles the exchange. */
  private settle(): boolean {
    if (this.settled) return false;
    this.settled = true;
    clearTimeout(this.timer);
    this.signal?.removeEventListener("abort", this);
    return true;
  }
}

const NEWLINE = 0x0a;

/**
 * One streamed response cut into frames. An object per stream rather than closures, because a thousand
 * hollow nodes hold ten thousand watches open. Lines are cut at newline bytes, which never occur inside a
 * UTF-8 sequence, so no string decoder is kept per stream; a protobuf watch's frames carry a 4-byte
 * big-endian length before each message.
 */
class FrameStream implements StreamHandlers, StreamHandle {
  /** Cancelled, or closed with the sink told: either way the sink hears nothing more. */
  private done = false;
  private stream: H2Stream | undefined;
  private started = 0;
  private status = 0;
  /** The bytes after the last whole frame, until the rest of their frame arrives. */
  private partial: Buffer | undefined;
  private errorBody: Buffer[] | undefined;
  /** Responses so far that asked to be retried; the wait the current one asks for. */
  private retries = 0;
  private retryAfterMs: number | undefined;
  private retryTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly sink: FrameSink,
    private readonly verb: string,
    private readonly path: string,
    private readonly framing: Framing,
    private readonly onRecord: ((record: RequestRecord) => void) | undefined,
    /** Sends the request (again, when `retry`), through the rate limiter as the stream's kind wants. */
    readonly connect: (retry: boolean) => void,
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
    clearTimeout(this.retryTimer);
    this.stream?.cancel();
  }

  onResponse(status: number, retryAfterSeconds?: number): void {
    this.status = status;
    this.retryAfterMs = retryDelayMs(status, retryAfterSeconds, this.retries);
    this.onRecord?.({
      method: this.verb,
      path: this.path,
      status,
      durationMs: performance.now() - this.started,
    });
  }

  onData(chunk: Buffer): void {
    if (this.retryAfterMs !== undefined) return;
    if (this.status >= 400) {
      (this.errorBody ??= []).push(Buffer.copyBytesFrom(chunk));
      return;
    }
    const bytes = this.partial ? Buffer.concat([this.partial, chunk]) : chunk;
    this.partial = undefined;
    const rest = this.framing === "lines" ? this.cutLines(bytes) : this.cutLengthPrefixed(bytes);
    // A copy: the chunk is a view of the shared read buffer.
    if (rest >= 0 && rest < bytes.length) this.partial = Buffer.copyBytesFrom(bytes, rest);
  }

  onEnd(): void {
    if (this.retryAfterMs !== undefined && !this.done) {
      this.retries++;
      this.stream = undefined;
      this.retryTimer = setTimeout(() => this.connect(true), this.retryAfterMs);
      return;
    }
    if (this.status >= 400) {
      const body = this.errorBody ? Buffer.concat(this.errorBody) : Buffer.alloc(0);
      return this.close(apiError(this.status, body, `${this.verb} ${this.path}`));
    }
    const last = this.partial;
    this.partial = undefined;
    // A last line may lack its newline; a length-prefixed frame cut short is no message.
    if (!last || this.framing !== "lines" || this.deliver(last)) this.close();
  }

  onError(err: Error): void {
    this.close(err);
  }

  /** Delivers each whole line; returns where the unfinished one starts, or -1 once the stream is over. */
  private cutLines(bytes: Buffer): number {
    let start = 0;
    for (let newline; (newline = bytes.indexOf(NEWLINE, start)) >= 0; start = newline + 1) {
      if (newline > start && !this.deliver(bytes.subarray(start, newline))) return -1;
    }
    return start;
  }

  /** Delivers each whole frame; returns where the unfinished one starts, or -1 once the stream is over. */
  private cutLengthPrefixed(bytes: Buffer): number {
    let start = 0;
    while (bytes.length - start >= 4) {
      const end = start + 4 + bytes.readUInt32BE(start);
      if (end > bytes.length) break;
      if (!this.deliver(bytes.subarray(start + 4, end))) return -1;
      start = end;
    }
    return start;
  }

  /** Hands a frame to the sink; false once the stream is over (the sink cancelled it, or failed). */
  private deliver(frame: Buffer): boolean {
    try {
      this.sink.onFrame(frame);
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
