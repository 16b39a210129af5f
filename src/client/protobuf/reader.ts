import { remembered } from "../../util/remembered.js";

/** Protocol Buffers wire types. */
export const enum WireType {
  VARINT = 0,
  I64 = 1,
  LEN = 2,
  I32 = 5,
}

/** The tags of fields 1 and 2, the ones envelopes and small messages are read by. */
export const FIELD_1_BYTES = (1 << 3) | WireType.LEN;
export const FIELD_2_BYTES = (2 << 3) | WireType.LEN;
export const FIELD_1_VARINT = (1 << 3) | WireType.VARINT;
export const FIELD_2_VARINT = (2 << 3) | WireType.VARINT;

/**
 * The values of fields that repeat across objects ("True", a condition's type, an image, a namespace, a
 * label): a thousand nodes hold tens of thousands of pods, and a fresh copy per object and per watch event
 * is memory the garbage collector marks and copies. The fresh string dies young; the held one is shared.
 * Bounded: emptied when full, after which the words in use come back one by one.
 */
const sharedWord = remembered((word: string) => word, 16_384);
/** A label value's limit: longer values (messages, annotations) seldom repeat. */
const MAX_WORD_LENGTH = 63;

/**
 * A cursor over protobuf bytes: varints, length-delimited fields, and skipping of fields nobody reads.
 * Fields are skipped by their length, never scanned, which is what makes protobuf cheap to read in part.
 */
export class ProtoReader {
  constructor(
    readonly buf: Buffer,
    public pos: number,
    readonly end: number,
  ) {}

  get done(): boolean {
    return this.pos >= this.end;
  }

  /** A varint as a number: exact up to 2^53, and a sign-extended negative int32 or int64 comes out negative. */
  varint(): number {
    const buf = this.buf;
    const byte = buf[this.pos++]!;
    return byte < 0x80 ? byte : this.longVarint(byte);
  }

  /** The rest of a varint of two bytes or more, in two 32-bit halves so that negatives stay exact. */
  private longVarint(first: number): number {
    let lo = first & 0x7f;
    let hi = 0;
    for (let shift = 7; shift < 70; shift += 7) {
      if (this.pos >= this.end) throw new Error("protobuf: varint runs past the end of its message");
      const byte = this.buf[this.pos++]!;
      const bits = byte & 0x7f;
      if (shift < 28) lo |= bits << shift;
      else if (shift === 28) {
        lo |= bits << 28;
        hi = bits >>> 4;
      } else hi |= bits << (shift - 32);
      if (byte < 0x80) {
        if (hi & 0x8000_0000) return -((~hi >>> 0) * 0x1_0000_0000 + (~lo >>> 0) + 1);
        return (hi >>> 0) * 0x1_0000_0000 + (lo >>> 0);
      }
    }
    throw new Error("protobuf: varint longer than 10 bytes");
  }

  /** The bounds of a length-delimited field's bytes; the cursor moves past them. */
  span(): number {
    const length = this.varint();
    const start = this.pos;
    this.pos += length;
    if (this.pos > this.end) throw new Error("protobuf: field runs past the end of its message");
    return start;
  }

  /**
   * Steps into the embedded message at the cursor: returns where it ends, for reading its fields in place
   * up to there, which spares a reader object per nested message on the hot path.
   */
  enter(): number {
    const start = this.span();
    const end = this.pos;
    this.pos = start;
    return end;
  }

  string(): string {
    const start = this.span();
    return this.buf.toString("utf8", start, this.pos);
  }

  /** A string of a field whose values repeat across objects, as the one copy every object shares (see sharedWord). */
  word(): string {
    const value = this.string();
    return value.length > MAX_WORD_LENGTH ? value : sharedWord(value);
  }

  skip(wire: number): void {
    switch (wire) {
      case WireType.VARINT:
        this.varint();
        return;
      case WireType.I64:
        this.pos += 8;
        break;
      case WireType.LEN:
        this.span();
        return;
      case WireType.I32:
        this.pos += 4;
        break;
      default:
        throw new Error(`protobuf: unsupported wire type ${wire}`);
    }
    if (this.pos > this.end) throw new Error("protobuf: field runs past the end of its message");
  }
}
