import assert from "node:assert/strict";
import { X509Certificate, createPrivateKey, generateKeyPairSync } from "node:crypto";
import { describe, it } from "node:test";
import { CertificateAuthority } from "../../src/master/pki.js";

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
    const { privateKey } = generateKeyPairSync("ec", { namedCurve: "prime256v1" });
    const older = await CertificateAuthority.selfSigned("older-ca", privateKey);
    const ca = await CertificateAuthority.load(older.certPem, older.keyPem);
    const issued = await ca.issue({ commonName: "system:node:n2", organizations: ["system:nodes"] });
    const cert = checkIssued(older.certPem, issued.cert);
    assert.equal(new X509Certificate(older.certPem).publicKey.asymmetricKeyType, "ec");
    assert.equal(cert.subject, "CN=system:node:n2\nO=system:nodes");
  });

  it("issues serving certificates for their DNS names and IPs, valid now and for a year", async () => {
    const ca = await CertificateAuthority.create("serving-test-ca");
    const pair = await ca.issue({
      commonName: "kube-apiserver",
      dnsNames: ["localhost"],
      ips: ["127.0.0.1", "::1"],
    });
    const cert = checkIssued(ca.certPem, pair.cert);
    assert.equal(cert.subjectAltName, "DNS:localhost, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1");
    assert.deepEqual(cert.keyUsage, ["1.3.6.1.5.5.7.3.2", "1.3.6.1.5.5.7.3.1"]);
    assert.equal(cert.ca, false);
    const now = Date.now();
    assert.ok(Date.parse(cert.validFrom) < now && now < Date.parse(cert.validTo));
    assert.ok(Date.parse(cert.validTo) - now > 364 * 24 * 3600 * 1000);
    const serverOnly = checkIssued(
      ca.certPem,
      (await ca.issue({ commonName: "s", dnsNames: ["x"], client: false })).cert,
    );
    assert.deepEqual(serverOnly.keyUsage, ["1.3.6.1.5.5.7.3.1"]);
  });
});
