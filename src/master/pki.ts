import "reflect-metadata";
import * as x509 from "@peculiar/x509";
import { createPrivateKey, randomBytes, webcrypto } from "node:crypto";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";

type CryptoKey = webcrypto.CryptoKey;
type CryptoKeyPair = webcrypto.CryptoKeyPair;

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

/** Every certificate's own key: what a kubelet generates, and cheap in each TLS handshake. */
const ALGORITHM = { name: "ECDSA", namedCurve: "P-256", hash: "SHA-256" } as const;
/**
 * A CA's key, as kubeadm makes it by default. The API server checks a client certificate's signature on
 * every request: 27 µs of its CPU with an RSA-2048 CA, 65 µs with a P-256 one.
 */
const CA_ALGORITHM = {
  name: "RSASSA-PKCS1-v1_5",
  modulusLength: 2048,
  publicExponent: new Uint8Array([1, 0, 1]),
  hash: "SHA-256",
} as const;
type SigningAlgorithm = typeof ALGORITHM | typeof CA_ALGORITHM;
const VALIDITY_MS = 365 * 24 * 3600 * 1000;

/** A certificate and its private key, both PEM. */
export interface KeyPair {
  cert: string;
  key: string;
}

export interface CertificateRequest {
  commonName: string;
  organizations?: readonly string[];
  /** DNS names and IPs; a certificate with any is also a serving certificate. */
  dnsNames?: readonly string[];
  ips?: readonly string[];
  client?: boolean;
}

/** A certificate authority held in memory while a cluster is being set up. */
export class CertificateAuthority {
  private constructor(
    readonly certPem: string,
    private readonly cert: x509.X509Certificate,
    private readonly signingKey: CryptoKey,
    private readonly signingAlgorithm: SigningAlgorithm,
    readonly keyPem: string,
  ) {}

  static async create(commonName: string): Promise<CertificateAuthority> {
    const keys = await generateKeys(CA_ALGORITHM);
    const cert = await x509.X509CertificateGenerator.createSelfSigned({
      serialNumber: serial(),
      name: `CN=${commonName}`,
      notBefore: backdated(),
      notAfter: new Date(Date.now() + 10 * VALIDITY_MS),
      keys,
      signingAlgorithm: CA_ALGORITHM,
      extensions: [
        new x509.BasicConstraintsExtension(true, undefined, true),
        new x509.KeyUsagesExtension(
          x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign | x509.KeyUsageFlags.digitalSignature,
          true,
        ),
        await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
      ],
    });
    return new CertificateAuthority(
      cert.toString("pem"),
      cert,
      keys.privateKey,
      CA_ALGORITHM,
      await privateKeyPem(keys.privateKey),
    );
  }

  /** A CA from its files: RSA, or P-256 as clusters made before RSA CAs have. */
  static async load(certPem: string, keyPem: string): Promise<CertificateAuthority> {
    const cert = new x509.X509Certificate(certPem);
    const key = createPrivateKey(keyPem);
    const algorithm = key.asymmetricKeyType === "rsa" ? CA_ALGORITHM : ALGORITHM;
    const der = key.export({ format: "der", type: "pkcs8" });
    const signingKey = await webcrypto.subtle.importKey("pkcs8", der, algorithm, false, ["sign"]);
    return new CertificateAuthority(certPem, cert, signingKey as CryptoKey, algorithm, keyPem);
  }

