import http2 from "node:http2";
import tls from "node:tls";
import type { ClientIdentity } from "./kubeconfig.js";

/**
 * One HTTP/2 connection to the API server for one identity, re-established on the next stream after a
 * GOAWAY or error (an API server restart). Several clients of the same identity may share it, as
 * client-go's transport cache shares one connection among clients with the same TLS config.
 */
export class Http2Connection {
  private session: http2.ClientHttp2Session | undefined;
  /** Streams in flight per session; a dropped session's streams still close after a new one opens. */
  private readonly activeStreams = new WeakMap<http2.ClientHttp2Session, number>();
  private closed = false;

  constructor(readonly identity: ClientIdentity) {}

  get server(): string {
    return this.identity.server;
  }

  /** Opens a stream with the identity's credentials; a payload is sent and the stream's end written. */
  open(headers: http2.OutgoingHttpHeaders, payload: string | undefined): http2.ClientHttp2Stream {
    const session = this.connect();
    const req = session.request(
      {
        ...(this.identity.token ? { authorization: `Bearer ${this.identity.token}` } : {}),
        ...headers,
      },
      // Node ends GET and DELETE streams at once unless told otherwise; a DELETE carries DeleteOptions.
      { endStream: payload === undefined },
    );
    this.trackStream(session, req);
    if (payload !== undefined) req.end(payload);
    return req;
  }

  close(): void {
    this.closed = true;
    this.session?.close();
    this.session = undefined;
  }

  /** Keeps the process alive only while a request or watch is in flight, so idle clients never block exit. */
  private trackStream(session: http2.ClientHttp2Session, req: http2.ClientHttp2Stream): void {
    const active = this.activeStreams.get(session) ?? 0;
    this.activeStreams.set(session, active + 1);
    if (active === 0) session.ref();
    req.once("close", () => {
      const left = (this.activeStreams.get(session) ?? 1) - 1;
      this.activeStreams.set(session, left);
      if (left === 0 && !session.destroyed) session.unref();
    });
  }

  private connect(): http2.ClientHttp2Session {
    if (this.closed) throw new Error(`client for ${this.server} is closed`);
    if (this.session && !this.session.closed && !this.session.destroyed) return this.session;
    const session = http2.connect(this.server, {
      secureContext: secureContextFor(this.identity),
      rejectUnauthorized: !this.identity.insecure,
    });
    const forget = () => {
      if (this.session === session) this.session = undefined;
    };
    session.on("error", forget);
    session.on("goaway", forget);
    session.on("close", forget);
    session.unref();
    this.session = session;
    return session;
  }
}

/**
 * One TLS context per identity, shared by every connection and reconnection that uses it: a context holds
 * the parsed CA, certificate and key (about 45 KiB with OpenSSL 3), and a copy per node would dominate a
 * hollow process.
 */
const secureContexts = new WeakMap<ClientIdentity, tls.SecureContext>();

function secureContextFor(identity: ClientIdentity): tls.SecureContext {
  let context = secureContexts.get(identity);
  if (!context) {
    context = tls.createSecureContext({ ca: identity.caPem, cert: identity.certPem, key: identity.keyPem });
    secureContexts.set(identity, context);
  }
  return context;
}
