import "reflect-metadata";
import assert from "node:assert/strict";
import { KeyObject, X509Certificate, createPrivateKey, webcrypto } from "node:crypto";
import { describe, it } from "node:test";
import * as x509 from "@peculiar/x509";
import { CertificateAuthority } from "../../src/master/pki.js";

const P256 = { name: "ECDSA", namedCurve: "P-256", hash: "SHA-256" } as const;

function checkIssued(caPem: string, certPem: string): X509Certificate {
  const ca = new X509Certificate(caPem);
  const cert = new X509Certificate(certPem);
  assert.ok(cert.checkIssued(ca), "issuer names match");
  assert.ok(cert.verify(ca.publicKey), "signature verifies with the CA's key");
  return cert;
}

describe("cluster PKI", () => {
  it("makes an RSA-2048 CA, as kubeadm does, that issues P-256 certificates", async () => {
    const ca = await CertificateAuthority.create("pki-test-ca");
    const caCert = new X509Certificate(ca.certPem);
    assert.ok(caCert.ca);
    assert.equal(caCert.publicKey.asymmetricKeyType, "rsa");
    assert.equal(caCert.publicKey.asymmetricKeyDetails?.modulusLength, 2048);
    assert.equal(createPrivateKey(ca.keyPem).asymmetricKeyType, "rsa");

    const node = await ca.issue({ commonName: "system:node:n1", organizations: ["system:nodes"] });
    const cert = checkIssued(ca.certPem, node.cert);
    assert.equal(cert.subject, "CN=system:node:n1\nO=system:nodes");
    assert.equal(cert.publicKey.asymmetricKeyType, "ec");
    assert.equal(createPrivateKey(node.key).asymmetricKeyDetails?.namedCurve, "prime256v1");

    const reloaded = await CertificateAuthority.load(ca.certPem, ca.keyPem);
    checkIssued(ca.certPem, (await reloaded.issue({ commonName: "again" })).cert);
  });

  it("still loads and signs with the P-256 CA of a cluster made before", async () => {
    const keys = (await webcrypto.subtle.generateKey(P256, true, [
      "sign",
      "verify",
    ])) as webcrypto.CryptoKeyPair;
    const caCert = await x509.X509CertificateGenerator.createSelfSigned({
      serialNumber: "01",
      name: "CN=older-ca",
      notBefore: new Date(Date.now() - 60_000),
      notAfter: new Date(Date.now() + 3_600_000),
      keys,
      signingAlgorithm: P256,
      extensions: [new x509.BasicConstraintsExtension(true, undefined, true)],
    });
    const keyPem = KeyObject.from(keys.privateKey).export({ format: "pem", type: "pkcs8" }) as string;
    const caPem = caCert.toString("pem");

    const ca = await CertificateAuthority.load(caPem, keyPem);
    const issued = await ca.issue({ commonName: "system:node:n2", organizations: ["system:nodes"] });
    checkIssued(caPem, issued.cert);
  });
});
