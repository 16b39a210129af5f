/**
 * The part of HPACK (RFC 7541) a Kubernetes client needs. The client announces a header table of size 0,
 * so the server keeps no dynamic table and every field it sends is either a static-table reference or a
 * literal: the decoder reads the response's :status and skips the rest without keeping state. The encoder
 * writes literals that are never indexed, which any server accepts.
 */

/** Static-table indices (RFC 7541 Appendix A) of the request headers this client sends. */
const STATIC_NAME_INDEX: Readonly<Record<string, number>> = {
  ":authority": 1,
  ":method": 2,
  ":path": 4,
  ":scheme": 6,
  accept: 19,
  authorization: 23,
  "content-length": 28,
  "content-type": 31,
  "user-agent": 58,
};

/** Static entries 8 to 14 are ":status" with these values. */
const STATIC_STATUS: Readonly<Record<number, number>> = {
  8: 200,
  9: 204,
  10: 206,
  11: 304,
  12: 400,
  13: 404,
  14: 500,
};
const STATIC_TABLE_SIZE = 61;

/** The pseudo-headers every request of a session shares. */
export interface PseudoHeaders {
  scheme: string;
  authority: string;
}

type Headers = ReadonlyArray<readonly [string, string]>;

/** An upper bound of the encoded size of a request's header block: three bytes per UTF-16 unit. */
export function headerBlockBound(
  pseudo: PseudoHeaders,
  method: string,
  path: string,
  headers: Headers,
): number {
  let bound = 4 * 6 + 3 * (method.length + path.length + pseudo.scheme.length + pseudo.authority.length);
  for (const [name, value] of headers) bound += 12 + 3 * (name.length + value.length);
  return bound;
}

/**
 * Writes a request's header block at `at`: the pseudo-headers, then [name, value] pairs (names lower
 * case), all literals without indexing with raw strings; returns where the block ends. Written straight
 * into the frame's buffer: a request allocates once.
 */
export function writeHeaderBlock(
  pseudo: PseudoHeaders,
  method: string,
  path: string,
  headers: Headers,
  out: Buffer,
  at: number,
): number {
  at = writeField(":method", method, out, at);
  at = writeField(":scheme", pseudo.scheme, out, at);
  at = writeField(":authority", pseudo.authority, out, at);
  at = writeField(":path", path, out, at);
  for (const [name, value] of headers) at = writeField(name, value, out, at);
  return at;
}

function writeField(name: string, value: string, out: Buffer, at: number): number {
  const index = STATIC_NAME_INDEX[name];
  // The first byte's high nibble 0000 is "literal without indexing"; index 0 means a literal name follows.
  at = writeInt(index ?? 0, 4, out, at);
  if (index === undefined) at = writeLiteral(name, out, at);
  return writeLiteral(value, out, at);
}

/** A raw string literal: its length, then its bytes; the bytes are written first, then moved if need be. */
function writeLiteral(s: string, out: Buffer, at: number): number {
  const length = out.write(s, at + 1, "utf8");
  if (length < 0x7f) {
    out[at] = length;
    return at + 1 + length;
  }
  const prefix = intSize(length, 7);
  out.copyWithin(at + prefix, at + 1, at + 1 + length);
  writeInt(length, 7, out, at);
  return at + prefix + length;
}

/** An HPACK integer in a first byte of prefixBits bits (its other bits 0) and continuation bytes. */
function writeInt(value: number, prefixBits: number, out: Buffer, at: number): number {
  const max = (1 << prefixBits) - 1;
  if (value < max) {
    out[at] = value;
    return at + 1;
  }
  out[at++] = max;
  for (value -= max; value >= 128; value >>>= 7) out[at++] = (value & 0x7f) | 0x80;
  out[at++] = value;
  return at;
}

function intSize(value: number, prefixBits: number): number {
  const max = (1 << prefixBits) - 1;
  if (value < max) return 1;
  let size = 2;
  for (value -= max; value >= 128; value >>>= 7) size++;
  return size;
}

export class HpackError extends Error {}

/** RFC 7541's static table index of `retry-after`. */
const RETRY_AFTER = 53;

/** What a response head says besides its status, read only where asked for. */
export interface ResponseHead {
  /** Retry-After in seconds, when the response carries it as a number. */
  retryAfterSeconds?: number;
}

/**
 * The :status of a response header block; 0 when it has none (trailers). Given `head`, its Retry-After is
 * read into it as well (the API server sends it with 429 Too Many Requests).
 */
