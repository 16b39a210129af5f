import net from "node:net";
import tls from "node:tls";
import {
  CONNECTION_PREFACE,
  ErrorCode,
  Flag,
  frame,
  FRAME_HEADER_BYTES,
  FrameReader,
  FrameType,
  headersFragment,
  rstStreamFrame,
  Setting,
  settingsFrame,
  windowUpdateFrame,
  unpadded,
  writeFrameHeader,
  type Frame,
} from "./frames.js";
import {
  decodeStatus,
  headerBlockBound,
  writeHeaderBlock,
  type PseudoHeaders,
  type ResponseHead,
} from "./hpack.js";

/** What a stream reports; exactly one of onEnd and onError ends it. */
export interface StreamHandlers {
  /** The response's status, and its Retry-After in seconds when it carries one. */
  onResponse(status: number, retryAfterSeconds?: number): void;
  /** The chunk is a view of the shared read buffer: copy what must outlive the call. */
  onData(chunk: Buffer): void;
  onEnd(): void;
  onError(err: Error): void;
}

export interface H2Stream {
  /** Resets the stream (RST_STREAM CANCEL); its handlers hear nothing more. */
  cancel(): void;
}

/** The stream never reached the server (refused, or above a GOAWAY's last stream): safe to send again. */
export class StreamUnprocessedError extends Error {}

/** Receive windows as client-go's HTTP/2 transport sets them: 4 MiB per stream, 1 GiB per connection. */
const STREAM_WINDOW = 4 << 20;
const CONNECTION_WINDOW = 1 << 30;
const DEFAULT_WINDOW = 65_535;
const DEFAULT_MAX_FRAME = 16_384;

/**
 * Every session's socket reads into this one buffer (Node's `onread`), and its frames are handled before
 * the next read: a thousand nodes' small reads allocate no buffer each and skip the Readable stream.
 */
const READ_BUFFER = Buffer.allocUnsafe(64 * 1024);

interface StreamState {
  /** 0 while it waits for a free slot under the server's MAX_CONCURRENT_STREAMS. */
  id: number;
  handlers: StreamHandlers;
  method: string;
  path: string;
  headers: ReadonlyArray<readonly [string, string]>;
  body: Buffer | undefined;
  gotHeaders: boolean;
  /** Bytes received since the last WINDOW_UPDATE for this stream. */
  unacked: number;
  sendWindow: number;
  /** Body bytes not yet sent for want of flow-control window. */
  pendingBody?: Buffer;
}

export interface SessionOptions {
  /** https: or http: URL of the server; http: speaks HTTP/2 without TLS (h2c), for tests. */
  url: URL;
  secureContext?: tls.SecureContext;
  rejectUnauthorized?: boolean;
  onClose(): void;
}

/**
 * A lean HTTP/2 client session over one TLS socket: a Kubernetes client's requests and watches, multiplexed.
 * Node's http2 module wraps every stream in a Duplex and costs about three times a raw round trip in CPU;
 * a hollow node sends thousands of small requests, so this session keeps only a handler record per stream
 * and reads frames straight off the socket.
 */
export class H2Session {
  private readonly socket: net.Socket;
  private readonly streams = new Map<number, StreamState>();
  /** Streams beyond the server's concurrency limit, started in order as others end. */
  private readonly waiting: StreamState[] = [];
  private peerMaxStreams = Infinity;
  private nextStreamId = 1;
  private sendWindow = DEFAULT_WINDOW;
  private peerInitialWindow = DEFAULT_WINDOW;
  private peerMaxFrame = DEFAULT_MAX_FRAME;
  private connectionUnacked = 0;
  /** Header block of a HEADERS frame awaiting CONTINUATION frames. */
  private continuation: { streamId: number; flags: number; parts: Buffer[] } | undefined;
  private goingAway = false;
  private closedWith: Error | undefined;
  private referenced = false;
  private readonly pseudoHeaders: PseudoHeaders;
  /** Filled in by each header block decoded, then handed on. */
  private readonly head: ResponseHead = {};

