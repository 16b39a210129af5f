import tls from "node:tls";
import { H2Session, type H2Stream, type StreamHandlers } from "./h2/session.js";
import type { ClientIdentity } from "./kubeconfig.js";

export type { H2Stream, StreamHandlers } from "./h2/session.js";

/**
 * One HTTP/2 connection to the API server for one identity, re-established on the next stream after a
 * GOAWAY or error (an API server restart). Several clients of the same identity may share it, as
 * client-go's transport cache shares one connection among clients with the same TLS config.
 */
export class Http2Connection {
  private session: H2Session | undefined;
  private closed = false;
  private readonly url: URL;
  private readonly authorization: readonly [string, string] | undefined;

  constructor(readonly identity: ClientIdentity) {
    this.url = new URL(identity.server);
    if (identity.token) this.authorization = ["authorization", `Bearer ${identity.token}`];
  }

  get server(): string {
    return this.identity.server;
  }

  /**
   * Opens a stream with the identity's credentials (a client certificate, or a bearer token added to
   * `headers`); a payload is sent and the stream's end written.
   */
  open(
    method: string,
    path: string,
    headers: ReadonlyArray<readonly [string, string]>,
    payload: Buffer | undefined,
    handlers: StreamHandlers,
  ): H2Stream {
    const withToken = this.authorization ? [...headers, this.authorization] : headers;
    return this.connect().request(method, path, withToken, payload, handlers);
  }

  /** New streams are refused; the connection closes once those in flight end. */
  close(): void {
    this.closed = true;
    this.session?.close();
    this.session = undefined;
  }

  private connect(): H2Session {
    if (this.closed) throw new Error(`client for ${this.server} is closed`);
    if (this.session?.usable) return this.session;
    const session: H2Session = new H2Session({
      url: this.url,
      secureContext: this.url.protocol === "https:" ? secureContextFor(this.identity) : undefined,
      rejectUnauthorized: !this.identity.insecure,
      onClose: () => {
        if (this.session === session) this.session = undefined;
      },
    });
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
    const cert = identity.certPem && withoutAutoChain(identity.certPem);
    context = tls.createSecureContext({ ca: identity.caPem, cert, key: identity.keyPem });
    secureContexts.set(identity, context);
  }
  return context;
}

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[^-]+-----END CERTIFICATE-----\s*/g;

/**
 * A client certificate that OpenSSL will send as it is. Given a lone certificate, OpenSSL (Node enables
 * this always) appends its issuers from the `ca` store, here the cluster CA itself. The API server then
 * checks each request's certificate against both the client CA and the front-proxy CA with that CA among
 * the intermediates: three signature checks a request (185 µs of its CPU with a P-256 CA) where a
 * kubelet, which sends its certificate alone, costs one. Any explicit chain turns the appending off; the
 * certificate repeated is the one chain that names no issuer, so the server finds the single path a
 * kubelet's certificate gives it.
 */
export function withoutAutoChain(certPem: string): string {
  const certs = certPem.match(PEM_CERTIFICATE) ?? [];
  return certs.length === 1 ? certs[0].trimEnd() + "\n" + certs[0] : certPem;
}