export function decodeStatus(block: Buffer, head?: ResponseHead): number {
  const r = { at: 0 };
  let status = 0;
  while (r.at < block.length) {
    const first = block[r.at];
    if (first & 0x80) {
      const index = readInt(block, r, 7);
      if (index > STATIC_TABLE_SIZE || index === 0)
        throw new HpackError(`header index ${index} outside the static table`);
      if (STATIC_STATUS[index] !== undefined) status = STATIC_STATUS[index];
      continue;
    }
    if ((first & 0xe0) === 0x20) {
      // Dynamic table size update: the client allows none, so there is nothing to resize.
      readInt(block, r, 5);
      continue;
    }
    // Literal with incremental indexing (01), without indexing (0000) or never indexed (0001).
    const nameIndex = readInt(block, r, (first & 0xc0) === 0x40 ? 6 : 4);
    if (nameIndex > STATIC_TABLE_SIZE)
      throw new HpackError(`header name index ${nameIndex} outside the static table`);
    if (nameIndex === 0) skipString(block, r);
    if (nameIndex >= 8 && nameIndex <= 14) status = readStatusValue(block, r);
    else if (nameIndex === RETRY_AFTER && head) head.retryAfterSeconds = readSecondsValue(block, r);
    else skipString(block, r);
  }
  return status;
}

function readInt(block: Buffer, r: { at: number }, prefixBits: number): number {
  const max = (1 << prefixBits) - 1;
  let value = block[r.at++] & max;
  if (value < max) return value;
  let shift = 0;
  for (;;) {
    if (r.at >= block.length) throw new HpackError("truncated integer");
    const b = block[r.at++];
    value += (b & 0x7f) * 2 ** shift;
    shift += 7;
    if (!(b & 0x80)) return value;
    if (shift > 28) throw new HpackError("integer too large");
  }
}

function skipString(block: Buffer, r: { at: number }): void {
  const length = readInt(block, r, 7);
  r.at += length;
  if (r.at > block.length) throw new HpackError("truncated string");
}

function readStatusValue(block: Buffer, r: { at: number }): number {
  const text = readDigitsValue(block, r);
  if (text === undefined || !/^\d{3}$/.test(text))
    throw new HpackError(`invalid :status ${JSON.stringify(text ?? "(not Huffman-coded digits)")}`);
  return Number(text);
}

/** A delay in seconds; undefined for the other form Retry-After may take, an HTTP date. */
function readSecondsValue(block: Buffer, r: { at: number }): number | undefined {
  const text = readDigitsValue(block, r);
  return text !== undefined && /^\d+$/.test(text) ? Number(text) : undefined;
}

/** A string value that should hold decimal digits; undefined when Huffman-coded as anything else. */
function readDigitsValue(block: Buffer, r: { at: number }): string | undefined {
  const huffman = (block[r.at] & 0x80) !== 0;
  const length = readInt(block, r, 7);
  const bytes = block.subarray(r.at, r.at + length);
  r.at += length;
  if (bytes.length !== length) throw new HpackError("truncated string");
  return huffman ? huffmanDigits(bytes) : bytes.toString("latin1");
}

/**
 * Huffman-decodes a string of decimal digits, all a :status or a Retry-After in seconds holds; undefined
 * for any other string. In RFC 7541's code '0' to '2' are the 5-bit codes 0 to 2 and '3' to '9' the 6-bit
 * codes 0x19 to 0x1f; the rest of the last byte is 1-padding.
 */
export function huffmanDigits(bytes: Buffer): string | undefined {
  let out = "";
  let bits = 0;
  let held = 0;
  let i = 0;
  const need = (n: number): boolean => {
    while (held < n) {
      if (i >= bytes.length) return false;
      bits = ((bits << 8) | bytes[i++]) & 0xffffff;
      held += 8;
    }
    return true;
  };
  const peek = (n: number) => (bits >>> (held - n)) & ((1 << n) - 1);
  while (need(5)) {
    const five = peek(5);
    if (five <= 2) {
      out += String(five);
      held -= 5;
      continue;
    }
    if (five >= 0b01100 && five <= 0b01111 && need(6)) {
      const six = peek(6);
      if (six >= 0x19) {
        out += String(six - 0x19 + 3);
        held -= 6;
        continue;
      }
    }
    break;
  }
  // What is left must be the padding: fewer than 8 bits, all ones.
  if (held >= 8 || i < bytes.length || peek(held) !== (1 << held) - 1) return undefined;
  return out;
}
