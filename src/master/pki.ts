import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  randomBytes,
  sign,
  X509Certificate,
  type KeyObject,
} from "node:crypto";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { isIPv4 } from "node:net";
import path from "node:path";
import {
  bitString,
  booleanTrue,
  children,
  explicit,
  implicit,
  namedBits,
  nullValue,
  objectId,
  octetString,
  readElement,
  sequence,
  set,
  smallInteger,
  time,
  tlv,
  unsignedInteger,
  utf8String,
} from "./der.js";

const VALIDITY_MS = 365 * 24 * 3600 * 1000;

const OID = {
  commonName: "2.5.4.3",
  organization: "2.5.4.10",
  subjectKeyId: "2.5.29.14",
  keyUsage: "2.5.29.15",
  subjectAltName: "2.5.29.17",
  basicConstraints: "2.5.29.19",
  authorityKeyId: "2.5.29.35",
  extKeyUsage: "2.5.29.37",
  serverAuth: "1.3.6.1.5.5.7.3.1",
  clientAuth: "1.3.6.1.5.5.7.3.2",
  sha256WithRSA: "1.2.840.113549.1.1.11",
  ecdsaWithSHA256: "1.2.840.10045.4.3.2",
};

/** KeyUsage bits (RFC 5280 section 4.2.1.3). */
const KeyUsage = { digitalSignature: 0, keyEncipherment: 2, keyCertSign: 5, cRLSign: 6 };

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
    readonly keyPem: string,
    private readonly signingKey: KeyObject,
    /** The CA's subject, byte for byte, as its certificates' issuer. */
    private readonly subject: Buffer,
    /** Its subject key identifier, which its certificates name as their authority key identifier. */
    private readonly keyId: Buffer | undefined,
  ) {}

  /**
   * A new CA with an RSA-2048 key, as kubeadm makes it by default. The API server checks a client
   * certificate's signature on every request: 27 µs of its CPU with an RSA-2048 CA, 65 µs with a P-256 one.
   */
  static create(commonName: string): Promise<CertificateAuthority> {
    return CertificateAuthority.selfSigned(
      commonName,
      generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey,
    );
  }

  /** A self-signed CA certificate for this key (RSA, or P-256 as clusters made before RSA CAs have). */
  static async selfSigned(commonName: string, key: KeyObject): Promise<CertificateAuthority> {
    const subject = name(commonName, []);
    const spki = createPublicKey(key).export({ type: "spki", format: "der" });
    const cert = signedCertificate(
      key,
      subject,
      subject,
      spki,
      [
        extension(OID.basicConstraints, sequence(booleanTrue()), true),
        extension(
          OID.keyUsage,
          namedBits([KeyUsage.digitalSignature, KeyUsage.keyCertSign, KeyUsage.cRLSign]),
          true,
        ),
        extension(OID.subjectKeyId, octetString(keyIdentifier(spki))),
      ],
      10 * VALIDITY_MS,
    );
    return CertificateAuthority.load(
      pem("CERTIFICATE", cert),
      key.export({ type: "pkcs8", format: "pem" }) as string,
    );
  }

  /** A CA from its files. */
  static async load(certPem: string, keyPem: string): Promise<CertificateAuthority> {
    const { subject, keyId } = issuerOf(new X509Certificate(certPem).raw);
    return new CertificateAuthority(certPem, keyPem, createPrivateKey(keyPem), subject, keyId);
  }

  async issue(req: CertificateRequest): Promise<KeyPair> {
    const { publicKey, privateKey } = generateKeyPairSync("ec", { namedCurve: "prime256v1" });
    const serving = (req.dnsNames?.length ?? 0) + (req.ips?.length ?? 0) > 0;
    const usages: string[] = [];
    if (req.client !== false) usages.push(OID.clientAuth);
    if (serving) usages.push(OID.serverAuth);
    const extensions = [
      extension(OID.basicConstraints, sequence(), true),
      extension(OID.keyUsage, namedBits([KeyUsage.digitalSignature, KeyUsage.keyEncipherment]), true),
      extension(OID.extKeyUsage, sequence(...usages.map(objectId))),
    ];
    if (this.keyId) extensions.push(extension(OID.authorityKeyId, sequence(implicit(0, this.keyId))));
    if (serving) {
      const names = [
        ...(req.dnsNames ?? []).map((dns) => implicit(2, Buffer.from(dns, "ascii"))),
        ...(req.ips ?? []).map((ip) => implicit(7, ipBytes(ip))),
      ];
      extensions.push(extension(OID.subjectAltName, sequence(...names)));
    }
    const subject = name(req.commonName, req.organizations ?? []);
    const spki = publicKey.export({ type: "spki", format: "der" });
    const cert = signedCertificate(this.signingKey, this.subject, subject, spki, extensions, VALIDITY_MS);
    return {
      cert: pem("CERTIFICATE", cert),
      key: privateKey.export({ type: "pkcs8", format: "pem" }) as string,
    };
  }
}