  constructor(private readonly opts: SessionOptions) {
    this.pseudoHeaders = { scheme: opts.url.protocol.replace(/:$/, ""), authority: opts.url.host };
    const port = Number(opts.url.port || (opts.url.protocol === "http:" ? 80 : 443));
    const host = opts.url.hostname.replace(/^\[|\]$/g, "");
    const reader = new FrameReader((f) => this.onFrame(f));
    const onread: net.OnReadOpts = {
      buffer: READ_BUFFER,
      callback: (length) => {
        try {
          reader.push(READ_BUFFER, length);
        } catch (err) {
          this.fail(err as Error);
        }
        return true;
      },
    };
    this.socket =
      opts.url.protocol === "http:"
        ? net.connect({ host, port, onread })
        : tls.connect({
            host,
            port,
            // Documented for tls.connect since Node 15, missing from its type.
            ...({ onread } as tls.ConnectionOptions),
            secureContext: opts.secureContext,
            rejectUnauthorized: opts.rejectUnauthorized ?? true,
            ALPNProtocols: ["h2"],
            // SNI takes a host name, never an address.
            ...(net.isIP(host) ? {} : { servername: host }),
          });
    this.socket.setNoDelay(true);
    this.socket.unref();
    const socket = this.socket;
    if (socket instanceof tls.TLSSocket)
      socket.once("secureConnect", () => {
        if (socket.alpnProtocol !== "h2")
          this.fail(
            new Error(`${opts.url.host} does not offer HTTP/2 (ALPN: ${socket.alpnProtocol || "none"})`),
          );
      });
    this.socket.on("error", (err) => this.fail(err));
    this.socket.on("close", () => this.fail(new Error(`connection to ${opts.url.host} closed`)));
    this.socket.write(
      Buffer.concat([
        CONNECTION_PREFACE,
        settingsFrame([
          [Setting.HEADER_TABLE_SIZE, 0],
          [Setting.ENABLE_PUSH, 0],
          [Setting.INITIAL_WINDOW_SIZE, STREAM_WINDOW],
        ]),
        windowUpdateFrame(0, CONNECTION_WINDOW - DEFAULT_WINDOW),
      ]),
    );
  }

  /** Whether new streams may still be opened here (not closed, no GOAWAY received). */
  get usable(): boolean {
    return !this.closedWith && !this.goingAway;
  }

  /**
   * Opens a stream: the pseudo-headers from the method, the path and the session's URL, then `headers`
   * (names lower case), which callers keep as constants; a body is sent and the stream's end written.
   */
  request(
    method: string,
    path: string,
    headers: ReadonlyArray<readonly [string, string]>,
    body: Buffer | undefined,
    handlers: StreamHandlers,
  ): H2Stream {
    if (!this.usable) throw new StreamUnprocessedError(`connection to ${this.opts.url.host} is closing`);
    const stream: StreamState = {
      id: 0,
      handlers,
      method,
      path,
      headers,
      body: body && body.length > 0 ? body : undefined,
      gotHeaders: false,
      unacked: 0,
      sendWindow: 0,
    };
    if (this.streams.size < this.peerMaxStreams) this.start(stream);
    else this.waiting.push(stream);
    this.updateRef();
    return { cancel: () => this.cancel(stream) };
  }

  private start(stream: StreamState): void {
    stream.id = this.nextStreamId;
    this.nextStreamId += 2;
    stream.sendWindow = this.peerInitialWindow;
    stream.pendingBody = stream.body;
    this.streams.set(stream.id, stream);
    const body = stream.pendingBody;
    // The usual request goes out as one buffer: HEADERS, then its body in one DATA frame when it fits.
    const bodyFits = body !== undefined && body.length <= this.sendableNow(stream);
    const { method, path, headers } = stream;
    const out = Buffer.allocUnsafe(
      FRAME_HEADER_BYTES +
        headerBlockBound(this.pseudoHeaders, method, path, headers) +
        (bodyFits ? FRAME_HEADER_BYTES + body.length : 0),
    );
    const blockEnd = writeHeaderBlock(this.pseudoHeaders, method, path, headers, out, FRAME_HEADER_BYTES);
    const blockLength = blockEnd - FRAME_HEADER_BYTES;
    // A kubelet's header block fits one frame; a larger one would need CONTINUATION frames.
    if (blockLength > this.peerMaxFrame) {
      this.finish(stream);
      stream.handlers.onError(
        new Error(`request headers of ${blockLength} bytes exceed the server's frame size`),
      );
      return;
    }
    const endStream = body === undefined;
    const flags = Flag.END_HEADERS | (endStream ? Flag.END_STREAM : 0);
    writeFrameHeader(out, 0, blockLength, FrameType.HEADERS, flags, stream.id);
    let end = blockEnd;
    if (bodyFits) {
      writeFrameHeader(out, end, body.length, FrameType.DATA, Flag.END_STREAM, stream.id);
      body.copy(out, end + FRAME_HEADER_BYTES);
      end += FRAME_HEADER_BYTES + body.length;
      stream.sendWindow -= body.length;
      this.sendWindow -= body.length;
      stream.pendingBody = undefined;
    }
    this.socket.write(out.subarray(0, end));
    if (stream.pendingBody) {
      const rest: Buffer[] = [];
      this.writeBody(stream, rest);
      if (rest.length > 0) this.socket.write(Buffer.concat(rest));
    }
  }

