import assert from "node:assert/strict";
import http2 from "node:http2";
import type { AddressInfo } from "node:net";
import type { TLSSocket } from "node:tls";
import { after, before, describe, it } from "node:test";
import { Http2Connection, withoutAutoChain } from "../../src/client/http2-connection.js";
import { CertificateAuthority, type KeyPair } from "../../src/master/pki.js";

describe("client certificate chain", () => {
  let ca: CertificateAuthority;
  let client: KeyPair;
  let server: http2.Http2SecureServer;
  let origin: string;
  /** What the server saw of each request's client certificate: its subject and its issuer's, if sent. */
  const seen: { subject: unknown; issuerSent: unknown }[] = [];

  before(async () => {
    ca = await CertificateAuthority.create("chain-test-ca");
    client = await ca.issue({ commonName: "system:node:chain-test", organizations: ["system:nodes"] });
    const serving = await ca.issue({ commonName: "server", ips: ["127.0.0.1"], client: false });
    // No `ca` here: the server knows no issuer, so any issuer it reports came from the client.
    server = http2.createSecureServer(
      { cert: serving.cert, key: serving.key, requestCert: true, rejectUnauthorized: false },
      (req, res) => {
        const peer = (req.socket as TLSSocket).getPeerCertificate(true);
        const issuer = peer.issuerCertificate as typeof peer | undefined;
        seen.push({ subject: peer.subject.CN, issuerSent: issuer?.subject.CN });
        res.end("ok");
      },
    );
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    origin = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  after(() => server.close());

  it("sends a client certificate without the CA that OpenSSL would append from the trust store", async () => {
    const conn = new Http2Connection({
      server: origin,
      caPem: ca.certPem,
      certPem: client.cert,
      keyPem: client.key,
    });
    const status = await new Promise<number>((resolve, reject) => {
      let code = 0;
      conn.open("GET", "/", [], undefined, {
        onResponse: (s) => (code = s),
        onData: () => {},
        onEnd: () => resolve(code),
        onError: reject,
      });
    });
    conn.close();
    assert.equal(status, 200);
    assert.deepEqual(seen, [{ subject: "system:node:chain-test", issuerSent: undefined }]);
  });

  it("keeps a chain the kubeconfig gives, and repeats a lone certificate", () => {
    const chain = client.cert + ca.certPem;
    assert.equal(withoutAutoChain(chain), chain);
    const lone = withoutAutoChain(client.cert);
    assert.equal(lone.match(/BEGIN CERTIFICATE/g)?.length, 2);
    assert.equal(lone, client.cert.trimEnd() + "\n" + client.cert);
  });
});
