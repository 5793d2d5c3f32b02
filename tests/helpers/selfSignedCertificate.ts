import { generateKeyPairSync, randomBytes, sign, X509Certificate } from "crypto";

/**
 * A self-signed X.509 certificate for one DNS name, made in-process (Node has no certificate builder and the
 * specs run no `openssl`): an ECDSA P-256 key, and a DER certificate assembled by the RFC 5280 structure
 * (TBSCertificate, signature algorithm, signature) with the name as subject CN and subjectAltName dNSName,
 * valid from a day ago to a day ahead. Node parses it back (`X509Certificate`) before it is handed out.
 */
export interface SelfSignedCertificate {
  /** PEM certificate: the server's `cert`, and the client's only trusted `ca`. */
  readonly cert: string;
  /** PEM PKCS#8 private key (a throwaway, made for this process only). */
  readonly key: string;
}

export function selfSignedCertificate(dnsName: string): SelfSignedCertificate {
  const { publicKey, privateKey } = generateKeyPairSync("ec", { namedCurve: "prime256v1" });
  const ecdsaWithSha256 = sequence(oid("1.2.840.10045.4.3.2"));
  const name = sequence(set(sequence(oid("2.5.4.3"), tlv(0x0c, Buffer.from(dnsName, "utf8")))));
  const day = 24 * 3600 * 1000;
  const serial = randomBytes(8);
  serial[0] &= 0x7f; // a positive INTEGER
  const tbs = sequence(
    tlv(0xa0, integer(Buffer.from([2]))), // version v3
    integer(serial),
    ecdsaWithSha256,
    name,
    sequence(utcTime(new Date(Date.now() - day)), utcTime(new Date(Date.now() + day))),
    name,
    publicKey.export({ type: "spki", format: "der" }),
    tlv(
      0xa3,
      sequence(sequence(oid("2.5.29.17"), tlv(0x04, sequence(tlv(0x82, Buffer.from(dnsName, "ascii")))))),
    ),
  );
  const signature = sign("sha256", tbs, privateKey);
  const der = sequence(tbs, ecdsaWithSha256, tlv(0x03, Buffer.concat([Buffer.from([0]), signature])));
  const cert = `-----BEGIN CERTIFICATE-----\n${der
    .toString("base64")
    .replace(/.{64}/g, "$&\n")
    .trimEnd()}\n-----END CERTIFICATE-----\n`;
  const parsed = new X509Certificate(cert);
  if (parsed.checkHost(dnsName) !== dnsName || !parsed.verify(publicKey)) {
    throw new Error(`the self-signed certificate for ${dnsName} does not verify`);
  }
  return { cert, key: privateKey.export({ type: "pkcs8", format: "pem" }).toString() };
}

function tlv(tag: number, content: Buffer): Buffer {
  const length =
    content.length < 0x80
      ? Buffer.from([content.length])
      : (() => {
          const bytes: number[] = [];
          for (let rest = content.length; rest > 0; rest >>= 8) bytes.unshift(rest & 0xff);
          return Buffer.from([0x80 | bytes.length, ...bytes]);
        })();
  return Buffer.concat([Buffer.from([tag]), length, content]);
}

const sequence = (...items: Buffer[]) => tlv(0x30, Buffer.concat(items));
const set = (...items: Buffer[]) => tlv(0x31, Buffer.concat(items));
const integer = (value: Buffer) => tlv(0x02, value);

function oid(dotted: string): Buffer {
  const [first, second, ...rest] = dotted.split(".").map(Number);
  const bytes = [40 * first + second];
  for (const arc of rest) {
    const groups: number[] = [];
    for (let value = arc; ; value = Math.floor(value / 128)) {
      groups.unshift((value % 128) | (groups.length > 0 ? 0x80 : 0));
      if (value < 128) break;
    }
    bytes.push(...groups);
  }
  return tlv(0x06, Buffer.from(bytes));
}

function utcTime(date: Date): Buffer {
  const text = date
    .toISOString()
    .replace(/[-:T]/g, "")
    .replace(/\.\d{3}Z$/, "Z")
    .slice(2);
  return tlv(0x17, Buffer.from(text, "ascii"));
}
