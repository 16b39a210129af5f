import { WireType } from "./reader.js";
import type { MessageSchema } from "./schema.js";

/**
 * Encodes a plain object of the JSON shape by the same schema the decoder reads: the fields it names, in
 * field-number order as Go's marshallers write them. A field whose value is undefined or null is left out,
 * which the API server reads as empty or nil. For the objects the kubelet sends in protobuf (its Lease,
 * its Node's registration), written into one scratch buffer and copied out once.
 */
export function encodeMessage(schema: MessageSchema, value: Record<string, unknown>): Buffer {
  const w = new ProtoWriter();
  w.message(schema, value);
  return w.finish();
}

let scratch = Buffer.allocUnsafe(64 * 1024);

/** Writes fields into the scratch buffer; finish() copies them out. Synchronous, so one scratch serves all. */
export class ProtoWriter {
  private at = 0;

  finish(): Buffer {
    return Buffer.from(scratch.subarray(0, this.at));
  }

  raw(bytes: Buffer): void {
    this.room(bytes.length);
    bytes.copy(scratch, this.at);
    this.at += bytes.length;
  }

  message(schema: MessageSchema, value: Record<string, unknown>): void {
    schema.fields.forEach((field, number) => {
      if (!field) return;
      // JSON writes an embedded struct's fields into the parent; protobuf keeps it a message of its own.
      if (field.kind === "inline") return this.nested(number, () => this.message(field.schema, value));
      const v = value[field.name];
      if (v === undefined || v === null) return;
      switch (field.kind) {
        case "string":
          return this.string(number, v as string);
        case "int":
          return this.varintField(number, v as number);
        case "bool":
          return this.varintField(number, v ? 1 : 0);
        case "time":
        case "microTime":
          return this.time(number, v as string);
        case "strings":
          for (const item of v as string[]) this.string(number, item);
          return;
        case "stringMap":
        case "quantityMap":
          for (const [key, item] of Object.entries(v as Record<string, string>)) {
            this.nested(number, () => {
              this.string(1, key);
              // A Quantity is a message of its own string.
              if (field.kind === "stringMap") this.string(2, item);
              else this.nested(2, () => this.string(1, item));
            });
          }
          return;
        case "message":
        case "lazy":
          for (const item of field.kind === "message" && field.repeated ? (v as unknown[]) : [v])
            this.nested(number, () => this.message(field.schema, item as Record<string, unknown>));
          return;
      }
    });
  }

  string(number: number, text: string): void {
    this.tag(number, WireType.LEN);
    this.room(5 + 3 * text.length);
    const start = this.at + 1;
    const length = scratch.write(text, start, "utf8");
    this.at = start + length;
    this.fixLength(start, length);
  }

  /** A length-delimited field whose content `write` produces in place. */
  nested(number: number, write: () => void): void {
    this.tag(number, WireType.LEN);
    this.room(1);
    const start = ++this.at;
    write();
    this.fixLength(start, this.at - start);
  }

  private time(number: number, text: string): void {
    const ms = Date.parse(text);
    if (Number.isNaN(ms)) throw new Error(`protobuf: ${JSON.stringify(text)} is not an RFC 3339 time`);
    const fraction = /\.(\d+)/.exec(text)?.[1] ?? "";
    const nanos = Number(fraction.padEnd(9, "0").slice(0, 9));
    this.nested(number, () => {
      this.varintField(1, Math.floor(ms / 1000));
      if (nanos) this.varintField(2, nanos);
    });
  }

  private varintField(number: number, value: number): void {
    this.tag(number, WireType.VARINT);
    this.varint(value);
  }

  private tag(number: number, wire: WireType): void {
    this.varint((number << 3) | wire);
  }

  /** A varint; a negative number as Go writes an int32 or int64, sign-extended to ten bytes. */
  private varint(value: number): void {
    this.room(10);
    if (value >= 0 && value < 2 ** 31) {
      while (value >= 0x80) {
        scratch[this.at++] = (value & 0x7f) | 0x80;
        value >>>= 7;
      }
      scratch[this.at++] = value;
      return;
    }
    let v = BigInt.asUintN(64, BigInt(value));
    while (v >= 0x80n) {
      scratch[this.at++] = Number(v & 0x7fn) | 0x80;
      v >>= 7n;
    }
    scratch[this.at++] = Number(v);
  }

  /**
   * Content was written after one byte kept for its length; a length of 128 or more needs more bytes, so
   * the content moves up to make room.
   */
  private fixLength(start: number, length: number): void {
    if (length < 0x80) {
      scratch[start - 1] = length;
      return;
    }
    let extra = 0;
    for (let v = length >>> 7; v > 0; v >>>= 7) extra++;
    this.room(extra);
    scratch.copyWithin(start + extra, start, start + length);
    let at = start - 1;
    let v = length;
    while (v >= 0x80) {
      scratch[at++] = (v & 0x7f) | 0x80;
      v >>>= 7;
    }
    scratch[at] = v;
    this.at += extra;
  }

  /** Grows the scratch buffer, keeping what is written, when `bytes` more might not fit. */
  private room(bytes: number): void {
    if (this.at + bytes <= scratch.length) return;
    const bigger = Buffer.allocUnsafe(Math.max(scratch.length * 2, this.at + bytes));
    scratch.copy(bigger, 0, 0, this.at);
    scratch = bigger;
  }
}