  async issue(req: CertificateRequest): Promise<KeyPair> {
    const keys = await generateKeys();
    const serving = (req.dnsNames?.length ?? 0) + (req.ips?.length ?? 0) > 0;
    const usages: string[] = [];
    if (req.client !== false) usages.push(x509.ExtendedKeyUsage.clientAuth);
    if (serving) usages.push(x509.ExtendedKeyUsage.serverAuth);
    const extensions: x509.Extension[] = [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(
        x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment,
        true,
      ),
      new x509.ExtendedKeyUsageExtension(usages, false),
      await x509.AuthorityKeyIdentifierExtension.create(this.cert, false),
    ];
    if (serving) {
      extensions.push(
        new x509.SubjectAlternativeNameExtension([
          ...(req.dnsNames ?? []).map((value) => ({ type: "dns" as const, value })),
          ...(req.ips ?? []).map((value) => ({ type: "ip" as const, value })),
        ]),
      );
    }
    const subject = [
      `CN=${escapeRdn(req.commonName)}`,
      ...(req.organizations ?? []).map((o) => `O=${escapeRdn(o)}`),
    ].join(", ");
    const cert = await x509.X509CertificateGenerator.create({
      serialNumber: serial(),
      subject,
      issuer: this.cert.subject,
      notBefore: backdated(),
      notAfter: new Date(Date.now() + VALIDITY_MS),
      signingKey: this.signingKey,
      publicKey: keys.publicKey,
      signingAlgorithm: this.signingAlgorithm,
      extensions,
    });
    return { cert: cert.toString("pem"), key: await privateKeyPem(keys.privateKey) };
  }
}

/**
 * A new private key and a PKCS#10 request for a client certificate with this subject, as a kubelet makes
 * for TLS bootstrapping (the signer decides usages and lifetime; the request carries only the subject).
 */
export async function createCertificateRequest(
  commonName: string,
  organizations: readonly string[],
): Promise<{ csrPem: string; keyPem: string }> {
  const keys = await generateKeys();
  const csr = await x509.Pkcs10CertificateRequestGenerator.create({
    name: [`CN=${escapeRdn(commonName)}`, ...organizations.map((o) => `O=${escapeRdn(o)}`)].join(", "),
    keys,
    signingAlgorithm: ALGORITHM,
  });
  return { csrPem: csr.toString("pem"), keyPem: await privateKeyPem(keys.privateKey) };
}

/** A key pair for signing service-account tokens (ES256). */
export async function serviceAccountKeys(): Promise<{ privateKey: string; publicKey: string }> {
  const keys = await generateKeys();
  const spki = Buffer.from(await webcrypto.subtle.exportKey("spki", keys.publicKey));
  return { privateKey: await privateKeyPem(keys.privateKey), publicKey: pem("PUBLIC KEY", spki) };
}

/** Writes a certificate (0644) and its key (0600) as <dir>/<name>.crt and <dir>/<name>.key. */
export async function writeKeyPair(
  dir: string,
  name: string,
  pair: KeyPair,
): Promise<{ cert: string; key: string }> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const cert = path.join(dir, `${name}.crt`);
  const key = path.join(dir, `${name}.key`);
  await writeFile(cert, pair.cert, { mode: 0o644 });
  await writeFile(key, pair.key, { mode: 0o600 });
  return { cert, key };
}

export async function readKeyPair(dir: string, name: string): Promise<KeyPair> {
  const [cert, key] = await Promise.all([
    readFile(path.join(dir, `${name}.crt`), "utf8"),
    readFile(path.join(dir, `${name}.key`), "utf8"),
  ]);
  return { cert, key };
}

async function generateKeys(algorithm: SigningAlgorithm = ALGORITHM): Promise<CryptoKeyPair> {
  return (await webcrypto.subtle.generateKey(algorithm, true, ["sign", "verify"])) as CryptoKeyPair;
}

async function privateKeyPem(key: CryptoKey): Promise<string> {
  return pem("PRIVATE KEY", Buffer.from(await webcrypto.subtle.exportKey("pkcs8", key)));
}

function pem(label: string, der: Buffer): string {
  const body = der
    .toString("base64")
    .replace(/(.{64})/g, "$1\n")
    .replace(/\n$/, "");
  return `-----BEGIN ${label}-----\n${body}\n-----END ${label}-----\n`;
}

function serial(): string {
  const bytes = randomBytes(16);
  bytes[0] &= 0x7f; // positive
  return bytes.toString("hex");
}

/** Tolerates clock skew between the moment of issue and the API server's check. */
function backdated(): Date {
  return new Date(Date.now() - 5 * 60 * 1000);
}

function escapeRdn(value: string): string {
  return value.replace(/([,+"\\<>;=])/g, "\\$1");
}