  /** The most body bytes one DATA frame of this stream may carry now. */
  private sendableNow(stream: StreamState): number {
    return Math.min(stream.sendWindow, this.sendWindow, this.peerMaxFrame);
  }

  private cancel(stream: StreamState): void {
    if (stream.id === 0) {
      const at = this.waiting.indexOf(stream);
      if (at >= 0) this.waiting.splice(at, 1);
      this.updateRef();
      return;
    }
    if (this.streams.get(stream.id) !== stream) return;
    this.finish(stream);
    if (!this.closedWith) this.socket.write(rstStreamFrame(stream.id, ErrorCode.CANCEL));
  }

  /** Takes no new streams and closes the socket once the open ones end, as Node's session.close() does. */
  close(): void {
    this.goingAway = true;
    this.endWhenIdle();
  }

  /** Sends as much of the stream's pending body as the windows allow, in frames of the allowed size. */
  private writeBody(stream: StreamState, out: Buffer[]): void {
    let body = stream.pendingBody;
    while (body && body.length > 0) {
      const n = Math.min(body.length, this.sendableNow(stream));
      if (n <= 0) break;
      const last = n === body.length;
      out.push(frame(FrameType.DATA, last ? Flag.END_STREAM : 0, stream.id, body.subarray(0, n)));
      stream.sendWindow -= n;
      this.sendWindow -= n;
      body = last ? undefined : body.subarray(n);
    }
    stream.pendingBody = body;
  }

  private flushPendingBodies(): void {
    const out: Buffer[] = [];
    for (const stream of this.streams.values()) if (stream.pendingBody) this.writeBody(stream, out);
    if (out.length > 0) this.socket.write(Buffer.concat(out));
  }

  private onFrame(f: Frame): void {
    if (this.continuation && f.type !== FrameType.CONTINUATION)
      throw new Error("HTTP/2 protocol error: expected a CONTINUATION frame");
    switch (f.type) {
      case FrameType.DATA:
        return this.onData(f);
      case FrameType.HEADERS:
        if (f.flags & Flag.END_HEADERS) return this.onHeaderBlock(f.streamId, f.flags, headersFragment(f));
        this.continuation = {
          streamId: f.streamId,
          flags: f.flags,
          parts: [Buffer.from(headersFragment(f))],
        };
        return;
      case FrameType.CONTINUATION: {
        const c = this.continuation;
        if (!c || c.streamId !== f.streamId)
          throw new Error("HTTP/2 protocol error: unexpected CONTINUATION");
        c.parts.push(Buffer.from(f.payload));
        if (f.flags & Flag.END_HEADERS) {
          this.continuation = undefined;
          this.onHeaderBlock(c.streamId, c.flags, Buffer.concat(c.parts));
        }
        return;
      }
      case FrameType.SETTINGS:
        if (!(f.flags & Flag.ACK)) this.onSettings(f.payload);
        return;
      case FrameType.PING:
        if (!(f.flags & Flag.ACK)) this.socket.write(frame(FrameType.PING, Flag.ACK, 0, f.payload));
        return;
      case FrameType.WINDOW_UPDATE:
        return this.onWindowUpdate(f);
      case FrameType.RST_STREAM:
        return this.onReset(f);
      case FrameType.GOAWAY:
        return this.onGoAway(f);
      // PRIORITY, and PUSH_PROMISE (disabled by our SETTINGS), carry nothing for us.
    }
  }

  private onHeaderBlock(streamId: number, flags: number, block: Buffer): void {
    // Decoded even for a stream we dropped: a header block must always be read (RFC 9113 section 4.3).
    this.head.retryAfterSeconds = undefined;
    const status = decodeStatus(block, this.head);
    const stream = this.streams.get(streamId);
    if (!stream) return;
    if (!stream.gotHeaders && status >= 200) {
      stream.gotHeaders = true;
      stream.handlers.onResponse(status, this.head.retryAfterSeconds);
    }
    if (flags & Flag.END_STREAM) this.end(stream);
  }