/** An X.509 v3 certificate (RFC 5280 section 4.1), signed with SHA-256 by the issuer's key. */
function signedCertificate(
  issuerKey: KeyObject,
  issuer: Buffer,
  subject: Buffer,
  spki: Buffer,
  extensions: Buffer[],
  validityMs: number,
): Buffer {
  const algorithm = signatureAlgorithm(issuerKey);
  const tbs = sequence(
    explicit(0, smallInteger(2)),
    unsignedInteger(serial()),
    algorithm,
    issuer,
    sequence(time(backdated()), time(new Date(Date.now() + validityMs))),
    subject,
    spki,
    explicit(3, sequence(...extensions)),
  );
  return sequence(tbs, algorithm, bitString(sign("sha256", tbs, issuerKey)));
}

/**
 * A new private key and a PKCS#10 request for a client certificate with this subject, as a kubelet makes
 * for TLS bootstrapping (the signer decides usages and lifetime; the request carries only the subject).
 */
export async function createCertificateRequest(
  commonName: string,
  organizations: readonly string[],
): Promise<{ csrPem: string; keyPem: string }> {
  const { publicKey, privateKey } = generateKeyPairSync("ec", { namedCurve: "prime256v1" });
  const info = sequence(
    smallInteger(0),
    name(commonName, organizations),
    publicKey.export({ type: "spki", format: "der" }),
    tlv(0xa0, Buffer.alloc(0)), // no attributes
  );
  const csr = sequence(info, signatureAlgorithm(privateKey), bitString(sign("sha256", info, privateKey)));
  return {
    csrPem: pem("CERTIFICATE REQUEST", csr),
    keyPem: privateKey.export({ type: "pkcs8", format: "pem" }) as string,
  };
}

/** A key pair for signing service-account tokens (ES256). */
export async function serviceAccountKeys(): Promise<{ privateKey: string; publicKey: string }> {
  const { publicKey, privateKey } = generateKeyPairSync("ec", { namedCurve: "prime256v1" });
  return {
    privateKey: privateKey.export({ type: "pkcs8", format: "pem" }) as string,
    publicKey: publicKey.export({ type: "spki", format: "pem" }) as string,
  };
}

/** A Name of a common name and organizations, in that order (how the API server reads user and groups). */
function name(commonName: string, organizations: readonly string[]): Buffer {
  const rdn = (oid: string, value: string) => set(sequence(objectId(oid), utf8String(value)));
  return sequence(rdn(OID.commonName, commonName), ...organizations.map((o) => rdn(OID.organization, o)));
}

function extension(oid: string, value: Buffer, critical = false): Buffer {
  return sequence(objectId(oid), ...(critical ? [booleanTrue()] : []), octetString(value));
}

function signatureAlgorithm(key: KeyObject): Buffer {
  return key.asymmetricKeyType === "rsa"
    ? sequence(objectId(OID.sha256WithRSA), nullValue())
    : sequence(objectId(OID.ecdsaWithSHA256));
}

/** RFC 5280's key identifier: SHA-1 of the subjectPublicKey bits of a SubjectPublicKeyInfo. */
function keyIdentifier(spki: Buffer): Buffer {
  const [, key] = children(spki, readElement(spki, 0));
  return createHash("sha1")
    .update(spki.subarray(key.start + 1, key.end))
    .digest();
}

/** The subject and subject key identifier of a certificate (DER), which the certificates it issues name. */
function issuerOf(der: Buffer): { subject: Buffer; keyId: Buffer | undefined } {
  const [tbs] = children(der, readElement(der, 0));
  const fields = children(der, tbs);
  const at = fields[0].tag === 0xa0 ? 1 : 0; // [0] version, absent in v1
  const subject = Buffer.from(fields[at + 4].raw);
  const extensions = fields.find((f) => f.tag === 0xa3);
  const skiOid = objectId(OID.subjectKeyId);
  for (const ext of extensions ? children(der, children(der, extensions)[0]) : []) {
    const parts = children(der, ext);
    if (!parts[0].raw.equals(skiOid)) continue;
    const value = parts[parts.length - 1];
    const keyId = readElement(der, value.start);
    return { subject, keyId: Buffer.from(der.subarray(keyId.start, keyId.end)) };
  }
  return { subject, keyId: undefined };
}

function ipBytes(ip: string): Buffer {
  if (isIPv4(ip)) return Buffer.from(ip.split(".").map(Number));
  const [head, tail = ""] = ip.split("::");
  const groups = (part: string) => (part ? part.split(":").map((g) => parseInt(g, 16)) : []);
  const left = groups(head);
  const right = groups(tail);
  const all = ip.includes("::")
    ? [...left, ...Array(8 - left.length - right.length).fill(0), ...right]
    : left;
  if (all.length !== 8 || all.some((g) => !(g >= 0 && g <= 0xffff)))
    throw new Error(`not an IP address: ${ip}`);
  const out = Buffer.alloc(16);
  all.forEach((g, i) => out.writeUInt16BE(g, 2 * i));
  return out;
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

function pem(label: string, der: Buffer): string {
  const body = der
    .toString("base64")
    .replace(/(.{64})/g, "$1\n")
    .replace(/\n$/, "");
  return `-----BEGIN ${label}-----\n${body}\n-----END ${label}-----\n`;
}

/** 128 random bits: unique without bookkeeping, and within RFC 5280's 20 octets once made positive. */
function serial(): Buffer {
  return randomBytes(16);
}

/** Tolerates clock skew between the moment of issue and the API server's check. */
function backdated(): Date {
  return new Date(Date.now() - 5 * 60 * 1000);
}