  private onData(f: Frame): void {
    this.connectionUnacked += f.payload.length;
    if (this.connectionUnacked >= CONNECTION_WINDOW / 2) {
      this.socket.write(windowUpdateFrame(0, this.connectionUnacked));
      this.connectionUnacked = 0;
    }
    const stream = this.streams.get(f.streamId);
    if (!stream) return;
    stream.unacked += f.payload.length;
    if (stream.unacked >= STREAM_WINDOW / 2 && !(f.flags & Flag.END_STREAM)) {
      this.socket.write(windowUpdateFrame(stream.id, stream.unacked));
      stream.unacked = 0;
    }
    const data = unpadded(f);
    if (data.length > 0) stream.handlers.onData(data);
    if (f.flags & Flag.END_STREAM) this.end(stream);
  }

  private onSettings(payload: Buffer): void {
    for (let at = 0; at + 6 <= payload.length; at += 6) {
      const id = payload.readUInt16BE(at);
      const value = payload.readUInt32BE(at + 2);
      if (id === Setting.INITIAL_WINDOW_SIZE) {
        const delta = value - this.peerInitialWindow;
        this.peerInitialWindow = value;
        for (const stream of this.streams.values()) stream.sendWindow += delta;
      } else if (id === Setting.MAX_FRAME_SIZE) this.peerMaxFrame = value;
      else if (id === Setting.MAX_CONCURRENT_STREAMS) this.peerMaxStreams = value;
    }
    this.startWaiting();
    this.socket.write(frame(FrameType.SETTINGS, Flag.ACK, 0));
    this.flushPendingBodies();
  }

  private onWindowUpdate(f: Frame): void {
    const increment = f.payload.readUInt32BE(0) & 0x7fffffff;
    if (f.streamId === 0) this.sendWindow += increment;
    else {
      const stream = this.streams.get(f.streamId);
      if (!stream) return;
      stream.sendWindow += increment;
    }
    this.flushPendingBodies();
  }

  private onReset(f: Frame): void {
    const stream = this.streams.get(f.streamId);
    if (!stream) return;
    const code = f.payload.readUInt32BE(0);
    this.finish(stream);
    if (code === ErrorCode.REFUSED_STREAM && !stream.gotHeaders) {
      // Opened before the server's concurrency limit was known: the server did no work on it, so it
      // waits for a free slot and goes again.
      stream.id = 0;
      this.waiting.unshift(stream);
      this.startWaiting();
      this.updateRef();
      return;
    }
    stream.handlers.onError(new Error(`stream reset by the server (HTTP/2 error code ${code})`));
  }

  private onGoAway(f: Frame): void {
    this.goingAway = true;
    const lastStreamId = f.payload.readUInt32BE(0) & 0x7fffffff;
    const unprocessed = [...this.streams.values()].filter((s) => s.id > lastStreamId);
    unprocessed.push(...this.waiting.splice(0));
    for (const stream of unprocessed) {
      this.finish(stream);
      stream.handlers.onError(new StreamUnprocessedError(`server at ${this.opts.url.host} is going away`));
    }
    this.opts.onClose();
    this.endWhenIdle();
  }

  private end(stream: StreamState): void {
    this.finish(stream);
    stream.handlers.onEnd();
  }

  /** Forgets a stream and starts the next waiting one; the socket holds the process open only while in use. */
  private finish(stream: StreamState): void {
    if (!this.streams.delete(stream.id)) return;
    this.startWaiting();
    this.updateRef();
    this.endWhenIdle();
  }

  /** After a GOAWAY or close(), the socket ends with the last stream. */
  private endWhenIdle(): void {
    if (this.goingAway && this.streams.size + this.waiting.length === 0 && !this.closedWith)
      this.socket.end();
  }

  private startWaiting(): void {
    if (this.closedWith) return;
    while (this.waiting.length > 0 && this.streams.size < this.peerMaxStreams)
      this.start(this.waiting.shift()!);
  }

  private updateRef(): void {
    const busy = this.streams.size + this.waiting.length > 0;
    if (busy === this.referenced) return;
    this.referenced = busy;
    if (busy) this.socket.ref();
    else this.socket.unref();
  }

  private fail(err: Error): void {
    if (this.closedWith) return;
    this.closedWith = err;
    const open = [...this.streams.values(), ...this.waiting.splice(0)];
    this.streams.clear();
    this.updateRef();
    this.socket.destroy();
    this.opts.onClose();
    for (const stream of open) stream.handlers.onError(err);
  }
}
